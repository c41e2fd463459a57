//! End-to-end: hostile files through the real binary. Each one is reported by name, the run
//! goes on and still reports the real problem in a good template next to them, the exit code
//! is the gate's (a bad file is not a tool failure), and the run ends in bounded time: the
//! binary runs under a generous `timeout` (a hang fails the test instead of stalling CI).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tollgate_e2e::tollgate_bin;

const GOOD_TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n";

/// Nine levels of nine aliases each: 9^10 nodes if expanded.
fn billion_laughs() -> String {
    let mut text = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    text.push_str("  L0: &l0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 9].join(", ");
        text.push_str(&format!("  L{i}: &l{i} [{refs}]\n"));
    }
    text
}

fn deep_json() -> String {
    format!(
        "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {{\"Deep\": {{\"Type\": \"AWS::SQS::Queue\", \"Properties\": {{\"Tags\": {}{}}}}}}}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    )
}

fn write(root: &Path, path: &str, bytes: &[u8]) {
    std::fs::write(root.join(path), bytes).unwrap();
}

/// `tollgate run` under `timeout 300` (seconds; the run takes well under one here).
fn run_bounded(dir: &Path, format: &str) -> Output {
    let mut cmd = Command::new("timeout");
    cmd.arg("300")
        .arg(tollgate_bin())
        .args([
            "run",
            ".",
            "--no-progress",
            "--fail-on",
            "medium",
            "--format",
            format,
        ])
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    let out = cmd.output().expect("timeout and tollgate run");
    assert_ne!(
        out.status.code(),
        Some(124),
        "tollgate did not finish in time"
    );
    out
}

#[test]
fn hostile_files_are_reported_and_the_run_goes_on() {
    let outside = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "good.yaml", GOOD_TEMPLATE.as_bytes());
    write(root, "laughs.yaml", billion_laughs().as_bytes());
    write(root, "deep.json", deep_json().as_bytes());
    write(
        root,
        "latin1.yaml",
        b"AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: \"caf\xe9 \xff\"\nResources: {}\n",
    );
    // 50 MB, ten times the default size cap: skipped without being read.
    let mut huge = b"{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Description\": \"".to_vec();
    huge.resize(50 * 1024 * 1024, b'x');
    huge.extend_from_slice(b"\"}\n");
    write(root, "huge.json", &huge);
    // A link to a template outside the root: its (real) finding must not show up.
    std::fs::write(outside.path().join("stolen.yaml"), GOOD_TEMPLATE).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path().join("stolen.yaml"), root.join("link.yaml")).unwrap();

    let out = run_bounded(root, "json");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The gate fails on the good template's finding; nothing about the bad files is a tool
    // failure (that would be 2).
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let found = |rule: &str, path: &str| {
        findings
            .iter()
            .any(|f| f["rule"] == rule && f["location"]["path"] == path)
    };
    assert!(found("TG1401", "good.yaml"), "{report:#}");
    assert!(found("TG0001", "laughs.yaml"), "{report:#}");
    assert!(found("TG0001", "deep.json"), "{report:#}");
    assert!(
        findings
            .iter()
            .all(|f| f["location"]["path"] != "link.yaml"),
        "a template outside the root was read: {report:#}"
    );
    let notes = report["notifications"].as_array().unwrap();
    let note_for = |path: &str, words: &str| {
        notes.iter().any(|n| {
            n["location"]["path"] == path
                && n["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(path) && m.contains(words))
        })
    };
    assert!(note_for("laughs.yaml", "alias"), "{notes:#?}");
    assert!(note_for("deep.json", "nesting"), "{notes:#?}");
    assert!(note_for("huge.json", "larger than"), "{notes:#?}");
    assert!(note_for("latin1.yaml", "UTF-8"), "{notes:#?}");
    #[cfg(unix)]
    assert!(note_for("link.yaml", "outside"), "{notes:#?}");
    assert!(notes.iter().all(|n| n["level"] != "error"), "{notes:#?}");
    assert_eq!(report["verdict"], "fail");

    // The person at the terminal sees the same, in words.
    let out = run_bounded(root, "text");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    for name in [
        "laughs.yaml",
        "deep.json",
        "huge.json",
        "latin1.yaml",
        "good.yaml",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    assert!(
        !text.contains(&outside.path().display().to_string()),
        "{text}"
    );
}
