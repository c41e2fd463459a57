//! TG1608: a trail that notifies no SNS topic of delivered log files.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudtrailWithoutSnsTopic;

impl IacRule for CloudtrailWithoutSnsTopic {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1608",
                "cloudtrail-without-sns-topic",
                Severity::Low,
                "CloudTrail trail does not notify an SNS topic of new log files",
                "cloudtrail",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_252"])
        .description(
            "With `SnsTopicName` (`sns_topic_name`) CloudTrail publishes a notification each \
             time it delivers a log file, so a queue or function can process the logs as they \
             arrive (forwarding them to a SIEM, alerting on sensitive calls) and a missing \
             delivery is noticed. Without it, the logs are only read when someone looks.",
        )
        .remediation(
            Fix {
                summary: "Name an SNS topic whose policy lets CloudTrail publish to it, and subscribe a queue or function to it.",
                cloudformation: "Trail:\n  Type: AWS::CloudTrail::Trail\n  Properties:\n    IsLogging: true\n    S3BucketName: !Ref TrailBucket\n    SnsTopicName: !GetAtt TrailDeliveries.TopicName",
                serverless: None,
                terraform: "resource \"aws_cloudtrail\" \"main\" {\n  name           = \"main\"\n  s3_bucket_name = aws_s3_bucket.trail.id\n  sns_topic_name = aws_sns_topic.trail_deliveries.name\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for t in &model.trails {
            out.evaluated(&t.meta);
            if t.sns_topic.is_unknown() {
                out.unknown(&t.meta);
            } else if t.sns_topic.is_absent() {
                out.missing(
                    &t.meta,
                    format!(
                        "CloudTrail trail `{}` notifies no SNS topic of new log files.",
                        t.meta.address
                    ),
                );
            }
        }
    }
}
