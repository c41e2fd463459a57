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
    /// (`properties["aliases"]`, set by the dependency stage).
    pub fn finding_answers_to(&self, finding: &Finding, id: &str) -> bool {
        finding.rule.eq_ignore_ascii_case(id)
            || self.get(&finding.rule).is_some_and(|r| r.answers_to(id))
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

/// Apply `[rules.X]`: drop the findings of disabled rules (a disabled rule is off, as if it
/// never ran) and set overridden severities. A key naming no known rule is reported with its
/// config line.
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
    let names = |finding: &Finding, key: &str| {
        finding.rule.eq_ignore_ascii_case(key)
            || rules.get(&finding.rule).is_some_and(|r| r.answers_to(key))
    };
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

/// Fill in missing fingerprints and put findings in their reporting order: path, line, column,
/// rule, then message so equal positions stay deterministic.
pub fn finish(findings: &mut [Finding]) {
    for finding in findings.iter_mut() {
        finding.ensure_fingerprint();
    }
    sort_findings(findings);
}

/// Sort by path, line, column, rule and message.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let pos = |f: &Finding| f.location.region.map(|r| (r.start.line, r.start.col));
        a.location
            .path
            .cmp(&b.location.path)
            .then_with(|| pos(a).cmp(&pos(b)))
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.message.cmp(&b.message))
    });
}
