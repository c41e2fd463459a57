//! TG1902: an account password policy that lets users reuse recent passwords.

use tollgate_core::{Rule, Severity};

use super::iam_password_policy_short::{NO_CLOUDFORMATION_RESOURCE, STRICT_POLICY};
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

/// CIS AWS Foundations 1.9: the largest value AWS accepts.
const REMEMBERED: i64 = 24;

pub struct IamPasswordPolicyReuse;

impl IacRule for IamPasswordPolicyReuse {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1902",
            "iam-password-policy-reuse",
            Severity::Low,
            "Account password policy lets users reuse recent passwords",
            "iam",
        )
        .tags(["iam"])
        .equivalents(["CKV_AWS_13"])
        .description(
            "When a password leaks, changing it helps only if the old one cannot come back. \
             `password_reuse_prevention` of an `aws_iam_account_password_policy` says how many \
             previous passwords are remembered; absent, none are. CIS asks for 24, the most \
             AWS allows. CloudFormation has no resource for the password policy, so the rule \
             applies to Terraform.",
        )
        .remediation(
            Fix {
                summary: "Remember the last 24 passwords.",
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
                &p.reuse_prevention,
                |remembered| *remembered >= REMEMBERED,
                "The account password policy does not prevent password reuse.",
                |remembered| {
                    format!(
                        "The account password policy remembers only {remembered} previous \
                         passwords; remember {REMEMBERED}."
                    )
                },
            );
        }
    }
}
