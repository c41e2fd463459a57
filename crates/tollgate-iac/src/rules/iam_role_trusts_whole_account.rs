//! TG1907: a role whose trust policy names a whole account instead of the principals that
//! need it.

use tollgate_core::{Rule, Severity};

use super::policy_checks::statement_evidence;
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{bound_by, names_whole_account, Binding, CloudModel, Val};

pub struct IamRoleTrustsWholeAccount;

impl IacRule for IamRoleTrustsWholeAccount {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1907",
            "iam-role-trusts-whole-account",
            Severity::Low,
            "IAM role trusts a whole account instead of named principals",
            "iam",
        )
        .tags(["iam"])
        .equivalents(["CKV_AWS_61"])
        .description(
            "A trust policy whose `AWS` principal is an account (`123456789012`, \
             `arn:aws:iam::123456789012:root`, `${AWS::AccountId}`) hands the decision of who \
             may assume the role to that account's identity policies: every user and role \
             there that is allowed `sts:AssumeRole` on it, today or after a later change, can \
             take the role. Naming the roles that need it (`arn:aws:iam::123456789012:role/deployer`) \
             keeps the decision in the trust policy. The rule reports each allowed account \
             principal of a role's trust policy, the deploying account's own included (TG2013 \
             reports, at a higher severity, another account trusted without an external id or \
             organization condition). A statement with a condition that picks the principals \
             (`aws:PrincipalArn`, `aws:PrincipalTag/...`, `aws:userid`, `aws:username`, \
             `aws:SourceIdentity`) is not reported; Checkov's CKV_AWS_61 ignores conditions, \
             and its CloudFormation check reads only the first principal of the first \
             statement, and only when it is a list. A trust policy that cannot be resolved is \
             unknown and not reported. A vendor that can only be trusted by account (with an \
             `sts:ExternalId`) is reported too: suppress that finding with the reason.",
        )
        .remediation(
            Fix {
                summary: "Name the roles or users that may assume the role, or add an `aws:PrincipalArn` condition.",
                cloudformation: "AssumeRolePolicyDocument:\n  Statement:\n    - Effect: Allow\n      Principal:\n        AWS: !Sub arn:aws:iam::${AWS::AccountId}:role/deployer\n      Action: sts:AssumeRole",
                serverless: None,
                terraform: "principals {\n  type        = \"AWS\"\n  identifiers = [\"arn:aws:iam::123456789012:role/deployer\"]\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for role in &model.iam_roles {
            let doc = match &role.trust_policy {
                Val::Known { value, .. } => value,
                Val::Unknown { .. } => {
                    out.unknown(&role.meta);
                    continue;
                }
                Val::Absent => continue,
            };
            out.evaluated(&role.meta);
            for s in doc.statements.iter().filter(|s| s.is_allow()) {
                let picked = bound_by(s, &[Binding::PrincipalIdentity]).is_some();
                for p in s.principals.iter().filter(|p| names_whole_account(p)) {
                    if picked || s.conditions_unknown {
                        continue;
                    }
                    let value = p.value.as_str().unwrap_or_default().trim();
                    // Two statements may name the same account: each keeps a fingerprint.
                    let evidence = format!("{} {value}", statement_evidence(s));
                    let message = format!(
                        "The trust policy of IAM role `{}` lets any principal of the account \
                         `{value}` assume it.",
                        role.meta.address
                    );
                    match p.value.span() {
                        Some(span) if doc.file != role.meta.file => {
                            out.at_in(&role.meta, &doc.file, span, &evidence, message)
                        }
                        Some(span) => out.at(&role.meta, span, &evidence, message),
                        None => out.missing_about(&role.meta, &evidence, message),
                    }
                }
            }
        }
    }
}
