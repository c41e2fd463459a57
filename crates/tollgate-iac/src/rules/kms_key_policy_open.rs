//! TG1502: a key policy granting `*` without a condition lets any account use the key.

use tollgate_core::{Rule, Severity};

use super::policy_checks::report_open;
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct KmsKeyPolicyOpen;

impl IacRule for KmsKeyPolicyOpen {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1502",
                "kms-key-policy-wildcard-principal",
                Severity::High,
                "KMS key policy allows any principal without a condition",
                "kms",
            )
        .tags(["iam", "encryption"])
        .equivalents(["CKV_AWS_33"])
        .description(
            "A key policy is the root of access to a KMS key. An `Allow` statement with \
             `Principal: \"*\"` and no condition lets principals of every AWS account use or \
             manage the key, and with it decrypt everything it protects. Statements narrowed \
             by a condition (`kms:CallerAccount`, `kms:ViaService`, `aws:PrincipalOrgID`) are \
             not reported.",
        )
        .remediation(
            Fix {
                summary: "Grant the account root (`arn:aws:iam::<account>:root`) and named roles instead of `*`, or add a condition limiting the caller account or service.",
                cloudformation: "DataKey:\n  Type: AWS::KMS::Key\n  Properties:\n    KeyPolicy:\n      Statement:\n        - Sid: AccountAdmin\n          Effect: Allow\n          Principal:\n            AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:root'\n          Action: 'kms:*'\n          Resource: '*'",
                serverless: None,
                terraform: "data \"aws_iam_policy_document\" \"key\" {\n  statement {\n    actions   = [\"kms:*\"]\n    resources = [\"*\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\"]\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for k in &model.kms_keys {
            match &k.policy {
                Val::Known { value, .. } => {
                    report_open(out, &k.meta, value, "Key policy of KMS key")
                }
                Val::Unknown { .. } => out.unknown(&k.meta),
                // The default key policy trusts the account only.
                Val::Absent => out.evaluated(&k.meta),
            }
        }
    }
}
