//! End-to-end: `init`, `rules`, `explain`, and the parse check on a CI workflow.

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::tollgate_bin;

fn tollgate() -> Command {
    let mut cmd = Command::new(tollgate_bin());
    cmd.env_remove("RUST_LOG").env("NO_COLOR", "1");
    cmd
}

#[test]
fn init_writes_a_config_that_runs_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    tollgate()
        .arg("init")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout("");
    let written = std::fs::read_to_string(dir.path().join("tollgate.toml")).unwrap();
    assert!(written.contains("# fail-on"), "{written}");
    // The default config is valid: a run over the directory reads it without complaint.
    tollgate()
        .current_dir(dir.path())
        .args(["run", "--stages", "parse", "--format", "json"])
        .assert()
        .code(0);
    let out = tollgate().arg("init").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to overwrite"));
}

#[test]
fn rules_and_explain_agree() {
    let out = tollgate()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rules: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert!(rules.iter().any(|r| r["code"] == "TG0001"));
    for rule in rules.iter().take(5) {
        let code = rule["code"].as_str().unwrap();
        let out = tollgate().args(["explain", code]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{code}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with(code), "{text}");
        assert!(text.contains(rule["title"].as_str().unwrap()), "{text}");
    }
    let out = tollgate().args(["explain", "TG00O1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown rule `TG00O1`"), "{stderr}");
    assert!(stderr.contains("TG0001"), "{stderr}");
}

#[test]
fn broken_workflow_is_reported_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::write(
        workflows.join("ci.yml"),
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [\n      - run: echo hi\n",
    )
    .unwrap();
    let out = tollgate()
        .current_dir(dir.path())
        .args([
            "run",
            "--stages",
            "parse",
            "--format",
            "json",
            "--fail-on",
            "medium",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "TG0001");
    assert_eq!(finding["location"]["path"], ".github/workflows/ci.yml");
    assert!(
        finding["location"]["region"]["start"]["line"]
            .as_u64()
            .unwrap()
            >= 5
    );
}
