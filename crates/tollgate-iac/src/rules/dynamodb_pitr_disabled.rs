//! TG1201: a DynamoDB table without point-in-time recovery cannot be restored after a bad
//! write, a bug or a ransomware-style delete.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct DynamodbPitrDisabled;

impl IacRule for DynamodbPitrDisabled {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1201",
                "dynamodb-pitr-disabled",
                Severity::Medium,
                "DynamoDB table does not have point-in-time recovery",
                "dynamodb",
            )
        .tags(["backup"])
        .equivalents(["CKV_AWS_28", "CKV_AWS_165"])
        .description(
            "Point-in-time recovery keeps continuous backups for 35 days, so a table can be \
             restored to any second before corrupting writes or a mass delete. Without it, only \
             manual on-demand backups (if any) exist. `AWS::Serverless::SimpleTable` cannot turn \
             it on: use `AWS::DynamoDB::Table` for data you need to keep. A global table is judged by \
             its first replica's setting, as Checkov's CKV_AWS_165 judges it.",
        )
        .remediation(
            Fix {
                summary: "Enable point-in-time recovery.",
                cloudformation: "OrdersTable:\n  Type: AWS::DynamoDB::Table\n  Properties:\n    PointInTimeRecoverySpecification:\n      PointInTimeRecoveryEnabled: true",
                serverless: None,
                terraform: "resource \"aws_dynamodb_table\" \"orders\" {\n  # ...\n  point_in_time_recovery {\n    enabled = true\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for t in &model.dynamo_tables {
            out.expect_enabled(&t.meta, &t.pitr, "DynamoDB table", "point-in-time recovery");
        }
    }
}
