//! TG2013: another account trusted without `sts:ExternalId` or an organization condition.

use tollgate_core::{Framework, Precision, Severity};

use super::{rule, PermRule};
use crate::analysis::{Analysis, PolicyKind};
use crate::sink::Sink;

pub struct CrossAccountTrust;

/// Conditions that tie a cross-account assumption to a known party.
const BINDING_KEYS: &[&str] = &[
    "sts:ExternalId",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:SourceIdentity",
];

impl PermRule for CrossAccountTrust {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2013", "iam-cross-account-trust-unbound", Severity::High, "IAM role trusts an account without `sts:ExternalId` or an organization condition")
            .description(
                "A trust policy naming an account by id (`123456789012` or \
                 `arn:aws:iam::123456789012:root`) lets every principal of that account that is \
                 allowed `sts:AssumeRole` take the role. Without `sts:ExternalId` a third party \
                 can be tricked into assuming it for someone else (the confused deputy); without \
                 `aws:PrincipalOrgID` nothing ties it to your organization. The scan cannot know \
                 your own account id, so a literal id of your own account is reported too.",
            )
            .remediation(
                "Add a condition:\n\n```yaml\nCondition:\n  StringEquals:\n    sts:ExternalId: <shared secret id>\n```",
            )
            .equivalents(["access-analyzer:EXTERNAL_PRINCIPAL"])
            .precision(Precision::Medium)
            .control(Framework::Nist80053, "AC-3")
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for (policy, st) in analysis.of_kind(PolicyKind::Trust) {
            let s = st.stmt;
            if !s.is_allow()
                || s.conditions_unknown
                || BINDING_KEYS.iter().any(|k| s.condition_on(k).is_some())
            {
                continue;
            }
            for p in &s.principals {
                if !p.kind.eq_ignore_ascii_case("AWS") {
                    continue;
                }
                let (Some(value), Some(span)) = (p.value.as_str(), p.value.span()) else {
                    continue;
                };
                let Some(account) = account_of(value) else {
                    continue;
                };
                out.at(
                    policy,
                    span,
                    &format!("{} {value}", policy.label),
                    format!(
                        "The {} trusts account {account} (`{value}`) without an `sts:ExternalId` or `aws:PrincipalOrgID` condition.",
                        policy.label
                    ),
                );
            }
        }
    }
}

/// The 12-digit account of `123456789012` or `arn:aws:iam::123456789012:...`.
fn account_of(principal: &str) -> Option<&str> {
    let is_account = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    let p = principal.trim();
    if is_account(p) {
        return Some(p);
    }
    let mut parts = p.split(':');
    let (Some("arn"), _, Some("iam"), _, Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    is_account(account).then_some(account)
}

#[cfg(test)]
mod tests {
    use super::account_of;

    #[test]
    fn accounts_from_principals() {
        assert_eq!(account_of("123456789012"), Some("123456789012"));
        assert_eq!(
            account_of("arn:aws:iam::123456789012:root"),
            Some("123456789012")
        );
        assert_eq!(
            account_of("arn:aws:iam::123456789012:role/x"),
            Some("123456789012")
        );
        assert_eq!(account_of("*"), None);
        assert_eq!(account_of("arn:aws:iam::*:root"), None);
        assert_eq!(account_of("lambda.amazonaws.com"), None);
    }
}
