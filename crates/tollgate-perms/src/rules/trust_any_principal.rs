//! TG2012: a role anyone can assume.

use tollgate_core::{Framework, Severity};

use super::{rule, PermRule};
use crate::analysis::{Analysis, PolicyKind};
use crate::sink::Sink;

pub struct TrustAnyPrincipal;

impl PermRule for TrustAnyPrincipal {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2012", "iam-trust-any-principal", Severity::Critical, "IAM role can be assumed by any principal")
            .description(
                "A trust policy that allows `\"Principal\": \"*\"` (or `{\"AWS\": \"*\"}`) lets any \
                 AWS account in the world assume the role. A restricting condition \
                 (`aws:PrincipalOrgID`, `sts:ExternalId`, `aws:SourceArn`) lowers the severity.",
            )
            .remediation("Name the principals that may assume the role (`Service: lambda.amazonaws.com`, an account or role ARN).")
            .equivalents(["CKV_AWS_60"])
            .control(Framework::CisAws, "1.16")
            .control(Framework::Nist80053, "AC-3")
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for (policy, st) in analysis.of_kind(PolicyKind::Trust) {
            if !st.stmt.is_allow() {
                continue;
            }
            let Some(principal) = st.stmt.wildcard_principal() else {
                continue;
            };
            out.narrowed(
                policy,
                principal.value.span().unwrap_or(st.stmt.span),
                st.restriction,
                &format!("{} {} *", policy.label, principal.kind),
                format!(
                    "The {} lets any principal (`*`) assume the role.",
                    policy.label
                ),
            );
        }
    }
}
