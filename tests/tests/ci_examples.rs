//! The ready-to-copy CI examples (`examples/ci/`, `.pre-commit-hooks.yaml`) run as written:
//! every `tollgate` command they hold is run on a copy of the SAM example, and the reports
//! they promise are there and read back.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::{tollgate_bin, workspace_root};

/// `examples/sam-orders` and the advisories its config points at, copied side by side.
fn workspace_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for name in ["sam-orders", "advisories"] {
        copy_dir(
            &workspace_root().join("examples").join(name),
            &dir.path().join(name),
        );
    }
    let repo = dir.path().join("sam-orders");
    (dir, repo)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The `tollgate ...` commands of a CI file: from `tollgate` to the end of the line or of the
/// quoted string holding it.
fn commands(file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(workspace_root().join(file)).unwrap();
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim_start().starts_with("//"))
        .filter_map(|l| l.find("tollgate run").map(|i| &l[i..]))
        .map(|c| c.split('\'').next().unwrap())
        .map(|c| c.split_whitespace().skip(1).map(String::from).collect())
        .collect()
}

fn run(repo: &Path, args: &[String]) -> Option<i32> {
    Command::new(tollgate_bin())
        .current_dir(repo)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .args(args)
        .output()
        .unwrap()
        .status
        .code()
}

#[test]
fn gitlab_job_writes_code_quality_junit_and_sarif() {
    let (_dir, repo) = workspace_copy();
    let cmds = commands("examples/ci/gitlab-ci.yml");
    assert_eq!(cmds.len(), 2);
    assert_eq!(
        run(&repo, &cmds[0]),
        Some(0),
        "the JUnit run never fails the job"
    );
    assert_eq!(run(&repo, &cmds[1]), Some(1), "the Code Quality run gates");
    let quality: Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join("gl-code-quality.json")).unwrap())
            .unwrap();
    assert!(!quality.as_array().unwrap().is_empty());
    let junit = std::fs::read_to_string(repo.join("tollgate-junit.xml")).unwrap();
    roxmltree::Document::parse(&junit).unwrap();
    assert!(repo.join("tollgate.sarif").is_file());
}

#[test]
fn jenkins_stage_writes_junit_and_sarif() {
    let (_dir, repo) = workspace_copy();
    let cmds = commands("examples/ci/Jenkinsfile");
    assert_eq!(cmds.len(), 1);
    assert_eq!(run(&repo, &cmds[0]), Some(1));
    let junit = std::fs::read_to_string(repo.join("tollgate-junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&junit).unwrap();
    assert!(doc.descendants().any(|n| n.has_tag_name("failure")));
    assert!(repo.join("tollgate.sarif").is_file());
}

#[test]
fn shell_step_passes_the_verdict_on() {
    let (_dir, repo) = workspace_copy();
    let out = std::process::Command::new("sh")
        .arg(workspace_root().join("examples/ci/ci-step.sh"))
        .current_dir(&repo)
        .env("TOLLGATE", tollgate_bin())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("findings at or above the threshold"));
    for file in [
        "tollgate.sarif",
        "tollgate-summary.json",
        "tollgate-junit.xml",
    ] {
        assert!(repo.join(file).is_file(), "{file}");
    }
}

#[test]
fn pre_commit_hooks_run_as_declared() {
    let text = std::fs::read_to_string(workspace_root().join(".pre-commit-hooks.yaml")).unwrap();
    for key in [
        "- id: tollgate\n",
        "language: system",
        "pass_filenames: false",
    ] {
        assert!(text.contains(key), "{key}");
    }
    let (_dir, repo) = workspace_copy();
    let cmds = commands(".pre-commit-hooks.yaml");
    assert_eq!(cmds.len(), 2);
    // The whole-repository hook, then the per-file hook with a file pre-commit would pass.
    assert_eq!(run(&repo, &cmds[0]), Some(1));
    let mut per_file = cmds[1].clone();
    per_file.push("template.yaml".into());
    assert_eq!(run(&repo, &per_file), Some(1));
}
