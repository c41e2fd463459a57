//! TG1313: an object Terraform uploads to S3 that is not encrypted with a customer-managed
//! KMS key.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, S3Object, Val};

pub struct S3ObjectWithoutCmk;

impl IacRule for S3ObjectWithoutCmk {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1313",
            "s3-object-without-cmk",
            Severity::Low,
            "S3 object uploaded by Terraform is not encrypted with a customer-managed KMS key",
            "s3",
        )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_186"])
        .description(
            "An object Terraform writes (`aws_s3_object`, or `aws_s3_bucket_object`, its older \
             name) is encrypted with the key its upload names, else with the bucket's default \
             encryption. Without a customer-managed key (S3-managed `AES256` keys, or the \
             AWS-managed `aws/s3` key) anyone the bucket policy lets read can read it: no key \
             policy of yours stands in between and disabling a key cannot revoke access. The \
             rule reports an object whose `kms_key_id` is absent or an AWS-managed alias, \
             unless the bucket it is written to is declared in the scan with a default \
             encryption by a customer-managed key, which S3 then applies. When the object names \
             no key and its bucket is not declared in the scan (or its default key cannot be \
             resolved), the key the object gets is unknown and it is not reported; Checkov's \
             CKV_AWS_186 fails every `aws_s3_bucket_object` without `kms_key_id`, reads no \
             bucket default and does not judge `aws_s3_object`. CloudFormation cannot upload \
             objects, so the rule is Terraform's only.",
        )
        .remediation(
            Fix {
                summary: "Name a customer-managed key in the upload, or give the bucket a default encryption with one.",
                cloudformation: "# CloudFormation cannot upload objects; give the bucket a default key:\nAssetsBucket:\n  Type: AWS::S3::Bucket\n  Properties:\n    BucketEncryption:\n      ServerSideEncryptionConfiguration:\n        - ServerSideEncryptionByDefault:\n            SSEAlgorithm: aws:kms\n            KMSMasterKeyID: !Ref DataKey",
                serverless: None,
                terraform: "resource \"aws_s3_object\" \"config\" {\n  bucket     = aws_s3_bucket.assets.id\n  key        = \"config.json\"\n  source     = \"config.json\"\n  kms_key_id = aws_kms_key.data.arn\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for o in &model.s3_objects {
            out.evaluated(&o.meta);
            let name = &o.meta.address;
            match (&o.kms_key, &o.sse_algorithm) {
                (Val::Known { value, span }, _) if !value.is_customer_managed_key() => out.at(
                    &o.meta,
                    *span,
                    &value.to_string(),
                    format!("S3 object `{name}` is encrypted with the AWS-managed key `{value}`."),
                ),
                (Val::Known { .. }, _) => {}
                (Val::Unknown { .. }, _) | (Val::Absent, Val::Unknown { .. }) => {
                    out.unknown(&o.meta)
                }
                // The upload names an algorithm without a key: `AES256`, or `aws:kms` with
                // the AWS-managed `aws/s3` key.
                (Val::Absent, Val::Known { value, span }) => out.at(
                    &o.meta,
                    *span,
                    value,
                    format!(
                        "S3 object `{name}` is encrypted with `{value}` and no customer-managed KMS key."
                    ),
                ),
                (Val::Absent, Val::Absent) => match bucket_default_is_cmk(model, o) {
                    Some(true) => {}
                    Some(false) => out.missing(
                        &o.meta,
                        format!(
                            "S3 object `{name}` names no KMS key and its bucket's default \
                             encryption does not use a customer-managed one."
                        ),
                    ),
                    None => out.unknown(&o.meta),
                },
            }
        }
    }
}

/// Whether the bucket `o` is written to encrypts new objects with a customer-managed key by
/// default: `None` when the bucket is not declared in the scan or its key cannot be resolved.
fn bucket_default_is_cmk(model: &CloudModel, o: &S3Object) -> Option<bool> {
    let bucket = model
        .buckets
        .iter()
        .find(|b| CloudModel::points_at(&o.meta, &o.bucket, &b.meta, &b.name))?;
    if bucket.sse_algorithm.is_unknown() {
        return None;
    }
    let kms = bucket
        .sse_algorithm
        .as_str()
        .is_some_and(|a| a.starts_with("aws:kms"));
    match &bucket.kms_key {
        Val::Known { value, .. } => Some(kms && value.is_customer_managed_key()),
        Val::Unknown { .. } if kms => None,
        _ => Some(false),
    }
}
