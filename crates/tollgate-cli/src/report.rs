//! The run's report. This struct is the `--format json` output, field for field, so its shape
//! is a stable interface: add fields, never rename them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tollgate_core::{
    BaselineState, FileKind, Finding, Notification, NotificationLevel, Severity, SourceFile,
};

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
    /// Files scanned, or `None` when the run stopped before scanning (bad config...).
    #[serde(default)]
    pub files_scanned: Option<usize>,
    /// Files scanned by kind ("SAM templates", "lockfiles", ...).
    #[serde(default)]
    pub files_by_kind: BTreeMap<String, usize>,
}

/// What kind of file this is, as the summaries count them.
fn kind_label(kind: &FileKind) -> &'static str {
    match kind {
        FileKind::CloudFormation { .. } => "CloudFormation templates",
        FileKind::Sam { .. } => "SAM templates",
        FileKind::Serverless => "Serverless Framework files",
        FileKind::Terraform | FileKind::TerraformJson => "Terraform files",
        FileKind::TerraformPlan => "Terraform plans",
        FileKind::Lockfile(_) => "lockfiles and manifests",
        FileKind::Workflow => "CI workflows",
        FileKind::YamlOther | FileKind::JsonOther => "other YAML/JSON",
        FileKind::Other => "other files",
    }
}

impl Summary {
    /// Count the scanned files by kind.
    pub fn count_files(&mut self, files: &[SourceFile]) {
        self.files_scanned = Some(files.len());
        self.files_by_kind.clear();
        for file in files {
            *self
                .files_by_kind
                .entry(kind_label(&file.kind).to_string())
                .or_default() += 1;
        }
    }

    /// `scanned 3 files (SAM templates: 1, ...)`, or that there was nothing to scan; `None`
    /// when the run stopped before scanning.
    pub fn scanned_text(&self) -> Option<String> {
        let total = self.files_scanned?;
        if total == 0 {
            return Some(
                "nothing to scan: no file was found under the scanned path (check the path, \
                 `include`/`exclude` and ignore files)"
                    .to_string(),
            );
        }
        let kinds: Vec<String> = self
            .files_by_kind
            .iter()
            .map(|(kind, n)| format!("{kind}: {n}"))
            .collect();
        Some(format!(
            "scanned {total} file{} ({})",
            if total == 1 { "" } else { "s" },
            kinds.join(", ")
        ))
    }

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
        suppressed.suppression = Some(Box::new(Suppression {
            kind: SuppressionKind::InSource,
            justification: "ok".into(),
        }));
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
        assert_eq!(s.scanned_text(), None);
    }

    #[test]
    fn counts_files_by_kind_and_says_when_there_were_none() {
        let file = |path: &str, kind: FileKind| SourceFile {
            path: path.into(),
            abs: path.into(),
            kind,
            size: 1,
        };
        let mut s = Summary::default();
        s.count_files(&[
            file("a.yaml", FileKind::Sam { json: false }),
            file("b.yaml", FileKind::Sam { json: false }),
            file("Cargo.lock", FileKind::Lockfile("Cargo.lock".into())),
        ]);
        assert_eq!(
            s.scanned_text().unwrap(),
            "scanned 3 files (SAM templates: 2, lockfiles and manifests: 1)"
        );
        s.count_files(&[]);
        assert!(s.scanned_text().unwrap().starts_with("nothing to scan"));
    }
}
