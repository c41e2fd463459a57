//! TG1309: a bucket without a lifecycle configuration keeps every object forever.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct S3WithoutLifecycle;

impl IacRule for S3WithoutLifecycle {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1309",
            "s3-without-lifecycle",
            Severity::Low,
            "S3 bucket has no lifecycle configuration",
            "s3",
        )
        .tags(["data-retention"])
        .equivalents(["CKV2_AWS_61"])
        .description(
            "Without lifecycle rules a bucket keeps every object, every noncurrent version and \
             every incomplete multipart upload until someone deletes it by hand: personal data \
             outlives its purpose (GDPR storage limitation), old versions of leaked or \
             overwritten files stay readable, and storage costs only grow. A lifecycle \
             configuration expires or archives objects on a schedule.",
        )
        .remediation(
            Fix {
                summary: "Add lifecycle rules that expire objects and noncurrent versions after their retention period and abort incomplete uploads.",
                cloudformation: "Uploads:\n  Type: AWS::S3::Bucket\n  Properties:\n    LifecycleConfiguration:\n      Rules:\n        - Id: retention\n          Status: Enabled\n          ExpirationInDays: 365\n          NoncurrentVersionExpiration:\n            NoncurrentDays: 30\n          AbortIncompleteMultipartUpload:\n            DaysAfterInitiation: 7",
                serverless: None,
                terraform: "resource \"aws_s3_bucket_lifecycle_configuration\" \"uploads\" {\n  bucket = aws_s3_bucket.uploads.id\n  rule {\n    id     = \"retention\"\n    status = \"Enabled\"\n    filter {}\n    expiration {\n      days = 365\n    }\n    abort_incomplete_multipart_upload {\n      days_after_initiation = 7\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for b in &model.buckets {
            out.evaluated(&b.meta);
            if b.lifecycle.is_none() {
                out.missing(
                    &b.meta,
                    format!(
                        "S3 bucket `{}` has no lifecycle configuration: its objects are kept forever.",
                        b.meta.address
                    ),
                );
            }
        }
    }
}
