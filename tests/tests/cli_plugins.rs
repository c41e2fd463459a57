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
        .args([
            "run",
            "--format",
            "sarif",
            "--fail-on",
            "medium",
            "--allow-plugins",
        ])
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
        .args(["run", "--format", "json", "--allow-plugins"])
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

/// A config inside the scanned directory may come from a pull request: its plugins do not run
/// unless the user allows them (flag or environment, as the action sets it), or the config is
/// named with --config from outside the directory. A skipped plugin is said, never silent.
#[test]
fn plugins_of_a_config_inside_the_scanned_directory_need_consent() {
    let outer = tempfile::tempdir().unwrap();
    let repo = outer.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    let marker = outer.path().join("ran");
    let script = outer.path().join("plugin.sh");
    std::fs::write(
        &script,
        format!(
            "touch '{}'\necho '{{\"version\":\"2.1.0\",\"runs\":[]}}'\n",
            marker.display()
        ),
    )
    .unwrap();
    let config = format!(
        "[[stage.external]]\nname = \"touch\"\ncommand = \"sh\"\nargs = [\"{}\"]\n",
        script.display()
    );
    std::fs::write(repo.join("tollgate.toml"), &config).unwrap();
    let trusted_config = outer.path().join("trusted.toml");
    std::fs::write(&trusted_config, &config).unwrap();
    let run = |extra: &[&str], env: Option<&str>| {
        let _ = std::fs::remove_file(&marker);
        let mut cmd = Command::new(tollgate_bin());
        cmd.current_dir(&repo)
            .env_remove("TOLLGATE_ALLOW_PLUGINS")
            .args(["run", ".", "--format", "json", "--no-progress"])
            .args(extra);
        if let Some(value) = env {
            cmd.env("TOLLGATE_ALLOW_PLUGINS", value);
        }
        let out = cmd.output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), report, marker.exists())
    };

    let (code, report, ran) = run(&[], None);
    assert!(!ran, "the plugin of an in-tree config ran without consent");
    assert_eq!(code, Some(0));
    let note = &report["notifications"][0];
    assert_eq!(note["id"], "plugin-skipped", "{report:#}");
    assert_eq!(note["level"], "warning");
    let message = note["message"].as_str().unwrap();
    assert!(
        message.contains("`touch`") && message.contains("--allow-plugins"),
        "{message}"
    );
    // `--config` naming the same file inside the tree is no more trusted.
    let (_, report, ran) = run(&["--config", "tollgate.toml"], None);
    assert!(!ran);
    assert_eq!(report["notifications"][0]["id"], "plugin-skipped");
    let (_, _, ran) = run(&[], Some("false"));
    assert!(!ran);

    for (extra, env) in [
        (&["--allow-plugins"][..], None),
        (&[][..], Some("true")),
        (&["--config", trusted_config.to_str().unwrap()][..], None),
    ] {
        let (code, report, ran) = run(extra, env);
        assert!(ran, "{extra:?} {env:?}: the plugin did not run: {report:#}");
        assert_eq!(code, Some(0), "{report:#}");
        assert!(report["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["id"] != "plugin-skipped"));
    }
}
