//! tollgate's permissions stage: least-privilege analysis of the IAM policies the cloud model
//! collects from CloudFormation, SAM, Serverless Framework and Terraform (identity, trust and
//! resource policies), driven by the full AWS action catalog.
//!
//! - [`catalog`]: the embedded action catalog (access levels, resource types, condition keys).
//! - [`expand`]: action patterns (`s3:Put*`) expanded against it.
//! - [`risk`]: reviewed risk lists (privilege escalation, exfiltration, credentials).
//! - [`analysis`]: every policy's statements with their facts; [`rules`] read them.

pub mod analysis;
mod aws_accounts;
pub mod catalog;
pub mod deny;
pub mod expand;
pub mod explain;
pub mod principal;
pub mod risk;
pub mod rules;
mod sink;
mod stage;

pub use stage::{
    analysis, check_model, check_model_with, evaluate_model_with, outcome, Outcome,
    PermissionsStage, ScanAnalysis,
};
