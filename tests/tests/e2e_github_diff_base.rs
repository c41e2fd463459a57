//! End-to-end: `tollgate run --diff-base REF` scans the base revision from git's object store
//! and only findings the change introduced are `new` and fail the build.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::{git, tollgate_bin};

fn function(name: &str) -> String {
    format!("  {name}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Role: arn:aws:iam::123456789012:role/app\n      Code:\n        ZipFile: \"def handler(event, context): return event\"\n")
}

fn template(functions: &[&str]) -> String {
    let mut text = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n".to_string();
    for f in functions {
        text.push_str(&function(f));
    }
    text
}

fn commit(dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    for (path, text) in files {
        std::fs::write(dir.join(path), text).unwrap();
    }
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

/// A repository whose base has one problem function; returns it and the base commit.
fn repo() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    let base = commit(
        dir.path(),
        &[("template.yaml", &template(&["ChargeFunction"]))],
        "base",
    );
    (dir, base)
}

fn run(dir: &Path, base: &str) -> (Option<i32>, Value, String) {
    let mut cmd = Command::new(tollgate_bin());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("GITHUB_") {
            cmd.env_remove(key);
        }
    }
    let out = cmd
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args([
            "run",
            ".",
            "--offline",
            "--stages",
            "iac",
            "--format",
            "json",
        ])
        .args(["--fail-on", "low", "--diff-base", base])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr: {stderr}"));
    (out.status.code(), report, stderr)
}

/// (resource, baseline state) of every finding of `rule`.
fn states(report: &Value, rule: &str) -> Vec<(String, String)> {
    let mut v: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["resource"].as_str().unwrap_or_default().to_string(),
                f["baseline_state"].as_str().unwrap_or("none").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn only_the_problem_the_change_added_is_new_and_gates() {
    let (dir, base) = repo();
    // The head adds a second function with the same problem and moves the first one down:
    // fingerprints do not depend on lines.
    commit(
        dir.path(),
        &[(
            "template.yaml",
            &template(&["RefundFunction", "ChargeFunction"]),
        )],
        "head",
    );
    let (code, report, stderr) = run(dir.path(), &base);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        states(&report, "TG1001"),
        vec![
            ("ChargeFunction".to_string(), "unchanged".to_string()),
            ("RefundFunction".to_string(), "new".to_string()),
        ]
    );
    // The work tree is untouched: the base was never checked out over it.
    let text = std::fs::read_to_string(dir.path().join("template.yaml")).unwrap();
    assert!(text.contains("RefundFunction"));
    assert_eq!(git(dir.path(), &["status", "--porcelain"]), "");
}

#[test]
fn a_change_that_adds_no_problem_passes_and_a_fixed_one_is_absent() {
    let (dir, base) = repo();
    commit(dir.path(), &[("README.md", "docs\n")], "docs only");
    let (code, report, stderr) = run(dir.path(), &base);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        states(&report, "TG1001"),
        vec![("ChargeFunction".to_string(), "unchanged".to_string())]
    );

    // Replacing the function fixes the old finding and adds a new one.
    commit(
        dir.path(),
        &[("template.yaml", &template(&["OrdersFunction"]))],
        "rename",
    );
    let (code, report, stderr) = run(dir.path(), &base);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        states(&report, "TG1001"),
        vec![
            ("ChargeFunction".to_string(), "absent".to_string()),
            ("OrdersFunction".to_string(), "new".to_string()),
        ]
    );
}

#[test]
fn a_missing_base_commit_is_said_once_and_everything_counts() {
    let (dir, _) = repo();
    let (code, report, stderr) = run(dir.path(), "0123456789abcdef0123456789abcdef01234567");
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        stderr.matches("not in the local repository").count(),
        1,
        "{stderr}"
    );
    assert_eq!(
        states(&report, "TG1001"),
        vec![("ChargeFunction".to_string(), "none".to_string())]
    );
}

/// A change only in a file the template includes (`${file(...)}` of a Serverless service) is
/// still seen: the service file itself is the same blob in both revisions, but what was built
/// from it is not, so its findings are not taken from the head as they are.
#[test]
fn a_change_only_in_an_included_file_is_new() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    let service = "service: inc\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  hello: ${file(./functions.yml):hello}\n";
    let functions = |runtime: &str| format!("hello:\n  handler: app.main\n  runtime: {runtime}\n");
    let base = commit(
        dir.path(),
        &[
            ("serverless.yml", service),
            ("functions.yml", &functions("python3.12")),
        ],
        "base",
    );
    commit(
        dir.path(),
        &[("functions.yml", &functions("python3.7"))],
        "deprecated runtime",
    );
    let (code, report, stderr) = run(dir.path(), &base);
    assert_eq!(code, Some(1), "{stderr}");
    // The deprecated runtime is the change's; the function's other findings were there before.
    assert_eq!(
        states(&report, "TG1008"),
        vec![("HelloLambdaFunction".to_string(), "new".to_string())]
    );
    assert_eq!(
        states(&report, "TG1001"),
        vec![("HelloLambdaFunction".to_string(), "unchanged".to_string())]
    );
}
