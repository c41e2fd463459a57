//! The `truncated` notification of tollgate's own run, worked out without building the run.

use std::collections::HashMap;

use tollgate_core::{Finding, Notification, Verdict};

use crate::build::{result_cut, RunInput};
use crate::limits::{
    locations_said, rules_said, tags_said, thread_flows_said, truncated_note, ResultCut,
    MAX_LOCATIONS_PER_RESULT, MAX_RULES_PER_RUN, MAX_TAGS_PER_RULE,
    MAX_THREAD_FLOW_LOCATIONS_PER_RESULT,
};
use crate::rules::descriptor_tag_count;

/// The notification [`crate::build_run_within_limits`] returns for `input`, the same text, from
/// counts alone: which results fit, how many descriptors the rule table holds and which of them
/// kept results use, how many related locations and flow steps the kept findings carry, how
/// many tags each kept rule gets. A report that writes no SARIF still says what a log would
/// have cut, without building tens of thousands of results to find out.
pub fn truncation_note(input: &RunInput) -> Option<Notification> {
    let (keep, results_said) = match result_cut(input.findings) {
        Some(ResultCut { keep, said }) => (Some(keep), Some(said)),
        None => (None, None),
    };
    let kept = |i: usize| {
        keep.as_deref()
            .is_none_or(|k| k.get(i).copied().unwrap_or(false))
    };

    let mut table = RuleTable::default();
    for rule in input.rules {
        table.declare(&rule.code, descriptor_tag_count(rule));
    }
    let mut kept_findings = Vec::new();
    for (i, finding) in input.findings.iter().enumerate() {
        // A rule no declaration names gets its descriptor whether or not the result is kept.
        let rule = table.index_of(&finding.rule);
        if !kept(i) {
            continue;
        }
        table.used[rule] = true;
        kept_findings.push(finding);
    }
    let [locations_cut, steps_cut] = location_and_flow_cuts(kept_findings);
    // Evaluations' results (`--include-passes`) have one location and no flow; a failing one
    // has no result but its rule still gets a descriptor.
    for evaluation in input.evaluations {
        let rule = table.index_of(&evaluation.rule_id);
        if !matches!(evaluation.verdict, Verdict::Fail) {
            table.used[rule] = true;
        }
    }

    let mut said: Vec<String> = results_said.into_iter().collect();
    let kept_rules = table.kept_rules();
    let total = table.tags.len();
    if total > MAX_RULES_PER_RUN {
        said.push(rules_said(total - kept_rules.len(), total));
    }
    said.extend(locations_cut);
    said.extend(steps_cut);
    let cut_tags = kept_rules
        .iter()
        .filter(|&&i| table.tags[i] > MAX_TAGS_PER_RULE)
        .count();
    if cut_tags > 0 {
        said.push(tags_said(cut_tags));
    }
    // tollgate's own run has no tool extensions to cut.
    truncated_note(&said)
}

/// What the location and the thread flow cuts say about the results of `kept`, from counts: a
/// finding's result has one location and the finding's related locations; its code flow is one
/// thread of the finding's steps.
pub(crate) fn location_and_flow_cuts<'a>(
    kept: impl IntoIterator<Item = &'a Finding>,
) -> [Option<String>; 2] {
    let (mut cut_locations, mut cut_location_results) = (0, 0);
    let (mut cut_steps, mut cut_step_results) = (0, 0);
    for finding in kept {
        let over = finding
            .related
            .len()
            .saturating_sub(MAX_LOCATIONS_PER_RESULT);
        if over > 0 {
            cut_locations += over;
            cut_location_results += 1;
        }
        let over = finding
            .code_flow
            .len()
            .saturating_sub(MAX_THREAD_FLOW_LOCATIONS_PER_RESULT);
        if over > 0 {
            cut_steps += over;
            cut_step_results += 1;
        }
    }
    [
        (cut_location_results > 0).then(|| locations_said(cut_locations, cut_location_results)),
        (cut_step_results > 0).then(|| thread_flows_said(cut_steps, cut_step_results)),
    ]
}

/// The rule table as the run lays it out: declared rules deduplicated by code, first
/// declaration wins, then a descriptor for each undeclared code at its first use.
#[derive(Default)]
struct RuleTable<'a> {
    index: HashMap<&'a str, usize, foldhash::fast::RandomState>,
    /// Tags of each descriptor (none for an undeclared one).
    tags: Vec<usize>,
    /// Whether a kept result points at the descriptor.
    used: Vec<bool>,
}

impl<'a> RuleTable<'a> {
    fn declare(&mut self, code: &'a str, tags: usize) {
        if !self.index.contains_key(code) {
            self.index.insert(code, self.tags.len());
            self.tags.push(tags);
            self.used.push(false);
        }
    }

    fn index_of(&mut self, code: &'a str) -> usize {
        if let Some(&i) = self.index.get(code) {
            return i;
        }
        self.declare(code, 0);
        self.tags.len() - 1
    }

    /// The descriptors the rules cut keeps, in order: every used one, then unused ones while
    /// there is room, then no more than the limit.
    fn kept_rules(&self) -> Vec<usize> {
        let total = self.used.len();
        if total <= MAX_RULES_PER_RUN {
            return (0..total).collect();
        }
        let used_count = self.used.iter().filter(|u| **u).count();
        let mut room = MAX_RULES_PER_RUN.saturating_sub(used_count);
        let mut kept = Vec::new();
        for (i, used) in self.used.iter().enumerate() {
            if *used {
                kept.push(i);
            } else if room > 0 {
                kept.push(i);
                room -= 1;
            }
        }
        kept.truncate(MAX_RULES_PER_RUN);
        kept
    }
}
