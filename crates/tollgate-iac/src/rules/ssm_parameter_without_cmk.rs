//! TG1507: an SSM `SecureString` parameter encrypted with the AWS-managed key.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct SsmParameterWithoutCmk;

impl IacRule for SsmParameterWithoutCmk {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1507",
                "ssm-parameter-without-cmk",
                Severity::Low,
                "SSM SecureString parameter is not encrypted with a customer-managed KMS key",
                "ssm",
            )
        .tags(["encryption", "secrets"])
        .equivalents(["CKV_AWS_337"])
        .description(
            "Without `key_id`, a `SecureString` parameter is encrypted with the AWS-managed \
             `alias/aws/ssm` key, which every principal of the account allowed \
             `ssm:GetParameter` can use to decrypt it. A customer-managed key adds a second, \
             independent permission (`kms:Decrypt` in its key policy) and lets you audit and \
             revoke its use. `String` and `StringList` parameters are not encrypted at all and \
             are not judged here (TG1505 reports secrets written in them). CloudFormation \
             cannot create SecureString parameters, so the rule applies to Terraform.\n\n\
             Checkov's CKV_AWS_337 accepts any `key_id`; tollgate also reports a `key_id` that \
             names the AWS-managed key itself (`alias/aws/ssm`), which encrypts exactly as \
             leaving it out does.",
        )
        .remediation(
            Fix {
                summary: "Encrypt the parameter with a customer-managed key.",
                cloudformation: "# CloudFormation cannot create SecureString parameters: create them with\n# aws ssm put-parameter --type SecureString --key-id alias/app-secrets ...",
                serverless: None,
                terraform: "resource \"aws_ssm_parameter\" \"db_password\" {\n  name   = \"/app/db/password\"\n  type   = \"SecureString\"\n  key_id = aws_kms_key.secrets.arn\n  value  = random_password.db.result\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for p in &model.ssm_parameters {
            if p.param_type.is_unknown() {
                out.unknown(&p.meta);
                continue;
            }
            if !p.param_type.eq_ignore_case("SecureString") {
                out.not_applicable(&p.meta);
                continue;
            }
            let name = &p.meta.address;
            out.expect(
                &p.meta,
                &p.kms_key,
                |key| key.is_customer_managed_key(),
                format!(
                    "SecureString parameter `{name}` is encrypted with the AWS-managed key \
                     `alias/aws/ssm`."
                ),
                |key| {
                    format!(
                        "SecureString parameter `{name}` is encrypted with the AWS-managed key \
                         `{key}`."
                    )
                },
            );
        }
    }
}
