//! `--summary FILE`: a small JSON file for CI steps that need the verdict and the counts
//! (the GitHub Action's outputs) without reading the whole report or the SARIF log.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::gate::Verdict;
use crate::report::Summary;

/// Version of this file's shape: fields are added, never renamed.
pub const SUMMARY_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct RunSummary<'a> {
    pub version: u32,
    pub tool_version: &'static str,
    pub verdict: Verdict,
    /// Findings that count toward the gate: not suppressed and not already in the baseline
    /// (every unsuppressed finding when there is no baseline).
    pub new: usize,
    /// Where the SARIF log was written (`--sarif`), if anywhere.
    pub sarif: Option<&'a Path>,
    pub summary: &'a Summary,
}

pub fn render(verdict: Verdict, summary: &Summary, sarif: Option<&PathBuf>) -> String {
    let file = RunSummary {
        version: SUMMARY_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        verdict,
        new: summary.active,
        sarif: sarif.map(PathBuf::as_path),
        summary,
    };
    let mut text = serde_json::to_string_pretty(&file)
        .unwrap_or_else(|e| unreachable!("the summary is plain data: {e}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::{Finding, Location, Severity};

    #[test]
    fn verdict_counts_and_paths() {
        let findings = [
            Finding::new("TG1", Severity::High, "m", Location::file("a.yaml")),
            Finding::new("TG2", Severity::Low, "m", Location::file("a.yaml")),
        ];
        let summary = Summary::of(&findings, &[], Some(Severity::High));
        let text = render(Verdict::Fail, &summary, Some(&PathBuf::from("out.sarif")));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["verdict"], "fail");
        assert_eq!(value["new"], 2);
        assert_eq!(value["sarif"], "out.sarif");
        assert_eq!(value["summary"]["by_severity"]["high"], 1);
        assert_eq!(value["summary"]["by_severity"]["critical"], 0);
        let none = render(Verdict::Pass, &Summary::default(), None);
        assert!(none.contains("\"sarif\": null"), "{none}");
    }
}
