//! TG1412: an EventBridge Scheduler schedule not encrypted with a customer-managed key.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct SchedulerScheduleWithoutCmk;

impl IacRule for SchedulerScheduleWithoutCmk {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1412",
                "scheduler-schedule-without-cmk",
                Severity::Low,
                "EventBridge Scheduler schedule is not encrypted with a customer-managed KMS key",
                "eventbridge",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_297"])
        .description(
            "A schedule stores the input it sends to its target (often a whole event payload \
             with customer data or tokens). Without `KmsKeyArn` (`kms_key_arn`) it is \
             encrypted with an AWS-owned key that you cannot audit or revoke; a \
             customer-managed key puts reading the schedule's data under a key policy you own \
             and records every use in CloudTrail.",
        )
        .remediation(
            Fix {
                summary: "Encrypt the schedule with a customer-managed key.",
                cloudformation: "NightlyExport:\n  Type: AWS::Scheduler::Schedule\n  Properties:\n    ScheduleExpression: cron(0 2 * * ? *)\n    FlexibleTimeWindow:\n      Mode: \"OFF\"\n    KmsKeyArn: !GetAtt SchedulerKey.Arn\n    Target:\n      Arn: !GetAtt ExportFunction.Arn\n      RoleArn: !GetAtt SchedulerRole.Arn",
                serverless: None,
                terraform: "resource \"aws_scheduler_schedule\" \"nightly_export\" {\n  schedule_expression = \"cron(0 2 * * ? *)\"\n  kms_key_arn         = aws_kms_key.scheduler.arn\n  flexible_time_window {\n    mode = \"OFF\"\n  }\n  target {\n    arn      = aws_lambda_function.export.arn\n    role_arn = aws_iam_role.scheduler.arn\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for s in &model.schedules {
            out.expect_customer_managed_key(&s.meta, &s.kms_key, "Schedule");
        }
    }
}
