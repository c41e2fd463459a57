//! TG2009: `"Resource": "*"` for actions that support resource-level permissions.

use tollgate_core::Severity;

use super::support::{action_texts, DenyNote};
use super::{rule, PermRule};
use crate::analysis::{name_actions, Analysis};
use crate::sink::Sink;

pub struct WildcardResource;

impl PermRule for WildcardResource {
    fn meta(&self) -> tollgate_core::Rule {
        rule(
            "TG2009",
            "iam-wildcard-resource",
            Severity::Low,
            "IAM policy uses `*` resource for actions that can be scoped",
        )
        .description(
            "Every action listed supports resource-level permissions (the catalog names its \
                 resource types), yet the statement grants it on `*`. Actions that cannot be \
                 scoped (`xray:PutTraceSegments`) are not counted.",
        )
        .remediation("Replace `\"Resource\": \"*\"` with the ARNs of the resources used.")
        .equivalents(["CKV_AWS_355", "CKV_AWS_356", "parliament:RESOURCE_STAR"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for (policy, st) in analysis.identity_statements() {
            let Some(span) = st.star_resource else {
                continue;
            };
            if !st.stmt.is_allow() || st.star_action.is_some() || !st.stmt.not_actions.is_empty() {
                continue;
            }
            let scopable: Vec<_> = st
                .effective
                .iter()
                .copied()
                .filter(|&id| analysis.catalog.get(id).supports_resource_scoping())
                .collect();
            if scopable.is_empty() {
                continue;
            }
            let note = DenyNote::of(st, |id| {
                analysis.catalog.get(id).supports_resource_scoping()
            });
            out.narrowed(
                policy,
                span,
                st.restriction,
                &format!("{} {} *", policy.label, action_texts(st)),
                format!(
                    "The {} grants {} on `*` although they can be scoped to resources{}.",
                    policy.label,
                    name_actions(analysis.catalog, &scopable),
                    note.text(analysis, "; not counted: ")
                ),
            );
            note.relate(out);
        }
    }
}
