//! TG1605: trail logs encrypted only with S3-managed keys.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudtrailNotKmsEncrypted;

impl IacRule for CloudtrailNotKmsEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1605",
                "cloudtrail-not-kms-encrypted",
                Severity::Medium,
                "CloudTrail logs are not encrypted with a KMS key",
                "cloudtrail",
            )
        .tags(["logging", "encryption"])
        .equivalents(["CKV_AWS_35"])
        .description(
            "CloudTrail logs reveal your whole account's activity. With `KMSKeyId` they are \
             encrypted with SSE-KMS, so reading them needs `kms:Decrypt` on a key you control in \
             addition to access to the bucket.",
        )
        .remediation(
            Fix {
                summary: "Encrypt the trail with a customer-managed key whose policy allows CloudTrail to use it.",
                cloudformation: "Trail:\n  Type: AWS::CloudTrail::Trail\n  Properties:\n    IsLogging: true\n    S3BucketName: !Ref TrailBucket\n    KMSKeyId: !Ref TrailKey",
                serverless: None,
                terraform: "resource \"aws_cloudtrail\" \"main\" {\n  name           = \"main\"\n  s3_bucket_name = aws_s3_bucket.trail.id\n  kms_key_id     = aws_kms_key.trail.arn\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for t in &model.trails {
            out.evaluated(&t.meta);
            if t.kms_key.is_absent() {
                out.missing(
                    &t.meta,
                    format!(
                        "CloudTrail trail `{}` is not encrypted with a KMS key.",
                        t.meta.address
                    ),
                );
            }
        }
    }
}
