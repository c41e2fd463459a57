//! TG1408: a Firehose delivery stream encrypted with an AWS-owned key instead of a key you own.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct FirehoseWithoutCmk;

impl IacRule for FirehoseWithoutCmk {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1408",
                "firehose-without-cmk",
                Severity::Low,
                "Firehose delivery stream is not encrypted with a customer-managed KMS key",
                "firehose",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_241"])
        .description(
            "With `KeyType: AWS_OWNED_CMK` (the default once encryption is on) the buffered \
             records are encrypted with a key AWS owns: you cannot see its use in CloudTrail, \
             restrict it or revoke it. `CUSTOMER_MANAGED_CMK` with your own key gives you that \
             control. Streams without encryption are TG1406's finding and streams that read a \
             Kinesis stream or MSK cluster are not judged (Checkov's CKV_AWS_241 also fails \
             unencrypted streams).",
        )
        .remediation(
            Fix {
                summary: "Encrypt the delivery stream with a customer-managed key.",
                cloudformation: "Deliveries:\n  Type: AWS::KinesisFirehose::DeliveryStream\n  Properties:\n    DeliveryStreamEncryptionConfigurationInput:\n      KeyType: CUSTOMER_MANAGED_CMK\n      KeyARN: !GetAtt DataKey.Arn",
                serverless: None,
                terraform: "resource \"aws_kinesis_firehose_delivery_stream\" \"deliveries\" {\n  server_side_encryption {\n    enabled  = true\n    key_type = \"CUSTOMER_MANAGED_CMK\"\n    key_arn  = aws_kms_key.data.arn\n  }\n  # ...\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for stream in &model.delivery_streams {
            if stream.reads_a_stream.is_unknown() || stream.encrypted.is_unknown() {
                out.unknown(&stream.meta);
                continue;
            }
            if stream.reads_a_stream.is_true() || !stream.encrypted.is_true() {
                out.not_applicable(&stream.meta);
                continue;
            }
            out.evaluated(&stream.meta);
            let name = &stream.meta.address;
            match &stream.key_type {
                Val::Unknown { .. } => out.unknown(&stream.meta),
                Val::Known { value, .. } if value.eq_ignore_ascii_case("CUSTOMER_MANAGED_CMK") => {}
                Val::Known { value, span } => out.at(
                    &stream.meta,
                    *span,
                    value,
                    format!("Firehose delivery stream `{name}` is encrypted with an AWS-owned key (`{value}`), not a key you manage."),
                ),
                Val::Absent => out.missing(
                    &stream.meta,
                    format!("Firehose delivery stream `{name}` is encrypted with an AWS-owned key, not a key you manage."),
                ),
            }
        }
    }
}
