//! TG1401: a queue without server-side encryption stores messages in plain text.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct SqsNotEncrypted;

impl IacRule for SqsNotEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1401",
                "sqs-queue-not-encrypted",
                Severity::Medium,
                "SQS queue is not encrypted at rest",
                "sqs",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_27"])
        .description(
            "Messages in a queue often carry orders, events or personal data. A queue is \
             encrypted at rest with SQS-managed keys (`SqsManagedSseEnabled: true`) or a KMS key \
             (`KmsMasterKeyId`); either satisfies this rule. A queue with neither, or with \
             SQS-managed encryption turned off, is reported; Checkov's CKV_AWS_27 judges the same way.",
        )
        .remediation(
            Fix {
                summary: "Enable SQS-managed encryption, or a KMS key for classified data.",
                cloudformation: "OrdersQueue:\n  Type: AWS::SQS::Queue\n  Properties:\n    SqsManagedSseEnabled: true\n    # or: KmsMasterKeyId: !Ref DataKey",
                serverless: None,
                terraform: "resource \"aws_sqs_queue\" \"orders\" {\n  name                    = \"orders\"\n  sqs_managed_sse_enabled = true\n  # or: kms_master_key_id = aws_kms_key.data.arn\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for q in &model.queues {
            out.evaluated(&q.meta);
            if q.kms_key.is_absent() && q.sqs_managed_sse.is_unknown() {
                out.unknown(&q.meta);
            }
            if q.kms_key.is_present()
                || q.sqs_managed_sse.is_true()
                || q.sqs_managed_sse.is_unknown()
            {
                continue;
            }
            let message = format!("SQS queue `{}` is not encrypted at rest.", q.meta.address);
            match &q.sqs_managed_sse {
                Val::Known { span, .. } => {
                    out.at(&q.meta, *span, "SqsManagedSseEnabled: false", message)
                }
                _ => out.missing(&q.meta, message),
            }
        }
    }
}
