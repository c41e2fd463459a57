//! What `tollgate explain TG2xxx --path DIR` shows for the user's own policies: each policy
//! statement the rule looks at, where it is, what its action patterns expand to (by access
//! level, first few names and a count) and whether it is granted on `*` or narrowed. For an
//! identity policy it then shows what remains once the identity's `Deny` statements are taken
//! away, which denies took what (file:line), and which denies naming the same actions took
//! nothing and why: the reader sees why a finding shrank, vanished, or did not.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use tollgate_core::Location;
use tollgate_iac::CloudModel;

use crate::analysis::{name_actions, Analysis, PolicyKind, StatementView};
use crate::catalog::{catalog, AccessLevel, ActionId, Catalog};
use crate::deny::{self, Denied, DenyScope};
use crate::expand::Expander;
use crate::rules::admin_managed_policy;

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
    if rule_code == "TG2015" {
        write_managed(&mut out, &analysis);
    }
    for (pi, policy) in analysis.policies.iter().enumerate() {
        if policy.kind != kind {
            continue;
        }
        for st in policy.statements.iter().filter(|st| st.stmt.is_allow()) {
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
            write_levels(&mut out, analysis.catalog, &st.granted, "  ");
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
            if kind == PolicyKind::Identity {
                write_denies(&mut out, &analysis, pi, st);
            }
        }
    }
    out
}

/// The admin-grade AWS managed policies attached to each identity (what TG2015 reads), and
/// what the identity's unconditional denies on `*` take from them.
fn write_managed(out: &mut String, analysis: &Analysis<'_>) {
    for identity in &analysis.identities {
        for val in identity.managed {
            let (Some(text), Some(span)) = (val.as_str(), val.span()) else {
                continue;
            };
            let Some((name, _)) = admin_managed_policy::admin_grade(text) else {
                continue;
            };
            let _ = writeln!(
                out,
                "{}:{}:{}: AWS managed policy `{name}` attached to `{}`",
                identity.owner.file, span.start.line, span.start.col, identity.owner.address
            );
            match admin_managed_policy::denied_from(analysis, identity, name) {
                None => {
                    let _ = writeln!(out, "  no unconditional deny on `*` takes anything from it");
                }
                Some(denied) => write_denied_by(out, analysis.catalog, &denied),
            }
        }
    }
}

/// `ids` by access level, one line each: "Write (2): `s3:PutObject` and `s3:DeleteObject`".
fn write_levels(out: &mut String, cat: &Catalog, ids: &[ActionId], indent: &str) {
    let mut by_level: BTreeMap<AccessLevel, Vec<ActionId>> = BTreeMap::new();
    for &id in ids {
        by_level.entry(cat.get(id).level).or_default().push(id);
    }
    for (level, ids) in &by_level {
        let _ = writeln!(
            out,
            "{indent}{} ({}): {}",
            level.as_str(),
            ids.len(),
            name_actions(cat, ids)
        );
    }
}

/// One line per deny that took actions: "denied by statement `X` (file:line): `a:B`, ...".
fn write_denied_by(out: &mut String, cat: &Catalog, denied: &Denied) {
    for by in &denied.by {
        let _ = writeln!(
            out,
            "  denied by {} ({}): {}",
            by.name,
            place(&by.location),
            name_actions(cat, &by.actions)
        );
    }
}

/// "file:line" of a deny.
fn place(location: &Location) -> String {
    match location.start_line() {
        Some(line) => format!("{}:{line}", location.path),
        None => location.path.clone(),
    }
}

/// What the denies of the identity holding policy `pi` did to the `Allow` statement `st`:
/// what remains, the denies that took actions, and the denies naming its actions that took
/// none (a condition, `NotResource`, unresolved values, ARNs that do not cover its
/// resources).
fn write_denies(out: &mut String, analysis: &Analysis<'_>, pi: usize, st: &StatementView<'_>) {
    let cat = analysis.catalog;
    if let Some(denied) = &st.denied {
        if st.effective.is_empty() {
            let _ = writeln!(
                out,
                "  after the identity's denies: nothing remains (all {} actions denied)",
                st.granted.len()
            );
        } else {
            let _ = writeln!(
                out,
                "  after the identity's denies: {} of {} actions remain",
                st.effective.len(),
                st.granted.len()
            );
            write_levels(out, cat, &st.effective, "    ");
        }
        write_denied_by(out, cat, denied);
    }
    let Some(identity) = analysis
        .identities
        .iter()
        .find(|i| i.policies.contains(&pi))
    else {
        return;
    };
    let took_from_here = |location: &Location| {
        st.denied
            .as_ref()
            .is_some_and(|d| d.by.iter().any(|b| &b.location == location))
    };
    let named_elsewhere = |policy: usize, name: &str| {
        if policy == pi {
            name.to_string()
        } else {
            format!("{name} of the {}", analysis.policies[policy].label)
        }
    };
    // Counted denies (no condition) on ARNs that name some of these actions but do not cover
    // every resource the statement grants on.
    for d in &identity.denies {
        if took_from_here(&d.location) || !overlaps(&d.actions, &st.granted) {
            continue;
        }
        let why = match &d.scope {
            DenyScope::Arns(_) => {
                "its resources do not cover every resource this statement grants on"
            }
            // A deny on `*` that overlaps always takes something; nothing to explain.
            DenyScope::Everywhere => continue,
        };
        let _ = writeln!(
            out,
            "  not denied by {} ({}): {why}",
            named_elsewhere(d.policy, &d.name),
            place(&d.location)
        );
    }
    // Denies that never count, whatever they name.
    for &hpi in &identity.policies {
        let policy = &analysis.policies[hpi];
        for deny_st in &policy.statements {
            let s = deny_st.stmt;
            if !s.is_deny() || deny::deny_scope(s).is_some() {
                continue;
            }
            // `NotAction` names everything it does not list: it may reach this statement.
            let may_reach = !s.not_actions.is_empty()
                || deny_st
                    .patterns
                    .iter()
                    .any(|p| overlaps(p.expansion.actions(), &st.granted));
            if !may_reach {
                continue;
            }
            let why = if s.conditions_unknown {
                "its condition cannot be resolved statically, so it may not apply".to_string()
            } else if let Some(c) = s.conditions.first() {
                format!(
                    "its condition on `{}` makes it apply only to the requests that match",
                    c.key
                )
            } else if !s.not_resources.is_empty() {
                "`NotResource` in a deny is not subtracted".to_string()
            } else {
                "its resources cannot be resolved statically or hold a policy variable".to_string()
            };
            let _ = writeln!(
                out,
                "  not denied by {} ({}:{}): {why}",
                named_elsewhere(hpi, &deny::deny_name(s)),
                policy.doc.file,
                s.span.start.line
            );
        }
    }
}

/// Whether sorted `a` and sorted `b` share an action.
fn overlaps(a: &[ActionId], b: &[ActionId]) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().any(|id| large.binary_search(id).is_ok())
}
