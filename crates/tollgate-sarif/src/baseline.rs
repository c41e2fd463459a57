//! Baselines: which findings are new, which were already there, which are gone.

use std::collections::{HashMap, HashSet};

use serde_sarif::sarif::Sarif;
use tollgate_core::{BaselineState, Finding};

use crate::read::findings_from_run;

/// The findings of an earlier log, keyed by (rule id, fingerprint). Build it once with
/// [`Baseline::from_log`] and hand it to [`mark_baseline`].
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    findings: Vec<Finding>,
    /// Positions in `findings` by fingerprint (one per rule sharing it): looked up by the
    /// borrowed fingerprint, so a pull request's tens of thousands of lookups allocate nothing.
    by_fingerprint: HashMap<String, Vec<usize>>,
}

impl Baseline {
    /// Every result of every run of `log`. Results without a `tollgate/v1` fingerprint (an
    /// external tool's) get one computed from rule, path, resource and the tool's own
    /// fingerprints or message, the same way [`crate::findings_from_run`] does.
    pub fn from_log(log: &Sarif) -> Self {
        let mut baseline = Self::default();
        for run in &log.runs {
            for finding in findings_from_run(run) {
                baseline.insert(finding);
            }
        }
        baseline
    }

    /// [`Baseline::from_log`] for a log read with [`crate::read_log_lazily`]: its results are
    /// read one at a time, so a large old log is never held as SARIF structures.
    pub fn from_lazy_log(log: &crate::LazyLog<'_>) -> Result<Self, crate::SarifError> {
        let mut baseline = Self::default();
        for finding in log.findings()? {
            baseline.insert(finding);
        }
        Ok(baseline)
    }

    /// The findings of a scan made in this process (the base revision of `--diff-base`), all
    /// of them: a log built from them would have dropped results beyond GitHub's limits, and
    /// those would then count as new.
    pub fn from_findings(findings: impl IntoIterator<Item = Finding>) -> Self {
        let mut baseline = Self::default();
        for mut finding in findings {
            finding.ensure_fingerprint();
            baseline.insert(finding);
        }
        baseline
    }

    fn insert(&mut self, finding: Finding) {
        // Findings marked absent in the old log were already gone then.
        if finding.baseline_state == Some(BaselineState::Absent)
            || self.position(&finding.rule, &finding.fingerprint).is_some()
        {
            return;
        }
        let at = self.findings.len();
        match self.by_fingerprint.get_mut(&finding.fingerprint) {
            Some(positions) => positions.push(at),
            None => {
                self.by_fingerprint
                    .insert(finding.fingerprint.clone(), vec![at]);
            }
        }
        self.findings.push(finding);
    }

    pub fn contains(&self, rule: &str, fingerprint: &str) -> bool {
        self.position(rule, fingerprint).is_some()
    }

    /// Where the finding of `rule` with `fingerprint` is in `findings`.
    fn position(&self, rule: &str, fingerprint: &str) -> Option<usize> {
        self.by_fingerprint
            .get(fingerprint)?
            .iter()
            .copied()
            .find(|&i| self.findings[i].rule == rule)
    }

    pub fn len(&self) -> usize {
        self.findings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
    }

    /// The (rule id, fingerprint) pairs.
    pub fn keys(&self) -> HashSet<(String, String)> {
        self.findings
            .iter()
            .map(|f| (f.rule.clone(), f.fingerprint.clone()))
            .collect()
    }
}

/// (rule id, fingerprint) of every result in `log`; see [`Baseline::from_log`].
pub fn fingerprints_of(log: &Sarif) -> HashSet<(String, String)> {
    Baseline::from_log(log).keys()
}

/// Set each finding's `baseline_state`: `unchanged` when the baseline has its rule and
/// fingerprint, `updated` when it has them but at a lower severity (the finding got worse, so
/// it counts again), `new` otherwise. Findings without a fingerprint get one first.
///
/// Returns the baseline's findings that are no longer present, marked `absent`, so the report
/// can count what was fixed.
pub fn mark_baseline(findings: &mut [Finding], baseline: &Baseline) -> Vec<Finding> {
    mark_baseline_except(findings, baseline, |_| None)
}

/// [`mark_baseline`] for the findings whose state the caller does not know already: the
/// finding at position `i` for which `known(i)` gives a state gets that one and matches none of
/// the baseline's findings. For a caller that knows some findings are in the baseline, with
/// the same severity as their first entry there, without having built those entries.
pub fn mark_baseline_except(
    findings: &mut [Finding],
    baseline: &Baseline,
    known: impl Fn(usize) -> Option<BaselineState>,
) -> Vec<Finding> {
    // Which of the baseline's findings some finding still matches.
    let mut matched = vec![false; baseline.findings.len()];
    for (i, finding) in findings.iter_mut().enumerate() {
        if let Some(state) = known(i) {
            finding.baseline_state = Some(state);
            continue;
        }
        finding.ensure_fingerprint();
        let at = baseline.position(&finding.rule, &finding.fingerprint);
        finding.baseline_state = Some(match at {
            Some(i) if finding.severity > baseline.findings[i].severity => BaselineState::Updated,
            Some(_) => BaselineState::Unchanged,
            None => BaselineState::New,
        });
        if let Some(i) = at {
            matched[i] = true;
        }
    }
    baseline
        .findings
        .iter()
        .zip(matched)
        .filter(|(_, matched)| !matched)
        .map(|(old, _)| {
            let mut gone = old.clone();
            gone.baseline_state = Some(BaselineState::Absent);
            gone
        })
        .collect()
}
