//! TG2012: a role anyone can assume.

use tollgate_core::Severity;
use tollgate_iac::model::{bound_by, classify, PrincipalClass, ANY_BINDING};

use super::{rule, PermRule};
use crate::analysis::{Analysis, PolicyKind, Restriction, Subjects};
use crate::sink::Sink;

pub struct TrustAnyPrincipal;

impl PermRule for TrustAnyPrincipal {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2012", "iam-trust-any-principal", Severity::Critical, "IAM role can be assumed by any principal")
            .description(
                "A trust policy that allows `\"Principal\": \"*\"` (or `{\"AWS\": \"*\"}`, \
                 `arn:aws:iam::*:root`) lets any AWS account in the world assume the role. A \
                 condition that restricts who (`aws:PrincipalOrgID`, `sts:ExternalId`, \
                 `aws:SourceArn`, `aws:SourceAccount`, `aws:PrincipalArn`, `aws:SourceVpce`...) \
                 lowers the severity and is named; one on transport, MFA or time does not.",
            )
            .remediation("Name the principals that may assume the role (`Service: lambda.amazonaws.com`, an account or role ARN).")
            .equivalents(["CKV_AWS_60"])
    }

    fn subjects(&self) -> Subjects {
        Subjects::Of(PolicyKind::Trust)
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for (policy, st) in analysis.of_kind(PolicyKind::Trust) {
            let s = st.stmt;
            if !s.is_allow() {
                continue;
            }
            let Some(principal) = s
                .principals
                .iter()
                .find(|p| classify(p, &analysis.trusted_accounts) == PrincipalClass::Public)
            else {
                continue;
            };
            let restriction = if s.conditions_unknown {
                Restriction::Unresolved
            } else {
                bound_by(s, ANY_BINDING).map_or(Restriction::None, Restriction::Condition)
            };
            out.narrowed(
                policy,
                principal.value.span().unwrap_or(s.span),
                restriction,
                &format!("{} {} *", policy.label, principal.kind),
                format!(
                    "The {} lets any principal (`*`) assume the role.",
                    policy.label
                ),
            );
        }
    }
}
