//! End-to-end: `tollgate run --include-passes` records in the SARIF log every resource a rule
//! checked and passed, found not applicable or could not decide, as results of kind `pass`,
//! `notApplicable` and `open` with level `none`. They are evidence only: the gate, the other
//! output formats, baselines and GitHub publishing behave exactly as without the flag, and
//! `tollgate merge` keeps them.

#[path = "../../crates/tollgate-github/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use support::fake::FakeGitHub;
use support::openapi::OpenApi;
use tollgate_e2e::{assert_valid_sarif, example_dir, tollgate_cmd, EXAMPLES_TODAY};

const RECORD_KINDS: [&str; 3] = ["pass", "notApplicable", "open"];

struct Scan {
    code: Option<i32>,
    stdout: String,
    sarif: Value,
}

/// Scan example `name` with the iac and permissions stages in `format`, writing the SARIF log
/// to `sarif`, with or without `--include-passes`.
fn scan(name: &str, format: &str, passes: bool, sarif: &Path, extra: &[&str]) -> Scan {
    let mut cmd = tollgate_cmd();
    cmd.current_dir(example_dir(name))
        .args(["run", ".", "--no-progress", "--stages", "iac,permissions"])
        .args(["--today", EXAMPLES_TODAY, "--format", format, "--sarif"])
        .arg(sarif)
        .args(extra);
    if passes {
        cmd.arg("--include-passes");
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = std::fs::read_to_string(sarif).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    Scan {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        sarif: serde_json::from_str(&text).unwrap(),
    }
}

fn results(log: &Value) -> Vec<&Value> {
    log["runs"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|run| run["results"].as_array().into_iter().flatten())
        .collect()
}

fn is_record(result: &Value) -> bool {
    result["kind"]
        .as_str()
        .is_some_and(|k| RECORD_KINDS.contains(&k))
}

/// Run, tool times and paths differ between two scans; the results do not.
fn findings_of(log: &Value) -> Vec<Value> {
    results(log)
        .into_iter()
        .filter(|r| !is_record(r))
        .cloned()
        .collect()
}

#[test]
fn passes_are_sarif_records_of_their_resources_and_change_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "sam-orders",
        "sam-orders-hardened",
        "terraform-ledger-hardened",
    ] {
        for format in ["text", "markdown", "junit", "gitlab", "json"] {
            let with = scan(name, format, true, &dir.path().join("with.sarif"), &[]);
            let without = scan(name, format, false, &dir.path().join("without.sarif"), &[]);
            assert_eq!(with.code, without.code, "{name} {format}: the gate");
            // Outputs that show durations are compared without them.
            let steady = |s: &str| -> String {
                s.lines()
                    .filter(|l| !l.contains("time") && !l.contains("duration"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(
                steady(&with.stdout),
                steady(&without.stdout),
                "{name} {format}: the report"
            );
            assert_eq!(
                findings_of(&with.sarif),
                findings_of(&without.sarif),
                "{name}"
            );
            assert!(results(&without.sarif).iter().all(|r| !is_record(r)));
            if format != "text" {
                continue;
            }
            assert_valid_sarif(&with.sarif);
            let run = &with.sarif["runs"][0];
            let rules: Vec<&str> = run["tool"]["driver"]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap())
                .collect();
            let records: Vec<&Value> = results(&with.sarif)
                .into_iter()
                .filter(|r| is_record(r))
                .collect();
            assert!(records.len() > 10, "{name}: {} records", records.len());
            for r in &records {
                assert_eq!(r["level"], "none", "{r}");
                let id = r["ruleId"].as_str().unwrap();
                assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize], id);
                let resource = r["properties"]["resource"].as_str().unwrap();
                let location = &r["locations"][0];
                assert_eq!(
                    location["logicalLocations"][0]["fullyQualifiedName"],
                    resource
                );
                assert!(location["physicalLocation"]["region"]["startLine"].is_u64());
                assert!(r.get("partialFingerprints").is_none(), "{r}");
            }
            let passed = |rule: &str| {
                records
                    .iter()
                    .any(|r| r["kind"] == "pass" && r["ruleId"] == rule)
            };
            // Both examples have a DynamoDB table (point-in-time recovery, TG1201).
            if name.ends_with("hardened") {
                assert!(passed("TG1201"), "{name}");
            }
        }
    }
    // The hardened SAM example passes what its seeded twin fails, resource by resource.
    let seeded = scan("sam-orders", "text", true, &dir.path().join("s.sarif"), &[]);
    let hardened = scan(
        "sam-orders-hardened",
        "text",
        true,
        &dir.path().join("h.sarif"),
        &[],
    );
    let fails: Vec<(String, String)> = findings_of(&seeded.sarif)
        .iter()
        .filter(|r| r["ruleId"] == "TG1201" || r["ruleId"] == "TG1302")
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert!(!fails.is_empty());
    for (rule, resource) in &fails {
        assert!(
            results(&hardened.sarif).iter().any(|r| r["kind"] == "pass"
                && r["ruleId"] == rule.as_str()
                && r["properties"]["resource"] == resource.as_str()),
            "{rule} on {resource} does not pass in the hardened twin"
        );
    }
}

#[test]
fn merge_keeps_passes_and_baselines_ignore_them() {
    let dir = tempfile::tempdir().unwrap();
    let with = dir.path().join("with.sarif");
    let seeded = scan("sam-orders", "text", true, &with, &[]);
    let records = results(&seeded.sarif)
        .iter()
        .filter(|r| is_record(r))
        .count();
    assert!(records > 0);

    let merged = tollgate_cmd().arg("merge").arg(&with).output().unwrap();
    assert_eq!(merged.status.code(), Some(0));
    let merged: Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_valid_sarif(&merged);
    let kept = results(&merged).iter().filter(|r| is_record(r)).count();
    assert_eq!(kept, records, "merge keeps every record");

    // Against a baseline written with passes, every finding is known and nothing is new: the
    // records are not findings that could go missing or come back.
    let again = dir.path().join("again.sarif");
    let base = with.to_str().unwrap();
    let rerun = scan(
        "sam-orders",
        "json",
        false,
        &again,
        &["--baseline", base, "--fail-on", "low"],
    );
    assert_eq!(rerun.code, Some(0), "{}", rerun.stdout);
    let report: Value = serde_json::from_str(&rerun.stdout).unwrap();
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["baseline_state"] == "unchanged"));
    assert!(results(&rerun.sarif)
        .iter()
        .all(|r| r["baselineState"] != "absent"));
}

fn fake_github() -> FakeGitHub {
    FakeGitHub::start(Arc::new(OpenApi::load()), "")
}

/// `tollgate post` of a log written with and without passes: the same requests, comments,
/// annotations and verdict.
#[test]
fn posting_a_log_with_passes_publishes_only_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut published = Vec::new();
    for passes in [true, false] {
        let sarif: PathBuf = dir.path().join(format!("{passes}.sarif"));
        scan("sam-orders", "text", passes, &sarif, &[]);
        let gh = fake_github();
        let mut cmd = tollgate_cmd();
        // No GitHub Actions variables from the environment that runs the tests.
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("GITHUB_") {
                cmd.env_remove(key);
            }
        }
        let out = cmd
            .current_dir(example_dir("sam-orders"))
            .env("TEST_GH_TOKEN", "ghs_E2eS3cretTokenValue0123456789")
            .arg("post")
            .arg(&sarif)
            .args(["--repo", "acme/app", "--pr", "7", "--sha"])
            .arg("0123456789abcdef0123456789abcdef01234567")
            .args(["--api-url", &gh.url, "--token-env", "TEST_GH_TOKEN"])
            .args(["--fail-on", "medium", "--checkout"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(gh.violations(), Vec::<String>::new());
        assert_eq!(gh.count("code-scanning/upload-sarif"), 1, "{stderr}");
        let st = gh.state.lock().unwrap();
        let annotations: Vec<Value> = st.annotations.values().flatten().cloned().collect();
        assert!(!annotations.is_empty(), "{stderr}");
        // Links in the summary name the fake server, on its own port each time.
        let summary = st.issue_comments[0]["body"]
            .as_str()
            .unwrap()
            .replace(&gh.url, "GITHUB");
        published.push((
            out.status.code(),
            annotations,
            st.review_comments.len(),
            summary,
        ));
    }
    let (with, without) = (&published[0], &published[1]);
    assert_eq!(with.0, without.0, "the gate");
    assert_eq!(with.1.len(), without.1.len(), "annotations");
    assert!(with.1 == without.1, "the same annotations");
    assert_eq!(with.2, without.2, "review comments");
    assert!(
        with.3 == without.3,
        "the same summary:\n{}\n---\n{}",
        with.3,
        without.3
    );
}
