//! Post-processing in one place: the rule index, per-rule config (disable, severity), the
//! fingerprints and the final order of findings. Suppressions live in [`crate::suppress`].

use std::collections::HashMap;

use crate::config::Config;
use crate::{Finding, Location, Notification, Rule};

/// Every rule of the run, by code, with lookup by name and peer-tool equivalent.
#[derive(Debug, Clone, Default)]
pub struct RuleIndex {
    rules: Vec<Rule>,
    by_code: HashMap<String, usize>,
    /// Lowercased code, name and equivalents → rule positions (an equivalent may be shared).
    by_alias: HashMap<String, Vec<usize>>,
}

impl RuleIndex {
    pub fn new(rules: impl IntoIterator<Item = Rule>) -> Self {
        let mut index = Self::default();
        for rule in rules {
            index.insert(rule);
        }
        index
    }

    /// Add a rule; a second rule with the same code replaces the first.
    pub fn insert(&mut self, rule: Rule) {
        if let Some(&at) = self.by_code.get(&rule.code) {
            for ids in self.by_alias.values_mut() {
                ids.retain(|&i| i != at);
            }
            self.index_aliases(at, &rule);
            self.rules[at] = rule;
            return;
        }
        let at = self.rules.len();
        self.by_code.insert(rule.code.clone(), at);
        self.index_aliases(at, &rule);
        self.rules.push(rule);
    }

    fn index_aliases(&mut self, at: usize, rule: &Rule) {
        let names = [&rule.code, &rule.name]
            .into_iter()
            .chain(&rule.equivalents);
        for name in names {
            let ids = self.by_alias.entry(name.to_ascii_lowercase()).or_default();
            if !ids.contains(&at) {
                ids.push(at);
            }
        }
    }

    /// The rule with this exact code.
    pub fn get(&self, code: &str) -> Option<&Rule> {
        self.by_code.get(code).map(|&i| &self.rules[i])
    }

    /// Rules answering to `id`: a code, a name or a peer-tool equivalent (case-insensitive).
    pub fn lookup(&self, id: &str) -> impl Iterator<Item = &Rule> + '_ {
        self.by_alias
            .get(&id.to_ascii_lowercase())
            .into_iter()
            .flatten()
            .map(|&i| &self.rules[i])
    }

    /// Whether any rule answers to `id`.
    pub fn knows(&self, id: &str) -> bool {
        self.lookup(id).next().is_some()
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether `id` names the rule of `finding`: its code, or via the index its name or a
    /// peer-tool equivalent, or one of the advisory aliases the finding carries
    /// (`properties["aliases"]`, set by the dependency stage). A finding that names the
    /// peer-tool checks it answers (`properties["equivalents"]`, set by a rule that asks at
    /// once what a peer tool asks as several checks) answers to those of the rule's
    /// equivalents only: `checkov:skip=CKV_AWS_57` (public write) does not hide a bucket that
    /// is only readable.
    pub fn finding_answers_to(&self, finding: &Finding, id: &str) -> bool {
        finding.rule.eq_ignore_ascii_case(id)
            || self
                .get(&finding.rule)
                .is_some_and(|r| r.answers_to(id) && Self::not_narrowed_away(r, finding, id))
            || finding
                .properties
                .get("aliases")
                .and_then(|v| v.as_array())
                .is_some_and(|aliases| {
                    aliases
                        .iter()
                        .filter_map(|a| a.as_str())
                        .any(|a| a.eq_ignore_ascii_case(id))
                })
    }
}

impl RuleIndex {
    /// False when `id` is one of `rule`'s peer-tool equivalents that `finding`, naming the ones
    /// it answers, leaves out.
    fn not_narrowed_away(rule: &Rule, finding: &Finding, id: &str) -> bool {
        let Some(answered) = finding
            .properties
            .get("equivalents")
            .and_then(|v| v.as_array())
        else {
            return true;
        };
        let names_rule = rule.code.eq_ignore_ascii_case(id) || rule.name.eq_ignore_ascii_case(id);
        names_rule
            || answered
                .iter()
                .filter_map(|a| a.as_str())
                .any(|a| a.eq_ignore_ascii_case(id))
    }
}

/// Apply `[rules.X]`: drop the findings of disabled rules (a disabled rule is off, as if it
/// never ran) and set overridden severities. A key naming no known rule is reported with its
/// config line.
/// Whether a config key (`[rules.KEY]`) names the rule with this code: its code, name or a
/// peer tool's id.
fn names_rule(rules: &RuleIndex, code: &str, key: &str) -> bool {
    code.eq_ignore_ascii_case(key) || rules.get(code).is_some_and(|r| r.answers_to(key))
}

/// Whether the config disables the rule with this code (`[rules.KEY] disable = true`).
pub fn rule_disabled(code: &str, rules: &RuleIndex, config: &Config) -> bool {
    config
        .rules
        .iter()
        .any(|(key, rule_config)| rule_config.disable && names_rule(rules, code, key))
}

pub fn apply_rule_config(
    findings: &mut Vec<Finding>,
    rules: &RuleIndex,
    config: &Config,
) -> Vec<Notification> {
    let mut notes = Vec::new();
    let mut disabled = Vec::new();
    let mut overrides = Vec::new();
    for (key, rule_config) in &config.rules {
        if !rules.knows(key) && !findings.iter().any(|f| f.rule.eq_ignore_ascii_case(key)) {
            let mut note = Notification::warning(
                "unknown-rule",
                format!("[rules.{key}] names no known rule; the setting has no effect"),
            );
            if let Some(line) = rule_config.line {
                note = note.at(Location::at(config.file_name(), crate::Span::line(line)));
            }
            notes.push(note);
            continue;
        }
        if rule_config.disable {
            disabled.push(key.as_str());
        } else if let Some(severity) = rule_config.severity {
            overrides.push((key.as_str(), severity));
        }
    }
    let names = |finding: &Finding, key: &str| names_rule(rules, &finding.rule, key);
    findings.retain(|f| !disabled.iter().any(|key| names(f, key)));
    for finding in findings.iter_mut() {
        // Keys by code win over keys by name or equivalent, whatever their order in the file.
        let exact = overrides
            .iter()
            .find(|(key, _)| finding.rule.eq_ignore_ascii_case(key));
        let chosen = exact.or_else(|| overrides.iter().find(|(key, _)| names(finding, key)));
        if let Some((_, severity)) = chosen {
            finding.severity = *severity;
        }
    }
    notes
}

/// Fill in missing fingerprints and put findings in their reporting order (see
/// [`sort_findings`]).
pub fn finish(findings: &mut [Finding]) {
    use rayon::prelude::*;
    // On all cores: a large scan has a hundred thousand findings, each hashed.
    findings
        .par_iter_mut()
        .for_each(|finding| finding.ensure_fingerprint());
    sort_findings(findings);
}

/// Sort by path, line and rule; then column and message, so equal keys stay deterministic.
/// File-level findings (no region) come first in their file. The sort is stable (findings
/// equal in every key keep their order) and runs on all cores.
///
/// Their positions are sorted, not the findings themselves, which are then put in place, each
/// moved once: a merge sort of the findings would copy a large scan's tens of MB into a
/// buffer as large, and between it and the list, at every level of the merge.
pub fn sort_findings(findings: &mut [Finding]) {
    use rayon::prelude::*;
    let Ok(len) = u32::try_from(findings.len()) else {
        return findings.par_sort_by(reporting_order);
    };
    let mut order: Vec<u32> = (0..len).collect();
    let items: &[Finding] = findings;
    order.par_sort_by(|&a, &b| reporting_order(&items[a as usize], &items[b as usize]));
    permute(findings, order);
}

/// Put `items` in `order`: the item at position `i` afterwards is the one at `order[i]` before.
/// Each cycle of the permutation is followed once; `order` marks the positions done.
fn permute<T>(items: &mut [T], mut order: Vec<u32>) {
    for start in 0..items.len() {
        let mut at = start;
        loop {
            let from = order[at] as usize;
            order[at] = at as u32;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// The order [`sort_findings`] puts findings in: path, line, rule, column, message.
pub fn reporting_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    let line = |f: &Finding| f.location.start_line();
    let col = |f: &Finding| f.location.region.map(|r| r.start.col);
    a.location
        .path
        .cmp(&b.location.path)
        .then_with(|| line(a).cmp(&line(b)))
        .then_with(|| a.rule.cmp(&b.rule))
        .then_with(|| col(a).cmp(&col(b)))
        .then_with(|| a.message.cmp(&b.message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RuleConfig;
    use crate::test_support::{finding_at, sample_rules};
    use crate::Severity;

    /// Sorting positions and moving the findings into place gives the stable sort's order.
    #[test]
    fn sort_findings_is_the_stable_sort_of_the_findings() {
        let mut findings: Vec<Finding> = (0..500u32)
            .map(|i| {
                let mut f = finding(
                    ["TG1001", "TG1002", "TG2001"][(i % 3) as usize],
                    ["b.yaml", "a.yaml", "c/d.tf", "a.yaml"][(i * 7 % 4) as usize],
                    i * 13 % 17,
                );
                f.message = format!("m{}", i % 5);
                // Not a sort key: tells equal findings apart, to see they keep their order.
                f.resource(format!("r{i}"))
            })
            .collect();
        let mut want = findings.clone();
        want.sort_by(reporting_order);
        sort_findings(&mut findings);
        let key = |f: &Finding| (f.location.path.clone(), f.resource.clone());
        assert_eq!(
            findings.iter().map(key).collect::<Vec<_>>(),
            want.iter().map(key).collect::<Vec<_>>()
        );
        let mut items: Vec<u32> = (0..10).map(|i| i * 10).collect();
        permute(&mut items, vec![3, 0, 9, 1, 2, 8, 4, 5, 7, 6]);
        assert_eq!(items, [30, 0, 90, 10, 20, 80, 40, 50, 70, 60]);
    }

    fn index() -> RuleIndex {
        sample_rules()
    }

    fn finding(rule: &str, path: &str, line: u32) -> Finding {
        finding_at(rule, path, line)
    }

    fn rule_config(severity: Option<Severity>, disable: bool, line: u32) -> RuleConfig {
        RuleConfig {
            severity,
            disable,
            line: Some(line),
        }
    }

    #[test]
    fn index_looks_up_by_code_name_and_equivalent() {
        let index = index();
        assert_eq!(index.get("TG1001").unwrap().name, "lambda-without-dlq");
        assert!(index.get("tg1001").is_none());
        let names: Vec<&str> = index
            .lookup("ckv_aws_50")
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(names, ["TG1002", "TG1301"]);
        assert!(index.knows("S3-PUBLIC"));
        assert!(!index.knows("TG9999"));
        let mut index = index;
        index.insert(Rule::new("TG1001", "renamed", "iac", Severity::Low, "R"));
        assert_eq!(index.len(), 3);
        assert!(!index.knows("lambda-without-dlq"));
        assert_eq!(index.lookup("renamed").next().unwrap().code, "TG1001");
    }

    #[test]
    fn a_finding_naming_its_equivalents_answers_to_those_only() {
        let index = RuleIndex::new([Rule::new(
            "TG1301",
            "s3-public-acl",
            "iac",
            Severity::High,
            "Public ACL",
        )
        .equivalents(["CKV_AWS_20", "CKV_AWS_57"])]);
        let plain = finding("TG1301", "main.tf", 3);
        assert!(index.finding_answers_to(&plain, "CKV_AWS_57"));
        let readable = finding("TG1301", "main.tf", 3).property("equivalents", vec!["CKV_AWS_20"]);
        assert!(index.finding_answers_to(&readable, "ckv_aws_20"));
        assert!(!index.finding_answers_to(&readable, "CKV_AWS_57"));
        assert!(index.finding_answers_to(&readable, "TG1301"));
        assert!(index.finding_answers_to(&readable, "s3-public-acl"));
    }

    #[test]
    fn rule_config_disables_overrides_and_reports_unknown_keys() {
        let mut config = Config::default();
        config
            .rules
            .insert("s3-public".into(), rule_config(None, true, 2));
        config.rules.insert(
            "TG1001".into(),
            rule_config(Some(Severity::Critical), false, 5),
        );
        config.rules.insert(
            "lambda-without-dlq".into(),
            rule_config(Some(Severity::Info), false, 8),
        );
        config
            .rules
            .insert("TG7777".into(), rule_config(Some(Severity::Low), false, 11));
        let mut findings = vec![
            finding("TG1301", "a.yaml", 1),
            finding("TG1001", "a.yaml", 2),
            finding("TG1002", "a.yaml", 3),
        ];
        let notes = apply_rule_config(&mut findings, &index(), &config);
        let left: Vec<(&str, Severity)> = findings
            .iter()
            .map(|f| (f.rule.as_str(), f.severity))
            .collect();
        // The key by code wins over the key by name.
        assert_eq!(
            left,
            [("TG1001", Severity::Critical), ("TG1002", Severity::Medium)]
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].id, "unknown-rule");
        assert!(notes[0].message.contains("[rules.TG7777]"));
        let at = notes[0].location.as_ref().unwrap();
        assert_eq!(
            (at.path.as_str(), at.start_line()),
            ("tollgate.toml", Some(11))
        );
    }

    #[test]
    fn advisory_rules_found_only_in_findings_are_known() {
        let mut config = Config::default();
        config.rules.insert(
            "GHSA-aaaa-bbbb-cccc".into(),
            rule_config(Some(Severity::Low), false, 1),
        );
        let mut findings = vec![finding("GHSA-aaaa-bbbb-cccc", "Cargo.lock", 3)];
        let notes = apply_rule_config(&mut findings, &index(), &config);
        assert!(notes.is_empty());
        assert_eq!(findings[0].severity, Severity::Low);
    }

    #[test]
    fn finish_fingerprints_and_sorts() {
        let mut findings = vec![
            finding("TG1002", "b.yaml", 1),
            finding("TG1002", "a.yaml", 10),
            finding("TG1001", "a.yaml", 10),
            finding("TG1001", "a.yaml", 2),
            Finding::new("TG1301", Severity::High, "file", Location::file("a.yaml")),
        ];
        findings[1].fingerprint = "kept".into();
        finish(&mut findings);
        let order: Vec<(&str, Option<u32>, &str)> = findings
            .iter()
            .map(|f| {
                (
                    f.location.path.as_str(),
                    f.location.start_line(),
                    f.rule.as_str(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("a.yaml", None, "TG1301"),
                ("a.yaml", Some(2), "TG1001"),
                ("a.yaml", Some(10), "TG1001"),
                ("a.yaml", Some(10), "TG1002"),
                ("b.yaml", Some(1), "TG1002"),
            ]
        );
        assert!(findings.iter().all(|f| !f.fingerprint.is_empty()));
        assert_eq!(findings[3].fingerprint, "kept");
        assert_eq!(findings[0].fingerprint.len(), 32);
    }
}
