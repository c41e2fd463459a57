//! TG1601: a log group kept forever, or for less than a year.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, with_controls, Fix, LOG_RETENTION};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct LogGroupRetention;

/// One year: what CIS, PCI DSS (10.5.1) and most audit regimes ask logs to be kept for.
const MIN_DAYS: i64 = 365;

impl IacRule for LogGroupRetention {
    fn meta(&self) -> Rule {
        with_controls(
            iac_rule(
                "TG1601",
                "log-group-retention",
                Severity::Low,
                "CloudWatch log group has no retention or keeps logs for less than a year",
                "logs",
            ),
            &[LOG_RETENTION],
        )
        .control(tollgate_core::Framework::Gdpr, "Art. 5(1)(e)")
        .tags(["logging"])
        .equivalents(["CKV_AWS_66", "CKV_AWS_338"])
        .description(
            "A log group without `RetentionInDays` keeps its logs forever: cost grows without \
             bound and personal data in logs outlives its purpose (GDPR storage limitation). A \
             retention under 365 days deletes logs before an incident is usually discovered and \
             investigated, and below what PCI DSS requires.",
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
                Val::Known { value, span } if *value < MIN_DAYS => out.at(
                    &g.meta,
                    *span,
                    &value.to_string(),
                    format!("Log group `{name}` keeps logs for {value} days, less than a year."),
                ),
                _ => {}
            }
        }
    }
}
