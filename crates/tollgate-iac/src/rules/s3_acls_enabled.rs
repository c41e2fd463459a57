//! TG1308: a bucket whose object ownership setting keeps ACLs in force.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct S3AclsEnabled;

impl IacRule for S3AclsEnabled {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1308",
                "s3-acls-enabled",
                Severity::Medium,
                "S3 bucket keeps access control lists enabled",
                "s3",
            )
        .equivalents(["CKV2_AWS_65"])
        .description(
            "With object ownership `BucketOwnerEnforced`, S3 ignores access control lists: \
             only the bucket policy and IAM decide who reads an object, and an uploader cannot \
             make one object public (or keep it from the bucket owner) with an object ACL. \
             `ObjectWriter` and `BucketOwnerPreferred` keep ACLs in force. New buckets default \
             to `BucketOwnerEnforced` since April 2023, so a bucket that does not set \
             `OwnershipControls` passes; the rule fires where the setting is written with \
             another value.",
        )
        .remediation(
            Fix {
                summary: "Set object ownership to `BucketOwnerEnforced` (or remove the setting) and grant access through the bucket policy.",
                cloudformation: "Uploads:\n  Type: AWS::S3::Bucket\n  Properties:\n    OwnershipControls:\n      Rules:\n        - ObjectOwnership: BucketOwnerEnforced",
                serverless: None,
                terraform: "resource \"aws_s3_bucket_ownership_controls\" \"uploads\" {\n  bucket = aws_s3_bucket.uploads.id\n  rule {\n    object_ownership = \"BucketOwnerEnforced\"\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for b in &model.buckets {
            let Some(o) = &b.ownership else {
                out.evaluated(&b.meta);
                continue;
            };
            let name = &b.meta.address;
            out.expect(
                &o.meta,
                &o.object_ownership,
                |v| v == "BucketOwnerEnforced",
                format!("S3 bucket `{name}` declares object ownership without `BucketOwnerEnforced`, so ACLs stay in force."),
                |v| format!("S3 bucket `{name}` keeps ACLs in force (object ownership `{v}`)."),
            );
        }
    }
}
