//! End-to-end: external plugin stages, with the example plugin under `examples/plugins`.

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::{tollgate_bin, workspace_root};

fn python3() -> bool {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "python3 is required in CI"
    );
    found
}

#[test]
fn example_todo_scanner_results_count_toward_the_gate() {
    if !python3() {
        eprintln!("note: python3 not found; skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = workspace_root().join("examples/plugins/todo-scanner/todo_scanner.py");
    std::fs::copy(&script, dir.path().join("todo_scanner.py")).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/app.py"),
        "def charge(card):\n    # TODO(security): verify the webhook signature\n    return card\n",
    )
    .unwrap();
    // The example's own config snippet, as shipped.
    std::fs::copy(
        workspace_root().join("examples/plugins/todo-scanner/tollgate.toml"),
        dir.path().join("tollgate.toml"),
    )
    .unwrap();
    let out = Command::new(tollgate_bin())
        .current_dir(dir.path())
        .args(["run", "--format", "sarif", "--fail-on", "medium"])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        runs[1]["automationDetails"]["id"],
        "tollgate/ext/todo-scanner/"
    );
    let result = &runs[1]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/app.py"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

#[test]
fn failing_plugin_is_exit_2_and_the_rest_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tollgate.toml"),
        "[[stage.external]]\nname = \"broken\"\ncommand = \"sh\"\nargs = [\"-c\", \"echo nope; echo oops >&2; exit 4\"]\n",
    )
    .unwrap();
    let out = Command::new(tollgate_bin())
        .current_dir(dir.path())
        .args(["run", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let note = &report["notifications"][0];
    assert_eq!(note["id"], "plugin-failed");
    assert!(note["message"].as_str().unwrap().contains("oops"), "{note}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("plugin `broken`"), "{stderr}");
}
