//! TG1602: a log group not encrypted with a KMS key.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct LogGroupWithoutKms;

impl IacRule for LogGroupWithoutKms {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1602",
                "log-group-without-kms",
                Severity::Low,
                "CloudWatch log group is not encrypted with a KMS key",
                "logs",
            )
        .tags(["logging", "encryption"])
        .equivalents(["CKV_AWS_158"])
        .description(
            "Application logs regularly capture tokens, request bodies and personal data. With \
             `KmsKeyId` the log group's data is encrypted with a key whose policy decides who may \
             read it, independently of CloudWatch Logs permissions.",
        )
        .remediation(
            Fix {
                summary: "Encrypt the log group with a customer-managed key (its key policy must allow the `logs.<region>.amazonaws.com` service principal).",
                cloudformation: "FunctionLogs:\n  Type: AWS::Logs::LogGroup\n  Properties:\n    RetentionInDays: 365\n    KmsKeyId: !GetAtt LogsKey.Arn",
                serverless: None,
                terraform: "resource \"aws_cloudwatch_log_group\" \"charge\" {\n  name              = \"/aws/lambda/charge\"\n  retention_in_days = 365\n  kms_key_id        = aws_kms_key.logs.arn\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for g in &model.log_groups {
            out.evaluated(&g.meta);
            if g.kms_key.is_absent() {
                out.missing(
                    &g.meta,
                    format!(
                        "Log group `{}` is not encrypted with a KMS key.",
                        g.meta.address
                    ),
                );
            }
        }
    }
}
