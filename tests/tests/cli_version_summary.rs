//! End-to-end: `tollgate --version` and `tollgate run --summary FILE`.

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::{tollgate_bin, workspace_root};

fn tollgate() -> Command {
    let mut cmd = Command::new(tollgate_bin());
    cmd.env_remove("RUST_LOG").env("NO_COLOR", "1");
    cmd
}

#[test]
fn version_names_build_catalog_and_database() {
    let cache = tempfile::tempdir().unwrap();
    let out = tollgate()
        .arg("--version")
        .env("TOLLGATE_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("tollgate {} (commit ", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    let rules = tollgate()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: Vec<Value> = serde_json::from_slice(&rules.stdout).unwrap();
    assert!(
        text.contains(&format!("\nrules: {} built in, catalog ", rules.len())),
        "{text}"
    );
    assert!(text.contains("advisory database: none cached in"), "{text}");
    // -V says the same.
    let short = tollgate()
        .arg("-V")
        .env("TOLLGATE_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(short.stdout).unwrap(), text);
}

#[test]
fn summary_file_carries_verdict_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let examples = workspace_root().join("examples");
    for (example, verdict, code) in [
        ("sam-orders", "fail", 1),
        ("sam-orders-hardened", "pass", 0),
    ] {
        let summary = dir.path().join(format!("{example}.json"));
        let sarif = dir.path().join(format!("{example}.sarif"));
        let report = tollgate()
            .arg("run")
            .arg(examples.join(example))
            .args(["--format", "json", "--fail-on", "medium", "--no-progress"])
            .arg("--summary")
            .arg(&summary)
            .arg("--sarif")
            .arg(&sarif)
            .output()
            .unwrap();
        assert_eq!(report.status.code(), Some(code), "{example}");
        let report: Value = serde_json::from_slice(&report.stdout).unwrap();
        let written: Value =
            serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
        assert_eq!(written["verdict"], verdict, "{example}");
        assert_eq!(written["summary"], report["summary"], "{example}");
        assert_eq!(written["new"], report["summary"]["active"], "{example}");
        assert_eq!(written["sarif"], sarif.to_str().unwrap());
    }
    // A run that stops before scanning still writes it, with the error verdict.
    let summary = dir.path().join("error.json");
    tollgate()
        .arg("run")
        .arg(examples.join("sam-orders"))
        .args(["--stages", "no-such-stage", "--format", "json"])
        .arg("--summary")
        .arg(&summary)
        .assert()
        .code(2);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(written["verdict"], "error");
}
