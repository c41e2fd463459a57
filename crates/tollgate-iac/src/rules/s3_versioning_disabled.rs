//! TG1303: without versioning an overwritten or deleted object is gone.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct S3VersioningDisabled;

impl IacRule for S3VersioningDisabled {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1303",
                "s3-versioning-disabled",
                Severity::Low,
                "S3 bucket does not have versioning enabled",
                "s3",
            )
        .tags(["backup"])
        .equivalents(["CKV_AWS_21"])
        .description(
            "Versioning keeps every version of every object, so an object overwritten or deleted \
             by a bug, a compromised credential or ransomware can be recovered. Without it, \
             writes are final.",
        )
        .remediation(
            Fix {
                summary: "Enable versioning (and a lifecycle rule expiring old versions to control cost).",
                cloudformation: "Uploads:\n  Type: AWS::S3::Bucket\n  Properties:\n    VersioningConfiguration:\n      Status: Enabled",
                serverless: None,
                terraform: "resource \"aws_s3_bucket_versioning\" \"uploads\" {\n  bucket = aws_s3_bucket.uploads.id\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for b in &model.buckets {
            let name = &b.meta.address;
            out.expect(
                &b.meta,
                &b.versioning,
                |s| s.eq_ignore_ascii_case("Enabled"),
                format!("S3 bucket `{name}` does not enable versioning."),
                |s| format!("S3 bucket `{name}` has versioning `{s}`."),
            );
        }
    }
}
