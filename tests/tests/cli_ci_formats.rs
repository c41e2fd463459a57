//! End-to-end: the report formats other CI systems read (JUnit for Jenkins and GitLab test
//! reports, GitLab Code Quality, one line per finding) and the command-line options users of
//! Checkov and Trivy reach for, on the SAM example.

use std::collections::BTreeSet;
use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::{tollgate_bin, workspace_root};

fn example() -> PathBuf {
    workspace_root().join("examples/sam-orders")
}

fn run(extra: &[&str]) -> (String, String, Option<i32>) {
    let out = Command::new(tollgate_bin())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("CLICOLOR_FORCE")
        .arg("run")
        .arg(example())
        .args(["--no-progress", "--today", "2026-06-01"])
        .args(extra)
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code(),
    )
}

/// The active findings of the JSON report, as (rule, path, line).
fn active_findings(extra: &[&str]) -> Vec<(String, String, u64)> {
    let (json, _, _) = run(&[&["--format", "json"], extra].concat());
    let report: Value = serde_json::from_str(&json).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("suppression").is_none())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["region"]["start"]["line"]
                    .as_u64()
                    .unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn junit_has_a_suite_per_rule_and_a_failing_case_per_finding() {
    let (xml, _, code) = run(&["--format", "junit"]);
    assert_eq!(code, Some(1));
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let findings = active_findings(&[]);
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let rules: BTreeSet<&str> = findings.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(suites.len(), rules.len());
    let mut cases = 0;
    for suite in &suites {
        let name = suite.attribute("name").unwrap();
        let rule = name.split(':').next().unwrap();
        assert!(rules.contains(rule), "suite {name}");
        let tests: usize = suite.attribute("tests").unwrap().parse().unwrap();
        let failures: usize = suite.attribute("failures").unwrap().parse().unwrap();
        let here: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(here.len(), tests);
        assert_eq!(failures, findings.iter().filter(|f| f.0 == rule).count());
        for case in here {
            let failure = case
                .children()
                .find(|n| n.has_tag_name("failure"))
                .expect("an active finding fails");
            assert!(failure.attribute("message").is_some());
            assert!(failure
                .text()
                .unwrap()
                .contains(&format!("tollgate explain {rule}")));
            let file = case.attribute("file").unwrap();
            let line: u64 = case.attribute("line").unwrap().parse().unwrap();
            assert!(findings.contains(&(rule.to_string(), file.to_string(), line)));
            cases += 1;
        }
    }
    assert_eq!(cases, findings.len());
    assert_eq!(
        root.attribute("failures").unwrap(),
        findings.len().to_string()
    );
}

/// The fields GitLab documents for a Code Quality report, with their types and values.
#[test]
fn gitlab_code_quality_has_the_documented_fields() {
    let (json, _, code) = run(&["--format", "gitlab"]);
    assert_eq!(code, Some(1));
    let issues: Value = serde_json::from_str(&json).unwrap();
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), active_findings(&[]).len());
    let mut fingerprints = BTreeSet::new();
    for issue in issues {
        assert!(issue["description"].as_str().is_some_and(|d| !d.is_empty()));
        assert!(issue["check_name"].as_str().is_some_and(|d| !d.is_empty()));
        let fingerprint = issue["fingerprint"].as_str().unwrap();
        assert!(
            fingerprints.insert(fingerprint.to_string()),
            "unique: {fingerprint}"
        );
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&issue["severity"].as_str().unwrap()));
        // From the repository's root: in a git checkout the example is a subdirectory of
        // this repository (a copy outside git is its own root).
        let path = issue["location"]["path"].as_str().unwrap();
        let in_git = workspace_root().join(".git").exists();
        let (root, prefix) = match in_git {
            true => (workspace_root(), "examples/sam-orders/"),
            false => (example(), ""),
        };
        assert!(
            path.starts_with(prefix) && root.join(path).is_file(),
            "{path}"
        );
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    // The advisory the example's requirements.txt pins is critical: GitLab's `blocker`.
    assert!(issues
        .iter()
        .any(|i| i["check_name"] == "GHSA-x84v-xcm2-53pg" && i["severity"] == "critical"));
}

#[test]
fn compact_is_one_line_per_finding() {
    let (text, _, _) = run(&["--format", "compact"]);
    let findings = active_findings(&[]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), findings.len() + 2, "{text}");
    for (rule, path, line) in &findings {
        let prefix = format!("{path}:{line}:");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&prefix) && l.contains(&format!(" {rule} "))),
            "{rule} at {prefix}\n{text}"
        );
    }
    assert!(lines[lines.len() - 2].starts_with("scanned "), "{text}");
}

#[test]
fn check_and_skip_check_select_rules_by_code_name_or_checkov_id() {
    let all = active_findings(&[]);
    let only = active_findings(&["--check", "TG1401"]);
    assert!(!only.is_empty() && only.iter().all(|f| f.0 == "TG1401"));
    let skipped = active_findings(&["--skip-check", "TG1401,GHSA-x84v-xcm2-53pg"]);
    assert_eq!(skipped.len(), all.len() - only.len() - 1);
    // An advisory by its CVE alias.
    let by_alias = active_findings(&["--check", "CVE-2018-18074"]);
    assert_eq!(by_alias.len(), 1);
    assert_eq!(by_alias[0].0, "GHSA-x84v-xcm2-53pg");
    // A typo is an error with a hint, on stderr, exit 2.
    let (_, stderr, code) = run(&["--check", "TG14O1", "--format", "sarif"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--check: unknown rule `TG14O1`"),
        "{stderr}"
    );
}

#[test]
fn severity_filters_the_report_not_the_gate() {
    let (json, _, code) = run(&["--format", "json", "--severity", "critical"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] == "critical"));
    // High findings are hidden from the report but still fail the build.
    assert_eq!(code, Some(1));
    assert!(report["summary"]["by_severity"]["high"].as_u64().unwrap() > 0);
}

#[test]
fn colour_follows_the_flag_and_github_actions() {
    let (never, _, _) = run(&["--color", "never"]);
    assert!(!never.contains('\x1b'));
    let (always, _, _) = run(&["--color", "always", "--format", "compact"]);
    assert!(always.contains('\x1b'));
    let out = Command::new(tollgate_bin())
        .env("GITHUB_ACTIONS", "true")
        .env_remove("NO_COLOR")
        .arg("run")
        .arg(example())
        .args(["--no-progress"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains('\x1b'));
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Command::new(tollgate_bin())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("tollgate") && script.contains("skip-check"),
            "{shell}"
        );
    }
}
