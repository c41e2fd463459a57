//! End-to-end: a file that cannot be parsed is never a silent pass. It is named in every
//! output, and `--strict` (config `strict = true`) makes it a tool failure.

use serde_json::Value;
use tollgate_e2e::{tollgate_cmd, workspace_root};

/// A lockfile cut off in the middle: the dependencies after line 4 are never checked.
const CUT_LOCKFILE: &str = "{\n  \"name\": \"app\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/log4js\": {\"version\": \n";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package-lock.json"), CUT_LOCKFILE).unwrap();
    dir
}

fn run(dir: &std::path::Path, extra: &[&str]) -> (String, Option<i32>) {
    let advisories = workspace_root().join("examples/advisories");
    let out = tollgate_cmd()
        .current_dir(dir)
        .args([
            "run",
            ".",
            "--no-progress",
            "--stages",
            "deps",
            "--advisory-db",
        ])
        .arg(&advisories)
        .args(extra)
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

#[test]
fn an_unparsed_lockfile_is_named_in_every_output() {
    let dir = repo();
    let (text, code) = run(dir.path(), &["--format", "text"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("package-lock.json"), "{text}");
    assert!(text.contains("1 file not checked"), "{text}");

    let (markdown, _) = run(dir.path(), &["--format", "markdown"]);
    assert!(markdown.contains("files not checked: 1"), "{markdown}");
    assert!(markdown.contains("`package-lock.json:"), "{markdown}");

    let (json, _) = run(dir.path(), &["--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["summary"]["not_checked"], 1, "{report:#}");

    let (sarif, _) = run(dir.path(), &["--format", "sarif"]);
    let log: Value = serde_json::from_str(&sarif).unwrap();
    let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let note = notes
        .iter()
        .find(|n| n["descriptor"]["id"] == "parse-error")
        .expect("a parse-error notification");
    let place = &note["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "package-lock.json");
    assert!(
        place["region"]["startLine"].as_u64().unwrap() >= 1,
        "{note:#}"
    );
}

#[test]
fn strict_mode_fails_closed() {
    let dir = repo();
    let (json, code) = run(dir.path(), &["--format", "json", "--strict"]);
    assert_eq!(code, Some(2), "{json}");
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["verdict"], "error");
    let first = &report["notifications"][0];
    assert_eq!(first["id"], "strict-incomplete", "{report:#}");
    assert!(first["message"].as_str().unwrap().contains("parse-error"));

    // The same from the config file.
    std::fs::write(dir.path().join("tollgate.toml"), "strict = true\n").unwrap();
    let (_, code) = run(dir.path(), &["--format", "json"]);
    assert_eq!(code, Some(2));

    // A clean repository passes in strict mode too.
    let clean = tempfile::tempdir().unwrap();
    let (out, code) = run(clean.path(), &["--format", "json", "--strict"]);
    assert_eq!(code, Some(0), "{out}");
}
