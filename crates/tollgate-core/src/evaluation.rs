//! What a rule concluded about each resource it looked at, passes included. Findings say only
//! what failed; an auditor also asks what was checked and passed. Stages record one
//! [`Evaluation`] per (rule, resource) they judged, and the compliance report and
//! `--include-passes` SARIF output are built from them.

use serde::{Deserialize, Serialize};

use crate::{Location, Suppression};

/// A rule's conclusion about one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The rule raised a finding on the resource.
    Fail,
    /// The rule checked the resource and found nothing wrong.
    Pass,
    /// The rule does not apply to this resource (e.g. an encryption rule on a resource with no
    /// data of the kind it protects).
    NotApplicable,
    /// A value the rule needs could not be resolved (a parameter, an unknown Terraform value):
    /// neither pass nor fail.
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Pass => "pass",
            Verdict::NotApplicable => "not-applicable",
            Verdict::Unknown => "unknown",
        }
    }

    /// How much a verdict outweighs another when one rule judges one resource more than once
    /// (several settings, several routes): a failure anywhere fails the resource, an unknown
    /// value leaves it unknown unless something failed, and "not applicable" yields to any
    /// actual check.
    fn weight(self) -> u8 {
        match self {
            Verdict::NotApplicable => 0,
            Verdict::Pass => 1,
            Verdict::Unknown => 2,
            Verdict::Fail => 3,
        }
    }

    /// The verdict on a resource judged `self` on one count and `other` on another.
    pub fn combine(self, other: Verdict) -> Verdict {
        if other.weight() > self.weight() {
            other
        } else {
            self
        }
    }

    /// The SARIF 2.1.0 `result.kind` this verdict is written as.
    pub fn sarif_kind(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Pass => "pass",
            Verdict::NotApplicable => "notApplicable",
            Verdict::Unknown => "open",
        }
    }
}

/// One rule judged one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The rule's code, e.g. `TG1201`.
    pub rule_id: String,
    /// The resource's address as findings name it (`Properties`-level logical id for
    /// CloudFormation, `aws_s3_bucket.logs` for Terraform, a role or function name...).
    pub resource: String,
    /// The resource's header: where an auditor finds it.
    pub location: Location,
    pub verdict: Verdict,
    /// For a failure whose findings on the resource are all suppressed: the suppression (an
    /// auditor asks about those). The verdict stays [`Verdict::Fail`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

impl Evaluation {
    pub fn new(
        rule_id: impl Into<String>,
        resource: impl Into<String>,
        location: Location,
        verdict: Verdict,
    ) -> Self {
        Self {
            rule_id: rule_id.into(),
            resource: resource.into(),
            location,
            verdict,
            suppression: None,
        }
    }

    /// Whether `finding` may be one of the findings this evaluation stands for: same rule, same
    /// resource, the resource's header at the line the finding names. A finding does not name
    /// its resource's file (it may point into another file, a Terraform policy document), so
    /// two resources of one name at one line in two files both match; see
    /// [`Evaluation::matching`] for the choice between them.
    pub fn covers(&self, finding: &crate::Finding) -> bool {
        finding.rule == self.rule_id
            && finding.resource.as_deref() == Some(self.resource.as_str())
            && finding
                .resource_line
                .is_none_or(|line| self.location.start_line() == Some(line))
    }

    /// The index in `evaluations` of the one `finding` belongs to: among those that
    /// [cover](Evaluation::covers) it, the one in the finding's own file, else the only one.
    pub fn matching(evaluations: &[Evaluation], finding: &crate::Finding) -> Option<usize> {
        choose(evaluations.iter().enumerate(), finding)
    }
}

/// Among `candidates`, the one that covers `finding` in the finding's own file, else the only
/// one that covers it.
fn choose<'a>(
    candidates: impl Iterator<Item = (usize, &'a Evaluation)>,
    finding: &crate::Finding,
) -> Option<usize> {
    let mut covering = candidates.filter(|(_, e)| e.covers(finding)).peekable();
    let first = covering.peek().map(|(i, _)| *i);
    let mut count = 0;
    for (i, e) in covering {
        if e.location.path == finding.location.path {
            return Some(i);
        }
        count += 1;
    }
    if count == 1 {
        first
    } else {
        None
    }
}

/// A scan's evaluations by rule and resource, so that each of many findings finds its own
/// without reading them all (a template of thousands of resources has tens of thousands of
/// both): [`Evaluation::matching`] in time proportional to the resource's evaluations.
///
/// Each key maps to its first evaluation and the evaluations of one key are chained (in the
/// order of `evaluations`), so building the index allocates two tables and no list per key: a
/// large scan has hundreds of thousands of evaluations, nearly all alone under their key.
pub struct EvaluationIndex<'a> {
    evaluations: &'a [Evaluation],
    /// By rule, resource and file of the resource's header: resource names repeat from
    /// template to template (every stack has its `ApiFunction`), and a finding's own file
    /// decides first.
    by_file: Chains<(&'a str, &'a str, &'a str)>,
    /// By rule and resource, for a finding none of whose file's evaluations covers it. Made
    /// the first time one needs it: most findings are settled in their own file.
    by_resource: std::cell::OnceCell<Chains<(&'a str, &'a str)>>,
}

/// Evaluations by key: each key's first one, and from each evaluation the next of its key.
struct Chains<K> {
    first: std::collections::HashMap<K, usize>,
    next: Vec<usize>,
}

/// The end of a chain of [`Chains`].
const END: usize = usize::MAX;

impl<K: std::hash::Hash + Eq> Chains<K> {
    fn new<'a>(evaluations: &'a [Evaluation], key: impl Fn(&'a Evaluation) -> K) -> Self {
        let mut first = std::collections::HashMap::with_capacity(evaluations.len());
        let mut next = vec![END; evaluations.len()];
        // Last to first, so that each chain starts at its key's first evaluation.
        for (i, e) in evaluations.iter().enumerate().rev() {
            if let Some(after) = first.insert(key(e), i) {
                next[i] = after;
            }
        }
        Chains { first, next }
    }

    /// The evaluations under `key`, in order.
    fn of(&self, key: &K) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.first.get(key).copied(), move |&i| {
            Some(self.next[i]).filter(|&n| n != END)
        })
    }
}

impl<'a> EvaluationIndex<'a> {
    pub fn new(evaluations: &'a [Evaluation]) -> Self {
        Self {
            evaluations,
            by_file: Chains::new(evaluations, |e| {
                (
                    e.rule_id.as_str(),
                    e.resource.as_str(),
                    e.location.path.as_str(),
                )
            }),
            by_resource: std::cell::OnceCell::new(),
        }
    }

    /// What [`Evaluation::matching`] gives for `finding`, without reading the evaluations of
    /// same-named resources in other files unless the finding's own file has none.
    pub fn matching(&self, finding: &crate::Finding) -> Option<usize> {
        let resource = finding.resource.as_deref()?;
        let rule = finding.rule.as_str();
        let covers = |i: &usize| self.evaluations[*i].covers(finding);
        let own_file = (rule, resource, finding.location.path.as_str());
        if let Some(i) = self.by_file.of(&own_file).find(covers) {
            return Some(i);
        }
        // None in the finding's file: the only one that covers it, if there is only one.
        let by_resource = self.by_resource.get_or_init(|| {
            Chains::new(self.evaluations, |e| {
                (e.rule_id.as_str(), e.resource.as_str())
            })
        });
        let mut covering = by_resource.of(&(rule, resource)).filter(covers);
        match (covering.next(), covering.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    }
}

/// Rules' evaluations as their checks go: a resource judged several times by one rule (one
/// setting after another, several statements of its policies) keeps one evaluation whose
/// verdict [combines](Verdict::combine) them. Evaluations are told apart by rule code, and
/// resources by address and header, so the parts of one resource declared at different places
/// (the routes of an OpenAPI document) stay apart, and so do two rules (a policy file's several
/// codes) judging the same resource.
#[derive(Debug, Default)]
pub struct Recorder {
    evaluations: Vec<Evaluation>,
    /// Evaluations by the hash of their (rule, header, resource), so that judging a resource
    /// again copies neither its path nor its address just to look it up: a large scan records
    /// hundreds of thousands of verdicts. Each hash leads to its latest evaluation, and
    /// `same_hash` from each evaluation to the one before with the same hash (nearly always
    /// none: a list per hash would be an allocation per evaluation); equal hashes are told
    /// apart by comparing the evaluations themselves.
    index: std::collections::HashMap<u64, usize, std::hash::BuildHasherDefault<Prehashed>>,
    same_hash: Vec<usize>,
    hasher: std::collections::hash_map::RandomState,
    /// Set by [`Recorder::off`]: nothing is recorded.
    off: bool,
}

impl Recorder {
    /// A recorder that records nothing, for a run whose outputs show no evaluations: on a
    /// large scan they outnumber the findings several times, and would be built, held and
    /// post-processed only to be dropped.
    pub fn off() -> Self {
        Self {
            off: true,
            ..Self::default()
        }
    }

    /// Whether [`Recorder::record`] keeps anything, so a caller can skip building what it
    /// would pass.
    pub fn is_on(&self) -> bool {
        !self.off
    }

    /// Record `verdict` of rule `rule_id` on the resource `resource` declared at `header`.
    pub fn record(&mut self, rule_id: &str, resource: &str, header: Location, verdict: Verdict) {
        if self.off {
            return;
        }
        let (path, region) = (header.path.as_str(), header.region);
        match self.find(rule_id, resource, path, region) {
            Ok(i) => self.combine(i, verdict),
            Err(key) => self.add(key, Evaluation::new(rule_id, resource, header, verdict)),
        }
    }

    /// [`Recorder::record`] with the header given by its parts, which are copied only when the
    /// resource is judged for the first time by this rule: checks judge a resource again and
    /// again (each setting, each statement).
    pub fn record_at(
        &mut self,
        rule_id: &str,
        resource: &str,
        path: &str,
        region: Option<crate::Span>,
        verdict: Verdict,
    ) {
        if self.off {
            return;
        }
        match self.find(rule_id, resource, path, region) {
            Ok(i) => self.combine(i, verdict),
            Err(key) => {
                let header = Location::new(path, region);
                self.add(key, Evaluation::new(rule_id, resource, header, verdict));
            }
        }
    }

    /// The position of the evaluation of (rule, resource, header) recorded so far, or the hash
    /// to add it under: that of (rule, header, resource), the header hashed by its parts
    /// exactly as a whole [`Location`] hashes.
    fn find(
        &self,
        rule_id: &str,
        resource: &str,
        path: &str,
        region: Option<crate::Span>,
    ) -> Result<usize, u64> {
        use std::hash::BuildHasher;
        let key = self.hasher.hash_one((rule_id, (path, region), resource));
        let latest = self.index.get(&key).copied();
        let mut same = std::iter::successors(latest, |&i| {
            Some(self.same_hash[i]).filter(|&before| before != END)
        });
        same.find(|&i| {
            let e = &self.evaluations[i];
            e.rule_id == rule_id
                && e.resource == resource
                && e.location.path == path
                && e.location.region == region
        })
        .ok_or(key)
    }

    fn combine(&mut self, i: usize, verdict: Verdict) {
        let e = &mut self.evaluations[i];
        e.verdict = e.verdict.combine(verdict);
    }

    fn add(&mut self, key: u64, evaluation: Evaluation) {
        let before = self.index.insert(key, self.evaluations.len());
        self.same_hash.push(before.unwrap_or(END));
        self.evaluations.push(evaluation);
    }

    /// The evaluations in the order their resources were first judged.
    pub fn into_evaluations(self) -> Vec<Evaluation> {
        self.evaluations
    }
}

/// Hashes the keys of [`Recorder`]'s index as they are: they are hashes already, made with the
/// recorder's own random keys, and hashing them again would only cost time.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// After suppressions: a failing evaluation whose findings are all suppressed carries the
/// (first) suppression, so a report can show it with its justification; one with any finding
/// still counting carries none. Verdicts are left as they are: suppressed is still a failure.
///
/// Only an evaluation of the rule and resource of some suppressed finding can carry one, and a
/// finding matches only evaluations of its own rule and resource, so only those evaluations are
/// indexed and only those findings matched: a scan without suppressions indexes nothing.
pub fn mark_suppressed(evaluations: &mut [Evaluation], findings: &[crate::Finding]) {
    let suppressed: std::collections::HashSet<(&str, &str)> = findings
        .iter()
        .filter(|f| f.suppression.is_some())
        .filter_map(|f| Some((f.rule.as_str(), f.resource.as_deref()?)))
        .collect();
    let key = |rule: &'_ str, resource: Option<&'_ str>| {
        resource.is_some_and(|r| suppressed.contains(&(rule, r)))
    };
    // The evaluations that may carry a suppression, by their index in `evaluations`.
    let candidates: Vec<usize> = (0..evaluations.len())
        .filter(|&i| key(&evaluations[i].rule_id, Some(&evaluations[i].resource)))
        .collect();
    let subset: Vec<Evaluation> = candidates.iter().map(|&i| evaluations[i].clone()).collect();
    // Per candidate: (every finding suppressed so far, the first suppression seen).
    let mut seen: Vec<Option<(bool, Option<Suppression>)>> = vec![None; subset.len()];
    let index = EvaluationIndex::new(&subset);
    for finding in findings
        .iter()
        .filter(|f| key(&f.rule, f.resource.as_deref()))
    {
        let Some(i) = index.matching(finding) else {
            continue;
        };
        let entry = seen[i].get_or_insert((true, None));
        match &finding.suppression {
            Some(s) => {
                entry.1.get_or_insert_with(|| Suppression::clone(s));
            }
            None => entry.0 = false,
        }
    }
    for evaluation in evaluations.iter_mut() {
        evaluation.suppression = None;
    }
    for (&i, seen) in candidates.iter().zip(seen) {
        let evaluation = &mut evaluations[i];
        evaluation.suppression = match seen {
            Some((true, suppression)) if evaluation.verdict == Verdict::Fail => suppression,
            _ => None,
        };
    }
}

/// The order evaluations are written in: by file, line, rule and resource (a stable sort).
///
/// Files and rules are ranked once, then positions are sorted by (file rank, line, rule rank)
/// and each evaluation is moved once to its place: comparing the evaluations themselves read
/// their paths and codes again at every step, and moved each large record many times over
/// (a large scan has hundreds of thousands, recorded rule after rule).
pub fn sort(evaluations: &mut [Evaluation]) {
    let files = ranks(evaluations, |e| e.location.path.as_str());
    let rules = ranks(evaluations, |e| e.rule_id.as_str());
    let mut keys: Vec<(usize, Option<crate::Span>, usize, usize)> = (0..evaluations.len())
        .map(|i| (files[i], evaluations[i].location.region, rules[i], i))
        .collect();
    keys.sort_by(|a, b| {
        (a.0, a.1, a.2)
            .cmp(&(b.0, b.1, b.2))
            .then_with(|| evaluations[a.3].resource.cmp(&evaluations[b.3].resource))
    });
    let mut order: Vec<usize> = keys.into_iter().map(|k| k.3).collect();
    // Place `order[i]` at `i`, one cycle of the permutation at a time; a placed position is
    // marked by pointing at itself.
    for start in 0..order.len() {
        let mut current = start;
        while order[current] != current {
            let source = order[current];
            order[current] = current;
            if source == start {
                break;
            }
            evaluations.swap(current, source);
            current = source;
        }
    }
}

/// For each evaluation, the rank of its `part` among the distinct values of that part.
fn ranks<'e>(
    evaluations: &'e [Evaluation],
    part: impl Fn(&'e Evaluation) -> &'e str,
) -> Vec<usize> {
    let mut numbers: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut first_seen = Vec::with_capacity(evaluations.len());
    // Evaluations of one resource come together: the previous value is often the same.
    let mut last: Option<(&str, usize)> = None;
    for e in evaluations {
        let text = part(e);
        let number = match last {
            Some((seen, number)) if seen == text => number,
            _ => {
                let next = numbers.len();
                *numbers.entry(text).or_insert(next)
            }
        };
        last = Some((text, number));
        first_seen.push(number);
    }
    let mut distinct: Vec<(&str, usize)> = numbers.into_iter().collect();
    distinct.sort_unstable();
    let mut rank_of = vec![0; distinct.len()];
    for (rank, (_, number)) in distinct.into_iter().enumerate() {
        rank_of[number] = rank;
    }
    first_seen.into_iter().map(|n| rank_of[n]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index chooses exactly as a search of every evaluation does: the covering one in
    /// the finding's own file first, else the only covering one, else none.
    #[test]
    fn the_index_matches_as_the_full_search_does() {
        use crate::{Finding, Location, Pos, Severity, Span};
        let header = |file: &str, line: u32| {
            let at = Pos::new(line, 1);
            Location::at(file, Span { start: at, end: at })
        };
        let mut evaluations = Vec::new();
        for file in ["a.yaml", "b.yaml", "c.yaml"] {
            for (resource, line) in [("Api", 3), ("Api", 9), ("Queue", 5)] {
                let at = header(file, line);
                evaluations.push(Evaluation::new("TG1", resource, at, Verdict::Fail));
            }
        }
        evaluations.push(Evaluation::new(
            "TG1",
            "Lonely",
            header("d.tf", 7),
            Verdict::Fail,
        ));
        let index = EvaluationIndex::new(&evaluations);
        let finding = |path: &str, resource: &str, line: Option<u32>| {
            let mut f = Finding::new("TG1", Severity::Low, "m", Location::file(path));
            f = f.resource(resource);
            if let Some(line) = line {
                f = f.resource_line(line);
            }
            f
        };
        let cases = [
            (finding("b.yaml", "Api", Some(9)), Some(4)),
            (finding("b.yaml", "Api", None), Some(3)),
            (finding("c.yaml", "Queue", Some(5)), Some(8)),
            // Same name in three other files: no single one to choose.
            (finding("z.yaml", "Api", Some(3)), None),
            (finding("policy.json", "Lonely", Some(7)), Some(9)),
            (finding("policy.json", "Lonely", Some(8)), None),
            (finding("a.yaml", "Missing", None), None),
        ];
        for (f, expected) in cases {
            assert_eq!(Evaluation::matching(&evaluations, &f), expected, "{f:?}");
            assert_eq!(index.matching(&f), expected, "{f:?}");
        }
    }

    /// One evaluation per (header, resource) in the order first judged, its verdicts combined;
    /// the same address at another header, or another address at the same header, is its own.
    #[test]
    fn the_recorder_keeps_one_evaluation_per_resource_and_header() {
        use crate::{Pos, Span};
        let at = |path: &str, line: u32| {
            Location::at(path, Span::new(Pos::new(line, 3), Pos::new(line, 9)))
        };
        let mut recorder = Recorder::default();
        recorder.record("TG1", "Api", at("a.yaml", 4), Verdict::Pass);
        recorder.record("TG1", "Api", at("b.yaml", 4), Verdict::Pass);
        recorder.record("TG1", "Queue", at("a.yaml", 4), Verdict::NotApplicable);
        recorder.record("TG1", "Api", at("a.yaml", 4), Verdict::Fail);
        recorder.record("TG1", "Api", at("a.yaml", 9), Verdict::Unknown);
        recorder.record("TG1", "Api", at("a.yaml", 4), Verdict::Pass);
        let got: Vec<(String, String, Option<u32>, Verdict)> = recorder
            .into_evaluations()
            .into_iter()
            .map(|e| {
                let line = e.location.start_line();
                (e.resource, e.location.path, line, e.verdict)
            })
            .collect();
        let want = [
            ("Api", "a.yaml", 4, Verdict::Fail),
            ("Api", "b.yaml", 4, Verdict::Pass),
            ("Queue", "a.yaml", 4, Verdict::NotApplicable),
            ("Api", "a.yaml", 9, Verdict::Unknown),
        ]
        .map(|(r, p, l, v)| (r.to_string(), p.to_string(), Some(l), v));
        assert_eq!(got, want);
    }

    #[test]
    fn a_recorder_keeps_rules_apart() {
        use crate::{Pos, Span};
        let at = Location::at("t.yaml", Span::line(3));
        let elsewhere = Location::at("t.yaml", Span::new(Pos::new(9, 1), Pos::new(9, 2)));
        let mut r = Recorder::default();
        r.record("TG9001", "Fn", at.clone(), Verdict::Pass);
        r.record("TG9002", "Fn", at.clone(), Verdict::Fail);
        r.record("TG9001", "Fn", at.clone(), Verdict::NotApplicable);
        r.record("TG9001", "Fn", elsewhere, Verdict::Fail);
        let got: Vec<(String, u32, Verdict)> = r
            .into_evaluations()
            .into_iter()
            .map(|e| (e.rule_id, e.location.start_line().unwrap_or(0), e.verdict))
            .collect();
        assert_eq!(
            got,
            [
                ("TG9001".to_string(), 3, Verdict::Pass),
                ("TG9002".to_string(), 3, Verdict::Fail),
                ("TG9001".to_string(), 9, Verdict::Fail),
            ]
        );
    }

    #[test]
    fn a_recorder_that_is_off_keeps_nothing() {
        let mut r = Recorder::off();
        assert!(!r.is_on());
        r.record(
            "TG1",
            "Fn",
            Location::at("t.yaml", crate::Span::line(3)),
            Verdict::Fail,
        );
        assert!(r.into_evaluations().is_empty());
        assert!(Recorder::default().is_on());
    }

    #[test]
    fn failure_outweighs_unknown_outweighs_pass_outweighs_not_applicable() {
        use Verdict::*;
        assert_eq!(Pass.combine(Fail), Fail);
        assert_eq!(Fail.combine(Unknown), Fail);
        assert_eq!(Pass.combine(Unknown), Unknown);
        assert_eq!(NotApplicable.combine(Pass), Pass);
        assert_eq!(Pass.combine(NotApplicable), Pass);
        assert_eq!(NotApplicable.combine(NotApplicable), NotApplicable);
    }

    #[test]
    fn a_finding_matches_the_evaluation_of_its_own_file() {
        let at = |path: &str| Location::at(path, tollgate_syntax::Span::line(3));
        let evals = vec![
            Evaluation::new("TG1", "Bucket", at("a.yaml"), Verdict::Fail),
            Evaluation::new("TG1", "Bucket", at("b.yaml"), Verdict::Fail),
            Evaluation::new("TG2", "Bucket", at("b.yaml"), Verdict::Pass),
        ];
        let finding = crate::Finding::new("TG1", crate::Severity::Low, "m", at("b.yaml"))
            .resource("Bucket")
            .resource_line(3);
        assert_eq!(Evaluation::matching(&evals, &finding), Some(1));
        // In a third file (a policy written elsewhere): two candidates, no guess.
        let elsewhere = crate::Finding {
            location: at("c.tf"),
            ..finding.clone()
        };
        assert_eq!(Evaluation::matching(&evals, &elsewhere), None);
        assert_eq!(Evaluation::matching(&evals[1..], &elsewhere), Some(0));
        let other_line = finding.clone().resource_line(9);
        assert_eq!(Evaluation::matching(&evals, &other_line), None);
    }

    #[test]
    fn a_failure_is_suppressed_only_when_all_its_findings_are() {
        use crate::{Finding, Severity, SuppressionKind};
        let at = |line| Location::at("t.yaml", tollgate_syntax::Span::line(line));
        let mut evals = vec![
            Evaluation::new("TG1", "A", at(3), Verdict::Fail),
            Evaluation::new("TG1", "B", at(9), Verdict::Fail),
            Evaluation::new("TG2", "A", at(3), Verdict::Pass),
            // No finding at all, and a suppression left from before: it is cleared.
            Evaluation::new("TG1", "C", at(12), Verdict::Fail),
        ];
        let suppression = Suppression {
            kind: SuppressionKind::InSource,
            justification: "test data only".into(),
        };
        evals[3].suppression = Some(suppression.clone());
        let finding = |resource: &str, line, suppressed: bool| {
            let mut f = Finding::new("TG1", Severity::Low, "m", at(line + 1))
                .resource(resource)
                .resource_line(line);
            if suppressed {
                f.suppression = Some(Box::new(suppression.clone()));
            }
            f
        };
        let findings = vec![
            finding("A", 3, true),
            finding("B", 9, true),
            finding("B", 9, false),
        ];
        mark_suppressed(&mut evals, &findings);
        assert_eq!(evals[0].suppression, Some(suppression));
        assert_eq!(evals[0].verdict, Verdict::Fail);
        assert_eq!(evals[1].suppression, None);
        assert_eq!(evals[2].suppression, None);
        assert_eq!(evals[3].suppression, None);
    }

    /// Sorting by ranks and positions gives exactly the stable sort of the evaluations
    /// themselves, equal keys keeping their order (told apart here by their verdicts).
    #[test]
    fn sorting_moves_each_evaluation_to_its_stable_place() {
        let verdicts = [
            Verdict::Pass,
            Verdict::Fail,
            Verdict::Unknown,
            Verdict::NotApplicable,
        ];
        let mut evaluations = Vec::new();
        // A fixed scramble of files, lines, rules and resources, with repeated keys.
        let mut seed = 7u32;
        for i in 0..300 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let file = ["b.yaml", "a.yaml", "c.tf", "a.yaml/x"][(seed >> 8) as usize % 4];
            let line = 1 + (seed >> 12) % 9;
            let rule = ["TG2", "TG1", "TG10"][(seed >> 20) as usize % 3];
            let resource = ["Queue", "Api"][(seed >> 24) as usize % 2];
            let header = if i % 7 == 0 {
                Location::file(file)
            } else {
                Location::at(file, tollgate_syntax::Span::line(line))
            };
            evaluations.push(Evaluation::new(rule, resource, header, verdicts[i % 4]));
        }
        let mut expected = evaluations.clone();
        expected.sort_by(|a, b| {
            (&a.location, &a.rule_id, &a.resource).cmp(&(&b.location, &b.rule_id, &b.resource))
        });
        sort(&mut evaluations);
        assert_eq!(evaluations, expected);
        let mut empty: Vec<Evaluation> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }

    #[test]
    fn suppression_is_optional_on_the_wire() {
        let e = Evaluation::new(
            "TG1201",
            "Orders",
            Location::at("t.yaml", tollgate_syntax::Span::line(3)),
            Verdict::Pass,
        );
        let json = serde_json::to_value(&e).unwrap();
        assert!(json.get("suppression").is_none());
        assert_eq!(json["verdict"], "pass");
        let back: Evaluation = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }
}
