//! End-to-end: what a new user meets first — a file as PATH, an empty directory, a config at
//! the repository's root, a subdirectory of a git repository with --diff-base, errors while
//! stdout is redirected, two outputs naming one file, `init`, `merge` without -o.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::{git, tollgate_bin};

const LAMBDA: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Charge:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Role: arn:aws:iam::123456789012:role/app\n      Code:\n        ZipFile: \"def handler(e, c): return e\"\n";

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn tollgate(dir: &Path) -> Command {
    let mut cmd = Command::new(tollgate_bin());
    cmd.current_dir(dir)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("GITHUB_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn output(cmd: &mut Command) -> (String, String, Option<i32>) {
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code(),
    )
}

#[test]
fn a_single_file_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("infra/template.yaml", LAMBDA),
            ("infra/other.yaml", LAMBDA),
        ],
    );
    let (text, stderr, code) = output(tollgate(dir.path()).args([
        "run",
        "infra/template.yaml",
        "--stages",
        "iac",
        "--fail-on",
        "none",
    ]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(text.contains("--> template.yaml:"), "{text}");
    assert!(!text.contains("other.yaml"), "{text}");
    assert!(
        text.contains("scanned 1 file (CloudFormation templates: 1)"),
        "{text}"
    );
}

#[test]
fn an_empty_directory_says_there_was_nothing_to_scan() {
    let dir = tempfile::tempdir().unwrap();
    let (text, _, code) = output(tollgate(dir.path()).args(["run", "."]));
    assert_eq!(code, Some(0));
    assert!(text.contains("nothing to scan"), "{text}");
    let (markdown, _, _) = output(tollgate(dir.path()).args(["run", ".", "--format", "markdown"]));
    assert!(markdown.contains("⚠️ Nothing to scan"), "{markdown}");
}

#[test]
fn errors_reach_stderr_when_stdout_is_a_report_for_machines() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["sarif", "text", "junit"] {
        let (_, stderr, code) =
            output(tollgate(dir.path()).args(["run", "missing-dir", "--format", format]));
        assert_eq!(code, Some(2));
        assert!(stderr.contains("error: cannot read"), "{format}: {stderr}");
        let (_, stderr, code) =
            output(tollgate(dir.path()).args(["run", ".", "--stages", "nope", "--format", format]));
        assert_eq!(code, Some(2));
        assert_eq!(
            stderr.matches("unknown stage `nope`").count(),
            1,
            "{stderr}"
        );
    }
}

#[test]
fn output_and_sarif_may_not_name_one_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("report.out", "keep")]);
    let (_, stderr, code) = output(tollgate(dir.path()).args([
        "run",
        ".",
        "--output",
        "report.out",
        "--sarif",
        "./report.out",
    ]));
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--output and --sarif both name"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("report.out")).unwrap(),
        "keep"
    );
}

/// A config at the repository's root applies to a scan of a subdirectory; `-v` and the SARIF
/// log say which file it was.
#[test]
fn config_is_found_up_to_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    write(
        dir.path(),
        &[
            (
                "tollgate.toml",
                "fail-on = \"low\"\n[rules.TG1001]\ndisable = true\n",
            ),
            ("services/orders/template.yaml", LAMBDA),
        ],
    );
    let sub = dir.path().join("services/orders");
    let (sarif, stderr, code) =
        output(tollgate(&sub).args(["run", ".", "--stages", "iac", "--format", "sarif", "-v"]));
    assert_eq!(
        code,
        Some(1),
        "fail-on low comes from the root config: {stderr}"
    );
    assert!(
        stderr.contains("using config") && stderr.contains("tollgate.toml"),
        "{stderr}"
    );
    let log: Value = serde_json::from_str(&sarif).unwrap();
    let run = &log["runs"][0];
    assert_eq!(
        run["invocations"][0]["properties"]["tollgate/config"],
        "../../tollgate.toml"
    );
    let rules: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        !rules.contains(&"TG1001"),
        "disabled by the root config: {rules:?}"
    );
}

/// --diff-base from a subdirectory of the repository compares the same subdirectory.
#[test]
fn diff_base_works_from_a_subdirectory() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    write(
        dir.path(),
        &[("app/template.yaml", LAMBDA), ("README.md", "x\n")],
    );
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    let base = git(dir.path(), &["rev-parse", "HEAD"]);
    let second = LAMBDA.replace("  Charge:", "  Refund:");
    let both = format!("{LAMBDA}{}", &second[second.find("  Refund:").unwrap()..]);
    write(dir.path(), &[("app/template.yaml", &both)]);
    git(dir.path(), &["commit", "-q", "-am", "head"]);
    let (json, stderr, _) = output(tollgate(&dir.path().join("app")).args([
        "run",
        ".",
        "--stages",
        "iac",
        "--format",
        "json",
        "--diff-base",
        &base,
    ]));
    assert!(!stderr.contains("not a git repository"), "{stderr}");
    let report: Value = serde_json::from_str(&json).unwrap();
    let states: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "TG1001")
        .map(|f| {
            (
                f["resource"].as_str().unwrap().to_string(),
                f["baseline_state"].as_str().unwrap_or("none").to_string(),
            )
        })
        .collect();
    assert!(
        states.contains(&("Charge".into(), "unchanged".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&("Refund".into(), "new".into())),
        "{states:?}"
    );
}

#[test]
fn init_writes_only_stages_that_run() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, code) = output(tollgate(dir.path()).args(["init"]));
    assert_eq!(code, Some(0));
    let text = std::fs::read_to_string(dir.path().join("tollgate.toml")).unwrap();
    // Uncomment the stages line: every stage it names runs.
    let uncommented: String = text
        .lines()
        .map(|l| match l.strip_prefix("# stages = ") {
            Some(rest) => format!("stages = {rest}"),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.path().join("tollgate.toml"), uncommented).unwrap();
    let (_, stderr, code) = output(tollgate(dir.path()).args(["run", "."]));
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn merge_without_o_writes_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[("a/template.yaml", LAMBDA), ("b/template.yaml", LAMBDA)],
    );
    for k in 1..=2 {
        let shard = format!("{k}/2");
        let file = format!("s{k}.sarif");
        let (_, _, code) = output(tollgate(dir.path()).args([
            "run", ".", "--stages", "iac", "--shard", &shard, "--sarif", &file,
        ]));
        assert!(matches!(code, Some(0 | 1)));
    }
    let (merged, stderr, code) =
        output(tollgate(dir.path()).args(["merge", "s1.sarif", "s2.sarif"]));
    assert_eq!(code, Some(0), "{stderr}");
    let log: Value = serde_json::from_str(&merged).unwrap();
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
}

/// The report tells users to run `tollgate explain GHSA-...`: it documents the advisory, by
/// id or any alias, from the database the scan used, offline.
#[test]
fn explain_documents_advisories_by_id_and_alias() {
    let example = tollgate_e2e::example_dir("sam-orders");
    for name in ["GHSA-x84v-xcm2-53pg", "CVE-2018-18074", "pysec-2018-28"] {
        let (text, stderr, code) = output(tollgate(&example).args(["explain", name]));
        assert_eq!(code, Some(0), "{name}: {stderr}");
        assert!(
            text.starts_with("GHSA-x84v-xcm2-53pg: Insufficiently Protected Credentials"),
            "{text}"
        );
        assert!(
            text.contains("aliases: CVE-2018-18074, PYSEC-2018-28"),
            "{text}"
        );
        assert!(
            text.contains("PyPI requests: introduced 0, fixed in 2.20.0"),
            "{text}"
        );
    }
    // From anywhere, with the database named.
    let elsewhere = tempfile::tempdir().unwrap();
    let db = tollgate_e2e::example_dir("advisories");
    let (text, _, code) = output(
        tollgate(elsewhere.path())
            .env("TOLLGATE_CACHE_DIR", elsewhere.path())
            .args(["explain", "CVE-2018-18074", "--advisory-db"])
            .arg(&db),
    );
    assert_eq!(code, Some(0));
    assert!(text.contains("GHSA-x84v-xcm2-53pg"));
    let (_, stderr, code) = output(
        tollgate(elsewhere.path())
            .env("TOLLGATE_CACHE_DIR", elsewhere.path())
            .args(["explain", "GHSA-0000-0000-0000", "--advisory-db"])
            .arg(&db),
    );
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("no advisory `GHSA-0000-0000-0000`"),
        "{stderr}"
    );
}
