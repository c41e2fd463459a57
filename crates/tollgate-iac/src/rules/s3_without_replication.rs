//! TG1311: a bucket that is not replicated to another bucket.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct S3WithoutReplication;

impl IacRule for S3WithoutReplication {
    fn meta(&self) -> Rule {
        // A replica is a disaster-recovery copy, not a backup: a deletion or an overwrite is
        // replicated too (versioning, TG1303, is the backup question).
        iac_rule(
            "TG1311",
            "s3-without-replication",
            Severity::Low,
            "S3 bucket is not replicated",
            "s3",
        )
        .tags(["disaster-recovery"])
        .equivalents(["CKV_AWS_144"])
        .description(
            "Replication copies every new object to a bucket in another region or account. \
             Without it, a regional outage makes the data unavailable, and a compromised \
             account or a mistaken deletion (with versioning off or its versions expired) loses \
             it for good. The rule passes a bucket with an enabled replication rule \
             (`ReplicationConfiguration`, `replication_configuration`, \
             `aws_s3_bucket_replication_configuration`). Replication needs versioning on both \
             buckets (TG1303). Its severity is not raised for classified data: \
             whether a second copy is worth its cost is a resilience decision, and TG1303 \
             already protects classified buckets against deletion.",
        )
        .remediation(
            Fix {
                summary: "Replicate the bucket to a bucket in another region (or a backup account).",
                cloudformation: "Records:\n  Type: AWS::S3::Bucket\n  Properties:\n    VersioningConfiguration:\n      Status: Enabled\n    ReplicationConfiguration:\n      Role: !GetAtt ReplicationRole.Arn\n      Rules:\n        - Status: Enabled\n          Destination:\n            Bucket: arn:aws:s3:::records-replica-eu-central-1",
                serverless: None,
                terraform: "resource \"aws_s3_bucket_replication_configuration\" \"records\" {\n  bucket = aws_s3_bucket.records.id\n  role   = aws_iam_role.replication.arn\n  rule {\n    id     = \"all\"\n    status = \"Enabled\"\n    destination {\n      bucket = aws_s3_bucket.replica.arn\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for b in &model.buckets {
            let name = &b.meta.address;
            out.expect(
                &b.meta,
                &b.replication,
                |on| *on,
                format!("S3 bucket `{name}` is not replicated to another bucket."),
                |_| format!("S3 bucket `{name}` has no enabled replication rule."),
            );
        }
    }
}
