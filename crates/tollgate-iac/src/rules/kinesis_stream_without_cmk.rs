//! TG1407: a Kinesis data stream encrypted with the AWS-managed key instead of a key you own.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct KinesisStreamWithoutCmk;

impl IacRule for KinesisStreamWithoutCmk {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1407",
                "kinesis-stream-without-cmk",
                Severity::Low,
                "Kinesis data stream is not encrypted with a customer-managed KMS key",
                "kinesis",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_185"])
        .description(
            "A stream encrypted with the AWS-managed key `alias/aws/kinesis` can be read by \
             anyone with stream permissions in the account: the key policy cannot be narrowed, \
             rotated on your schedule or revoked. A customer-managed key lets you decide who \
             decrypts the records. A stream that is not encrypted at all is TG1405's finding, \
             not this rule's (Checkov's CKV_AWS_185 reports both, and passes \
             `alias/aws/kinesis`).",
        )
        .remediation(
            Fix {
                summary: "Encrypt the stream with a customer-managed KMS key.",
                cloudformation: "ClickStream:\n  Type: AWS::Kinesis::Stream\n  Properties:\n    StreamEncryption:\n      EncryptionType: KMS\n      KeyId: !Ref DataKey",
                serverless: None,
                terraform: "resource \"aws_kinesis_stream\" \"clicks\" {\n  name            = \"clicks\"\n  shard_count     = 1\n  encryption_type = \"KMS\"\n  kms_key_id      = aws_kms_key.data.arn\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for stream in &model.kinesis_streams {
            if !stream.encryption_type.eq_ignore_case("KMS") {
                if stream.encryption_type.is_unknown() {
                    out.unknown(&stream.meta);
                } else {
                    out.not_applicable(&stream.meta);
                }
                continue;
            }
            out.evaluated(&stream.meta);
            let name = &stream.meta.address;
            match &stream.kms_key {
                Val::Unknown { .. } => out.unknown(&stream.meta),
                Val::Known { value, .. } if value.is_customer_managed_key() => {}
                Val::Known { value, span } => out.at(
                    &stream.meta,
                    *span,
                    &value.to_string(),
                    format!("Kinesis stream `{name}` is encrypted with the AWS-managed key `{value}`, not a key you manage."),
                ),
                Val::Absent => out.missing(
                    &stream.meta,
                    format!("Kinesis stream `{name}` names no KMS key, so it is encrypted with the AWS-managed key."),
                ),
            }
        }
    }
}
