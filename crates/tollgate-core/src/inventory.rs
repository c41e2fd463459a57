//! The file inventory: one walk of the scanned directory, each file classified once.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What a file is, decided once during the walk.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum FileKind {
    /// A CloudFormation template (has `AWSTemplateFormatVersion` or `Resources` of `AWS::` types).
    CloudFormation { json: bool },
    /// An AWS SAM template (`Transform: AWS::Serverless-2016-10-31`).
    Sam { json: bool },
    /// `serverless.yml` / `serverless.yaml`.
    Serverless,
    /// `*.tf`.
    Terraform,
    /// `*.tf.json`.
    TerraformJson,
    /// `terraform show -json` output (has `format_version` and `planned_values` or `resource_changes`).
    TerraformPlan,
    /// A dependency lockfile or manifest, by file name (`Cargo.lock`, `package-lock.json`...).
    Lockfile(String),
    /// `.github/workflows/*.yml`.
    Workflow,
    /// Other YAML files (kept for user policies).
    YamlOther,
    /// Other JSON files (kept for user policies).
    JsonOther,
    /// Anything else: listed for suppressions and external tools, never parsed.
    Other,
}

impl FileKind {
    /// Infrastructure-as-code templates the IaC stage reads.
    pub fn is_template(&self) -> bool {
        matches!(
            self,
            FileKind::CloudFormation { .. }
                | FileKind::Sam { .. }
                | FileKind::Serverless
                | FileKind::Terraform
                | FileKind::TerraformJson
                | FileKind::TerraformPlan
        )
    }
}

/// One file of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Repository-relative, forward slashes, no leading `./`.
    pub path: String,
    /// Absolute path on disk (inside the root; never reported).
    #[serde(skip)]
    pub abs: PathBuf,
    pub kind: FileKind,
    pub size: u64,
}
