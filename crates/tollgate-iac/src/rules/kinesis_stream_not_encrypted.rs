//! TG1405: a Kinesis data stream that stores records unencrypted.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct KinesisStreamNotEncrypted;

impl IacRule for KinesisStreamNotEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1405",
                "kinesis-stream-not-encrypted",
                Severity::Medium,
                "Kinesis data stream is not encrypted at rest",
                "kinesis",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_43"])
        .description(
            "A Kinesis data stream keeps every record for its retention period (a day by \
             default, up to a year). Without `StreamEncryption` (`encryption_type = \"KMS\"` in \
             Terraform) the records are stored unencrypted; the default is `NONE`. Either the \
             AWS-managed key `alias/aws/kinesis` or a customer-managed key passes.",
        )
        .remediation(
            Fix {
                summary: "Encrypt the stream with KMS.",
                cloudformation: "ClickStream:\n  Type: AWS::Kinesis::Stream\n  Properties:\n    ShardCount: 1\n    StreamEncryption:\n      EncryptionType: KMS\n      KeyId: !Ref DataKey",
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
            let name = &stream.meta.address;
            out.expect(
                &stream.meta,
                &stream.encryption_type,
                |t| t.eq_ignore_ascii_case("KMS"),
                format!("Kinesis stream `{name}` is not encrypted at rest."),
                |t| format!("Kinesis stream `{name}` sets encryption `{t}`, so records are stored unencrypted."),
            );
        }
    }
}
