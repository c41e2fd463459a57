//! End-to-end: the `tollgate` binary publishing to GitHub. A dry run in a pull request context
//! needs no token and lists every request; `--post` and `tollgate post` talk to the fake
//! GitHub server of tollgate-github's own tests (reused in place, so both suites check requests
//! against the same OpenAPI validator), and the token never reaches the captured output.

#[path = "../../crates/tollgate-github/tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use serde_json::Value;
use support::fake::FakeGitHub;
use support::openapi::OpenApi;
use tollgate_e2e::{git, tollgate_against_fake_github, workspace_root};

const TOKEN: &str = "ghs_E2eS3cretTokenValue0123456789";
const HEAD: &str = "0123456789abcdef0123456789abcdef01234567";
/// A Lambda function with default settings: TG1001 and friends fire on line 3 (low).
const TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  ChargeFunction:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Role: arn:aws:iam::123456789012:role/charge\n      Code:\n        ZipFile: \"def handler(event, context): return event\"\n";

fn fake_github() -> FakeGitHub {
    fake_github_for("template.yaml")
}

/// A fake GitHub whose pull request adds [`TEMPLATE`] at `path` (from the repository's root).
fn fake_github_for(path: &str) -> FakeGitHub {
    let api = Arc::new(OpenApi::load());
    let gh = FakeGitHub::start(api, "");
    let patch = format!(
        "@@ -0,0 +1,10 @@\n{}",
        TEMPLATE
            .lines()
            .map(|l| format!("+{l}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    gh.set_files(&[(path, &patch)]);
    gh
}

/// The binary with no GitHub Actions or proxy variables from the environment.
fn tollgate(dir: &Path) -> Command {
    Command::from_std(tollgate_against_fake_github(dir))
}

fn scan_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("template.yaml"), TEMPLATE).unwrap();
    dir
}

/// A repository whose base commit has only a README and whose head adds the template.
fn pr_repo() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::write(dir.path().join("README.md"), "app\n").unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    let base = git(dir.path(), &["rev-parse", "HEAD"]);
    std::fs::write(dir.path().join("template.yaml"), TEMPLATE).unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "head"]);
    let head = git(dir.path(), &["rev-parse", "HEAD"]);
    (dir, base, head)
}

fn event_fixture(name: &str) -> PathBuf {
    workspace_root().join(format!(
        "crates/tollgate-github/tests/fixtures/events/{name}.json"
    ))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn dry_run_in_a_pull_request_lists_every_request_without_a_token() {
    let (repo, base, head) = pr_repo();
    let out = tollgate(repo.path())
        .env("GITHUB_EVENT_PATH", event_fixture("pull_request"))
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_REPOSITORY", "acme/app")
        .args(["run", ".", "--offline", "--stages", "iac", "--dry-run"])
        .args(["--sha", &head, "--base", &base, "--fail-on", "low"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("dry run:"), "{stderr}");
    for request in [
        "POST /repos/acme/app/check-runs ",
        "PATCH /repos/acme/app/check-runs/",
        "POST /repos/acme/app/pulls/7/reviews ",
        "POST /repos/acme/app/issues/7/comments ",
        "POST /repos/acme/app/code-scanning/sarifs ",
    ] {
        assert!(
            stderr.contains(request),
            "missing `{request}` in:\n{stderr}"
        );
    }
    // The changed lines came from git: the files API is not asked.
    assert!(!stderr.contains("/pulls/7/files"), "{stderr}");
    // The base commit has no template: every finding is new.
    assert!(
        stderr.contains(&format!("commit_sha=\"{head}\"")),
        "{stderr}"
    );
    // stdout is the report alone.
    assert!(!text(&out.stdout).contains("check-runs"));
}

#[test]
fn post_publishes_to_the_api_and_never_prints_the_token() {
    let gh = fake_github();
    let dir = scan_dir();
    let sarif = dir.path().join("out.sarif");
    let out = tollgate(dir.path())
        .env("TEST_GH_TOKEN", TOKEN)
        .args(["run", ".", "--offline", "--stages", "iac", "--post", "-vv"])
        .args(["--repo", "acme/app", "--pr", "7", "--sha", HEAD])
        .args(["--api-url", &gh.url, "--token-env", "TEST_GH_TOKEN"])
        .args(["--fail-on", "low", "--format", "sarif", "--sarif"])
        .arg(&sarif)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    assert!(
        sarif.is_file(),
        "the SARIF log is written before publishing"
    );
    assert!(
        serde_json::from_str::<Value>(&stdout).is_ok(),
        "stdout stays SARIF"
    );
    assert_eq!(gh.violations(), Vec::<String>::new());
    assert_eq!(gh.count("checks/create"), 1, "{stderr}");
    // Annotations go in batches of 50 on updates; the last one completes the run.
    assert!(gh.count("checks/update") >= 1);
    assert_eq!(gh.count("pulls/create-review"), 1);
    assert_eq!(gh.count("issues/create-comment"), 1);
    assert_eq!(gh.count("code-scanning/upload-sarif"), 1);
    let st = gh.state.lock().unwrap();
    // The token was sent, only to the server.
    assert!(st.log.iter().all(|r| r
        .authorization
        .as_deref()
        .is_some_and(|a| a.ends_with(TOKEN))));
    let run = st.check_runs.values().next().unwrap();
    assert_eq!(run["conclusion"], "failure");
    assert_eq!(run["head_sha"], HEAD);
}

#[test]
fn post_without_a_token_exits_2_with_a_hint_after_writing_outputs() {
    let dir = scan_dir();
    let sarif = dir.path().join("out.sarif");
    let out = tollgate(dir.path())
        .env_remove("TEST_NO_TOKEN")
        .args(["run", ".", "--offline", "--stages", "iac", "--post"])
        .args(["--repo", "acme/app", "--pr", "7", "--sha", HEAD])
        .args([
            "--api-url",
            "http://127.0.0.1:9",
            "--token-env",
            "TEST_NO_TOKEN",
        ])
        .arg("--sarif")
        .arg(&sarif)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("$TEST_NO_TOKEN") && stderr.contains("hint:"),
        "{stderr}"
    );
    assert!(sarif.is_file());
}

#[test]
fn post_command_publishes_a_sarif_log_from_an_earlier_job() {
    let gh = fake_github();
    let dir = scan_dir();
    let sarif = dir.path().join("results.sarif");
    let scan = tollgate(dir.path())
        .args([
            "run",
            ".",
            "--offline",
            "--stages",
            "iac",
            "--fail-on",
            "none",
        ])
        .arg("--sarif")
        .arg(&sarif)
        .output()
        .unwrap();
    assert_eq!(scan.status.code(), Some(0), "{}", text(&scan.stderr));

    let out = tollgate(dir.path())
        .env("TEST_GH_TOKEN", TOKEN)
        .arg("post")
        .arg(&sarif)
        .args(["--repo", "acme/app", "--pr", "7", "--sha", HEAD])
        .args([
            "--api-url",
            &gh.url,
            "--token-env",
            "TEST_GH_TOKEN",
            "--no-code-scanning",
        ])
        .args(["--fail-on", "low"])
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    assert_eq!(gh.violations(), Vec::<String>::new());
    assert_eq!(gh.count("checks/create"), 1, "{stderr}");
    assert_eq!(gh.count("pulls/create-review"), 1);
    assert_eq!(gh.count("code-scanning/upload-sarif"), 0);
    let st = gh.state.lock().unwrap();
    let comments = st.review_comments.len();
    assert!(comments >= 1, "review comments on the added line");
    assert!(st.issue_comments[0]["body"]
        .as_str()
        .unwrap()
        .contains("TG1001"));
    drop(st);

    // A threshold above every finding passes, and a dry run needs no token.
    let out = tollgate(dir.path())
        .arg("post")
        .arg(&sarif)
        .args([
            "--repo",
            "acme/app",
            "--pr",
            "7",
            "--sha",
            HEAD,
            "--dry-run",
        ])
        .args(["--fail-on", "high", "--token-env", "TEST_NO_TOKEN"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("POST /repos/acme/app/check-runs"));
}

#[test]
fn a_read_only_fork_token_degrades_to_workflow_commands_without_failing_the_job() {
    let gh = fake_github();
    gh.state.lock().unwrap().read_only = true;
    let dir = scan_dir();
    let summary = dir.path().join("step-summary.md");
    let outputs = dir.path().join("outputs.txt");
    let out = tollgate(dir.path())
        .env("TEST_GH_TOKEN", TOKEN)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .args(["run", ".", "--offline", "--stages", "iac", "--post"])
        .args(["--repo", "acme/app", "--pr", "7", "--sha", HEAD])
        .args(["--api-url", &gh.url, "--token-env", "TEST_GH_TOKEN"])
        .args(["--fail-on", "high", "--format", "json"])
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    // The gate decides the exit code (nothing at or above high), not the refused token.
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN));
    assert_eq!(
        stderr.matches("the token cannot write").count(),
        1,
        "{stderr}"
    );
    assert!(
        stderr.contains("::notice file=template.yaml,line=3"),
        "{stderr}"
    );
    // Workflow commands stay out of the report on stdout.
    assert!(!stdout.contains("::notice"));
    assert!(serde_json::from_str::<Value>(&stdout).is_ok());
    assert_eq!(gh.count("pulls/create-review"), 0);
    assert!(std::fs::read_to_string(&summary)
        .unwrap()
        .contains("TG1001"));
    assert!(std::fs::read_to_string(&outputs)
        .unwrap()
        .contains("verdict=pass"));
}

/// A template in a subdirectory, scanned as `tollgate run services/api` (the action's `path:`
/// input): annotations and review comments name the file from the repository's root, for
/// `run --post` and for `post` of its log alike. The fake refuses a review comment on a file
/// outside the pull request's diff, so a scan-relative path would post none.
#[test]
fn a_subdirectory_scan_publishes_paths_from_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    std::fs::write(repo.join("README.md"), "app\n").unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "base"]);
    let base = git(repo, &["rev-parse", "HEAD"]);
    std::fs::create_dir_all(repo.join("services/api")).unwrap();
    std::fs::write(repo.join("services/api/template.yaml"), TEMPLATE).unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "head"]);
    let head = git(repo, &["rev-parse", "HEAD"]);
    let path = "services/api/template.yaml";
    let sarif = repo.join("out.sarif");
    let published = |gh: &FakeGitHub, stderr: &str| {
        assert_eq!(gh.violations(), Vec::<String>::new());
        let st = gh.state.lock().unwrap();
        let annotations = st.annotations.values().next().expect(stderr);
        assert!(!annotations.is_empty());
        assert!(
            annotations.iter().all(|a| a["path"] == path),
            "{annotations:?}"
        );
        assert!(!st.review_comments.is_empty(), "{stderr}");
        assert!(st.review_comments.iter().all(|c| c["path"] == path));
    };

    let gh = fake_github_for(path);
    let out = tollgate(repo)
        .env("TEST_GH_TOKEN", TOKEN)
        .args([
            "run",
            "services/api",
            "--offline",
            "--stages",
            "iac",
            "--post",
        ])
        .args([
            "--repo", "acme/app", "--pr", "7", "--sha", &head, "--base", &base,
        ])
        .args(["--api-url", &gh.url, "--token-env", "TEST_GH_TOKEN"])
        .args(["--no-code-scanning", "--fail-on", "none", "--sarif"])
        .arg(&sarif)
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    published(&gh, &stderr);

    // The trusted job of the fork-safe pattern: `post` of that log from the checkout's root.
    let gh = fake_github_for(path);
    let out = tollgate(repo)
        .env("TEST_GH_TOKEN", TOKEN)
        .arg("post")
        .arg(&sarif)
        .args([
            "--repo", "acme/app", "--pr", "7", "--sha", &head, "--base", &base,
        ])
        .args(["--api-url", &gh.url, "--token-env", "TEST_GH_TOKEN"])
        .args(["--no-code-scanning", "--fail-on", "none"])
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    published(&gh, &stderr);
}
