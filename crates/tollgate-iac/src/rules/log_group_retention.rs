//! TG1601: a log group with no retention, kept forever.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct LogGroupRetention;

impl IacRule for LogGroupRetention {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1601",
                "log-group-retention",
                Severity::Low,
                "CloudWatch log group has no retention",
                "logs",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_66"])
        .description(
            "A log group without `RetentionInDays` keeps its logs forever: cost grows without \
             bound and personal data in logs outlives its purpose (GDPR storage limitation). \
             Terraform's `retention_in_days = 0` means the same and is reported too; Checkov's \
             CKV_AWS_66 accepts 0, which is the one difference. A retention shorter than a year \
             is TG1607.",
        )
        .remediation(
            Fix {
                summary: "Set a retention of at least 365 days (longer where your regime requires it).",
                cloudformation: "FunctionLogs:\n  Type: AWS::Logs::LogGroup\n  Properties:\n    LogGroupName: !Sub /aws/lambda/${ChargeFunction}\n    RetentionInDays: 365",
                serverless: Some("provider:\n  logRetentionInDays: 365"),
                terraform: "resource \"aws_cloudwatch_log_group\" \"charge\" {\n  name              = \"/aws/lambda/charge\"\n  retention_in_days = 365\n}",
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
            if g.retention_days.is_unknown() {
                out.unknown(&g.meta);
            }
            let name = &g.meta.address;
            match &g.retention_days {
                Val::Absent => out.missing(
                    &g.meta,
                    format!("Log group `{name}` has no retention: logs are kept forever."),
                ),
                Val::Known { value: 0, span } => out.at(
                    &g.meta,
                    *span,
                    "0",
                    format!("Log group `{name}` has no retention: logs are kept forever."),
                ),
                _ => {}
            }
        }
    }
}
