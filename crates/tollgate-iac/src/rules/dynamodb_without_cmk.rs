//! TG1202: a DynamoDB table encrypted with an AWS-owned or AWS-managed key instead of a
//! customer-managed KMS key.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct DynamodbWithoutCmk;

impl IacRule for DynamodbWithoutCmk {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1202",
                "dynamodb-without-cmk",
                Severity::Low,
                "DynamoDB table is not encrypted with a customer-managed KMS key",
                "dynamodb",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_119"])
        .description(
            "DynamoDB always encrypts at rest, by default with an AWS-owned key you cannot \
             audit or control. A customer-managed key (`SSESpecification` with `SSEEnabled: true`, \
             `SSEType: KMS` and `KMSMasterKeyId`) puts access to the data under a key policy you \
             own, logs every use in CloudTrail and lets you revoke access by disabling the key.",
        )
        .remediation(
            Fix {
                summary: "Encrypt the table with a customer-managed KMS key.",
                cloudformation: "OrdersTable:\n  Type: AWS::DynamoDB::Table\n  Properties:\n    SSESpecification:\n      SSEEnabled: true\n      SSEType: KMS\n      KMSMasterKeyId: !Ref DataKey",
                serverless: None,
                terraform: "resource \"aws_dynamodb_table\" \"orders\" {\n  # ...\n  server_side_encryption {\n    enabled     = true\n    kms_key_arn = aws_kms_key.data.arn\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for t in &model.dynamo_tables {
            out.evaluated(&t.meta);
            let name = &t.meta.address;
            match &t.kms_key {
                Val::Known { value, span } if !value.is_customer_managed_key() => out.at(
                    &t.meta,
                    *span,
                    &value.to_string(),
                    format!(
                        "DynamoDB table `{name}` is encrypted with the AWS-managed key `{value}`."
                    ),
                ),
                Val::Absent if !t.sse_enabled.is_unknown() => {
                    let message = format!(
                        "DynamoDB table `{name}` is not encrypted with a customer-managed KMS key."
                    );
                    match t.sse_enabled.span() {
                        Some(span) => out.at(&t.meta, span, "SSEEnabled", message),
                        None => out.missing(&t.meta, message),
                    }
                }
                Val::Absent => out.unknown(&t.meta),
                Val::Unknown { .. } => out.unknown(&t.meta),
                Val::Known { .. } => {}
            }
        }
    }
}
