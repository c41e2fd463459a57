//! Per framework, per control: which rules map to it, which resources they judged, and the
//! verdict over those resources. Verdicts come from the stages' evaluations (passes
//! included) and from the findings (an open finding fails its resource whatever an
//! evaluation says; a suppressed one is listed as an exception).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use tollgate_core::evaluation::EvaluationIndex;
use tollgate_core::{Evaluation, Finding, Framework, Rule, SuppressionKind, Verdict};

use crate::model::{
    ControlReport, ControlStatus, FailingResource, FrameworkReport, SuppressionEntry,
};
use crate::ReportInput;

/// Failing findings listed per control. A control's rules can fail thousands of resources in a
/// large repository; every one of them is in the report's findings (and the SARIF log) once,
/// so a control lists its most severe few and counts the rest, instead of repeating every
/// finding under every control it maps to.
pub const LISTED_FAILURES: usize = 50;
/// Suppressed findings listed per control, the same way (exceptions are usually few; a
/// baseline can accept thousands).
pub const LISTED_SUPPRESSIONS: usize = 200;

/// Each rule's findings as (report entry id, index in the input), found once for all controls.
/// A finding of a rule that is a case of another ([`Rule::instance_of`]: each advisory of the
/// dependency check) is listed under that other rule.
struct Listed<'a> {
    by_rule: HashMap<&'a str, Vec<(usize, usize)>>,
}

impl<'a> Listed<'a> {
    fn new(
        findings: &'a [Finding],
        entry_of: &HashMap<usize, usize>,
        counted_as: &CountedAs<'a>,
    ) -> Self {
        let mut by_rule: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
        for (index, f) in findings.iter().enumerate() {
            let entry = entry_of.get(&index).copied().unwrap_or(index);
            by_rule
                .entry(counted_as.code(&f.rule))
                .or_default()
                .push((entry, index));
        }
        Listed { by_rule }
    }

    fn of_rule(&self, code: &str) -> &[(usize, usize)] {
        self.by_rule.get(code).map_or(&[], Vec::as_slice)
    }
}

/// The rules known by code, and the code each one's findings count under for controls: its
/// own, or that of the rule it is a case of.
struct CountedAs<'a> {
    rules: HashMap<&'a str, &'a Rule>,
}

impl<'a> CountedAs<'a> {
    fn new(rules: &'a [Rule]) -> Self {
        CountedAs {
            rules: rules.iter().map(|r| (r.code.as_str(), r)).collect(),
        }
    }

    fn rule(&self, code: &str) -> Option<&'a Rule> {
        self.rules.get(code).copied()
    }

    fn code<'c>(&self, code: &'c str) -> &'c str
    where
        'a: 'c,
    {
        self.rules.get(code).map_or(code, |r| r.counted_as())
    }
}

/// What one rule concluded about one resource, findings and evaluations together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    NotApplicable,
    Pass,
    Suppressed,
    Unknown,
    Fail,
}

/// A resource as controls count it: the file it is declared in and its address (or, for a
/// finding that names no resource, the file alone).
type ResourceKey<'a> = (&'a str, &'a str);

fn finding_key(f: &Finding) -> ResourceKey<'_> {
    (
        f.location.path.as_str(),
        f.resource.as_deref().unwrap_or(""),
    )
}

fn evaluation_key(e: &Evaluation) -> ResourceKey<'_> {
    (e.location.path.as_str(), e.resource.as_str())
}

/// A resource's number in [`Outcomes`]: controls merge their rules' outcomes by it, which is
/// far cheaper than comparing paths and addresses (thousands of resources, hundreds of
/// controls).
type ResourceId = usize;

/// Each rule's outcome per resource.
struct Outcomes<'a> {
    by_rule: HashMap<&'a str, HashMap<ResourceId, Outcome>>,
}

impl<'a> Outcomes<'a> {
    /// The evaluations decide (a failure whose findings are all suppressed counts as
    /// suppressed); a finding no evaluation stands for (its rule records none, or the log it
    /// came from carried no passes) fails, or is suppressed on, the resource it names.
    fn new(
        findings: &'a [Finding],
        evaluations: &'a [Evaluation],
        counted_as: &CountedAs<'a>,
    ) -> Self {
        let mut by_rule: HashMap<&str, HashMap<ResourceId, Outcome>> = HashMap::new();
        let mut ids: HashMap<ResourceKey<'a>, ResourceId> = HashMap::new();
        let mut id_of = |key: ResourceKey<'a>| {
            let next = ids.len();
            *ids.entry(key).or_insert(next)
        };
        // Resource names repeat from template to template: the index finds a finding's
        // evaluation in its own file first instead of among every same-named resource.
        let index = EvaluationIndex::new(evaluations);
        for e in evaluations {
            let outcome = match e.verdict {
                Verdict::Fail if e.suppression.is_some() => Outcome::Suppressed,
                Verdict::Fail => Outcome::Fail,
                Verdict::Pass => Outcome::Pass,
                Verdict::NotApplicable => Outcome::NotApplicable,
                Verdict::Unknown => Outcome::Unknown,
            };
            let slot = by_rule
                .entry(e.rule_id.as_str())
                .or_default()
                .entry(id_of(evaluation_key(e)))
                .or_insert(outcome);
            *slot = (*slot).max(outcome);
        }
        for f in findings {
            let (open, key) = match index.matching(f).map(|i| &evaluations[i]) {
                // A suppressed finding leaves its evaluation failing when another finding of
                // the same rule and resource is open.
                Some(_) if f.suppression.is_some() => continue,
                Some(e) => (true, evaluation_key(e)),
                None => (f.suppression.is_none(), finding_key(f)),
            };
            let outcome = if open {
                Outcome::Fail
            } else {
                Outcome::Suppressed
            };
            let slot = by_rule
                .entry(counted_as.code(&f.rule))
                .or_default()
                .entry(id_of(key))
                .or_insert(outcome);
            *slot = (*slot).max(outcome);
        }
        Outcomes { by_rule }
    }
}

/// Every framework of `input.frameworks` (all that some rule maps to when empty), each with
/// every control its rules map to.
pub fn frameworks(
    input: &ReportInput<'_>,
    entry_of: &HashMap<usize, usize>,
) -> Vec<FrameworkReport> {
    let counted_as = CountedAs::new(input.rules);
    let outcomes = Outcomes::new(input.findings, input.evaluations, &counted_as);
    let listed = Listed::new(input.findings, entry_of, &counted_as);
    let mapped: BTreeSet<Framework> = input
        .rules
        .iter()
        .flat_map(|r| r.controls.iter().map(|c| c.framework))
        .collect();
    let wanted: Vec<Framework> = if input.frameworks.is_empty() {
        mapped.into_iter().collect()
    } else {
        // In the order asked, each once.
        let mut asked: Vec<Framework> = Vec::new();
        for fw in input.frameworks {
            if !asked.contains(fw) {
                asked.push(*fw);
            }
        }
        asked
    };
    wanted
        .into_iter()
        .map(|fw| framework(input, fw, &outcomes, &listed, &counted_as))
        .collect()
}

fn framework(
    input: &ReportInput<'_>,
    fw: Framework,
    outcomes: &Outcomes<'_>,
    listed: &Listed<'_>,
    counted_as: &CountedAs<'_>,
) -> FrameworkReport {
    let mut rules_of: BTreeMap<&str, Vec<&Rule>> = BTreeMap::new();
    // A case of another rule counts under it (hundreds of advisories under one check).
    for rule in input.rules.iter().filter(|r| r.instance_of.is_none()) {
        for control in rule.controls.iter().filter(|c| c.framework == fw) {
            let rules = rules_of.entry(control.id.as_str()).or_default();
            if !rules.iter().any(|r| r.code == rule.code) {
                rules.push(rule);
            }
        }
    }
    let mut controls: Vec<ControlReport> = rules_of
        .into_iter()
        .map(|(id, rules)| control(input, fw, id, &rules, outcomes, listed, counted_as))
        .collect();
    controls.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    let count = |s: ControlStatus| controls.iter().filter(|c| c.status == s).count();
    FrameworkReport {
        id: fw.slug().to_string(),
        name: fw.name().to_string(),
        title: fw.title().to_string(),
        controls_failing: count(ControlStatus::Failing),
        controls_passing: count(ControlStatus::Passing),
        controls_unknown: count(ControlStatus::Unknown),
        controls_not_evaluated: count(ControlStatus::NotEvaluated),
        controls,
    }
}

fn control(
    input: &ReportInput<'_>,
    fw: Framework,
    id: &str,
    rules: &[&Rule],
    outcomes: &Outcomes<'_>,
    listed: &Listed<'_>,
    counted_as: &CountedAs<'_>,
) -> ControlReport {
    let mut per_resource: HashMap<ResourceId, Outcome> = HashMap::new();
    for rule in rules {
        for (key, outcome) in outcomes
            .by_rule
            .get(rule.code.as_str())
            .into_iter()
            .flatten()
        {
            let slot = per_resource.entry(*key).or_insert(*outcome);
            *slot = (*slot).max(*outcome);
        }
    }
    let count = |o: Outcome| per_resource.values().filter(|v| **v == o).count();
    let (pass, fail, unknown, suppressed, not_applicable) = (
        count(Outcome::Pass),
        count(Outcome::Fail),
        count(Outcome::Unknown),
        count(Outcome::Suppressed),
        count(Outcome::NotApplicable),
    );
    let status = if fail > 0 {
        ControlStatus::Failing
    } else if unknown > 0 {
        ControlStatus::Unknown
    } else if pass + suppressed > 0 {
        ControlStatus::Passing
    } else {
        ControlStatus::NotEvaluated
    };
    // Every finding of the control's rules, most severe first (the report's finding order),
    // open ones and suppressed ones apart; only the first few of each are listed.
    let mut open: Vec<(usize, usize, &Rule)> = Vec::new();
    let mut accepted: Vec<(usize, usize, &Rule)> = Vec::new();
    for rule in rules {
        for &(entry, index) in listed.of_rule(&rule.code) {
            // The finding's own rule says how to fix it and which ignore accepted it.
            let rule = counted_as.rule(&input.findings[index].rule).unwrap_or(rule);
            match input.findings[index].suppression {
                None => open.push((entry, index, rule)),
                Some(_) => accepted.push((entry, index, rule)),
            }
        }
    }
    open.sort_unstable_by_key(|(entry, _, _)| *entry);
    accepted.sort_unstable_by_key(|(entry, _, _)| *entry);
    let (failures_total, suppressions_total) = (open.len(), accepted.len());
    let failures = open
        .into_iter()
        .take(LISTED_FAILURES)
        .map(|(finding, index, rule)| {
            let f = &input.findings[index];
            FailingResource {
                rule: f.rule.clone(),
                severity: f.severity.as_str().to_string(),
                resource: f.resource.clone(),
                path: f.location.path.clone(),
                line: f.location.start_line(),
                message: f.message.clone(),
                fix: fix_of(rule),
                finding,
            }
        })
        .collect();
    let suppressions = accepted
        .into_iter()
        .take(LISTED_SUPPRESSIONS)
        .filter_map(|(finding, index, rule)| {
            let f = &input.findings[index];
            let s = f.suppression.as_ref()?;
            Some(SuppressionEntry {
                rule: f.rule.clone(),
                resource: f.resource.clone(),
                path: f.location.path.clone(),
                line: f.location.start_line(),
                kind: match s.kind {
                    SuppressionKind::InSource => "in-source",
                    SuppressionKind::External => "config",
                }
                .to_string(),
                reason: s.justification.clone(),
                expires: expiry(input, f, rule, &s.justification),
                finding,
            })
        })
        .collect();
    let title = tollgate_core::compliance::title(fw, id).map(str::to_string);
    ControlReport {
        id: id.to_string(),
        title,
        status,
        rules: rules.iter().map(|r| r.code.clone()).collect(),
        resources_evaluated: per_resource.len(),
        pass,
        fail,
        unknown,
        suppressed,
        not_applicable,
        failures,
        failures_total,
        suppressions,
        suppressions_total,
    }
}

/// The expiry of the `[[ignore]]` entry that suppressed `finding`: the entry with its reason
/// that names its rule.
fn expiry(input: &ReportInput<'_>, finding: &Finding, rule: &Rule, reason: &str) -> Option<String> {
    input
        .ignores
        .iter()
        .filter(|e| e.reason == reason)
        .find(|e| rule.answers_to(&e.rule) || e.rule.eq_ignore_ascii_case(&finding.rule))
        .and_then(|e| e.expires.map(|d| d.to_string()))
}

/// The first paragraph of the rule's remediation, as plain text (the title when it has none).
pub fn fix_of(rule: &Rule) -> String {
    let paragraph = rule
        .remediation
        .split("\n\n")
        .map(str::trim)
        .find(|p| !p.is_empty() && !p.starts_with("```"))
        .unwrap_or("");
    let text: String = paragraph
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('`', "");
    if text.is_empty() {
        rule.title.clone()
    } else {
        text
    }
}

/// Rules that map to a framework asked for but recorded no evaluation: their controls count
/// failures only.
pub fn rules_without_evaluations(input: &ReportInput<'_>) -> Vec<String> {
    let evaluated: HashSet<&str> = input
        .evaluations
        .iter()
        .map(|e| e.rule_id.as_str())
        .collect();
    let mut out: Vec<String> = input
        .rules
        .iter()
        // A case of another rule is judged through it.
        .filter(|r| r.instance_of.is_none())
        .filter(|r| {
            r.controls
                .iter()
                .any(|c| input.frameworks.is_empty() || input.frameworks.contains(&c.framework))
        })
        .filter(|r| !evaluated.contains(r.code.as_str()))
        .map(|r| r.code.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Compare control ids so that `164.312(b)` follows `164.312(a)(2)(iv)` and `SC-8` comes
/// before `SC-28`: runs of digits compare as numbers.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let split = |s: &str| -> Vec<(bool, String)> {
        let mut parts: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match parts.last_mut() {
                Some((d, text)) if *d == digit => text.push(c),
                _ => parts.push((digit, c.to_string())),
            }
        }
        parts
    };
    let (pa, pb) = (split(a), split(b));
    for (x, y) in pa.iter().zip(&pb) {
        let ord = match (x, y) {
            ((true, n), (true, m)) => n
                .trim_start_matches('0')
                .len()
                .cmp(&m.trim_start_matches('0').len())
                .then_with(|| n.trim_start_matches('0').cmp(m.trim_start_matches('0'))),
            ((_, n), (_, m)) => n.to_ascii_lowercase().cmp(&m.to_ascii_lowercase()),
        };
        if ord != std::cmp::Ordering::Equal {
            return ord;
        }
    }
    pa.len().cmp(&pb.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_ids_sort_by_their_numbers() {
        let mut ids = vec![
            "SC-28",
            "SC-8",
            "AU-2",
            "164.312(b)",
            "164.312(a)(2)(iv)",
            "3.10",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            [
                "3.10",
                "164.312(a)(2)(iv)",
                "164.312(b)",
                "AU-2",
                "SC-8",
                "SC-28"
            ]
        );
    }
}
