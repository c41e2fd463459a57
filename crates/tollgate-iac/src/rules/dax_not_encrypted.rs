//! TG1203: a DAX cluster without server-side encryption keeps cached table data in plain text.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct DaxNotEncrypted;

impl IacRule for DaxNotEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1203",
                "dax-not-encrypted",
                Severity::Medium,
                "DAX cluster is not encrypted at rest",
                "dynamodb",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_47"])
        .description(
            "DynamoDB Accelerator caches table items on its nodes. Without \
             `SSESpecification.SSEEnabled` the cache, its logs and its disks hold that data \
             unencrypted. Encryption can only be chosen when the cluster is created.",
        )
        .remediation(
            Fix {
                summary: "Enable server-side encryption (this replaces the cluster).",
                cloudformation: "Cache:\n  Type: AWS::DAX::Cluster\n  Properties:\n    SSESpecification:\n      SSEEnabled: true",
                serverless: None,
                terraform: "resource \"aws_dax_cluster\" \"cache\" {\n  # ...\n  server_side_encryption {\n    enabled = true\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for c in &model.dax_clusters {
            out.expect_enabled(&c.meta, &c.sse_enabled, "DAX cluster", "encryption at rest");
        }
    }
}
