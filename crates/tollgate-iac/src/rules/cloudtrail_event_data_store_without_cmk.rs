//! TG1610: a CloudTrail Lake event data store not encrypted with a customer-managed key.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudtrailEventDataStoreWithoutCmk;

impl IacRule for CloudtrailEventDataStoreWithoutCmk {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1610",
                "cloudtrail-event-data-store-without-cmk",
                Severity::Low,
                "CloudTrail Lake event data store is not encrypted with a customer-managed KMS key",
                "cloudtrail",
            )
        .tags(["logging", "encryption"])
        .equivalents(["CKV_AWS_294"])
        .description(
            "An event data store keeps the account's activity for years and answers SQL \
             queries over it. Without `KmsKeyId` (`kms_key_id`) it is encrypted with a key \
             CloudTrail owns: anyone allowed to query the store reads the events. With a \
             customer-managed key, querying also needs `kms:Decrypt` under a key policy you \
             control, and every use is recorded.",
        )
        .remediation(
            Fix {
                summary: "Encrypt the event data store with a customer-managed key whose policy lets CloudTrail use it.",
                cloudformation: "ActivityStore:\n  Type: AWS::CloudTrail::EventDataStore\n  Properties:\n    RetentionPeriod: 2557\n    KmsKeyId: !GetAtt ActivityKey.Arn",
                serverless: None,
                terraform: "resource \"aws_cloudtrail_event_data_store\" \"activity\" {\n  name       = \"activity\"\n  kms_key_id = aws_kms_key.activity.arn\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for s in &model.event_data_stores {
            out.expect_customer_managed_key(&s.meta, &s.kms_key, "Event data store");
        }
    }
}
