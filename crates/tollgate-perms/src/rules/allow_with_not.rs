//! TG2011: `Allow` with `NotAction`, `NotResource` or `NotPrincipal`.

use tollgate_core::Severity;

use super::support::DenyNote;
use super::{rule, PermRule};
use crate::analysis::{Analysis, Subjects};
use crate::sink::Sink;

pub struct AllowWithNot;

impl PermRule for AllowWithNot {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2011", "iam-allow-with-not", Severity::Medium, "`Allow` statement uses `NotAction`, `NotResource` or `NotPrincipal`")
            .description(
                "An `Allow` with `NotAction` grants every action but the listed ones — including \
                 every action AWS adds later; `NotResource` grants on every other resource; \
                 `NotPrincipal` allows everyone else. They are meant for `Deny` statements.",
            )
            .remediation("Rewrite the statement as an `Allow` of what is needed, plus a `Deny` with `NotAction` if an exception is wanted.")
            .equivalents(["parliament:NOTACTION_AND_ALLOW", "CKV_AWS_49"])
    }

    fn subjects(&self) -> Subjects {
        Subjects::Every
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for policy in &analysis.policies {
            for st in &policy.statements {
                if !st.stmt.is_allow() {
                    continue;
                }
                let s = st.stmt;
                let first_span = |vals: &[tollgate_iac::model::Val<String>]| {
                    vals.iter().find_map(|v| v.span()).unwrap_or(s.span)
                };
                // Denied entirely by the identity, the statement grants nothing.
                let denied_entirely = st.denied.is_some() && st.effective.is_empty();
                if !s.not_actions.is_empty() && !denied_entirely {
                    let note = DenyNote::of(st, |_| true);
                    out.at(
                        policy,
                        first_span(&s.not_actions),
                        &format!("{} NotAction", policy.label),
                        format!(
                            "The {} allows `NotAction`: every action except the listed ones ({} actions of the catalog today{}).",
                            policy.label,
                            st.effective.len(),
                            note.text(analysis, ", except ")
                        ),
                    );
                    note.relate(out);
                }
                if !s.not_resources.is_empty() {
                    out.at(
                        policy,
                        first_span(&s.not_resources),
                        &format!("{} NotResource", policy.label),
                        format!("The {} allows on `NotResource`: every resource except the listed ones.", policy.label),
                    );
                }
                if let Some(p) = s.not_principals.first() {
                    out.at(
                        policy,
                        p.value.span().unwrap_or(s.span),
                        &format!("{} NotPrincipal", policy.label),
                        format!(
                            "The {} allows `NotPrincipal`: every principal except the listed ones.",
                            policy.label
                        ),
                    );
                }
            }
        }
    }
}
