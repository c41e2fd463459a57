//! TG2013: another account trusted without `sts:ExternalId` or an organization condition.

use tollgate_core::{Precision, Severity};

use super::{rule, PermRule};
use tollgate_iac::model::{bound_by, who_conditions, Binding, PrincipalClass};

use crate::analysis::{Analysis, PolicyKind, Subjects};
use crate::principal::grants;
use crate::sink::Sink;

pub struct CrossAccountTrust;

/// Conditions that tie a cross-account assumption to a known party: `sts:ExternalId` or the
/// organization (and `aws:SourceIdentity`, checked by key: the other identity conditions only
/// pick a principal inside the trusted account and do not stop a confused deputy).
const BINDING: &[Binding] = &[Binding::ExternalId, Binding::Organization];

impl PermRule for CrossAccountTrust {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2013", "iam-cross-account-trust-unbound", Severity::High, "IAM role trusts an account without `sts:ExternalId` or an organization condition")
            .description(
                "A trust policy naming an account by id (`123456789012` or \
                 `arn:aws:iam::123456789012:root`) lets every principal of that account that is \
                 allowed `sts:AssumeRole` take the role. Without `sts:ExternalId` a third party \
                 can be tricked into assuming it for someone else (the confused deputy); without \
                 `aws:PrincipalOrgID` nothing ties it to your organization. The deploying \
                 account (`${AWS::AccountId}`, `data.aws_caller_identity`) is not another account; \
                 a literal id of your own account is reported unless it is listed in \
                 `[stage.permissions] trusted-accounts`. A test that applies only when the key \
                 is present (`StringEqualsIfExists`) does not bind.",
            )
            .remediation(
                "Add a condition:\n\n```yaml\nCondition:\n  StringEquals:\n    sts:ExternalId: <shared secret id>\n```",
            )
            .equivalents(["access-analyzer:EXTERNAL_PRINCIPAL"])
            .precision(Precision::Medium)
    }

    fn subjects(&self) -> Subjects {
        Subjects::Of(PolicyKind::Trust)
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for g in grants(analysis, PolicyKind::Trust) {
            let PrincipalClass::OtherAccount(account) = &g.class else {
                continue;
            };
            let s = g.statement.stmt;
            let source_identity =
                who_conditions(s).any(|(c, _)| c.key.eq_ignore_ascii_case("aws:SourceIdentity"));
            if bound_by(s, BINDING).is_some() || source_identity {
                continue;
            }
            let Some(span) = g.principal.value.span() else {
                continue;
            };
            let value = g.value.trim();
            out.at(
                g.policy,
                span,
                &format!("{} {value}", g.policy.label),
                format!(
                    "The {} trusts account {account} (`{value}`) without an `sts:ExternalId` or `aws:PrincipalOrgID` condition.",
                    g.policy.label
                ),
            );
        }
    }
}
