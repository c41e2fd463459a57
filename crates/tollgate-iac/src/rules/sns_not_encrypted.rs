//! TG1402: a topic without a KMS key stores messages unencrypted.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct SnsNotEncrypted;

impl IacRule for SnsNotEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1402",
                "sns-topic-not-encrypted",
                Severity::Medium,
                "SNS topic is not encrypted at rest",
                "sns",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_26"])
        .description(
            "SNS stores published messages until they are delivered. Without `KmsMasterKeyId` \
             they are stored unencrypted; with a key, publishing and delivery also require \
             permission on that key.",
        )
        .remediation(
            Fix {
                summary: "Encrypt the topic with a KMS key (a customer-managed key lets you grant the publishing services access).",
                cloudformation: "OrdersTopic:\n  Type: AWS::SNS::Topic\n  Properties:\n    KmsMasterKeyId: !Ref DataKey",
                serverless: None,
                terraform: "resource \"aws_sns_topic\" \"orders\" {\n  name              = \"orders\"\n  kms_master_key_id = aws_kms_key.data.id\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for t in &model.topics {
            out.evaluated(&t.meta);
            if t.kms_key.is_absent() {
                out.missing(
                    &t.meta,
                    format!("SNS topic `{}` is not encrypted at rest.", t.meta.address),
                );
            }
        }
    }
}
