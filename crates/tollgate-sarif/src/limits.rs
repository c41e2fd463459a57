//! What GitHub code scanning accepts, and truncation to fit it.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use serde_sarif::sarif::{Invocation, ReportingDescriptor, Result as SarifResult, Run};
use tollgate_core::{Notification, Severity};

use crate::access::accepted_suppression;
use crate::notification::notification;
use crate::severity::result_severity;

pub const MAX_RESULTS_PER_RUN: usize = 25_000;
pub const MAX_RULES_PER_RUN: usize = 25_000;
/// Applies to `locations` and to `relatedLocations` of one result, each.
pub const MAX_LOCATIONS_PER_RESULT: usize = 1_000;
/// Runs in one log.
pub const MAX_RUNS: usize = 20;
/// `tool.extensions` of one run.
pub const MAX_EXTENSIONS_PER_RUN: usize = 100;
/// Thread flow locations of one result, over all its code flows.
pub const MAX_THREAD_FLOW_LOCATIONS_PER_RESULT: usize = 10_000;
/// `properties.tags` of one rule.
pub const MAX_TAGS_PER_RULE: usize = 20;

/// Cut `run` down to GitHub's limits:
/// - at most [`MAX_RESULTS_PER_RUN`] results: unsuppressed, non-baseline results are kept
///   first, then the most severe, in their original order;
/// - at most [`MAX_RULES_PER_RUN`] rules: rules no kept result uses go first;
/// - at most [`MAX_LOCATIONS_PER_RESULT`] locations and as many related locations per result,
///   [`MAX_THREAD_FLOW_LOCATIONS_PER_RESULT`] thread flow locations per result,
///   [`MAX_TAGS_PER_RULE`] tags per rule and [`MAX_EXTENSIONS_PER_RUN`] tool extensions.
///
/// When anything was cut, a `truncated` warning saying what and how much is appended to the
/// run's first invocation and returned, so the report can show it too.
///
/// The 10 MB gzipped cap is not checked here: the publisher gzips the log to upload it and
/// knows the real size.
pub fn enforce_limits(run: &mut Run) -> Option<Notification> {
    let results_cut = truncate_results(run);
    let mut said: Vec<String> = results_cut.into_iter().collect();
    if let Some(text) = truncate_rules(run) {
        said.push(text);
    }
    if let Some(text) = truncate_locations(run) {
        said.push(text);
    }
    if let Some(text) = truncate_thread_flows(run) {
        said.push(text);
    }
    if let Some(text) = truncate_tags(run) {
        said.push(text);
    }
    if let Some(text) = truncate_extensions(run) {
        said.push(text);
    }
    let note = truncated_note(&said)?;
    add_note(run, &note);
    Some(note)
}

/// Append `note` to the notifications of the run's first invocation (made if it has none).
pub(crate) fn add_note(run: &mut Run, note: &Notification) {
    let invocations = run.invocations.get_or_insert_with(Vec::new);
    if invocations.is_empty() {
        invocations.push(Invocation::builder().execution_successful(true).build());
    }
    invocations[0]
        .tool_execution_notifications
        .get_or_insert_with(Vec::new)
        .push(notification(note));
}

/// Which of a run's results fit GitHub's limit of [`MAX_RESULTS_PER_RUN`], decided from each
/// result's gate state, severity and file alone, so it can be decided before the results are
/// built.
pub(crate) struct ResultCut {
    /// One flag per result, in order: kept or not.
    pub keep: Vec<bool>,
    /// What was dropped, for the `truncated` notification.
    pub said: String,
}

impl ResultCut {
    /// `results` yields (counts toward the gate, severity, file, rule) per result, in order;
    /// `None` when they all fit. Results that count toward the gate are kept first. Among them,
    /// every rule in every file keeps its most severe results up to an equal share of the
    /// limit (the limit divided by the number of such pairs) before any gets more: a file in a
    /// pull request can hold 100,000 copies of one high-severity problem, and a policy in it
    /// can report 100,000 high-severity results on the templates beside it, and a cut by
    /// severity alone, or by file alone, would let either push the other rules' results out of
    /// code scanning. The room left goes to the most severe of the rest; equal ones keep their
    /// order.
    pub fn of<'a>(
        results: impl ExactSizeIterator<Item = (bool, Severity, &'a str, &'a str)>,
    ) -> Option<Self> {
        let total = results.len();
        if total <= MAX_RESULTS_PER_RUN {
            return None;
        }
        let items: Vec<(bool, Severity, &str, &str)> = results.collect();
        let levels = Severity::ALL.len();
        // Each (file, rule) pair's own order: gate first, then severity, then position.
        let priority: Vec<usize> = items
            .iter()
            .map(|&(gate, severity, _, _)| usize::from(gate) * levels + severity as usize)
            .collect();
        let by_priority = descending(&priority, 2 * levels);
        let (group, pairs) = pair_numbers(&items);
        let mut seen = vec![0usize; pairs];
        let mut rank_in_group = vec![0usize; total];
        for &i in &by_priority {
            rank_in_group[i] = seen[group[i]];
            seen[group[i]] += 1;
        }
        // pairs * share <= the limit, so every pair's share fits.
        let share = (MAX_RESULTS_PER_RUN / pairs.max(1)).max(1);
        // Gate, then within the share, then severity; equal keys keep their original order.
        let key: Vec<usize> = (0..total)
            .map(|i| {
                (usize::from(items[i].0) * 2 + usize::from(rank_in_group[i] < share)) * levels
                    + items[i].1 as usize
            })
            .collect();
        let order = descending(&key, 4 * levels);
        let mut keep = vec![false; total];
        for &i in &order[..MAX_RESULTS_PER_RUN] {
            keep[i] = true;
        }
        let mut dropped: BTreeMap<Severity, usize> = BTreeMap::new();
        for (kept, (_, severity, _, _)) in keep.iter().zip(&items) {
            if !kept {
                *dropped.entry(*severity).or_default() += 1;
            }
        }
        let by_severity: Vec<String> = dropped
            .iter()
            .rev()
            .map(|(sev, n)| format!("{n} {sev}"))
            .collect();
        let said = format!(
            "dropped {} of {} results ({}) to stay within GitHub's limit of {} results per run; each rule kept its {} most severe results in every file first, then the most severe of the rest were kept",
            total - MAX_RESULTS_PER_RUN,
            total,
            by_severity.join(", "),
            MAX_RESULTS_PER_RUN,
            share
        );
        Some(Self { keep, said })
    }
}

/// Each result's (file, rule) pair as a number, and how many pairs there are. Results are
/// taken in their order, so a run of one file's results (a report sorted by path) looks its
/// file up once, rather than hashing its path per result.
fn pair_numbers(items: &[(bool, Severity, &str, &str)]) -> (Vec<usize>, usize) {
    type Fast = foldhash::fast::RandomState;
    let mut files: HashMap<&str, usize, Fast> = HashMap::default();
    let mut pairs: HashMap<(usize, &str), usize, Fast> = HashMap::default();
    let mut last: Option<(&str, usize)> = None;
    let group = items
        .iter()
        .map(|&(_, _, file, rule)| {
            let file = match last {
                Some((name, number)) if name == file => number,
                _ => {
                    let next = files.len();
                    let number = *files.entry(file).or_insert(next);
                    last = Some((file, number));
                    number
                }
            };
            let next = pairs.len();
            *pairs.entry((file, rule)).or_insert(next)
        })
        .collect();
    (group, pairs.len())
}

/// The indices of `keys` (each below `buckets`) ordered by key, highest first, equal keys in
/// their original order: a stable sort, done by counting since the keys are few.
fn descending(keys: &[usize], buckets: usize) -> Vec<usize> {
    let mut starts = vec![0usize; buckets + 1];
    for &k in keys {
        starts[buckets - k] += 1;
    }
    for b in 1..=buckets {
        starts[b] += starts[b - 1];
    }
    let mut order = vec![0usize; keys.len()];
    for (i, &k) in keys.iter().enumerate() {
        let slot = &mut starts[buckets - 1 - k];
        order[*slot] = i;
        *slot += 1;
    }
    order
}

fn truncate_results(run: &mut Run) -> Option<String> {
    let results = run.results.as_mut()?;
    let rules = run.tool.driver.rules.as_deref().unwrap_or(&[]);
    let cut = ResultCut::of(results.iter().map(|r| {
        let rule = r
            .rule_index
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| rules.get(i));
        let file = crate::access::primary_artifact(r)
            .and_then(|a| a.uri.as_deref())
            .unwrap_or_default();
        let id = r
            .rule_id
            .as_deref()
            .or_else(|| rule.map(|d| d.id.as_str()))
            .unwrap_or_default();
        // A recorded check never takes the room of a finding.
        if crate::result::is_evaluation(r) {
            return (false, Severity::Info, file, id);
        }
        (is_active(r), result_severity(r, rule), file, id)
    }))?;
    let mut keep = cut.keep.into_iter();
    results.retain(|_| keep.next().unwrap_or(false));
    // The dropped results' room would otherwise stay allocated as long as the run lives.
    results.shrink_to_fit();
    Some(cut.said)
}

/// Not suppressed (an accepted suppression) and not already known from a baseline.
fn is_active(result: &SarifResult) -> bool {
    let suppressed = accepted_suppression(result).is_some();
    let known = matches!(
        result.baseline_state.as_ref().and_then(Value::as_str),
        Some("unchanged" | "absent")
    );
    !suppressed && !known
}

fn truncate_rules(run: &mut Run) -> Option<String> {
    let rules = run.tool.driver.rules.as_mut()?;
    if rules.len() <= MAX_RULES_PER_RUN {
        return None;
    }
    let total = rules.len();
    let results = run.results.as_deref_mut().unwrap_or(&mut []);
    let mut used = vec![false; total];
    for result in results.iter() {
        if let Some(i) = result.rule_index.and_then(|i| usize::try_from(i).ok()) {
            if i < total {
                used[i] = true;
            }
        }
    }
    let (said, new_index) = cut_rules(rules, &used)?;
    for result in results.iter_mut() {
        renumber_rule(result, &new_index);
    }
    Some(said)
}

/// New positions of the rules [`cut_rules`] kept, by old position.
pub(crate) type RuleRenumbering = HashMap<usize, i64>;

/// Cut `rules` to [`MAX_RULES_PER_RUN`]: every rule `used` flags is kept, then unused ones in
/// order while there is room. `None` when they fit; else what was said and where each kept rule
/// went, for [`renumber_rule`].
pub(crate) fn cut_rules(
    rules: &mut Vec<ReportingDescriptor>,
    used: &[bool],
) -> Option<(String, RuleRenumbering)> {
    let total = rules.len();
    if total <= MAX_RULES_PER_RUN {
        return None;
    }
    // Keep every used rule, then unused ones in order while there is room.
    let used_count = used.iter().filter(|u| **u).count();
    let mut room = MAX_RULES_PER_RUN.saturating_sub(used_count);
    let mut keep = used.to_vec();
    keep.resize(total, false);
    for (i, k) in keep.iter_mut().enumerate() {
        if !used.get(i).copied().unwrap_or(false) && room > 0 {
            *k = true;
            room -= 1;
        }
    }
    let mut new_index: RuleRenumbering = HashMap::new();
    let mut next = 0i64;
    for (i, k) in keep.iter().enumerate() {
        if *k {
            new_index.insert(i, next);
            next += 1;
        }
    }
    let mut i = 0;
    rules.retain(|_| {
        let kept = keep[i];
        i += 1;
        kept
    });
    rules.truncate(MAX_RULES_PER_RUN);
    Some((rules_said(total - rules.len(), total), new_index))
}

/// Point `result` at its rule's position after [`cut_rules`].
pub(crate) fn renumber_rule(result: &mut SarifResult, new_index: &RuleRenumbering) {
    if let Some(old) = result.rule_index.and_then(|i| usize::try_from(i).ok()) {
        result.rule_index = new_index.get(&old).copied();
        if let Some(rule) = result.rule.as_mut() {
            rule.index = result.rule_index;
        }
    }
}

/// The texts of a `truncated` notification, one per kind of cut, shared with
/// [`crate::limit_notes`] so that counting and cutting always say the same.
pub(crate) fn rules_said(dropped: usize, total: usize) -> String {
    format!(
        "dropped {dropped} of {total} rules that no result uses to stay within GitHub's limit of {MAX_RULES_PER_RUN} rules per run"
    )
}

pub(crate) fn locations_said(cut_locations: usize, cut_results: usize) -> String {
    format!(
        "dropped {cut_locations} locations from {cut_results} results to stay within GitHub's limit of {MAX_LOCATIONS_PER_RESULT} locations per result"
    )
}

pub(crate) fn thread_flows_said(cut_steps: usize, cut_results: usize) -> String {
    format!(
        "dropped {cut_steps} thread flow locations from {cut_results} results to stay within GitHub's limit of {MAX_THREAD_FLOW_LOCATIONS_PER_RESULT} per result"
    )
}

pub(crate) fn tags_said(cut_rules: usize) -> String {
    format!("cut the tags of {cut_rules} rules to GitHub's limit of {MAX_TAGS_PER_RULE} per rule")
}

/// The `truncated` warning saying everything in `said`, in order; `None` when nothing was cut.
pub(crate) fn truncated_note(said: &[String]) -> Option<Notification> {
    (!said.is_empty()).then(|| Notification::warning("truncated", said.join("; ")))
}

fn truncate_locations(run: &mut Run) -> Option<String> {
    let mut cut_results = 0usize;
    let mut cut_locations = 0usize;
    for result in run.results.as_deref_mut().unwrap_or(&mut []) {
        let cut = cut_locations_of(result);
        if cut > 0 {
            cut_results += 1;
            cut_locations += cut;
        }
    }
    (cut_results > 0).then(|| locations_said(cut_locations, cut_results))
}

/// Cut the result's locations and related locations to [`MAX_LOCATIONS_PER_RESULT`] each,
/// saying how many went in `properties.tollgate/locations-dropped`; returns that number.
pub(crate) fn cut_locations_of(result: &mut SarifResult) -> usize {
    let mut cut = 0;
    for list in [result.locations.as_mut(), result.related_locations.as_mut()]
        .into_iter()
        .flatten()
    {
        if list.len() > MAX_LOCATIONS_PER_RESULT {
            cut += list.len() - MAX_LOCATIONS_PER_RESULT;
            list.truncate(MAX_LOCATIONS_PER_RESULT);
        }
    }
    if cut > 0 {
        let bag = result.properties.get_or_insert_with(Default::default);
        bag.additional_properties
            .insert("tollgate/locations-dropped".to_string(), Value::from(cut));
    }
    cut
}

fn truncate_thread_flows(run: &mut Run) -> Option<String> {
    let mut cut_results = 0usize;
    let mut cut_steps = 0usize;
    for result in run.results.as_deref_mut().unwrap_or(&mut []) {
        let cut = cut_thread_flows_of(result);
        if cut > 0 {
            cut_results += 1;
            cut_steps += cut;
        }
    }
    (cut_results > 0).then(|| thread_flows_said(cut_steps, cut_results))
}

/// Cut the result's thread flow locations, over all its code flows, to
/// [`MAX_THREAD_FLOW_LOCATIONS_PER_RESULT`]; returns how many went.
pub(crate) fn cut_thread_flows_of(result: &mut SarifResult) -> usize {
    let mut room = MAX_THREAD_FLOW_LOCATIONS_PER_RESULT;
    let mut cut = 0;
    for flow in result.code_flows.iter_mut().flatten() {
        for thread in &mut flow.thread_flows {
            let keep = thread.locations.len().min(room);
            cut += thread.locations.len() - keep;
            thread.locations.truncate(keep);
            room -= keep;
        }
    }
    cut
}

pub(crate) fn truncate_tags(run: &mut Run) -> Option<String> {
    let mut cut_rules = 0usize;
    for rule in run.tool.driver.rules.iter_mut().flatten() {
        if let Some(tags) = rule.properties.as_mut().and_then(|p| p.tags.as_mut()) {
            if tags.len() > MAX_TAGS_PER_RULE {
                tags.truncate(MAX_TAGS_PER_RULE);
                cut_rules += 1;
            }
        }
    }
    (cut_rules > 0).then(|| tags_said(cut_rules))
}

pub(crate) fn truncate_extensions(run: &mut Run) -> Option<String> {
    let extensions = run.tool.extensions.as_mut()?;
    if extensions.len() <= MAX_EXTENSIONS_PER_RUN {
        return None;
    }
    let total = extensions.len();
    extensions.truncate(MAX_EXTENSIONS_PER_RUN);
    // A result pointing into a dropped extension keeps its rule id but loses the dangling
    // reference.
    for result in run.results.iter_mut().flatten() {
        if let Some(rule) = result.rule.as_mut() {
            let dangling = rule
                .tool_component
                .as_ref()
                .and_then(|c| c.index)
                .is_some_and(|i| i >= MAX_EXTENSIONS_PER_RUN as i64);
            if dangling {
                rule.tool_component = None;
                rule.index = None;
            }
        }
        // A reference with neither id nor guid left is not a reference at all.
        if result
            .rule
            .as_ref()
            .is_some_and(|r| r.index.is_none() && r.id.is_none() && r.guid.is_none())
        {
            result.rule = None;
        }
    }
    Some(format!(
        "dropped {} of {total} tool extensions to stay within GitHub's limit of {MAX_EXTENSIONS_PER_RUN} per run",
        total - MAX_EXTENSIONS_PER_RUN
    ))
}
