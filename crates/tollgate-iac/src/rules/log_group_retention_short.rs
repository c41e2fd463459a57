//! TG1607: a log group that deletes its logs before a year has passed.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct LogGroupRetentionShort;

/// One year: what CIS, PCI DSS (10.5.1) and most audit regimes ask logs to be kept for.
const MIN_DAYS: i64 = 365;

impl IacRule for LogGroupRetentionShort {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1607",
                "log-group-retention-short",
                Severity::Low,
                "CloudWatch log group keeps logs for less than a year",
                "logs",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_338"])
        .description(
            "A retention under 365 days deletes logs before an incident is usually discovered \
             and investigated, and below what PCI DSS and CIS ask for. A log group with no \
             retention at all is TG1601; Checkov's CKV_AWS_338 reports that case as well, so on \
             such a group the two tools agree through TG1601.",
        )
        .remediation(
            Fix {
                summary: "Keep logs for at least 365 days (longer where your regime requires it).",
                cloudformation: "AuditLogs:\n  Type: AWS::Logs::LogGroup\n  Properties:\n    RetentionInDays: 365",
                serverless: Some("provider:\n  logRetentionInDays: 365"),
                terraform: "resource \"aws_cloudwatch_log_group\" \"audit\" {\n  name              = \"/audit\"\n  retention_in_days = 365\n}",
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
            // 0 is "never expire" (TG1601), not a short retention.
            if let Val::Known { value, span } = &g.retention_days {
                if (1..MIN_DAYS).contains(value) {
                    out.at(
                        &g.meta,
                        *span,
                        &value.to_string(),
                        format!(
                            "Log group `{name}` keeps logs for {value} days, less than a year."
                        ),
                    );
                }
            }
        }
    }
}
