//! TG1606: a trail that exists but does not log.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudtrailLoggingDisabled;

impl IacRule for CloudtrailLoggingDisabled {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1606",
                "cloudtrail-logging-disabled",
                Severity::High,
                "CloudTrail trail has logging turned off",
                "cloudtrail",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_251"])
        .description(
            "A trail with `IsLogging: false` (`enable_logging = false`) records nothing: the \
             account's API activity goes unaudited while the trail's presence suggests otherwise.",
        )
        .remediation(
            Fix {
                summary: "Turn logging on.",
                cloudformation: "Trail:\n  Type: AWS::CloudTrail::Trail\n  Properties:\n    IsLogging: true\n    S3BucketName: !Ref TrailBucket",
                serverless: None,
                terraform: "resource \"aws_cloudtrail\" \"main\" {\n  name           = \"main\"\n  s3_bucket_name = aws_s3_bucket.trail.id\n  enable_logging = true\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for t in &model.trails {
            out.evaluated(&t.meta);
            if t.logging.is_unknown() {
                out.unknown(&t.meta);
            }
            if t.logging.is_false() {
                out.on(
                    &t.meta,
                    &t.logging,
                    "false",
                    format!(
                        "CloudTrail trail `{}` has logging turned off.",
                        t.meta.address
                    ),
                );
            }
        }
    }
}
