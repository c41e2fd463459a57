//! TG2014: a role GitHub Actions OIDC can assume without a pinned `sub` claim.

use tollgate_core::Severity;

use super::{rule, PermRule};
use crate::analysis::{Analysis, PolicyKind, Subjects};
use crate::sink::Sink;

pub struct GithubOidcUnpinned;

const ISSUER: &str = "token.actions.githubusercontent.com";
const SUB: &str = "token.actions.githubusercontent.com:sub";

impl PermRule for GithubOidcUnpinned {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2014", "iam-github-oidc-unpinned", Severity::Critical, "GitHub OIDC trust without a pinned `sub` claim")
            .description(
                "A role trusting `token.actions.githubusercontent.com` must check the token's `sub` \
                 claim; without it any workflow of any GitHub repository can assume the role. A \
                 `sub` pinned to an owner with a wildcard repository (`repo:my-org/*`) is \
                 reported with high severity. Checkov reads the same question in two places: \
                 `aws_iam_policy_document` data sources (CKV_AWS_358) and trust policies written \
                 on `aws_iam_role` (CKV_AWS_393); tollgate reads every trust policy, in every \
                 format.",
            )
            .remediation(
                "```yaml\nCondition:\n  StringEquals:\n    token.actions.githubusercontent.com:aud: sts.amazonaws.com\n    token.actions.githubusercontent.com:sub: repo:my-org/my-repo:ref:refs/heads/main\n```",
            )
            .equivalents(["CKV_AWS_358", "CKV_AWS_393"])
    }

    fn subjects(&self) -> Subjects {
        Subjects::Of(PolicyKind::Trust)
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for (policy, st) in analysis.of_kind(PolicyKind::Trust) {
            let s = st.stmt;
            if !s.is_allow() || s.conditions_unknown {
                continue;
            }
            let Some(principal) = s.principals.iter().find(|p| {
                p.kind.eq_ignore_ascii_case("Federated")
                    && p.value.as_str().is_some_and(|v| v.contains(ISSUER))
            }) else {
                continue;
            };
            let Some(sub) = s.condition_on(SUB) else {
                out.at(
                    policy,
                    principal.value.span().unwrap_or(s.span),
                    &format!("{} {ISSUER} no-sub", policy.label),
                    format!(
                        "The {} trusts GitHub Actions OIDC without a condition on `{SUB}`: any repository's workflow can assume the role.",
                        policy.label
                    ),
                );
                continue;
            };
            for v in &sub.values {
                let (Some(text), Some(span)) = (v.as_str(), v.span()) else {
                    continue;
                };
                match pin(text) {
                    Pin::Repository => {}
                    Pin::Owner => out.at_with(
                        policy,
                        span,
                        Severity::High,
                        &format!("{} {text}", policy.label),
                        format!("The {} lets every repository of one owner assume the role (`{text}`); pin the repository.", policy.label),
                    ),
                    Pin::Nothing => out.at(
                        policy,
                        span,
                        &format!("{} {text}", policy.label),
                        format!("The {} accepts `{SUB}` = `{text}`, which does not pin a repository: any repository's workflow can assume the role.", policy.label),
                    ),
                }
            }
        }
    }
}

enum Pin {
    Repository,
    Owner,
    Nothing,
}

/// How far `repo:owner/name:...` pins the caller.
fn pin(sub: &str) -> Pin {
    let Some(rest) = sub.strip_prefix("repo:") else {
        return Pin::Nothing;
    };
    let repo = rest.split(':').next().unwrap_or("");
    let Some((owner, name)) = repo.split_once('/') else {
        return Pin::Nothing;
    };
    let wild = |s: &str| s.is_empty() || s.contains(['*', '?']);
    match (wild(owner), wild(name)) {
        (false, false) => Pin::Repository,
        (false, true) => Pin::Owner,
        _ => Pin::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_claims() {
        assert!(matches!(
            pin("repo:org/app:ref:refs/heads/main"),
            Pin::Repository
        ));
        assert!(matches!(pin("repo:org/app:*"), Pin::Repository));
        assert!(matches!(pin("repo:org/*"), Pin::Owner));
        assert!(matches!(pin("repo:*"), Pin::Nothing));
        assert!(matches!(pin("*"), Pin::Nothing));
    }
}
