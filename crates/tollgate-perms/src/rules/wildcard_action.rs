//! TG2002: `"Action": "*"` on specific resources.

use tollgate_core::Severity;

use super::support::DenyNote;
use super::{rule, PermRule};
use crate::analysis::Analysis;
use crate::sink::Sink;

pub struct WildcardAction;

impl PermRule for WildcardAction {
    fn meta(&self) -> tollgate_core::Rule {
        rule(
            "TG2002",
            "iam-wildcard-action",
            Severity::High,
            "IAM policy allows every action (`*`)",
        )
        .description(
            "`\"Action\": \"*\"` grants every action of every service on the listed resources, \
                 including deleting them and rewriting their policies.",
        )
        .remediation(
            "Replace `*` with the actions the code calls (`s3:GetObject`, `sqs:SendMessage`).",
        )
        .equivalents(["CKV_AWS_63", "CKV_AWS_49"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for (policy, st) in analysis.identity_statements() {
            let Some(action) = st.star_action else {
                continue;
            };
            // On `*` as well, TG2001 says it more strongly.
            if !st.stmt.is_allow() || st.star_resource.is_some() || st.effective.is_empty() {
                continue;
            }
            let resources: Vec<&str> = st.resources().map(|(r, _)| r).collect();
            let note = DenyNote::of(st, |_| true);
            out.narrowed(
                policy,
                action,
                st.restriction,
                &format!("{} Allow * {}", policy.label, resources.join(",")),
                format!(
                    "The {} allows every action (`*`, {} actions) on {}{}.",
                    policy.label,
                    st.effective.len(),
                    if resources.is_empty() {
                        "its resources".to_string()
                    } else {
                        format!("`{}`", resources.join("`, `"))
                    },
                    note.text(analysis, ", except ")
                ),
            );
            note.relate(out);
        }
    }
}
