//! TG1509: a KMS key created without a key policy of its own.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct KmsKeyWithoutPolicy;

impl IacRule for KmsKeyWithoutPolicy {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1509",
                "kms-key-without-policy",
                Severity::Low,
                "KMS key has no key policy of its own",
                "kms",
            )
        .tags(["iam"])
        .equivalents(["CKV2_AWS_64"])
        .description(
            "A key created without `KeyPolicy` (`policy`, or an `aws_kms_key_policy` for it) \
             gets KMS's default key policy, which grants the account root `kms:*`: every IAM \
             principal of the account whose own policies allow a KMS action can then use and \
             administer the key. Writing the key policy says who may administer the key and \
             who may only use it, and keeps that decision with the key. A policy that cannot \
             be read statically counts as written.",
        )
        .remediation(
            Fix {
                summary: "Write a key policy that separates the key's administrators from its users.",
                cloudformation: "DataKey:\n  Type: AWS::KMS::Key\n  Properties:\n    EnableKeyRotation: true\n    KeyPolicy:\n      Version: \"2012-10-17\"\n      Statement:\n        - Sid: Administer\n          Effect: Allow\n          Principal:\n            AWS: !Sub arn:aws:iam::${AWS::AccountId}:role/KeyAdmin\n          Action: [kms:Create*, kms:Describe*, kms:Enable*, kms:List*, kms:Put*, kms:Update*, kms:Revoke*, kms:Disable*, kms:Get*, kms:Delete*, kms:ScheduleKeyDeletion, kms:CancelKeyDeletion, kms:TagResource, kms:UntagResource]\n          Resource: \"*\"\n        - Sid: Use\n          Effect: Allow\n          Principal:\n            AWS: !GetAtt OrdersFunctionRole.Arn\n          Action: [kms:Decrypt, kms:GenerateDataKey]\n          Resource: \"*\"",
                serverless: None,
                terraform: "resource \"aws_kms_key\" \"data\" {\n  enable_key_rotation = true\n  policy              = data.aws_iam_policy_document.data_key.json\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for k in &model.kms_keys {
            out.evaluated(&k.meta);
            if k.policy.is_absent() {
                let name = &k.meta.address;
                out.missing(
                    &k.meta,
                    format!(
                        "KMS key `{name}` has no key policy: the default one lets every principal \
                         of the account that IAM allows use and administer it."
                    ),
                );
            }
        }
    }
}
