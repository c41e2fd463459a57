//! The shape several rules share: actions of one risk class granted on `*` by an identity
//! policy, reported once per statement with the concrete actions the expansion produced.

use crate::analysis::{name_actions, Analysis, StatementView};
use crate::catalog::ActionId;
use crate::deny::Denied;
use crate::sink::Sink;

/// Report every identity `Allow` statement that grants, on every resource, actions for which
/// `risky` holds. `what` names the class in the message ("permissions-management actions").
/// A narrowing condition lowers the severity and is named. An ARN naming every resource of a
/// service (`arn:aws:s3:::*/*`) counts as every resource for that service's actions.
pub(crate) fn report_on_star_resource(
    analysis: &Analysis<'_>,
    out: &mut Sink<'_>,
    what: &str,
    risky: impl Fn(ActionId) -> bool,
) {
    let cat = analysis.catalog;
    for (policy, st) in analysis.identity_statements() {
        if st.star_resource.is_none() && st.service_wide.is_empty() {
            continue;
        }
        if !st.stmt.is_allow() || st.star_action.is_some() {
            // `"Action": "*"` is reported by the wildcard rules, not once per class.
            continue;
        }
        // Where the action is granted on every resource: `*`, or its service's wildcard ARN.
        let service_wide = |id: ActionId| {
            let prefix = cat.full_name(id).prefix;
            st.service_wide.iter().find(|w| w.service == prefix)
        };
        let everywhere = |id: ActionId| st.star_resource.is_some() || service_wide(id).is_some();
        // What the identity's unconditional denies leave: a class they deny entirely is no
        // finding, one they deny in part is reported with what remains.
        let hits: Vec<ActionId> = st
            .effective
            .iter()
            .copied()
            .filter(|&id| risky(id) && everywhere(id))
            .collect();
        let Some(&first) = hits.first() else {
            continue;
        };
        let (span, scope) = match (st.star_resource, service_wide(first)) {
            (Some(_), _) | (None, None) => (st.span_of(first), "every resource".to_string()),
            (None, Some(w)) => {
                let mut arns: Vec<&str> = hits
                    .iter()
                    .filter_map(|&id| service_wide(id).map(|w| w.arn))
                    .collect();
                arns.dedup();
                let scope = match arns.as_slice() {
                    [_] => format!("every `{}` resource (`{}`)", w.service, w.arn),
                    many => format!("every resource of their services (`{}`)", many.join("`, `")),
                };
                (w.span, scope)
            }
        };
        let evidence = format!("{} {}", policy.label, action_texts(st));
        let note = DenyNote::of(st, &risky);
        out.narrowed(
            policy,
            span,
            st.restriction,
            &evidence,
            format!(
                "The {} grants {what} on {scope}: {}{}.",
                policy.label,
                name_actions(analysis.catalog, &hits),
                note.text(analysis, "; not counted: ")
            ),
        );
        note.relate(out);
    }
}

/// What the identity's denies took from a statement among the actions a finding is about:
/// words for its message, and the denies as the finding's related locations, so a reader sees
/// why the finding names fewer actions than the statement lists.
pub(crate) struct DenyNote(Option<Denied>);

impl DenyNote {
    /// The denied actions of `st` for which `keep` holds.
    pub(crate) fn of(st: &StatementView<'_>, keep: impl Fn(ActionId) -> bool) -> Self {
        DenyNote(st.denied.as_ref().and_then(|d| d.only(keep)))
    }

    /// `lead` followed by "the 2 actions denied by statement `DenyReads` (...)", or nothing
    /// when the denies took none of them.
    pub(crate) fn text(&self, analysis: &Analysis<'_>, lead: &str) -> String {
        self.0.as_ref().map_or(String::new(), |d| {
            format!("{lead}{}", d.describe(analysis.catalog))
        })
    }

    /// Point the finding just reported at the denies.
    pub(crate) fn relate(self, out: &mut Sink<'_>) {
        if let Some(d) = self.0 {
            let places = d.by.into_iter().map(|b| b.location).collect();
            out.relate_last(places, "denies some of the actions this statement grants");
        }
    }
}

/// The statement's written action entries, for evidence.
pub(crate) fn action_texts(st: &StatementView<'_>) -> String {
    st.patterns
        .iter()
        .map(|p| p.text)
        .collect::<Vec<_>>()
        .join(",")
}
