//! The GitHub Action's shell scripts (`action/*.sh`), run as the runner runs them: the install
//! script against a release server on 127.0.0.1 (download, checksum, tool cache, the choice
//! between a release and a source build), and the run script's arguments and outputs.
#![cfg(unix)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::Ordering;

use tollgate_e2e::{serve_files, tollgate_bin, workspace_root};

const VERSION: &str = "9.8.7";

/// RUNNER_ARCH of this machine and the archive target the install script picks for it.
fn runner_arch_and_target() -> (&'static str, &'static str) {
    match std::env::consts::ARCH {
        "aarch64" => ("ARM64", "aarch64-unknown-linux-musl"),
        _ => ("X64", "x86_64-unknown-linux-musl"),
    }
}

/// The release of VERSION as the release workflow publishes it, built with the packaging
/// script from the binary under test: `v9.8.7/<archive>` and `v9.8.7/SHA256SUMS`. Packaged
/// once per test process.
fn release_files() -> HashMap<String, Vec<u8>> {
    static FILES: std::sync::OnceLock<HashMap<String, Vec<u8>>> = std::sync::OnceLock::new();
    FILES.get_or_init(package_release).clone()
}

fn package_release() -> HashMap<String, Vec<u8>> {
    let (_, target) = runner_arch_and_target();
    let dist = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg(workspace_root().join("scripts/package.sh"))
        .args([VERSION, target])
        .arg(tollgate_bin())
        .arg(dist.path())
        .status()
        .unwrap();
    assert!(status.success());
    let archive = format!("tollgate-{VERSION}-{target}.tar.gz");
    let sums = std::fs::read(dist.path().join(format!("{archive}.sha256"))).unwrap();
    HashMap::from([
        (
            format!("v{VERSION}/{archive}"),
            std::fs::read(dist.path().join(&archive)).unwrap(),
        ),
        (format!("v{VERSION}/SHA256SUMS"), sums),
    ])
}

struct Runner {
    temp: tempfile::TempDir,
}

impl Runner {
    fn new() -> Self {
        let temp = tempfile::tempdir().unwrap();
        for dir in ["tool-cache", "temp", "fake-bin"] {
            std::fs::create_dir_all(temp.path().join(dir)).unwrap();
        }
        // A `tollgate` on PATH that must never be picked up unless asked for.
        let fake = temp.path().join("fake-bin/tollgate");
        std::fs::write(
            &fake,
            "#!/bin/sh\necho 'tollgate 0.0.0 (commit fake, fake)'\n",
        )
        .unwrap();
        std::process::Command::new("chmod")
            .arg("755")
            .arg(&fake)
            .status()
            .unwrap();
        Runner { temp }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.temp.path().join(rel)
    }

    /// Runs `action/install.sh` with the runner's environment; returns its output and the
    /// step outputs it wrote.
    fn install(&self, env: &[(&str, &str)]) -> (Output, HashMap<String, String>) {
        let (arch, _) = runner_arch_and_target();
        let outputs = self.path("github-output");
        let _ = std::fs::remove_file(&outputs);
        let path = format!(
            "{}:{}",
            self.path("fake-bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("bash");
        cmd.arg(workspace_root().join("action/install.sh"))
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.temp.path())
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", arch)
            .env("RUNNER_TOOL_CACHE", self.path("tool-cache"))
            .env("RUNNER_TEMP", self.path("temp"))
            .env("GITHUB_OUTPUT", &outputs)
            .env("TOLLGATE_ACTION_PATH", workspace_root());
        for (key, value) in env {
            cmd.env(key, value);
        }
        let output = cmd.output().unwrap();
        (output, read_outputs(&outputs))
    }
}

fn read_outputs(path: &Path) -> HashMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn release_ref_installs_the_verified_archive_once() {
    let (base, hits) = serve_files(release_files());
    let runner = Runner::new();
    let env = [
        ("TOLLGATE_ACTION_REF", "v9.8.7"),
        ("TOLLGATE_DOWNLOAD_URL", base.as_str()),
    ];
    let (out, outputs) = runner.install(&env);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(outputs["mode"], "release");
    assert_eq!(outputs["version"], VERSION);
    let bin = PathBuf::from(&outputs["bin"]);
    assert!(
        bin.starts_with(runner.path("tool-cache/tollgate/9.8.7")),
        "{bin:?}"
    );
    assert!(
        stderr(&out).contains("verified tollgate-9.8.7-"),
        "{}",
        stderr(&out)
    );
    let version = Command::new(&bin).arg("-V").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("tollgate "));
    assert_eq!(hits.load(Ordering::SeqCst), 2, "SHA256SUMS and the archive");

    // The second job on the same runner takes the tool cache and downloads nothing.
    let (again, outputs) = runner.install(&env);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(PathBuf::from(&outputs["bin"]), bin);
    assert!(stderr(&again).contains("from the tool cache"));
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[test]
fn a_checksum_mismatch_refuses_to_install() {
    let mut files = release_files();
    let (_, target) = runner_arch_and_target();
    let archive = format!("tollgate-{VERSION}-{target}.tar.gz");
    files.insert(
        format!("v{VERSION}/SHA256SUMS"),
        format!("{}  {archive}\n", "0".repeat(64)).into_bytes(),
    );
    let (base, _) = serve_files(files.clone());
    let runner = Runner::new();
    let (out, outputs) = runner.install(&[
        ("TOLLGATE_ACTION_REF", "v9.8.7"),
        ("TOLLGATE_DOWNLOAD_URL", base.as_str()),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("::error title=tollgate install::checksum mismatch for tollgate-9.8.7-"),
        "{err}"
    );
    assert!(err.contains("Refusing to run it"), "{err}");
    assert!(!outputs.contains_key("bin"));
    assert!(!runner.path("tool-cache/tollgate/9.8.7").exists());

    // A SHA256SUMS without a line for the archive is refused the same way.
    files.insert(
        format!("v{VERSION}/SHA256SUMS"),
        format!("{}  tollgate-{VERSION}-other.tar.gz\n", "a".repeat(64)).into_bytes(),
    );
    let (base, _) = serve_files(files);
    let (out, _) = runner.install(&[
        ("TOLLGATE_ACTION_REF", "v9.8.7"),
        ("TOLLGATE_DOWNLOAD_URL", base.as_str()),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has no checksum for"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_version_input_wins_and_a_missing_release_is_an_error() {
    let (base, _) = serve_files(release_files());
    let runner = Runner::new();
    let (out, outputs) = runner.install(&[
        ("TOLLGATE_ACTION_REF", "main"),
        ("TOLLGATE_VERSION_INPUT", "v9.8.7"),
        ("TOLLGATE_DOWNLOAD_URL", base.as_str()),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(outputs["mode"], "release");
    let (out, _) = runner.install(&[
        ("TOLLGATE_VERSION_INPUT", "9.9.9"),
        ("TOLLGATE_DOWNLOAD_URL", base.as_str()),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("tollgate 9.9.9 could not be downloaded"));
    let (out, _) = runner.install(&[("TOLLGATE_VERSION_INPUT", "latest; rm -rf /")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is not a release version"));
}

#[test]
fn a_branch_builds_from_source_and_path_is_used_only_when_asked() {
    let runner = Runner::new();
    let (out, outputs) = runner.install(&[("TOLLGATE_ACTION_REF", "main")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        outputs["mode"], "source",
        "the tollgate on PATH is not used"
    );
    assert_eq!(outputs["lock-hash"].len(), 64);
    assert!(!outputs.contains_key("bin"));

    let (out, outputs) = runner.install(&[
        ("TOLLGATE_ACTION_REF", "main"),
        ("TOLLGATE_USE_INSTALLED", "true"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(outputs["mode"], "installed");
    assert_eq!(
        PathBuf::from(&outputs["bin"]),
        runner.path("fake-bin/tollgate")
    );
}

#[test]
fn a_commit_ref_takes_the_release_only_when_built_from_that_commit() {
    // An action checkout whose Cargo.toml says 9.8.7.
    let action = tempfile::tempdir().unwrap();
    std::fs::write(
        action.path().join("Cargo.toml"),
        "[workspace.package]\nversion = \"9.8.7\"\n",
    )
    .unwrap();
    std::fs::write(action.path().join("Cargo.lock"), "# lock\n").unwrap();
    let (base, _) = serve_files(release_files());
    let runner = Runner::new();
    let action_path = action.path().to_str().unwrap();

    let other = "0123456789abcdef0123456789abcdef01234567";
    let (out, outputs) = runner.install(&[
        ("TOLLGATE_ACTION_REF", other),
        ("TOLLGATE_ACTION_PATH", action_path),
        ("TOLLGATE_DOWNLOAD_URL", base.as_str()),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(outputs["mode"], "source");
    assert!(stderr(&out).contains("release 9.8.7 was built from"));

    // The commit the binary under test says it was built from, as a full 40-digit ref.
    let version = Command::new(tollgate_bin()).arg("-V").output().unwrap();
    let first = String::from_utf8(version.stdout).unwrap();
    let commit = first
        .split("(commit ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .unwrap()
        .to_string();
    assert!(commit.chars().all(|c| c.is_ascii_hexdigit()), "{first}");
    let full = format!("{commit:0<40}");
    let (out, outputs) = runner.install(&[
        ("TOLLGATE_ACTION_REF", full.as_str()),
        ("TOLLGATE_ACTION_PATH", action_path),
        ("TOLLGATE_DOWNLOAD_URL", base.as_str()),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(outputs["mode"], "release");
}

/// Runs `action/run.sh` on an example with the given inputs; returns the exit code and the
/// step outputs.
fn run_script(inputs: &[(&str, &str)], cwd: &Path) -> (Output, HashMap<String, String>) {
    let outputs = cwd.join("github-output");
    let _ = std::fs::remove_file(&outputs);
    let mut cmd = Command::new("bash");
    cmd.arg(workspace_root().join("action/run.sh"))
        .current_dir(cwd)
        .env_remove("GITHUB_TOKEN")
        .env("NO_COLOR", "1")
        .env("TOLLGATE_BIN", tollgate_bin())
        .env("RUNNER_TEMP", cwd)
        .env("GITHUB_OUTPUT", &outputs)
        .env("TOLLGATE_GITHUB_TOKEN", "ghs_never_printed");
    for (key, value) in inputs {
        cmd.env(key, value);
    }
    let output = cmd.output().unwrap();
    (output, read_outputs(&outputs))
}

#[test]
fn run_script_passes_each_input_as_one_argument_and_sets_outputs() {
    let work = tempfile::tempdir().unwrap();
    let example = workspace_root().join("examples/sam-orders");
    let (out, outputs) = run_script(
        &[
            ("INPUT_PATH", example.to_str().unwrap()),
            ("INPUT_FAIL_ON", "medium"),
            ("INPUT_FORMAT", "json"),
            ("INPUT_ARGS", "--today\n2026-11-28\n"),
        ],
        work.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(outputs["verdict"], "fail");
    assert_eq!(outputs["exit-code"], "1");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs["summary-file"]).unwrap()).unwrap();
    for severity in ["critical", "high", "medium", "low", "info"] {
        assert_eq!(
            outputs[severity],
            summary["summary"]["by_severity"][severity].to_string(),
            "{severity}"
        );
    }
    assert_eq!(outputs["new-findings"], summary["new"].to_string());
    assert_ne!(outputs["high"], "0");
    assert!(work.path().join(&outputs["sarif-file"]).is_file());

    // Shell syntax in an input is one literal argument: tollgate rejects it, nothing runs.
    let (out, outputs) = run_script(
        &[
            ("INPUT_PATH", example.to_str().unwrap()),
            ("INPUT_ARGS", "$(touch pwned) `touch pwned2`; touch pwned3"),
            ("INPUT_STAGES", "iac; touch pwned4"),
        ],
        work.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(outputs["verdict"], "error");
    for name in ["pwned", "pwned2", "pwned3", "pwned4"] {
        assert!(!work.path().join(name).exists(), "{name}");
    }
    assert!(!String::from_utf8_lossy(&out.stdout).contains("ghs_never_printed"));
    assert!(!stderr(&out).contains("ghs_never_printed"));
}

const HEAD: &str = "1111111111111111111111111111111111111111";

/// A zip of `files` (name, bytes), written with Python's zipfile as upload-artifact's are read.
fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        names.push(name.to_string());
    }
    let status = Command::new("python3")
        .current_dir(dir.path())
        .args(["-m", "zipfile", "-c", "out.zip"])
        .args(&names)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read(dir.path().join("out.zip")).unwrap()
}

/// A fake GitHub API for run 5 of o/r: its artifact list, the artifact's zip, and pull
/// request 7 whose head is `pr_head`.
fn fake_api(zip: Vec<u8>, claimed_size: usize, pr_head: &str) -> String {
    let list = serde_json::json!({"artifacts": [
        {"id": 9, "name": "tollgate-results", "size_in_bytes": claimed_size, "expired": false}
    ]});
    let pull = serde_json::json!({"number": 7, "head": {"sha": pr_head}});
    let (base, _) = serve_files(HashMap::from([
        (
            "repos/o/r/actions/runs/5/artifacts?name=tollgate-results".to_string(),
            list.to_string().into_bytes(),
        ),
        ("repos/o/r/actions/artifacts/9/zip".to_string(), zip),
        (
            "repos/o/r/pulls/7".to_string(),
            pull.to_string().into_bytes(),
        ),
    ]));
    base
}

fn check_artifact(api: &str, work: &Path) -> (Output, HashMap<String, String>) {
    let outputs = work.join("github-output");
    let _ = std::fs::remove_file(&outputs);
    let output = Command::new("bash")
        .arg(workspace_root().join("action/check-artifact.sh"))
        .env("RUN_ID", "5")
        .env("EXPECTED_HEAD_SHA", HEAD)
        .env("REPO", "o/r")
        .env("GH_TOKEN", "ghs_test")
        .env("GITHUB_API_URL", api)
        .env("TOLLGATE_BIN", tollgate_bin())
        .env("RUNNER_TEMP", work)
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    (output, read_outputs(&outputs))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn untrusted_results_are_checked_before_publishing() {
    let work = tempfile::tempdir().unwrap();
    let sarif_path = work.path().join("scan.sarif");
    let status = Command::new(tollgate_bin())
        .arg("run")
        .arg(workspace_root().join("examples/sam-orders"))
        .args([
            "--fail-on",
            "none",
            "--format",
            "json",
            "--no-progress",
            "--sarif",
        ])
        .arg(&sarif_path)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let sarif = std::fs::read(&sarif_path).unwrap();
    let head_line = format!("{HEAD}\n");
    let good = [
        ("tollgate.sarif", sarif.as_slice()),
        ("pr-number", b"7\n".as_slice()),
        ("head-sha", head_line.as_bytes()),
    ];

    let zip = zip_of(&good);
    let (out, outputs) = check_artifact(&fake_api(zip.clone(), zip.len(), HEAD), work.path());
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(outputs["pr"], "7");
    let checked: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&outputs["sarif-file"]).unwrap()).unwrap();
    assert_eq!(checked["version"], "2.1.0");

    let refused = |api: String, expected: &str| {
        let (out, outputs) = check_artifact(&api, work.path());
        assert_eq!(out.status.code(), Some(1), "{expected}: {}", stdout(&out));
        assert!(
            stdout(&out).contains(expected),
            "{expected}: {}",
            stdout(&out)
        );
        assert!(!outputs.contains_key("sarif-file"), "{expected}");
    };
    // The pull request's head is another commit: the number was forged.
    refused(
        fake_api(zip.clone(), zip.len(), &"2".repeat(40)),
        "refusing to publish to it",
    );
    // The artifact says it is too large before any download.
    refused(
        fake_api(zip.clone(), 17 << 20, HEAD),
        "over the 16777216 limit",
    );
    // A fourth file, or a file missing.
    let extra = zip_of(&[good[0], good[1], good[2], ("run.sh", b"echo hi")]);
    refused(
        fake_api(extra.clone(), extra.len(), HEAD),
        "not what scan-untrusted.yml uploads",
    );
    let missing = zip_of(&[good[0], good[1]]);
    refused(
        fake_api(missing.clone(), missing.len(), HEAD),
        "not what scan-untrusted.yml uploads",
    );
    // A pull request number that is not one.
    let bad_number = zip_of(&[good[0], ("pr-number", b"7; rm -rf /"), good[2]]);
    refused(
        fake_api(bad_number.clone(), bad_number.len(), HEAD),
        "pr-number is not a pull request number",
    );
    // A log that is not SARIF.
    let not_sarif = zip_of(&[("tollgate.sarif", b"{\"runs\": 3}"), good[1], good[2]]);
    refused(
        fake_api(not_sarif.clone(), not_sarif.len(), HEAD),
        "tollgate.sarif is not a valid SARIF log",
    );
    // A file larger than its limit, whatever the listing said.
    let big_number = zip_of(&[good[0], ("pr-number", &[b'1'; 64]), good[2]]);
    refused(
        fake_api(big_number.clone(), big_number.len(), HEAD),
        "not what scan-untrusted.yml uploads",
    );
}

/// Runs `action/report.sh` with the given inputs; returns the exit code and the step outputs.
fn report_script(inputs: &[(&str, &str)], cwd: &Path) -> (Output, HashMap<String, String>) {
    let outputs = cwd.join("github-output");
    let _ = std::fs::remove_file(&outputs);
    let mut cmd = Command::new("bash");
    cmd.arg(workspace_root().join("action/report.sh"))
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("TOLLGATE_BIN", tollgate_bin())
        .env("RUNNER_TEMP", cwd)
        .env("GITHUB_OUTPUT", &outputs);
    for (key, value) in inputs {
        cmd.env(key, value);
    }
    let output = cmd.output().unwrap();
    (output, read_outputs(&outputs))
}

#[test]
fn report_script_writes_the_html_report_only_when_asked() {
    let work = tempfile::tempdir().unwrap();
    let example = workspace_root().join("examples/sam-orders");
    let path = ("INPUT_PATH", example.to_str().unwrap());
    // `auto` with a config that names no framework: no report, an empty `file` output.
    let (out, outputs) = report_script(&[path], work.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(outputs["file"], "");
    assert!(!work
        .path()
        .join("tollgate-compliance")
        .read_dir()
        .unwrap()
        .any(|_| true));

    // A config naming a framework: `auto` makes the report.
    let config = work.path().join("tollgate.toml");
    std::fs::write(
        &config,
        "[compliance]\nframeworks = [\"hipaa\"]\n[stage.deps]\noffline = true\n",
    )
    .unwrap();
    let (out, outputs) = report_script(
        &[path, ("INPUT_CONFIG", config.to_str().unwrap())],
        work.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&outputs["file"]).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(html.contains("HIPAA"));
    assert!(!html.contains("PCI-DSS"), "only the configured framework");

    // `false` makes none; a value that is none of the three is an error, not a guess.
    let (out, outputs) = report_script(&[path, ("INPUT_COMPLIANCE_REPORT", "false")], work.path());
    assert!(out.status.success());
    assert_eq!(outputs["file"], "");
    let (out, _) = report_script(&[path, ("INPUT_COMPLIANCE_REPORT", "yes")], work.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("must be auto, true or false"));
}
