//! TG1205: a DynamoDB global table replica not encrypted with a customer-managed KMS key.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct DynamodbReplicaWithoutCmk;

impl IacRule for DynamodbReplicaWithoutCmk {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1205",
                "dynamodb-replica-without-cmk",
                Severity::Low,
                "DynamoDB table replica is not encrypted with a customer-managed KMS key",
                "dynamodb",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_271"])
        .description(
            "A replica of a global table holds a full copy of the table's data in another \
             region, encrypted with a key of that region. Without its own key \
             (`kms_key_arn` of an `aws_dynamodb_table_replica` or a `replica` block, \
             `SSESpecification.KMSMasterKeyId` of a `Replicas` entry of \
             `AWS::DynamoDB::GlobalTable`) the replica is encrypted with the AWS-managed or \
             AWS-owned key, even when the table itself uses a customer-managed one: the copy \
             escapes the key policy that guards the original.\n\n\
             Checkov's CKV_AWS_271 judges `aws_dynamodb_table_replica` resources only; tollgate \
             also judges replicas written on the table, in Terraform and CloudFormation.",
        )
        .remediation(
            Fix {
                summary: "Give every replica a customer-managed key of its region.",
                cloudformation: "OrdersTable:\n  Type: AWS::DynamoDB::GlobalTable\n  Properties:\n    SSESpecification:\n      SSEEnabled: true\n      SSEType: KMS\n    Replicas:\n      - Region: eu-west-1\n        SSESpecification:\n          KMSMasterKeyId: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n      - Region: us-east-1\n        SSESpecification:\n          KMSMasterKeyId: arn:aws:kms:us-east-1:111122223333:key/abcd1234-12ab-34cd-56ef-1234567890ab",
                serverless: None,
                terraform: "resource \"aws_dynamodb_table_replica\" \"orders_us\" {\n  provider         = aws.us_east_1\n  global_table_arn = aws_dynamodb_table.orders.arn\n  kms_key_arn      = aws_kms_key.orders_us.arn\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for t in &model.dynamo_tables {
            if t.replicas.is_empty() {
                continue;
            }
            out.evaluated(&t.meta);
            let table = &t.meta.address;
            for r in &t.replicas {
                let region = r.region.as_str().unwrap_or("another region");
                match &r.kms_key {
                    Val::Known { value, .. } if value.is_customer_managed_key() => {}
                    Val::Unknown { .. } => out.unknown(&t.meta),
                    Val::Known { value, span } => out.at(
                        &t.meta,
                        *span,
                        &format!("{region}: {value}"),
                        format!(
                            "The replica of table `{table}` in {region} is encrypted with the \
                             AWS-managed key `{value}`."
                        ),
                    ),
                    Val::Absent => out.at(
                        &t.meta,
                        r.span,
                        region,
                        format!(
                            "The replica of table `{table}` in {region} is not encrypted with a \
                             customer-managed KMS key."
                        ),
                    ),
                }
            }
        }
        for r in &model.dynamo_replicas {
            out.expect_customer_managed_key(&r.meta, &r.kms_key, "Table replica");
        }
    }
}
