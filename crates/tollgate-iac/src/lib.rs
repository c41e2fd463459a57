//! tollgate's IaC stage: CloudFormation, AWS SAM, Serverless Framework and Terraform templates
//! are turned by format adapters into one typed cloud model ([`model::CloudModel`]); rules are
//! written once against that model.

pub mod adapters;
pub mod model;
pub mod rules;
pub mod runtimes;
pub mod secrets;
mod stage;

pub use model::{build_model, model, CloudModel};
pub use stage::{IacStage, LeaveTaken, RuleOutcome, SharedByUnit, TakenFindings};
