//! TG1503: a Secrets Manager secret encrypted with the AWS-managed key.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct SecretWithoutCmk;

impl IacRule for SecretWithoutCmk {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1503",
                "secret-without-cmk",
                Severity::Low,
                "Secrets Manager secret is not encrypted with a customer-managed KMS key",
                "secretsmanager",
            )
        .tags(["encryption", "secrets"])
        .equivalents(["CKV_AWS_149"])
        .description(
            "Without `KmsKeyId`, a secret is encrypted with the AWS-managed `aws/secretsmanager` \
             key, which every principal of the account with `secretsmanager:GetSecretValue` can \
             use. A customer-managed key adds a second, independent permission (`kms:Decrypt` in \
             its key policy) and is needed to share the secret across accounts.",
        )
        .remediation(
            Fix {
                summary: "Encrypt the secret with a customer-managed key.",
                cloudformation: "DatabaseSecret:\n  Type: AWS::SecretsManager::Secret\n  Properties:\n    KmsKeyId: !Ref SecretsKey\n    GenerateSecretString:\n      SecretStringTemplate: '{\"username\":\"app\"}'\n      GenerateStringKey: password",
                serverless: None,
                terraform: "resource \"aws_secretsmanager_secret\" \"db\" {\n  name       = \"db\"\n  kms_key_id = aws_kms_key.secrets.arn\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for s in &model.secrets {
            let name = &s.meta.address;
            out.expect(
                &s.meta,
                &s.kms_key,
                |key| key.is_customer_managed_key(),
                format!("Secret `{name}` is encrypted with the AWS-managed key."),
                |key| format!("Secret `{name}` is encrypted with the AWS-managed key `{key}`."),
            );
        }
    }
}
