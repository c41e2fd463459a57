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

/// Each rule's findings as (report entry id, index in the input), found once for all controls,
/// open ones and suppressed ones apart, each list in the report's finding order (most severe
/// first). A finding of a rule that is a case of another ([`Rule::instance_of`]: each advisory
/// of the dependency check) is listed under that other rule.
struct Listed<'a> {
    by_rule: HashMap<&'a str, RuleFindings>,
}

#[derive(Default)]
struct RuleFindings {
    open: Vec<(usize, usize)>,
    suppressed: Vec<(usize, usize)>,
}

impl<'a> Listed<'a> {
    fn new(findings: &'a [Finding], entry_of: &[usize], counted_as: &CountedAs<'a>) -> Self {
        let mut by_rule: HashMap<&str, RuleFindings> = HashMap::new();
        for (index, f) in findings.iter().enumerate() {
            let entry = entry_of.get(index).copied().unwrap_or(index);
            let lists = by_rule.entry(counted_as.code(&f.rule)).or_default();
            match f.suppression {
                None => lists.open.push((entry, index)),
                Some(_) => lists.suppressed.push((entry, index)),
            }
        }
        for lists in by_rule.values_mut() {
            lists.open.sort_unstable();
            lists.suppressed.sort_unstable();
        }
        Listed { by_rule }
    }

    /// The first `limit` findings of `rules` (in the report's order) that are open, or
    /// suppressed, each with the rule whose list it is in, and how many there are in all.
    fn first<'r>(
        &self,
        rules: &[&'r Rule],
        suppressed: bool,
        limit: usize,
    ) -> (Vec<(usize, usize, &'r Rule)>, usize) {
        let mut total = 0;
        let mut first: Vec<(usize, usize, &Rule)> = Vec::new();
        for rule in rules {
            let Some(lists) = self.by_rule.get(rule.code.as_str()) else {
                continue;
            };
            let list = if suppressed {
                &lists.suppressed
            } else {
                &lists.open
            };
            total += list.len();
            // Each list is in order already: only its first `limit` can be among the first
            // `limit` of all.
            first.extend(
                list.iter()
                    .take(limit)
                    .map(|&(entry, index)| (entry, index, *rule)),
            );
        }
        first.sort_unstable_by_key(|(entry, _, _)| *entry);
        first.truncate(limit);
        (first, total)
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
    /// Per rule code, one outcome per resource it concluded on, ordered by resource.
    by_rule: HashMap<&'a str, Vec<(ResourceId, Outcome)>>,
    /// How many resources were numbered (ids run from 0).
    resources: usize,
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
        let mut by_rule: HashMap<&str, Vec<(ResourceId, Outcome)>> = HashMap::new();
        let mut ids: HashMap<ResourceKey<'a>, ResourceId> =
            HashMap::with_capacity(evaluations.len());
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
            let id = id_of(evaluation_key(e));
            by_rule
                .entry(e.rule_id.as_str())
                .or_default()
                .push((id, outcome));
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
            let id = id_of(key);
            by_rule
                .entry(counted_as.code(&f.rule))
                .or_default()
                .push((id, outcome));
        }
        // One outcome per rule and resource: the weightiest.
        for list in by_rule.values_mut() {
            list.sort_unstable();
            list.dedup_by(|later, kept| {
                if later.0 != kept.0 {
                    return false;
                }
                kept.1 = kept.1.max(later.1);
                true
            });
        }
        Outcomes {
            by_rule,
            resources: ids.len(),
        }
    }

    fn of_rule(&self, code: &str) -> &[(ResourceId, Outcome)] {
        self.by_rule.get(code).map_or(&[], Vec::as_slice)
    }
}

/// A control's outcome per resource over all its rules, merged in a table indexed by
/// resource number (reused from control to control) rather than a map per control.
struct Tally {
    slots: Vec<Option<Outcome>>,
    touched: Vec<ResourceId>,
}

impl Tally {
    fn new(resources: usize) -> Self {
        Tally {
            slots: vec![None; resources],
            touched: Vec::new(),
        }
    }

    /// (resources evaluated, and how many of them are at each outcome, by `Outcome as usize`).
    fn count(&mut self, rules: &[&Rule], outcomes: &Outcomes<'_>) -> (usize, [usize; 5]) {
        let mut counts = [0; 5];
        if let [rule] = rules {
            // One rule: its list has one outcome per resource already.
            let list = outcomes.of_rule(&rule.code);
            for (_, outcome) in list {
                counts[*outcome as usize] += 1;
            }
            return (list.len(), counts);
        }
        for rule in rules {
            for &(id, outcome) in outcomes.of_rule(&rule.code) {
                let slot = &mut self.slots[id];
                match slot {
                    Some(kept) => *kept = (*kept).max(outcome),
                    None => {
                        *slot = Some(outcome);
                        self.touched.push(id);
                    }
                }
            }
        }
        for id in self.touched.drain(..) {
            if let Some(outcome) = self.slots[id].take() {
                counts[outcome as usize] += 1;
            }
        }
        (counts.iter().sum(), counts)
    }
}

/// Every framework of `input.frameworks` (all that some rule maps to when empty), each with
/// every control its rules map to.
pub fn frameworks(input: &ReportInput<'_>, entry_of: &[usize]) -> Vec<FrameworkReport> {
    let counted_as = CountedAs::new(input.rules);
    let outcomes = Outcomes::new(input.findings, input.evaluations, &counted_as);
    let listed = Listed::new(input.findings, entry_of, &counted_as);
    let mut tally = Tally::new(outcomes.resources);
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
        .map(|fw| framework(input, fw, &outcomes, &listed, &counted_as, &mut tally))
        .collect()
}

fn framework(
    input: &ReportInput<'_>,
    fw: Framework,
    outcomes: &Outcomes<'_>,
    listed: &Listed<'_>,
    counted_as: &CountedAs<'_>,
    tally: &mut Tally,
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
        .map(|(id, rules)| {
            let (evaluated, counts) = tally.count(&rules, outcomes);
            control(
                input,
                fw,
                id,
                &rules,
                (evaluated, counts),
                listed,
                counted_as,
            )
        })
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
    (resources_evaluated, counts): (usize, [usize; 5]),
    listed: &Listed<'_>,
    counted_as: &CountedAs<'_>,
) -> ControlReport {
    let count = |o: Outcome| counts[o as usize];
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
    // The first findings of the control's rules, most severe first (the report's finding
    // order), open ones and suppressed ones apart; the rest are counted.
    let (open, failures_total) = listed.first(rules, false, LISTED_FAILURES);
    let (accepted, suppressions_total) = listed.first(rules, true, LISTED_SUPPRESSIONS);
    let failures = open
        .into_iter()
        .map(|(finding, index, rule)| {
            let f = &input.findings[index];
            // The finding's own rule says how to fix it.
            let rule = counted_as.rule(&f.rule).unwrap_or(rule);
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
        .filter_map(|(finding, index, rule)| {
            let f = &input.findings[index];
            // The finding's own rule says which ignore accepted it.
            let rule = counted_as.rule(&f.rule).unwrap_or(rule);
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
        resources_evaluated,
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
