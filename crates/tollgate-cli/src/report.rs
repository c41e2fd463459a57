//! The run's report. This struct is the `--format json` output, field for field, so its shape
//! is a stable interface: add fields, never rename them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tollgate_core::{BaselineState, Finding, Notification, NotificationLevel, Severity};

use crate::gate::Verdict;

/// Version of the JSON report's shape.
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Shape version of this report ([`REPORT_VERSION`]).
    pub version: u32,
    /// Version of tollgate that wrote it.
    pub tool_version: String,
    /// Every finding, active or not (suppressed and baseline-known ones are kept and marked).
    pub findings: Vec<Finding>,
    pub notifications: Vec<Notification>,
    pub summary: Summary,
    pub verdict: Verdict,
}

/// Counts for people and dashboards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Findings seen in this run (excluding ones only in the baseline).
    pub total: usize,
    /// Findings that count toward the gate.
    pub active: usize,
    /// Active findings by severity; every severity is present, zero or not.
    pub by_severity: BTreeMap<Severity, usize>,
    pub suppressed: usize,
    /// In the baseline and still present.
    pub unchanged: usize,
    /// In the baseline and gone now.
    pub fixed: usize,
    /// Error notifications (failed stages, plugins, unreadable inputs).
    pub errors: usize,
    pub warnings: usize,
    /// Files (or parts of files) that were not checked: unreadable, unparsed, skipped. Each is
    /// a notification naming the file; a clean report with files not checked is not clean.
    #[serde(default)]
    pub not_checked: usize,
    /// The lowest severity that fails, or `None` when nothing does.
    pub fail_on: Option<Severity>,
}

impl Summary {
    pub fn of(
        findings: &[Finding],
        notifications: &[Notification],
        fail_on: Option<Severity>,
    ) -> Self {
        let mut by_severity: BTreeMap<Severity, usize> =
            Severity::ALL.iter().map(|s| (*s, 0)).collect();
        let mut summary = Summary {
            fail_on,
            ..Summary::default()
        };
        for finding in findings {
            if finding.baseline_state == Some(BaselineState::Absent) {
                summary.fixed += 1;
                continue;
            }
            summary.total += 1;
            if finding.suppression.is_some() {
                summary.suppressed += 1;
            } else if finding.baseline_state == Some(BaselineState::Unchanged) {
                summary.unchanged += 1;
            }
            if finding.is_active() {
                summary.active += 1;
                *by_severity.entry(finding.severity).or_default() += 1;
            }
        }
        summary.by_severity = by_severity;
        summary.errors = notifications
            .iter()
            .filter(|n| n.level == NotificationLevel::Error)
            .count();
        summary.warnings = notifications
            .iter()
            .filter(|n| n.level == NotificationLevel::Warning)
            .count();
        summary.not_checked = notifications
            .iter()
            .filter(|n| n.leaves_unchecked())
            .count();
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::{Location, Suppression, SuppressionKind};

    #[test]
    fn counts_each_state_once() {
        let f = |s| Finding::new("TG1", s, "m", Location::file("a.yaml"));
        let mut suppressed = f(Severity::High);
        suppressed.suppression = Some(Suppression {
            kind: SuppressionKind::InSource,
            justification: "ok".into(),
        });
        let mut known = f(Severity::High);
        known.baseline_state = Some(BaselineState::Unchanged);
        let mut fixed = f(Severity::Low);
        fixed.baseline_state = Some(BaselineState::Absent);
        let findings = vec![
            f(Severity::Critical),
            f(Severity::Low),
            suppressed,
            known,
            fixed,
        ];
        let s = Summary::of(&findings, &[Notification::error("stage-failed", "x")], None);
        assert_eq!(
            (s.total, s.active, s.suppressed, s.unchanged, s.fixed),
            (4, 2, 1, 1, 1)
        );
        assert_eq!(s.by_severity[&Severity::Critical], 1);
        assert_eq!(s.by_severity[&Severity::High], 0);
        assert_eq!(s.errors, 1);
    }
}
