//! `--format gitlab`: a GitLab Code Quality report (the `artifacts:reports:codequality`
//! file): a JSON array of issues with `description`, `check_name`, `fingerprint`, `severity`
//! and `location.path` / `location.lines.begin`, the fields GitLab documents as required.
//! GitLab compares the reports of the merge request's head and base itself, by fingerprint,
//! so every finding present in the code is listed, baseline-known ones included; suppressed
//! findings and ones only in the baseline are not.
//!
//! GitLab places an issue by its path from the repository's root: a scan of a subdirectory
//! (`tollgate run services/api`) prefixes its paths with the subdirectory's place in the
//! repository.

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

/// `path_prefix` is the scanned directory's place in the repository (`services/api/`, empty
/// at the root).
pub fn issues(report: &Report, path_prefix: &str) -> Vec<Issue> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    report
        .findings
        .iter()
        .filter(|f| f.suppression.is_none() && f.baseline_state != Some(BaselineState::Absent))
        .map(|f| issue(f, path_prefix, &mut seen))
        .collect()
}

fn issue(f: &Finding, path_prefix: &str, seen: &mut HashMap<String, usize>) -> Issue {
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
            path: format!("{path_prefix}{}", f.location.path),
            lines: Lines {
                begin: f.location.region.map_or(1, |r| r.start.line.max(1)),
            },
        },
    }
}

pub fn render(report: &Report, path_prefix: &str) -> String {
    let mut text =
        serde_json::to_string_pretty(&issues(report, path_prefix)).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::Verdict;
    use crate::report::{Summary, REPORT_VERSION};
    use tollgate_core::{Location, Pos, Span};

    fn report() -> Report {
        let at = Span::new(Pos::new(5, 16), Pos::new(5, 25));
        let findings = vec![
            Finding::new(
                "TG1005",
                Severity::High,
                "deprecated runtime",
                Location::at("template.yaml", at),
            ),
            Finding::new("TG3001", Severity::Low, "m", Location::file("src/app.py")),
        ];
        let summary = Summary::of(&findings, &[], Some(Severity::High));
        Report {
            version: REPORT_VERSION,
            tool_version: "0.0.0-test".into(),
            findings,
            notifications: Vec::new(),
            summary,
            verdict: Verdict::Fail,
        }
    }

    /// GitLab places an issue by its path from the repository's root.
    #[test]
    fn paths_start_at_the_repository_root() {
        let report = report();
        let at_root: Vec<String> = issues(&report, "")
            .into_iter()
            .map(|i| i.location.path)
            .collect();
        assert_eq!(at_root, ["template.yaml", "src/app.py"]);
        let nested = issues(&report, "services/api/");
        let paths: Vec<&str> = nested.iter().map(|i| i.location.path.as_str()).collect();
        assert_eq!(
            paths,
            ["services/api/template.yaml", "services/api/src/app.py"]
        );
        assert_eq!(nested[0].location.lines.begin, 5);
        assert_eq!(nested[1].location.lines.begin, 1);
    }
}
