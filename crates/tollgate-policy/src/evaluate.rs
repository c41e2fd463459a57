//! Evaluating the loaded policies over the input documents and turning what they return into
//! findings. Each policy file has its own engine: an error or a timeout in one is reported
//! (file:line:col and the policy) and the others still run.

use std::collections::{BTreeMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tollgate_core::{
    Evaluation, Finding, Location, Notification, Rule, ScanContext, Severity, Span, StageReport,
    Verdict,
};

use crate::code::{derived_code, rule_name, valid_code};
pub use crate::documents::{to_value, Inputs, Judged, Subject};
use crate::locate::{locate, parse_path};
use crate::rego::index::{Compiled, Observed, Paths};
use crate::rego::metadata::Metadata;
use crate::rego::projection::Need;
use crate::rego::reads::need_at;
use crate::rego::{EvalError, Evaluator, PolicyFile, PolicySet};

/// The stage's name, on findings and notifications.
pub const STAGE: &str = "policy";

/// How long a policy may run: on one document, and on all of them together.
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    pub document: Duration,
    pub policy: Duration,
}

/// Documents a policy's results are looked up for before it stops when fewer than half were
/// found (see [`crate::rego::reads`]).
const REUSE_TRIAL: usize = 256;

/// Stack of each evaluation thread: regorus recurses over the input's nesting and the
/// policy's expressions.
const EVAL_STACK_BYTES: usize = 16 * 1024 * 1024;

/// Results the policy stage reports in all, whatever the policies. One rule can return tens of
/// thousands of results per document (`some i in numbers.range(1, 20000)`), and each document
/// and policy file multiplies them: 200,000 findings from one such rule over ten resources
/// held 560 MB. Real policies report a few results per resource; past this many the stage
/// stops evaluating, says so in a `policy-limit` error, and reports what it had (which
/// policies got their results in first depends on scheduling only in that case).
pub const MAX_POLICY_RESULTS: usize = 100_000;

/// What rules concluded on the resources they judged, per code and per resource (an index
/// into [`Inputs::judged`]): a resource judged several times keeps one verdict that
/// [combines](Verdict::combine) them. Plain numbers instead of addresses and locations, which
/// are built once, into [`Evaluation`]s, at the end; one slot per judged resource for each
/// code (a policy records one verdict per document and entry rule, so most slots fill),
/// where a map per code hashed every one of them.
#[derive(Debug, Default)]
pub struct Verdicts {
    /// Codes in sorted order, each with its slots.
    codes: BTreeMap<String, usize>,
    slots: Vec<Vec<Option<Verdict>>>,
    /// Only whether each code judged anything is kept (one slot per code), for a run whose
    /// outputs show no evaluations: the rules that judged something are still described.
    summary: bool,
}

impl Verdicts {
    /// Verdicts that keep only whether each code judged anything, and turn into no
    /// evaluations (see [`tollgate_core::ScanContext::wants_evaluations`]).
    pub fn summary() -> Self {
        Self {
            summary: true,
            ..Self::default()
        }
    }

    /// The slots of `code`, made for `judged` resources when it is new.
    fn slots(&mut self, code: &str, judged: usize) -> &mut Vec<Option<Verdict>> {
        let judged = if self.summary { 0 } else { judged };
        let n = match self.codes.get(code) {
            Some(&n) => n,
            None => {
                self.codes.insert(code.to_string(), self.slots.len());
                self.slots.push(Vec::new());
                self.slots.len() - 1
            }
        };
        let slots = &mut self.slots[n];
        if slots.len() <= judged {
            slots.resize(judged + 1, None);
        }
        slots
    }

    /// The slot number of `code` (made when it is new), to [`Verdicts::record_at`] with.
    pub fn slot(&mut self, code: &str) -> usize {
        self.slots(code, 0);
        self.codes[code]
    }

    pub fn record(&mut self, code: &str, judged: usize, verdict: Verdict) {
        let judged = if self.summary { 0 } else { judged };
        let slot = &mut self.slots(code, judged)[judged];
        *slot = Some(slot.map_or(verdict, |v| v.combine(verdict)));
    }

    /// [`Verdicts::record`] for the code of slot number `n` (from [`Verdicts::slot`]).
    pub fn record_at(&mut self, n: usize, judged: usize, verdict: Verdict) {
        let judged = if self.summary { 0 } else { judged };
        let slots = &mut self.slots[n];
        if slots.len() <= judged {
            slots.resize(judged + 1, None);
        }
        let slot = &mut slots[judged];
        *slot = Some(slot.map_or(verdict, |v| v.combine(verdict)));
    }

    /// Add `other`'s verdicts, combined with these.
    pub fn merge(&mut self, mut other: Verdicts) {
        for (code, n) in other.codes {
            let theirs = std::mem::take(&mut other.slots[n]);
            let mine = self.slots(&code, theirs.len().saturating_sub(1));
            for (judged, verdict) in theirs.into_iter().enumerate() {
                if let Some(verdict) = verdict {
                    let slot = &mut mine[judged];
                    *slot = Some(slot.map_or(verdict, |v| v.combine(verdict)));
                }
            }
        }
    }

    /// The codes that judged something.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.codes
            .iter()
            .filter(|(_, &n)| self.slots[n].iter().any(Option::is_some))
            .map(|(code, _)| code.as_str())
    }

    /// One evaluation per code and resource, by code then in the order of `inputs.judged`.
    pub fn into_evaluations(mut self, inputs: &Inputs) -> Vec<Evaluation> {
        let mut out = Vec::new();
        if self.summary {
            return out;
        }
        for (code, n) in self.codes {
            for (judged, verdict) in std::mem::take(&mut self.slots[n]).into_iter().enumerate() {
                let Some(verdict) = verdict else { continue };
                let j = &inputs.judged[judged];
                out.push(Evaluation::new(
                    code.clone(),
                    j.address.clone(),
                    j.header.clone(),
                    verdict,
                ));
            }
        }
        out
    }
}

/// Findings a policy's output holds in one block, before it starts another.
const FINDINGS_BLOCK: usize = 256;

/// What one policy produced.
#[derive(Default)]
struct PolicyOutput {
    /// Everything but the findings, which are in `findings`.
    report: StageReport,
    /// Findings in blocks of [`FINDINGS_BLOCK`], copied once into the stage's report: one
    /// growing vector of them was copied again at every doubling (a finding is a few hundred
    /// bytes, and a policy may report on thousands of resources).
    findings: Vec<Vec<Finding>>,
    rules: BTreeMap<String, Rule>,
    verdicts: Verdicts,
}

impl PolicyOutput {
    fn push(&mut self, finding: Finding) {
        match self.findings.last_mut() {
            Some(block) if block.len() < block.capacity() => block.push(finding),
            _ => {
                let mut block = Vec::with_capacity(FINDINGS_BLOCK);
                block.push(finding);
                self.findings.push(block);
            }
        }
    }
}

/// Rule indexing over the scan's documents: every entry rule's conditions compiled over one
/// table of input paths, and each document's values at those paths, resolved once.
struct Admission<'i> {
    /// Per policy (in evaluation order), per entry rule (in `entries` order), per document
    /// signature (see [`Observed`]): whether the rule may produce a result there.
    admitted: Vec<Vec<Vec<bool>>>,
    /// Per document, the number of its signature.
    signature: Vec<usize>,
    /// Per policy, what determines its rules' values (its own reads and its libraries'), when
    /// it can be stated: documents with the same values there get the same results (see
    /// [`crate::rego::reads`]). Each is `(n, false)` for the values numbered as `n` (see
    /// `numbers`) or `(path, true)` for only whether the value at a path of the table holds.
    reads: Vec<Option<Vec<(usize, bool)>>>,
    /// Per document, the value at each path of the table.
    resolved: Vec<Vec<&'i regorus::Value>>,
    /// Per document, the number of its value at each path some policy reads, compared by
    /// what that policy can observe of it (see [`Numbered`]): equal values, equal numbers.
    numbers: Vec<Vec<u32>>,
}

/// The values policies read, each a path of the table and what the policies reading it
/// there can observe of it (`None`: all of it), numbered together.
#[derive(Default)]
struct Numbered(Vec<(usize, Option<Need>)>);

impl Numbered {
    /// The number of the values at path `id` compared by `need`.
    fn slot(&mut self, id: usize, need: Option<&Need>) -> usize {
        if let Some(n) = self
            .0
            .iter()
            .position(|(i, n)| *i == id && n.as_ref() == need)
        {
            return n;
        }
        self.0.push((id, need.cloned()));
        self.0.len() - 1
    }
}

/// What policy `policy` and its libraries can observe of a document together, when it can be
/// stated (see [`crate::rego::projection`]).
fn observed_by(policy: &PolicyFile, libraries: &[&PolicyFile]) -> Option<Need> {
    let mut need = policy.needs.clone()?;
    for library in libraries {
        need.merge(library.needs.as_ref()?);
    }
    need.finish();
    Some(need)
}

impl<'i> Admission<'i> {
    fn new(policies: &[&PolicyFile], libraries: &[&PolicyFile], inputs: &'i Inputs) -> Self {
        let mut paths = Paths::default();
        let library_reads: Option<Vec<&crate::rego::reads::Reads>> =
            libraries.iter().map(|l| l.reads.as_ref()).collect();
        // A policy's results depend only on what it can observe of the values it reads: a
        // deployment unit's resources differ in their addresses and properties, but a policy
        // counting its keys reads only their kinds.
        let mut numbered = Numbered::default();
        let reads: Vec<Option<Vec<(usize, bool)>>> = policies
            .iter()
            .map(|p| {
                let own = p.reads.as_ref()?;
                let all = library_reads.as_ref()?;
                let need = observed_by(p, libraries);
                let mut ids = Vec::new();
                for r in std::iter::once(own).chain(all.iter().copied()) {
                    for path in &r.values {
                        let within = need.as_ref().and_then(|n| need_at(n, path));
                        ids.push((numbered.slot(paths.id(path), within), false));
                    }
                    ids.extend(r.truths.iter().map(|path| (paths.id(path), true)));
                }
                Some(ids)
            })
            .collect();
        let rules: Vec<Vec<Compiled>> = policies
            .iter()
            .map(|p| {
                p.entries
                    .keys()
                    .map(|rule| {
                        p.index
                            .get(rule)
                            .map(|a| a.compile(&mut paths))
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .collect();
        let mut observed = Observed::default();
        rules.iter().flatten().for_each(|c| observed.add(c));
        let (resolved, signatures): (Vec<Vec<&regorus::Value>>, Vec<Vec<u32>>) = inputs
            .documents
            .par_iter()
            .map(|(input, _)| {
                let resolved = paths.resolve(input);
                let signature = observed.signature(&resolved);
                (resolved, signature)
            })
            .unzip();
        // Each signature once, with the first document that has it.
        let mut numbers: crate::FastMap<Vec<u32>, usize> = Default::default();
        let mut first = Vec::new();
        let signature = signatures
            .into_iter()
            .enumerate()
            .map(|(doc, s)| {
                *numbers.entry(s).or_insert_with(|| {
                    first.push(doc);
                    first.len() - 1
                })
            })
            .collect();
        let admitted = rules
            .iter()
            .map(|policy| {
                policy
                    .iter()
                    .map(|rule| {
                        first
                            .iter()
                            .map(|&doc| rule.admits(&resolved[doc]))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let numbers = number_all(&numbered, &resolved);
        Self {
            admitted,
            signature,
            reads,
            resolved,
            numbers,
        }
    }

    /// The key results of policy `policy` are reused by on document `doc`: the numbers of
    /// the values it reads there, and whether those it reads only as a truth hold.
    fn key(&self, policy: usize, doc: usize, key: &mut Vec<u32>) {
        key.clear();
        if let Some(ids) = &self.reads[policy] {
            key.extend(ids.iter().map(|&(id, truth)| {
                if truth {
                    u32::from(crate::rego::reads::holds(self.resolved[doc][id]))
                } else {
                    self.numbers[doc][id]
                }
            }));
        }
    }

    /// Whether entry rule `rule` of policy `policy` may produce a result on document `doc`.
    fn admits(&self, policy: usize, rule: usize, doc: usize) -> bool {
        self.admitted[policy][rule][self.signature[doc]]
    }
}

/// Per document, the numbers of its values at the paths of `numbered`, each compared by what
/// its policies observe there.
fn number_all(numbered: &Numbered, resolved: &[Vec<&regorus::Value>]) -> Vec<Vec<u32>> {
    let state = foldhash::fast::RandomState::default();
    let by_slot: Vec<Vec<u32>> = numbered
        .0
        .par_iter()
        .map(|(id, need)| {
            let values: Vec<&regorus::Value> = resolved.iter().map(|r| r[*id]).collect();
            crate::rego::reads::number_values_within(&values, need.as_ref(), &state)
        })
        .collect();
    (0..resolved.len())
        .map(|doc| by_slot.iter().map(|numbers| numbers[doc]).collect())
        .collect()
}

/// Evaluate every policy of `set` over `inputs` into `report`. Policies are spread over the
/// machine's cores, each evaluated by one thread with its own engine; their results are
/// merged in policy order, so the report does not depend on scheduling.
pub fn evaluate(
    ctx: &ScanContext,
    set: &PolicySet,
    namespaces: &[String],
    budgets: Budgets,
    inputs: &Inputs,
    report: &mut StageReport,
) {
    let policies: Vec<&PolicyFile> = set.policies(namespaces).collect();
    let libraries: Vec<&PolicyFile> = set.libraries(namespaces).collect();
    let admission = Admission::new(&policies, &libraries, inputs);
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(policies.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let emitted = AtomicUsize::new(0);
    let mut outputs: Vec<(usize, PolicyOutput)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                std::thread::Builder::new()
                    .name("policy-eval".into())
                    .stack_size(EVAL_STACK_BYTES)
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(policy) = policies.get(i) else { break };
                            // A panic in the interpreter costs that policy only.
                            let output = std::panic::catch_unwind(AssertUnwindSafe(|| {
                                let run = Run {
                                    ctx,
                                    set,
                                    namespaces,
                                    budgets,
                                    inputs,
                                    admission: &admission,
                                    emitted: &emitted,
                                };
                                run.policy(i, policy)
                            }))
                            .unwrap_or_else(|_| panicked(policy));
                            done.push((i, output));
                        }
                        done
                    })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h {
                Ok(handle) => handle.join().unwrap_or_default(),
                Err(_) => Vec::new(),
            })
            .collect()
    });
    outputs.sort_by_key(|(i, _)| *i);
    if outputs.len() < policies.len() {
        report.notify(
            Notification::error(
                "stage-failed",
                "some policies could not be evaluated (an evaluation thread failed)",
            )
            .stage(STAGE),
        );
    }
    let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
    // Policy files sharing a package and rule name share a derived code: their verdicts on
    // one resource combine into one evaluation.
    let mut verdicts = verdicts_for(ctx);
    let found: usize = outputs
        .iter()
        .flat_map(|(_, o)| &o.findings)
        .map(Vec::len)
        .sum();
    report.findings.reserve(found);
    for (_, output) in outputs {
        verdicts.merge(output.verdicts);
        report
            .findings
            .extend(output.findings.into_iter().flatten());
        report.extend(output.report);
        for (code, rule) in output.rules {
            rules.entry(code).or_insert(rule);
        }
    }
    report.evaluations.extend(verdicts.into_evaluations(inputs));
    report.dynamic_rules.extend(rules.into_values());
}

/// Verdicts as the run wants them: each resource's, or only which codes judged anything when
/// no output shows evaluations (`tollgate run` without `--include-passes` or an audit report).
fn verdicts_for(ctx: &ScanContext) -> Verdicts {
    if ctx.wants_evaluations() {
        Verdicts::default()
    } else {
        Verdicts::summary()
    }
}

fn panicked(policy: &PolicyFile) -> PolicyOutput {
    let mut out = PolicyOutput::default();
    out.report.notify(
        Notification::error(
            "policy-error",
            format!(
                "{}: the policy interpreter failed on this policy, which was not evaluated; hint: please report it with the policy",
                policy.path
            ),
        )
        .at(Location::file(policy.path.clone()))
        .stage(STAGE),
    );
    out
}

/// One entry rule's results by the numbers of the values its policy reads.
type Reused = crate::FastMap<Vec<u32>, Rc<Option<serde_json::Value>>>;

/// What every policy's evaluation reads.
struct Run<'a, 'i> {
    ctx: &'a ScanContext,
    set: &'a PolicySet,
    namespaces: &'a [String],
    budgets: Budgets,
    inputs: &'i Inputs,
    admission: &'a Admission<'i>,
    /// Results reported so far by every policy together (see [`MAX_POLICY_RESULTS`]).
    emitted: &'a AtomicUsize,
}

impl Run<'_, '_> {
    /// Count one more result against [`MAX_POLICY_RESULTS`]; false once the stage has
    /// reported that many, the first policy to reach the limit saying so.
    fn admit_result(&self, policy: &PolicyFile, out: &mut PolicyOutput) -> bool {
        let before = self.emitted.fetch_add(1, Ordering::Relaxed);
        if before < MAX_POLICY_RESULTS {
            return true;
        }
        if before == MAX_POLICY_RESULTS {
            out.report.notify(
                Notification::error(
                    "policy-limit",
                    format!(
                        "{}: the policies reported {MAX_POLICY_RESULTS} results, tollgate's limit for one scan; evaluation stopped here and the policies not finished are listed as not checked",
                        policy.path
                    ),
                )
                .at(Location::file(policy.path.clone()))
                .stage(STAGE),
            );
        }
        out.report.not_checked.push(policy.path.clone());
        false
    }

    /// Policy number `n` (in evaluation order) over every document.
    fn policy(&self, n: usize, policy: &PolicyFile) -> PolicyOutput {
        let (ctx, inputs, budgets) = (self.ctx, self.inputs, self.budgets);
        let mut out = PolicyOutput {
            verdicts: verdicts_for(ctx),
            ..PolicyOutput::default()
        };
        let started = Instant::now();
        let mut evaluator = match Evaluator::new(
            policy,
            self.set.libraries(self.namespaces),
            budgets.document,
        ) {
            Ok(e) => e,
            Err(err) => {
                out.report.notify(eval_notification(&err, policy, None));
                return out;
            }
        };
        evaluator.set_memory_budget(crate::memory_budget(ctx));
        let mut reported: HashSet<String> = HashSet::new();
        // Cancelled before it started (the input documents may be cut short too) or part way
        // through: the policy is listed as not checked, and what it reported so far stays.
        if ctx.is_cancelled() {
            out.report.not_checked.push(policy.path.clone());
            return out;
        }
        // Per entry rule: its name, annotation, rule index, the code of results that name
        // none (deriving one hashes its name, so once) and that code's verdict slots.
        let entries: Vec<(&str, &Metadata, String, usize)> = policy
            .entries
            .iter()
            .map(|(rule, metadata)| {
                let code = default_code(policy, rule, metadata);
                let slot = out.verdicts.slot(&code);
                (rule.as_str(), metadata, code, slot)
            })
            .collect();
        // Results by entry rule and the values the policy reads, for documents that hold the
        // same values there.
        let mut reads = self.admission.reads[n].as_deref();
        // Per entry rule, results by the numbers of the values read; shared, not copied, by
        // the documents that reuse them.
        let mut reused: Vec<Reused> = vec![Reused::default(); entries.len()];
        // The numbers of the values one document holds where the policy reads, built once
        // per document.
        let mut key: Vec<u32> = Vec::new();
        // A policy reading values that hardly ever repeat (an address, a whole resource) pays
        // for comparing them and gains nothing: after [`REUSE_TRIAL`] documents without many
        // repeats it stops looking.
        let (mut hits, mut misses) = (0usize, 0usize);
        'documents: for (done, (input, subject)) in inputs.documents.iter().enumerate() {
            if ctx.is_cancelled() {
                out.report.not_checked.push(policy.path.clone());
                break;
            }
            // Another policy took the stage past its result limit: nothing more is reported.
            if self.emitted.load(Ordering::Relaxed) > MAX_POLICY_RESULTS {
                out.report.not_checked.push(policy.path.clone());
                break;
            }
            let judged = inputs.judges[done];
            if reads.is_some() {
                self.admission.key(n, done, &mut key);
            }
            for (r, (rule, metadata, code, slot)) in entries.iter().enumerate() {
                if !self.admission.admits(n, r, done) {
                    // Rule indexing: this rule cannot produce a result on this document.
                    if let Some(judged) = judged {
                        out.verdicts
                            .record_at(*slot, judged, Verdict::NotApplicable);
                    }
                    continue;
                }
                let found = reads.and(reused[r].get(key.as_slice()));
                let outcome = match found {
                    Some(value) => {
                        hits += 1;
                        Ok(Rc::clone(value))
                    }
                    None => {
                        misses += usize::from(reads.is_some());
                        if misses >= REUSE_TRIAL && hits < misses {
                            reads = None;
                            reused.iter_mut().for_each(Reused::clear);
                        }
                        // The policy's time goes on evaluations: its budget is checked
                        // before each (reading the clock for every document, reused or not
                        // applicable, was a fiftieth of the stage).
                        if started.elapsed() > budgets.policy {
                            out.report.notify(
                                Notification::error(
                                    "policy-timeout",
                                    format!(
                                        "{}: policy file ran out of its {} s budget after {done} of {} documents and was stopped; results it reported before stay",
                                        policy.path,
                                        budgets.policy.as_secs(),
                                        inputs.documents.len()
                                    ),
                                )
                                .at(Location::file(policy.path.clone()))
                                .stage(STAGE),
                            );
                            break 'documents;
                        }
                        let outcome = evaluator.eval(rule, input).map(Rc::new);
                        if let (Ok(value), Some(_)) = (&outcome, reads) {
                            reused[r].insert(key.clone(), Rc::clone(value));
                        }
                        outcome
                    }
                };
                match outcome {
                    Ok(value) => {
                        let mut failed = false;
                        for result in value.as_ref().as_ref().map_or(&[][..], results) {
                            let (finding, about) = finding(
                                ctx,
                                policy,
                                (rule, metadata, code),
                                result,
                                subject,
                                inputs,
                                &mut out.rules,
                            );
                            if !self.admit_result(policy, &mut out) {
                                break 'documents;
                            }
                            if let Some(about) = about {
                                out.verdicts.record(&finding.rule, about, Verdict::Fail);
                                failed |= judged == Some(about);
                            }
                            out.push(finding);
                        }
                        // A policy with no result on the resource it evaluated passes it.
                        if let (Some(judged), false) = (judged, failed) {
                            out.verdicts.record_at(*slot, judged, Verdict::Pass);
                        }
                    }
                    Err(err) if err.timed_out || err.over_memory => {
                        out.report
                            .notify(eval_notification(&err, policy, Some(rule)));
                        // A policy that ran out of time or memory once would on every
                        // document, each time waiting out its time budget: it stops here,
                        // and what it reported so far stays.
                        break 'documents;
                    }
                    Err(err) => {
                        if reported.insert(err.to_string()) {
                            out.report
                                .notify(eval_notification(&err, policy, Some(rule)));
                        }
                    }
                }
            }
        }
        // Rules that passed or did not apply everywhere still describe their evaluations.
        for (rule, metadata, code, _) in &entries {
            if out.rules.contains_key(code) || !out.verdicts.codes().any(|c| c == code) {
                continue;
            }
            let severity = metadata
                .severity
                .as_deref()
                .and_then(|s| s.parse::<Severity>().ok())
                .unwrap_or_else(|| default_severity(rule));
            out.rules.insert(
                code.clone(),
                describe(policy, rule, metadata, code, severity),
            );
        }
        out
    }
}

fn eval_notification(err: &EvalError, policy: &PolicyFile, rule: Option<&str>) -> Notification {
    let what = match rule {
        Some(rule) => format!("policy `data.{}.{rule}`", policy.package),
        None => format!("policy file `{}`", policy.path),
    };
    let (id, message) = if err.timed_out {
        (
            "policy-timeout",
            format!(
                "{}:{}:{}: {what} exceeded its time budget and was stopped; results it reported before stay",
                err.file, err.line, err.col
            ),
        )
    } else {
        (
            "policy-error",
            format!(
                "{}:{}:{}: {what}: {}",
                err.file, err.line, err.col, err.message
            ),
        )
    };
    Notification::error(id, message)
        .at(Location::at(err.file.clone(), point(err.line, err.col)))
        .stage(STAGE)
}

/// A one-character span at `line:col` (1-based), for notifications about a policy.
pub fn point(line: u32, col: u32) -> Span {
    let start = tollgate_core::Pos::new(line.max(1), col.max(1));
    Span::new(start, tollgate_core::Pos::new(start.line, start.col + 1))
}

/// A rule's value as a list of results: a set or array of them, or one.
fn results(value: &serde_json::Value) -> &[serde_json::Value] {
    match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Bool(false) | serde_json::Value::Null => &[],
        other => std::slice::from_ref(other),
    }
}

/// The finding of one result, and the resource it is about (an index into
/// [`Inputs::judged`]) when it names one.
#[allow(clippy::too_many_arguments)]
fn finding(
    ctx: &ScanContext,
    policy: &PolicyFile,
    (rule, metadata, default_code): (&str, &Metadata, &str),
    result: &serde_json::Value,
    subject: &Subject,
    inputs: &Inputs,
    rules: &mut BTreeMap<String, Rule>,
) -> (Finding, Option<usize>) {
    let field = |key: &str| result.get(key).and_then(serde_json::Value::as_str);
    let code = field("code")
        .filter(|c| valid_code(c))
        .map(str::to_string)
        .unwrap_or_else(|| default_code.to_string());
    let severity = field("severity")
        .or(metadata.severity.as_deref())
        .and_then(|s| s.parse::<Severity>().ok())
        .unwrap_or_else(|| default_severity(rule));
    let policy_path = format!("data.{}.{rule}", policy.package);
    let message = match result {
        serde_json::Value::String(s) => s.clone(),
        _ => field("msg")
            .or(field("message"))
            .map(str::to_string)
            .or_else(|| metadata.title.clone())
            .unwrap_or_else(|| format!("`{policy_path}` reported this resource")),
    };
    if !rules.contains_key(&code) {
        rules.insert(
            code.clone(),
            describe(policy, rule, metadata, &code, severity),
        );
    }
    let path = result.get("path").map(parse_path).unwrap_or_default();
    let named = field("resource");
    let (location, address, line, about) = match subject {
        Subject::Resource(i) => place(ctx, inputs, *i, &path),
        Subject::Unit { name } => {
            // A unit-level result names its resource with `resource` (an address).
            match named.and_then(|a| inputs.resource(name, a)) {
                Some(i) => place(ctx, inputs, i, &path),
                None => match inputs.first_of_unit(name) {
                    Some(i) => {
                        let r = &inputs.resources[i];
                        (
                            Location::at(r.doc.file.clone(), r.header),
                            None,
                            r.header.start.line,
                            None,
                        )
                    }
                    None => (Location::file(name.clone()), None, 1, None),
                },
            }
        }
        Subject::Identity(i) => match inputs.identity_resource[*i] {
            Some(r) => place(ctx, inputs, r, &path),
            None => {
                let id = &inputs.identities[*i];
                (
                    Location::at(id.file.clone(), Span::line(id.line)),
                    Some(id.address.clone()),
                    id.line,
                    Some(inputs.identity_judged[*i]),
                )
            }
        },
    };
    // One policy rule may report several things about one resource; what it says is what
    // tells them apart, so the message is the evidence the fingerprint is made from.
    let evidence = message.clone();
    let mut f = Finding::new(code, severity, message, location)
        .evidence(evidence)
        .property("policy", policy_path)
        .property("policy-file", policy.path.clone())
        .resource_line(line);
    if let Some(address) = address {
        f = f.resource(address);
    }
    (f, about)
}

/// Where a result about resource `i` points: the path's place when it names one, else the
/// resource's header.
fn place(
    ctx: &ScanContext,
    inputs: &Inputs,
    i: usize,
    path: &[crate::locate::Step],
) -> (Location, Option<String>, u32, Option<usize>) {
    let resource = &inputs.resources[i];
    let span = if path.is_empty() {
        None
    } else {
        locate(ctx, resource, path)
    };
    (
        Location::at(resource.doc.file.clone(), span.unwrap_or(resource.header)),
        Some(resource.doc.address.clone()),
        resource.header.start.line,
        Some(inputs.resource_judged[i]),
    )
}

/// The code of an entry rule's results that name none: METADATA `custom.code`, else derived
/// from the package and rule name.
pub(crate) fn default_code(policy: &PolicyFile, rule: &str, metadata: &Metadata) -> String {
    metadata
        .code
        .clone()
        .filter(|c| valid_code(c))
        .unwrap_or_else(|| derived_code(&policy.package, rule))
}

/// conftest's convention: `warn` warns, `deny` and `violation` fail.
pub(crate) fn default_severity(rule: &str) -> Severity {
    if rule == "warn" {
        Severity::Low
    } else {
        Severity::High
    }
}

/// The SARIF rule of one entry rule's code.
pub(crate) fn describe(
    policy: &PolicyFile,
    rule: &str,
    metadata: &Metadata,
    code: &str,
    severity: Severity,
) -> Rule {
    let policy_path = format!("data.{}.{rule}", policy.package);
    let mut r = Rule::new(
        code.to_string(),
        rule_name(&policy.package, rule),
        STAGE,
        severity,
        metadata
            .title
            .clone()
            .unwrap_or_else(|| format!("Policy {policy_path}")),
    )
    .description(
        metadata
            .description
            .clone()
            .unwrap_or_else(|| format!("Reported by `{policy_path}` in `{}`.", policy.path)),
    )
    .tags(["security", "policy"]);
    if let Some(uri) = metadata.related_resources.first() {
        r = r.help_uri(uri.clone());
    }
    // METADATA is the repository's text: `tollgate rules` and `explain` print it.
    tollgate_core::display::sanitize_rule(&mut r);
    r
}
