//! TG1310: a lifecycle configuration that never aborts incomplete multipart uploads.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct S3LifecycleKeepsIncompleteUploads;

impl IacRule for S3LifecycleKeepsIncompleteUploads {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1310",
            "s3-lifecycle-keeps-incomplete-uploads",
            Severity::Low,
            "S3 lifecycle configuration does not abort incomplete multipart uploads",
            "s3",
        )
        .tags(["data-retention"])
        .equivalents(["CKV_AWS_300"])
        .description(
            "The parts of a multipart upload that was never completed stay in the bucket, \
             invisible to object listings and billed, until the upload is aborted. An enabled \
             lifecycle rule for the whole bucket (no prefix, tag or size filter) with \
             `AbortIncompleteMultipartUpload` removes them after a few days. The rule judges \
             buckets that have a lifecycle configuration; a bucket without one is TG1309's.",
        )
        .remediation(
            Fix {
                summary: "Add an enabled, unfiltered lifecycle rule that aborts incomplete multipart uploads.",
                cloudformation: "Uploads:\n  Type: AWS::S3::Bucket\n  Properties:\n    LifecycleConfiguration:\n      Rules:\n        - Id: abort-incomplete-uploads\n          Status: Enabled\n          AbortIncompleteMultipartUpload:\n            DaysAfterInitiation: 7",
                serverless: None,
                terraform: "resource \"aws_s3_bucket_lifecycle_configuration\" \"uploads\" {\n  bucket = aws_s3_bucket.uploads.id\n  rule {\n    id     = \"abort-incomplete-uploads\"\n    status = \"Enabled\"\n    filter {}\n    abort_incomplete_multipart_upload {\n      days_after_initiation = 7\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for b in &model.buckets {
            let Some(l) = &b.lifecycle else {
                out.not_applicable(&b.meta);
                continue;
            };
            let name = &b.meta.address;
            out.expect(
                &l.meta,
                &l.aborts_incomplete_uploads,
                |on| *on,
                format!("The lifecycle configuration of S3 bucket `{name}` has no rules."),
                |_| format!("The lifecycle configuration of S3 bucket `{name}` never aborts incomplete multipart uploads for the whole bucket."),
            );
        }
    }
}
