//! TG2004: an identity holds every action of a published privilege-escalation method.

use std::collections::BTreeSet;

use tollgate_core::{Location, Severity};

use super::{rule, PermRule};
use crate::analysis::{Analysis, Restriction};
use crate::catalog::ActionId;
use crate::deny::DeniedBy;
use crate::sink::Sink;

pub struct PrivilegeEscalation;

impl PermRule for PrivilegeEscalation {
    fn meta(&self) -> tollgate_core::Rule {
        rule(
            "TG2004",
            "iam-privilege-escalation",
            Severity::High,
            "IAM identity can escalate its own privileges",
        )
        .description(
            "The role (or policy) holds every action of a published privilege-escalation method \
                 (Rhino Security Labs' methods and later ones, kept in `data/privesc.tsv`): for \
                 example `iam:PassRole` with `lambda:CreateFunction` and `lambda:InvokeFunction` \
                 lets it run code as any role it may pass. The actions are gathered across all \
                 the identity's policies in the scan; an action one of them denies without a \
                 condition does not count, and the methods it stops are named.",
        )
        .remediation(
            "Remove one action of the method, or scope it: `iam:PassRole` to the one role \
                 with an `iam:PassedToService` condition, `iam:*Policy*` actions to nothing. \
                 Where a broad grant must stay, a `Deny` of one action of the method, on `*` \
                 and without a condition, stops it.",
        )
        .equivalents([
            "CKV_AWS_110",
            "CKV_AWS_286",
            "cloudsplaining:PrivilegeEscalation",
        ])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for identity in &analysis.identities {
            // Where each held action was granted (first place), over every allow statement,
            // before and after the identity's unconditional denies: a method counts only if
            // every one of its actions is still allowed.
            let mut held: Vec<(ActionId, usize, usize)> = Vec::new();
            // What the denies took from those allows: an action granted but no longer held.
            let mut taken: Vec<ActionId> = Vec::new();
            let mut denials: Vec<&DeniedBy> = Vec::new();
            for &pi in &identity.policies {
                for (si, st) in analysis.policies[pi].statements.iter().enumerate() {
                    // A narrowing condition makes the method uncertain: not counted. Except
                    // `iam:PassedToService`: it limits which service receives the role, not
                    // which role, and the methods pass roles to exactly those services.
                    let narrowed = match st.restriction {
                        Restriction::None => false,
                        Restriction::Condition(_) => !st
                            .stmt
                            .conditions
                            .iter()
                            .all(|c| c.key.eq_ignore_ascii_case("iam:PassedToService")),
                        Restriction::Unresolved => true,
                    };
                    if st.stmt.is_allow() && !narrowed {
                        // Only the actions some method needs are looked up: a wildcard
                        // grants thousands, a few dozen matter here.
                        let needed = &analysis.risks.escalation_actions;
                        if st.effective.len() > needed.len() {
                            held.extend(
                                needed
                                    .iter()
                                    .filter(|id| st.effective.binary_search(id).is_ok())
                                    .map(|&id| (id, pi, si)),
                            );
                        } else {
                            held.extend(
                                st.effective
                                    .iter()
                                    .filter(|id| needed.binary_search(id).is_ok())
                                    .map(|&id| (id, pi, si)),
                            );
                        }
                        if let Some(d) = &st.denied {
                            taken.extend(d.actions.iter().copied());
                            denials.extend(d.by.iter());
                        }
                    }
                }
            }
            held.sort_by_key(|h| h.0);
            held.dedup_by_key(|h| h.0);
            let find = |id: ActionId| {
                held.binary_search_by_key(&id, |h| h.0)
                    .ok()
                    .map(|i| held[i])
            };
            // Every method the identity completes, with where each of its actions is granted.
            let complete: Vec<_> = analysis
                .risks
                .escalation
                .iter()
                .filter_map(|m| {
                    let places: Option<Vec<_>> = m.actions.iter().map(|&id| find(id)).collect();
                    places.map(|p| (m, p))
                })
                .collect();
            let Some((_, first_places)) = complete.first() else {
                continue;
            };
            // Methods the allows complete but the denies stop: named so the reader sees the
            // deny counted (and that the rest of the finding survives it).
            taken.sort_unstable();
            taken.dedup();
            let blocked: Vec<_> = analysis
                .risks
                .escalation
                .iter()
                .filter(|m| {
                    m.actions.iter().any(|&id| find(id).is_none())
                        && m.actions
                            .iter()
                            .all(|&id| find(id).is_some() || taken.binary_search(&id).is_ok())
                })
                .collect();
            // The denies that take an action those methods need, to point at.
            let mut stopping: Vec<Location> = Vec::new();
            for d in &denials {
                let needed = blocked.iter().any(|m| {
                    m.actions
                        .iter()
                        .any(|id| find(*id).is_none() && d.actions.binary_search(id).is_ok())
                });
                if needed && !stopping.contains(&d.location) {
                    stopping.push(d.location.clone());
                }
            }
            let blocked: Vec<&str> = blocked.iter().map(|m| m.name).collect();
            // `"Action": "*"` completes them all; TG2001/TG2002 already say so, louder.
            let all_star = complete.iter().all(|(_, places)| {
                places
                    .iter()
                    .all(|&(_, pi, si)| analysis.policies[pi].statements[si].star_action.is_some())
            });
            if all_star {
                continue;
            }
            const SHOWN: usize = 3;
            let described: Vec<String> = complete
                .iter()
                .take(SHOWN)
                .map(|(m, _)| {
                    let names: Vec<String> = m
                        .actions
                        .iter()
                        .map(|&id| format!("`{}`", analysis.catalog.full_name(id)))
                        .collect();
                    format!("`{}` ({}: {})", m.name, m.source, names.join(" + "))
                })
                .collect();
            let more = match complete.len().saturating_sub(SHOWN) {
                0 => String::new(),
                n => format!(" and {n} more method{}", if n == 1 { "" } else { "s" }),
            };
            let (first_id, pi, si) = first_places[0];
            let policy = &analysis.policies[pi];
            let span = policy.statements[si].span_of(first_id);
            let methods: Vec<&str> = complete.iter().map(|(m, _)| m.name).collect();
            let stopped = match blocked.as_slice() {
                [] => String::new(),
                names => format!(
                    " Its `Deny` statements stop {} other method{}: `{}`{}.",
                    names.len(),
                    if names.len() == 1 { "" } else { "s" },
                    names[..names.len().min(SHOWN)].join("`, `"),
                    if names.len() > SHOWN { ", ..." } else { "" }
                ),
            };
            out.at(
                policy,
                span,
                &format!("{} {}", identity.owner.address, methods.join(",")),
                format!(
                    "`{}` can escalate its privileges: {}{more}.{stopped}",
                    identity.owner.address,
                    described.join("; ")
                ),
            );
            // The other places that complete the methods named, once each.
            let mut seen = BTreeSet::new();
            seen.insert((pi, span));
            let related: Vec<Location> = complete
                .iter()
                .take(SHOWN)
                .flat_map(|(_, places)| places.iter().copied())
                .filter_map(|(id, pi, si)| {
                    let p = &analysis.policies[pi];
                    let span = p.statements[si].span_of(id);
                    seen.insert((pi, span))
                        .then(|| Location::at(p.doc.file.clone(), span))
                })
                .collect();
            out.relate_last(related, "grants an action of the escalation");
            out.relate_last(stopping, "denies an action another escalation method needs");
        }
    }
}
