//! From matched advisories to the core model: advisories that name each other (aliases) are
//! merged into one finding per package, each advisory group becomes a dynamic rule, and the
//! message says what to upgrade to.

use std::collections::BTreeMap;
use std::sync::Arc;

use tollgate_core::{Finding, Location, Precision, Rule, Severity, Span};

use crate::matcher;
use crate::osv::Advisory;
use crate::rules::STAGE;
use crate::severity::advisory_severity;
use crate::{Ecosystem, Package};

/// Advisories describing the same vulnerability, and the id they are reported under.
#[derive(Debug, Clone)]
pub struct Group {
    pub primary: Arc<Advisory>,
    pub members: Vec<Arc<Advisory>>,
    /// Every id of the group but the primary one, sorted.
    pub aliases: Vec<String>,
    pub severity: Severity,
    pub score: Option<f64>,
}

/// Which id names a group: the ecosystem's own database first (RUSTSEC, PYSEC, GO), then GitHub,
/// then anything else, CVE last; ties by id.
fn preference(id: &str, eco: Ecosystem) -> (u8, String) {
    let own = match eco {
        Ecosystem::CratesIo => "RUSTSEC-",
        Ecosystem::PyPi => "PYSEC-",
        Ecosystem::Go => "GO-",
        _ => "\0",
    };
    let rank = if id.starts_with(own) {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else if id.starts_with("CVE-") {
        3
    } else {
        2
    };
    (rank, id.to_string())
}

/// Merge advisories connected through their ids and aliases (never one finding per alias).
pub fn group(advisories: &[Arc<Advisory>], eco: Ecosystem) -> Vec<Group> {
    let n = advisories.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, a) in advisories.iter().enumerate() {
        for id in a.ids() {
            match owner.get(id) {
                Some(&j) => {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    parent[ri] = rj;
                }
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<Arc<Advisory>>> = BTreeMap::new();
    for (i, advisory) in advisories.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(advisory.clone());
    }
    let mut out: Vec<Group> = groups
        .into_values()
        .map(|members| {
            let primary = members
                .iter()
                .min_by_key(|a| preference(&a.id, eco))
                .cloned()
                .unwrap_or_else(|| members[0].clone());
            let mut aliases: Vec<String> = members
                .iter()
                .flat_map(|a| a.ids().map(str::to_string).collect::<Vec<_>>())
                .filter(|id| *id != primary.id)
                .collect();
            aliases.sort();
            aliases.dedup();
            let (severity, score) = members
                .iter()
                .map(|a| advisory_severity(a))
                .max_by(|a, b| {
                    a.0.cmp(&b.0)
                        .then(a.1.unwrap_or(0.0).total_cmp(&b.1.unwrap_or(0.0)))
                })
                .unwrap_or((Severity::Medium, None));
            Group {
                primary,
                members,
                aliases,
                severity,
                score,
            }
        })
        .collect();
    out.sort_by(|a, b| a.primary.id.cmp(&b.primary.id));
    out
}

/// The dynamic rule of a group: code = the primary OSV id, peer ids as equivalents (so an
/// ignore naming a CVE or GHSA id matches).
pub fn rule(group: &Group, eco: Ecosystem) -> Rule {
    let a = &group.primary;
    let title = a
        .summary
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| format!("Vulnerability {}", a.id));
    let mut description = a.details.clone().unwrap_or_default();
    if let Some(kind) = a.informational() {
        description = format!("Informational advisory ({kind}).\n\n{description}");
    }
    let refs: Vec<String> = group
        .members
        .iter()
        .flat_map(|m| m.references.iter())
        .map(|r| format!("- {}", r.url))
        .collect();
    if !refs.is_empty() {
        description.push_str("\n\n## References\n\n");
        description.push_str(&refs.join("\n"));
    }
    Rule::new(a.id.clone(), a.id.to_ascii_lowercase(), STAGE, group.severity, title.trim())
        .description(description)
        .remediation("Upgrade the package to a version that fixes the advisory (see each finding for the smallest such upgrade), or remove it.")
        .help_uri(a.help_uri())
        .tags(["dependencies", "vulnerability", eco.osv_name()])
        .equivalents(group.aliases.iter().cloned())
        .precision(Precision::High)
        .instance_of(crate::rules::VULNERABLE)
}

/// How findings and evaluations name a package occurrence: the file it is declared in, its
/// name and its version.
pub fn resource(path: &str, pkg: &Package) -> String {
    format!("{path}#{}@{}", pkg.name, pkg.version)
}

/// One finding for one package occurrence and one advisory group.
pub fn finding(
    path: &str,
    line_text: &str,
    pkg: &Package,
    group: &Group,
    all_groups: &[&Group],
) -> Finding {
    let name = pkg.ecosystem.normalize_name(&pkg.name);
    let fixed: Vec<String> = {
        let mut f: Vec<String> = group
            .members
            .iter()
            .flat_map(|a| matcher::fixed_versions(a, pkg.ecosystem, &name, &pkg.version))
            .collect();
        f.sort_by(|a, b| pkg.ecosystem.compare(a, b));
        f.dedup();
        f
    };
    let every: Vec<&Advisory> = all_groups
        .iter()
        .flat_map(|g| g.members.iter().map(|a| a.as_ref()))
        .collect();
    let upgrade = matcher::smallest_fix(&every, pkg.ecosystem, &name, &pkg.version);
    let a = &group.primary;
    let ids = if group.aliases.is_empty() {
        a.id.clone()
    } else {
        format!("{} ({})", a.id, group.aliases.join(", "))
    };
    let mut message = format!("{} {} is affected by {ids}", pkg.name, pkg.version);
    if let Some(summary) = a.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        message.push_str(": ");
        message.push_str(summary.trim().trim_end_matches('.'));
    }
    message.push('.');
    if fixed.is_empty() {
        message.push_str(" No fixed version is known.");
    } else {
        message.push_str(&format!(" Fixed in {}.", fixed.join(", ")));
    }
    match (&upgrade, all_groups.len()) {
        (Some(v), 1) => message.push_str(&format!(" Upgrade to {v}.")),
        (Some(v), n) => message.push_str(&format!(
            " Upgrading to {v} fixes all {n} advisories of {} {}.",
            pkg.name, pkg.version
        )),
        (None, _) => {}
    }
    if pkg.dev {
        message.push_str(" (development dependency)");
    }
    let end_col = line_text.chars().count() as u32 + 1;
    let span = Span::new(
        tollgate_core::Pos::new(pkg.line, 1),
        tollgate_core::Pos::new(pkg.line, end_col.max(1)),
    );
    let mut f = Finding::new(
        a.id.clone(),
        group.severity,
        message,
        Location::at(path, span),
    )
    .resource(resource(path, pkg))
    .resource_line(pkg.line)
    .evidence(format!("{}@{}", pkg.name, pkg.version))
    .property("aliases", group.aliases.clone())
    .property("ecosystem", pkg.ecosystem.osv_name())
    .property("package", pkg.name.clone())
    .property("installedVersion", pkg.version.clone())
    .property("fixedVersions", fixed)
    .property("dev", pkg.dev);
    if let Some(v) = upgrade {
        f = f.property("smallestFix", v);
    }
    if let Some(score) = group.score {
        f = f.property("cvssScore", score);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adv(json: &str) -> Arc<Advisory> {
        Arc::new(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn aliases_merge_into_one_group_named_by_the_native_id() {
        let list = vec![
            adv(r#"{"id":"GHSA-aaaa-bbbb-cccc","aliases":["CVE-2021-1"]}"#),
            adv(r#"{"id":"PYSEC-2021-9","aliases":["CVE-2021-1"]}"#),
            adv(r#"{"id":"CVE-2021-1"}"#),
            adv(r#"{"id":"GHSA-zzzz-yyyy-xxxx"}"#),
        ];
        let groups = group(&list, Ecosystem::PyPi);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].primary.id, "GHSA-zzzz-yyyy-xxxx");
        assert_eq!(groups[1].primary.id, "PYSEC-2021-9");
        assert_eq!(groups[1].aliases, vec!["CVE-2021-1", "GHSA-aaaa-bbbb-cccc"]);
        let r = rule(&groups[1], Ecosystem::PyPi);
        assert!(r.answers_to("cve-2021-1"));
        assert_eq!(r.stage, "deps");
    }
}
