//! TG1603: a trail without log file validation cannot prove its logs were not altered.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudtrailWithoutLogValidation;

impl IacRule for CloudtrailWithoutLogValidation {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1603",
                "cloudtrail-log-validation-disabled",
                Severity::Medium,
                "CloudTrail trail does not validate log file integrity",
                "cloudtrail",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_36"])
        .description(
            "With log file validation, CloudTrail writes signed digest files so you can prove \
             that delivered log files were not modified or deleted — what an attacker covering \
             their tracks would do. It is off unless `EnableLogFileValidation` is true.",
        )
        .remediation(
            Fix {
                summary: "Enable log file validation.",
                cloudformation: "Trail:\n  Type: AWS::CloudTrail::Trail\n  Properties:\n    IsLogging: true\n    S3BucketName: !Ref TrailBucket\n    EnableLogFileValidation: true",
                serverless: None,
                terraform: "resource \"aws_cloudtrail\" \"main\" {\n  name                       = \"main\"\n  s3_bucket_name             = aws_s3_bucket.trail.id\n  enable_log_file_validation = true\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for t in &model.trails {
            out.expect_enabled(
                &t.meta,
                &t.log_file_validation,
                "CloudTrail trail",
                "log file validation",
            );
        }
    }
}
