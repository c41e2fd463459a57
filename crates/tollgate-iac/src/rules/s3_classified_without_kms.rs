//! TG1307: a bucket tagged as holding PHI, PCI or PII data without default KMS encryption.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct S3ClassifiedWithoutKms;

impl IacRule for S3ClassifiedWithoutKms {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1307",
                "s3-classified-data-without-kms",
                Severity::High,
                "S3 bucket holding classified data is not encrypted with KMS by default",
                "s3",
            )
        .tags(["encryption", "data-classification"])
        .description(
            "A bucket tagged with a data classification of PHI, PCI or PII (tag key \
             `DataClassification` unless configured otherwise) should encrypt objects by default \
             with a KMS key (`aws:kms` or `aws:kms:dsse`), so reading the data also needs \
             `kms:Decrypt` and every read is recorded in CloudTrail. S3-managed keys (`AES256`) \
             protect only against stolen disks. Unclassified buckets are not checked. Checkov's \
             CKV_AWS_145 asks KMS encryption of every bucket, so it is not listed as an \
             equivalent.",
        )
        .remediation(
            Fix {
                summary: "Set default encryption to SSE-KMS with a customer-managed key and enable S3 Bucket Keys.",
                cloudformation: "Records:\n  Type: AWS::S3::Bucket\n  Properties:\n    BucketEncryption:\n      ServerSideEncryptionConfiguration:\n        - ServerSideEncryptionByDefault:\n            SSEAlgorithm: aws:kms\n            KMSMasterKeyID: !Ref DataKey\n          BucketKeyEnabled: true",
                serverless: None,
                terraform: "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"records\" {\n  bucket = aws_s3_bucket.records.id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm     = \"aws:kms\"\n      kms_master_key_id = aws_kms_key.data.arn\n    }\n    bucket_key_enabled = true\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for b in &model.buckets {
            let Some(class) = &b.meta.classification else {
                out.not_applicable(&b.meta);
                continue;
            };
            let name = &b.meta.address;
            let class = class.class.as_str();
            out.expect(
                &b.meta,
                &b.sse_algorithm,
                |alg| alg.to_ascii_lowercase().starts_with("aws:kms"),
                format!("S3 bucket `{name}` holds {class} data but has no default KMS encryption."),
                |alg| {
                    format!(
                        "S3 bucket `{name}` holds {class} data but encrypts with `{alg}`, not KMS."
                    )
                },
            );
        }
    }
}
