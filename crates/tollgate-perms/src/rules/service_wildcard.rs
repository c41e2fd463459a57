//! TG2003: a whole service granted (`dynamodb:*`).

use tollgate_core::Severity;

use super::support::DenyNote;
use super::{rule, PermRule};
use crate::analysis::{name_actions, Analysis};
use crate::catalog::AccessLevel;
use crate::sink::Sink;

pub struct ServiceWildcard;

impl PermRule for ServiceWildcard {
    fn meta(&self) -> tollgate_core::Rule {
        rule(
            "TG2003",
            "iam-service-wildcard",
            Severity::Medium,
            "IAM policy grants every action of a service",
        )
        .description(
            "`service:*` grants every action of the service — for `dynamodb:*` that includes \
                 `DeleteTable` and `UpdateTable`, for `s3:*` `PutBucketPolicy`. Identity policies \
                 only; a key policy granting `kms:*` to the account root is the AWS default.",
        )
        .remediation("Replace `service:*` with the actions the code calls.")
        .equivalents(["CKV_AWS_63", "cloudsplaining:ServiceWildcard"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for (policy, st) in analysis.identity_statements() {
            if !st.stmt.is_allow() {
                continue;
            }
            for p in &st.patterns {
                let Some((service, "*")) = p.text.trim().split_once(':') else {
                    continue;
                };
                if service.contains(['*', '?']) || p.expansion.actions().is_empty() {
                    continue;
                }
                // What the identity's unconditional denies leave of the service.
                let left: Vec<_> = p
                    .expansion
                    .actions()
                    .iter()
                    .copied()
                    .filter(|&id| st.still_allows(id))
                    .collect();
                if left.is_empty() {
                    continue;
                }
                let risky: Vec<_> = left
                    .iter()
                    .copied()
                    .filter(|&id| {
                        matches!(
                            analysis.catalog.get(id).level,
                            AccessLevel::Write | AccessLevel::PermissionsManagement
                        )
                    })
                    .collect();
                let total = p.expansion.actions().len();
                let note = DenyNote::of(st, |id| p.expansion.actions().binary_search(&id).is_ok());
                let granted = if left.len() == total {
                    format!("all {total} actions of `{service}` (`{}`)", p.text)
                } else {
                    let without = note.text(analysis, ", without ");
                    format!(
                        "{} of the {total} actions of `{service}` (`{}`{without})",
                        left.len(),
                        p.text
                    )
                };
                let detail = if risky.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", {} of them write or permissions management: {}",
                        risky.len(),
                        name_actions(analysis.catalog, &risky)
                    )
                };
                out.narrowed(
                    policy,
                    p.span,
                    st.restriction,
                    &format!("{} {}", policy.label, p.text),
                    format!("The {} grants {granted}{detail}.", policy.label),
                );
                note.relate(out);
            }
        }
    }
}
