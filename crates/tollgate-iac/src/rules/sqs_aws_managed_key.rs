//! TG1410: an SQS queue encrypted with the AWS-managed key `alias/aws/sqs`.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct SqsAwsManagedKey;

impl IacRule for SqsAwsManagedKey {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1410",
                "sqs-aws-managed-key",
                Severity::Low,
                "SQS queue is encrypted with the AWS-managed key instead of a customer-managed one",
                "sqs",
            )
        .tags(["encryption"])
        .equivalents(["CKV2_AWS_73"])
        .description(
            "`KmsMasterKeyId: alias/aws/sqs` (`kms_master_key_id`) encrypts the queue with the \
             AWS-managed key: its key policy cannot be changed, so every principal of the \
             account allowed to use the queue can decrypt its messages, and an SNS topic, \
             EventBridge rule or S3 bucket of another service cannot send to it (they need \
             `kms:GenerateDataKey` on the key, which only a customer-managed key can grant). A \
             queue with no KMS key at all is TG1401's concern (SQS-managed encryption counts \
             as encrypted there), not this rule's.",
        )
        .remediation(
            Fix {
                summary: "Encrypt the queue with a customer-managed key whose policy names its producers and consumers.",
                cloudformation: "OrdersQueue:\n  Type: AWS::SQS::Queue\n  Properties:\n    KmsMasterKeyId: !Ref QueueKey",
                serverless: None,
                terraform: "resource \"aws_sqs_queue\" \"orders\" {\n  name              = \"orders\"\n  kms_master_key_id = aws_kms_key.queues.arn\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for q in &model.queues {
            match &q.kms_key {
                Val::Known { value, span } if !value.is_customer_managed_key() => out.at(
                    &q.meta,
                    *span,
                    &value.to_string(),
                    format!(
                        "SQS queue `{}` is encrypted with the AWS-managed key `{value}`.",
                        q.meta.address
                    ),
                ),
                Val::Unknown { .. } => out.unknown(&q.meta),
                _ => out.evaluated(&q.meta),
            }
        }
    }
}
