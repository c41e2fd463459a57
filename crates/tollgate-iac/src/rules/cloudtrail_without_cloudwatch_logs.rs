//! TG1609: a trail that does not send its events to CloudWatch Logs.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudtrailWithoutCloudwatchLogs;

impl IacRule for CloudtrailWithoutCloudwatchLogs {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1609",
                "cloudtrail-without-cloudwatch-logs",
                Severity::Low,
                "CloudTrail trail does not send events to CloudWatch Logs",
                "cloudtrail",
            )
        .tags(["logging"])
        .equivalents(["CKV2_AWS_10"])
        .description(
            "A trail that writes only to S3 can be searched after the fact, but nothing \
             watches it. With `CloudWatchLogsLogGroupArn` (and the role CloudTrail uses to \
             write there) its events reach a log group in minutes, where metric filters and \
             alarms catch root logins, policy changes and failed console sign-ins as they \
             happen.\n\n\
             Checkov's CKV2_AWS_10 (Terraform only) also wants the log group declared in the \
             same configuration; tollgate accepts a log group named by ARN or imported from \
             elsewhere.",
        )
        .remediation(
            Fix {
                summary: "Send the trail's events to a log group, with a role that lets CloudTrail write there.",
                cloudformation: "Trail:\n  Type: AWS::CloudTrail::Trail\n  Properties:\n    IsLogging: true\n    S3BucketName: !Ref TrailBucket\n    CloudWatchLogsLogGroupArn: !GetAtt TrailLogs.Arn\n    CloudWatchLogsRoleArn: !GetAtt TrailLogsRole.Arn",
                serverless: None,
                terraform: "resource \"aws_cloudtrail\" \"main\" {\n  name                       = \"main\"\n  s3_bucket_name             = aws_s3_bucket.trail.id\n  cloud_watch_logs_group_arn = \"${aws_cloudwatch_log_group.trail.arn}:*\"\n  cloud_watch_logs_role_arn  = aws_iam_role.trail_logs.arn\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for t in &model.trails {
            out.evaluated(&t.meta);
            if t.log_group.is_unknown() {
                out.unknown(&t.meta);
            } else if t.log_group.is_absent() {
                out.missing(
                    &t.meta,
                    format!(
                        "CloudTrail trail `{}` does not send its events to CloudWatch Logs.",
                        t.meta.address
                    ),
                );
            }
        }
    }
}
