//! OSV range semantics: is a version affected, which versions fix it, and the smallest upgrade
//! that fixes every advisory of a package.
//!
//! Per range, events are sorted by version and walked: `introduced` opens, `fixed` closes at
//! the fixed version, `last_affected` closes after it; `limit` caps the range. `GIT` ranges
//! (commit hashes) cannot be judged from a version and are skipped, without taking the package
//! as unaffected: the entry's other ranges and its `versions` list still count.

use std::cmp::Ordering;

use crate::osv::{Advisory, Affected, Range};
use crate::Ecosystem;

/// Whether `range` contains `version`; `None` for ranges that cannot be judged by version.
pub fn range_contains(range: &Range, ecosystem: Ecosystem, version: &str) -> Option<bool> {
    if !matches!(range.kind.as_str(), "SEMVER" | "ECOSYSTEM") {
        return None;
    }
    // SEMVER ranges use semver ordering whatever the ecosystem (Go's `v` is tolerated).
    let cmp = |a: &str, b: &str| -> Ordering {
        if range.kind == "SEMVER" {
            crate::version::semver::compare(a, b)
        } else {
            ecosystem.compare(a, b)
        }
    };
    let limits: Vec<&str> = range
        .events
        .iter()
        .filter_map(|e| e.limit.as_deref())
        .collect();
    if !limits.is_empty() && !limits.iter().any(|l| *l == "*" || cmp(version, l).is_lt()) {
        return Some(false);
    }
    // (version, kind) with kind 0 = introduced, 1 = fixed, 2 = last_affected.
    let mut events: Vec<(&str, u8)> = Vec::new();
    for e in &range.events {
        if let Some(v) = &e.introduced {
            events.push((v, 0));
        }
        if let Some(v) = &e.fixed {
            events.push((v, 1));
        }
        if let Some(v) = &e.last_affected {
            events.push((v, 2));
        }
    }
    // "0" is the lowest version of every scheme.
    let key_cmp = |a: &str, b: &str| match (a == "0", b == "0") {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => cmp(a, b),
    };
    events.sort_by(|a, b| key_cmp(a.0, b.0).then(a.1.cmp(&b.1)));
    let mut affected = false;
    for (v, kind) in events {
        match kind {
            0 if v == "0" || cmp(version, v).is_ge() => affected = true,
            1 if cmp(version, v).is_ge() => affected = false,
            2 if cmp(version, v).is_gt() => affected = false,
            _ => {}
        }
    }
    Some(affected)
}

/// Whether the entry lists or ranges `version`.
pub fn affected_contains(affected: &Affected, ecosystem: Ecosystem, version: &str) -> bool {
    if affected
        .versions
        .iter()
        .any(|v| v == version || ecosystem.compare(v, version).is_eq())
    {
        return true;
    }
    affected
        .ranges
        .iter()
        .any(|r| range_contains(r, ecosystem, version) == Some(true))
}

/// Whether the advisory affects `name` (normalised) at `version`. Withdrawn advisories affect
/// nothing.
pub fn affects(advisory: &Advisory, ecosystem: Ecosystem, name: &str, version: &str) -> bool {
    advisory.withdrawn.is_none()
        && advisory
            .affected
            .iter()
            .any(|a| a.is_for(ecosystem, name) && affected_contains(a, ecosystem, version))
}

/// Fixed versions above `version` in the ranges of this advisory that contain it, sorted.
pub fn fixed_versions(
    advisory: &Advisory,
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in advisory
        .affected
        .iter()
        .filter(|a| a.is_for(ecosystem, name))
    {
        for r in &a.ranges {
            if range_contains(r, ecosystem, version) != Some(true) {
                continue;
            }
            for fixed in r.events.iter().filter_map(|e| e.fixed.as_deref()) {
                if ecosystem.compare(fixed, version).is_gt() && !out.iter().any(|f| f == fixed) {
                    out.push(fixed.to_string());
                }
            }
        }
    }
    out.sort_by(|a, b| ecosystem.compare(a, b));
    out
}

/// The smallest of the advisories' fixed versions that none of them affects: the one upgrade
/// that fixes them all, when there is one.
pub fn smallest_fix(
    advisories: &[&Advisory],
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
) -> Option<String> {
    let mut candidates: Vec<String> = advisories
        .iter()
        .flat_map(|a| fixed_versions(a, ecosystem, name, version))
        .collect();
    candidates.sort_by(|a, b| ecosystem.compare(a, b));
    candidates.dedup();
    candidates
        .into_iter()
        .find(|c| !advisories.iter().any(|a| affects(a, ecosystem, name, c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osv::{AffectedPackage, Event};

    fn ev(kind: &str, v: &str) -> Event {
        let mut e = Event::default();
        let v = Some(v.to_string());
        match kind {
            "introduced" => e.introduced = v,
            "fixed" => e.fixed = v,
            "last_affected" => e.last_affected = v,
            _ => e.limit = v,
        }
        e
    }

    fn range(kind: &str, events: &[(&str, &str)]) -> Range {
        Range {
            kind: kind.into(),
            events: events.iter().map(|(k, v)| ev(k, v)).collect(),
        }
    }

    fn advisory(eco: &str, name: &str, ranges: Vec<Range>, versions: &[&str]) -> Advisory {
        Advisory {
            id: "TEST-1".into(),
            modified: None,
            published: None,
            withdrawn: None,
            aliases: vec![],
            summary: None,
            details: None,
            severity: vec![],
            affected: vec![Affected {
                package: Some(AffectedPackage {
                    ecosystem: eco.into(),
                    name: name.into(),
                    purl: None,
                }),
                ranges,
                versions: versions.iter().map(|v| v.to_string()).collect(),
                ..Affected::default()
            }],
            references: vec![],
            database_specific: None,
        }
    }

    #[test]
    fn introduced_fixed_multiple_windows() {
        let r = range(
            "ECOSYSTEM",
            &[
                ("introduced", "0"),
                ("fixed", "1.2.0"),
                ("introduced", "2.0.0"),
                ("fixed", "2.3.1"),
            ],
        );
        let eco = Ecosystem::CratesIo;
        for (v, want) in [
            ("0.1.0", true),
            ("1.1.9", true),
            ("1.2.0", false),
            ("1.9.0", false),
            ("2.0.0-rc.1", false),
            ("2.0.0", true),
            ("2.3.1-alpha", true),
            ("2.3.1", false),
        ] {
            assert_eq!(range_contains(&r, eco, v), Some(want), "{v}");
        }
    }

    #[test]
    fn last_affected_and_limit() {
        let r = range(
            "SEMVER",
            &[("introduced", "1.0.0"), ("last_affected", "1.4.2")],
        );
        assert_eq!(range_contains(&r, Ecosystem::Npm, "1.4.2"), Some(true));
        assert_eq!(range_contains(&r, Ecosystem::Npm, "1.4.3"), Some(false));
        let r = range("ECOSYSTEM", &[("introduced", "0"), ("limit", "2.0.0")]);
        assert_eq!(range_contains(&r, Ecosystem::Npm, "1.9.9"), Some(true));
        assert_eq!(range_contains(&r, Ecosystem::Npm, "2.0.0"), Some(false));
    }

    #[test]
    fn events_out_of_order_are_sorted() {
        let r = range("ECOSYSTEM", &[("fixed", "2.0"), ("introduced", "1.0")]);
        assert_eq!(range_contains(&r, Ecosystem::PyPi, "1.5"), Some(true));
        assert_eq!(range_contains(&r, Ecosystem::PyPi, "0.9"), Some(false));
    }

    #[test]
    fn pypi_prereleases_and_post_releases() {
        let r = range("ECOSYSTEM", &[("introduced", "0"), ("fixed", "2.2.0")]);
        let eco = Ecosystem::PyPi;
        assert_eq!(range_contains(&r, eco, "2.2.0rc1"), Some(true));
        assert_eq!(range_contains(&r, eco, "2.2.0.post1"), Some(false));
        assert_eq!(range_contains(&r, eco, "2.1.99.dev0"), Some(true));
        assert_eq!(range_contains(&r, eco, "1!0.1"), Some(false));
    }

    #[test]
    fn go_pseudo_versions() {
        let r = range(
            "SEMVER",
            &[
                ("introduced", "0"),
                ("fixed", "0.0.0-20200204180143-4e2ffb0f4b43"),
            ],
        );
        let eco = Ecosystem::Go;
        assert_eq!(
            range_contains(&r, eco, "v0.0.0-20191109021931-daa7c04131f5"),
            Some(true)
        );
        assert_eq!(
            range_contains(&r, eco, "v0.0.0-20210101000000-aaaaaaaaaaaa"),
            Some(false)
        );
    }

    #[test]
    fn maven_and_rubygems_ranges() {
        let r = range(
            "ECOSYSTEM",
            &[("introduced", "2.0-beta9"), ("fixed", "2.15.0")],
        );
        assert_eq!(range_contains(&r, Ecosystem::Maven, "2.14.1"), Some(true));
        assert_eq!(
            range_contains(&r, Ecosystem::Maven, "2.0-alpha1"),
            Some(false)
        );
        assert_eq!(range_contains(&r, Ecosystem::Maven, "2.15.0"), Some(false));
        let r = range("ECOSYSTEM", &[("introduced", "0"), ("fixed", "6.0.3.1")]);
        assert_eq!(range_contains(&r, Ecosystem::RubyGems, "6.0.3"), Some(true));
        assert_eq!(
            range_contains(&r, Ecosystem::RubyGems, "6.0.3.rc1"),
            Some(true)
        );
        assert_eq!(
            range_contains(&r, Ecosystem::RubyGems, "6.0.3.1"),
            Some(false)
        );
    }

    #[test]
    fn git_ranges_are_skipped_not_negative() {
        let mut a = advisory(
            "npm",
            "x",
            vec![
                range("GIT", &[("introduced", "abc"), ("fixed", "def")]),
                range("SEMVER", &[("introduced", "0"), ("fixed", "1.0.1")]),
            ],
            &[],
        );
        assert_eq!(
            range_contains(&a.affected[0].ranges[0], Ecosystem::Npm, "1.0.0"),
            None
        );
        assert!(affects(&a, Ecosystem::Npm, "x", "1.0.0"));
        assert!(!affects(&a, Ecosystem::Npm, "x", "1.0.1"));
        assert!(!affects(&a, Ecosystem::Npm, "y", "1.0.0"));
        a.withdrawn = Some("2024-01-01T00:00:00Z".into());
        assert!(!affects(&a, Ecosystem::Npm, "x", "1.0.0"));
    }

    #[test]
    fn explicit_versions_and_names() {
        let a = advisory("PyPI", "Django_Rest", vec![], &["3.0", "3.1.2"]);
        assert!(affects(&a, Ecosystem::PyPi, "django-rest", "3.0.0"));
        assert!(affects(&a, Ecosystem::PyPi, "django-rest", "3.1.2"));
        assert!(!affects(&a, Ecosystem::PyPi, "django-rest", "3.1.3"));
        assert!(!affects(&a, Ecosystem::Npm, "django-rest", "3.0"));
    }

    #[test]
    fn smallest_fix_covers_every_advisory() {
        let a = advisory(
            "npm",
            "lodash",
            vec![range(
                "SEMVER",
                &[("introduced", "0"), ("fixed", "4.17.12")],
            )],
            &[],
        );
        let b = advisory(
            "npm",
            "lodash",
            vec![range(
                "SEMVER",
                &[("introduced", "4.0.0"), ("fixed", "4.17.21")],
            )],
            &[],
        );
        assert_eq!(
            fixed_versions(&a, Ecosystem::Npm, "lodash", "4.17.11"),
            vec!["4.17.12"]
        );
        assert_eq!(
            smallest_fix(&[&a, &b], Ecosystem::Npm, "lodash", "4.17.11"),
            Some("4.17.21".into())
        );
        let unfixed = advisory(
            "npm",
            "lodash",
            vec![range("SEMVER", &[("introduced", "0")])],
            &[],
        );
        assert_eq!(
            smallest_fix(&[&a, &unfixed], Ecosystem::Npm, "lodash", "4.17.11"),
            None
        );
    }
}
