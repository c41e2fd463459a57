//! What `tollgate explain TG2xxx --path DIR` shows for the user's own policies: each policy
//! statement the rule looks at, where it is, what its action patterns expand to (by access
//! level, first few names and a count) and whether it is granted on `*` or narrowed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use tollgate_iac::CloudModel;

use crate::analysis::{name_actions, Analysis, PolicyKind};
use crate::catalog::{catalog, AccessLevel, ActionId};
use crate::expand::Expander;

/// Plain text: one block per `Allow` statement of the scan's identity policies (trust
/// policies for the trust rules `TG2012`-`TG2014`, resource policies for `TG2018` and
/// `TG2019`). Empty when the model has none.
pub fn explain_policies(model: &CloudModel, rule_code: &str) -> String {
    let mut expander = Expander::new(catalog());
    let analysis = Analysis::new(model, &mut expander);
    let kind = match rule_code {
        "TG2012" | "TG2013" | "TG2014" => PolicyKind::Trust,
        // The resource-policy principal rules: bucket, queue, topic, key policies and Lambda
        // permissions.
        "TG2018" | "TG2019" => PolicyKind::Resource,
        _ => PolicyKind::Identity,
    };
    let mut out = String::new();
    for (policy, st) in analysis.of_kind(kind) {
        if !st.stmt.is_allow() {
            continue;
        }
        let _ = writeln!(
            out,
            "{}:{}:{}: {}",
            policy.doc.file, st.stmt.span.start.line, st.stmt.span.start.col, policy.label
        );
        for p in &st.patterns {
            let _ = writeln!(
                out,
                "  {} -> {} actions",
                p.text,
                p.expansion.actions().len()
            );
        }
        let mut by_level: BTreeMap<AccessLevel, Vec<ActionId>> = BTreeMap::new();
        for &id in st.granted.iter() {
            by_level
                .entry(analysis.catalog.get(id).level)
                .or_default()
                .push(id);
        }
        for (level, ids) in &by_level {
            let _ = writeln!(
                out,
                "  {} ({}): {}",
                level.as_str(),
                ids.len(),
                name_actions(analysis.catalog, ids)
            );
        }
        let scope = if st.star_resource.is_some() {
            "every resource (`*`)"
        } else {
            "the listed resources"
        };
        let narrowed = if st.restriction.is_none() {
            String::new()
        } else {
            format!(", narrowed by {}", st.restriction.describe())
        };
        let _ = writeln!(out, "  granted on {scope}{narrowed}");
    }
    out
}
