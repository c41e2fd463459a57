//! TG1406: a Firehose delivery stream that does not encrypt the records it buffers.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct FirehoseNotEncrypted;

impl IacRule for FirehoseNotEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1406",
                "firehose-not-encrypted",
                Severity::Medium,
                "Firehose delivery stream is not encrypted at rest",
                "firehose",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_240"])
        .description(
            "A Firehose delivery stream that producers write to directly (`DirectPut`) buffers \
             their records before delivery; without server-side encryption they are stored \
             unencrypted meanwhile. A stream that reads a Kinesis data stream or an MSK cluster \
             is not judged: the source's encryption protects those records and Firehose does \
             not accept its own encryption then.",
        )
        .remediation(
            Fix {
                summary: "Turn on server-side encryption for the delivery stream.",
                cloudformation: "Deliveries:\n  Type: AWS::KinesisFirehose::DeliveryStream\n  Properties:\n    DeliveryStreamType: DirectPut\n    DeliveryStreamEncryptionConfigurationInput:\n      KeyType: CUSTOMER_MANAGED_CMK\n      KeyARN: !GetAtt DataKey.Arn",
                serverless: None,
                terraform: "resource \"aws_kinesis_firehose_delivery_stream\" \"deliveries\" {\n  name        = \"deliveries\"\n  destination = \"extended_s3\"\n  server_side_encryption {\n    enabled  = true\n    key_type = \"CUSTOMER_MANAGED_CMK\"\n    key_arn  = aws_kms_key.data.arn\n  }\n  # extended_s3_configuration { ... }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for stream in &model.delivery_streams {
            if stream.reads_a_stream.is_unknown() {
                out.unknown(&stream.meta);
                continue;
            }
            if !stream.reads_a_stream.is_false() && !stream.reads_a_stream.is_absent() {
                // A stream reading from Kinesis is encrypted by its source.
                out.not_applicable(&stream.meta);
                continue;
            }
            out.expect_enabled(
                &stream.meta,
                &stream.encrypted,
                "Firehose delivery stream",
                "server-side encryption",
            );
        }
    }
}
