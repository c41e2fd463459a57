//! End-to-end: evaluation bombs (templates whose values grow to gigabytes or loop forever when
//! evaluated) through the real binary, run with its address space and CPU seconds limited by
//! the operating system (`ulimit -v`, `ulimit -t`), never by a wall-clock assert. Past each
//! documented cap the value is unknown, a notification names the file, and the good template
//! next to the bomb is still checked.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tollgate_e2e::tollgate_bin;

/// A template with one finding of its own (TG1401: queue without encryption).
const GOOD_TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n";

/// Address space the run may map: far below what any bomb here would take unbounded (from
/// 625 MB to several GB of strings), with room for the runtime's threads and allocator arenas.
const ADDRESS_SPACE_KIB: u64 = 1536 * 1024;

/// CPU seconds the run may use (a debug build; a bounded run takes a few).
const CPU_SECONDS: u64 = 60;

/// `tollgate run . --format json` in `dir` under the limits; a run killed by them has no exit
/// code and fails the caller's assertions.
fn run_limited(dir: &Path) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && ulimit -t {CPU_SECONDS} && exec \"$0\" \"$@\""
        ))
        .arg(tollgate_bin())
        .args([
            "run",
            ".",
            "--no-progress",
            "--fail-on",
            "medium",
            "--format",
            "json",
        ])
        .current_dir(dir)
        .env_remove("RUST_LOG")
        // Fewer malloc arenas: each reserves address space the limit would count.
        .env("MALLOC_ARENA_MAX", "2")
        .env("NO_COLOR", "1")
        .output()
        .expect("sh and tollgate run")
}

/// Runs `tollgate` over the good template and `bomb` written at `path`; checks that the run
/// ended within the limits with the gate's exit code, that the good template's finding is
/// there, and that a notification for `path` contains `words`.
fn check_bounded(path: &str, bomb: &str, words: &str) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("good.yaml"), GOOD_TEMPLATE).unwrap();
    let at = root.join(path);
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::fs::write(&at, bomb).unwrap();
    let out = run_limited(root);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{path}: {:?}\n{stderr}",
        out.status
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "TG1401" && f["location"]["path"] == "good.yaml"),
        "{path}: {report:#}"
    );
    let notes = report["notifications"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["message"]
            .as_str()
            .is_some_and(|m| m.contains(path) && m.contains(words))),
        "{path}: no notification with {words:?}: {notes:#?}"
    );
}

/// `Fn::Sub` with 25,000 `${P}` of a 25 KB parameter default: 625 MB unbounded.
#[test]
fn cloudformation_sub_blow_up_is_unknown() {
    let mut t = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  P:\n    Type: String\n    Default: {}\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub \"",
        "p".repeat(25_000)
    );
    t.push_str(&"${P}".repeat(25_000));
    t.push_str("\"\n");
    check_bounded("bomb/sub.yaml", &t, "Fn::Sub");
}

/// `Fn::Join` with a 30 KB delimiter over 30,000 items: 900 MB unbounded.
#[test]
fn cloudformation_join_blow_up_is_unknown() {
    let mut t = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Join\n        - {}\n        - [",
        "d".repeat(30_000)
    );
    t.push_str(&vec!["a"; 30_000].join(", "));
    t.push_str("]\n");
    check_bounded("bomb/join.yaml", &t, "Fn::Join");
}

/// Thousands of `Fn::Sub`, each just under the per-function cap: the template's budget ends
/// them (64 MiB), not memory.
#[test]
fn cloudformation_many_large_subs_hit_the_template_budget() {
    let mut t = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  P:\n    Type: String\n    Default: {}\nResources:\n",
        "p".repeat(25_000)
    );
    let sub = "${P}".repeat(40);
    for i in 0..3_000 {
        t.push_str(&format!(
            "  T{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub \"{sub}\"\n"
        ));
    }
    check_bounded("bomb/many.yaml", &t, "bytes of strings");
}
