//! TG1901: an account password policy that allows passwords shorter than 14 characters.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

/// CIS AWS Foundations 1.8.
const MINIMUM_LENGTH: i64 = 14;

/// The fix examples of both password policy rules: one policy meeting both.
pub(super) const NO_CLOUDFORMATION_RESOURCE: &str = "# CloudFormation has no password policy resource:\n# aws iam update-account-password-policy --minimum-password-length 14 --password-reuse-prevention 24";
pub(super) const STRICT_POLICY: &str = "resource \"aws_iam_account_password_policy\" \"strict\" {\n  minimum_password_length   = 14\n  password_reuse_prevention = 24\n}";

pub struct IamPasswordPolicyShort;

impl IacRule for IamPasswordPolicyShort {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1901",
            "iam-password-policy-short",
            Severity::Medium,
            "Account password policy allows passwords shorter than 14 characters",
            "iam",
        )
        .tags(["iam"])
        .equivalents(["CKV_AWS_10"])
        .description(
            "Length is what makes a password hard to guess. An \
             `aws_iam_account_password_policy` without `minimum_password_length` keeps AWS's \
             default of 6 characters; CIS asks for at least 14. CloudFormation has no resource \
             for the password policy, so the rule applies to Terraform.\n\n\
             Checkov also has checks for expiry (CKV_AWS_9) and for upper case, lower case, \
             digits and symbols (CKV_AWS_11, 12, 14, 15). tollgate deliberately has no \
             equivalent: NIST SP 800-63B (5.1.1.2) advises against both periodic expiry and \
             composition rules, which push people to predictable passwords, and current CIS \
             benchmarks keep only the length and reuse requirements (TG1901, TG1902).",
        )
        .remediation(
            Fix {
                summary: "Require passwords of at least 14 characters.",
                cloudformation: NO_CLOUDFORMATION_RESOURCE,
                serverless: None,
                terraform: STRICT_POLICY,
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for p in &model.password_policies {
            out.expect(
                &p.meta,
                &p.minimum_length,
                |length| *length >= MINIMUM_LENGTH,
                "The account password policy does not set a minimum length, so passwords of 6 \
                 characters are accepted.",
                |length| {
                    format!(
                        "The account password policy accepts passwords of {length} characters; \
                         require at least {MINIMUM_LENGTH}."
                    )
                },
            );
        }
    }
}
