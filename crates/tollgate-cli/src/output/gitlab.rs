//! `--format gitlab`: a GitLab Code Quality report (the `artifacts:reports:codequality`
//! file): a JSON array of issues with `description`, `check_name`, `fingerprint`, `severity`
//! and `location.path` / `location.lines.begin`, the fields GitLab documents as required.
//! GitLab compares the reports of the merge request's head and base itself, by fingerprint,
//! so every finding present in the code is listed, baseline-known ones included; suppressed
//! findings and ones only in the baseline are not.

use std::collections::HashMap;

use serde::Serialize;
use tollgate_core::{BaselineState, Finding, Severity};

use crate::report::Report;

#[derive(Debug, Serialize)]
pub struct Issue {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub description: String,
    pub check_name: String,
    pub fingerprint: String,
    pub severity: &'static str,
    pub categories: [&'static str; 1],
    pub location: IssueLocation,
}

#[derive(Debug, Serialize)]
pub struct IssueLocation {
    pub path: String,
    pub lines: Lines,
}

#[derive(Debug, Serialize)]
pub struct Lines {
    pub begin: u32,
}

/// GitLab's five levels: `info`, `minor`, `major`, `critical`, `blocker`.
pub fn gitlab_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "info",
        Severity::Low => "minor",
        Severity::Medium => "major",
        Severity::High => "critical",
        Severity::Critical => "blocker",
    }
}

pub fn issues(report: &Report) -> Vec<Issue> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    report
        .findings
        .iter()
        .filter(|f| f.suppression.is_none() && f.baseline_state != Some(BaselineState::Absent))
        .map(|f| issue(f, &mut seen))
        .collect()
}

fn issue(f: &Finding, seen: &mut HashMap<String, usize>) -> Issue {
    let base = if f.fingerprint.is_empty() {
        format!("{}:{}:{}", f.rule, f.location.path, f.message)
    } else {
        f.fingerprint.clone()
    };
    // GitLab needs each fingerprint once per report; two findings that share one (the same
    // offence twice in a file) get a stable suffix in report order.
    let n = seen.entry(base.clone()).or_insert(0);
    *n += 1;
    let fingerprint = if *n == 1 { base } else { format!("{base}:{n}") };
    Issue {
        kind: "issue",
        description: format!("{}: {}", f.rule, f.message),
        check_name: f.rule.clone(),
        fingerprint,
        severity: gitlab_severity(f.severity),
        categories: ["Security"],
        location: IssueLocation {
            path: f.location.path.clone(),
            lines: Lines {
                begin: f.location.region.map_or(1, |r| r.start.line.max(1)),
            },
        },
    }
}

pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&issues(report)).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}
