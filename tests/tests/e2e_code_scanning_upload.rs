//! End-to-end: what the code-scanning upload sends, decoded as the fake GitHub received it,
//! against what the earlier way of making it (the whole log read back into one JSON value,
//! rebased, its recorded checks taken out, written again) gives for the log `--sarif` wrote:
//! for `run --post` and for `post`, from a subdirectory of the repository (paths rebased) and
//! from its root, with evaluations recorded (taken out) and a plugin's run alongside, and for a
//! log over GitHub's 10 MB limit.

#[path = "../../crates/tollgate-github/tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use support::fake::FakeGitHub;
use support::openapi::OpenApi;
use tollgate_e2e::{git, tollgate_against_fake_github};

const TOKEN: &str = "ghs_E2eS3cretTokenValue0123456789";
const HEAD: &str = "0123456789abcdef0123456789abcdef01234567";
const TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  ChargeFunction:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Role: arn:aws:iam::123456789012:role/charge\n      Code:\n        ZipFile: \"def handler(event, context): return event\"\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n";
/// A plugin's log: a finding on the template, and a passed check that is not uploaded.
const PLUGIN_SARIF: &str = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"fake","rules":[{"id":"F1"}]}},"results":[{"ruleId":"F1","level":"error","message":{"text":"bad"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"template.yaml"},"region":{"startLine":3}}}]},{"ruleId":"F1","kind":"pass","level":"none","message":{"text":"fine"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"template.yaml"},"region":{"startLine":11}}}]}]}]}"#;

/// The earlier upload's log: `text` read whole, tollgate's URIs rebased under `prefix` (a URI
/// path), results that only record a check taken out.
mod previous {
    use serde_json::Value;

    pub fn upload(text: &str, prefix: &str) -> Value {
        let mut log: Value = serde_json::from_str(text).unwrap();
        for run in log["runs"].as_array_mut().unwrap() {
            if !prefix.is_empty() {
                let bases = run
                    .get_mut("originalUriBaseIds")
                    .and_then(|b| b.as_object_mut())
                    .map(std::mem::take);
                rebase_uris(run, prefix);
                if let Some(mut bases) = bases {
                    if let Some(Value::String(root)) =
                        bases.get_mut("%SRCROOT%").and_then(|b| b.get_mut("uri"))
                    {
                        if let Some(repo_root) = root.strip_suffix(prefix) {
                            *root = repo_root.to_string();
                        }
                    }
                    run["originalUriBaseIds"] = Value::Object(bases);
                }
            }
            if let Some(results) = run.get_mut("results").and_then(Value::as_array_mut) {
                results.retain(|r| {
                    !r.get("kind")
                        .and_then(Value::as_str)
                        .is_some_and(|k| ["pass", "notApplicable", "open"].contains(&k))
                });
            }
        }
        log
    }

    fn rebase_uris(value: &mut Value, prefix: &str) {
        match value {
            Value::Object(map) => {
                if map.get("uriBaseId").and_then(Value::as_str) == Some("%SRCROOT%") {
                    if let Some(Value::String(uri)) = map.get_mut("uri") {
                        *uri = format!("{prefix}{uri}");
                    }
                }
                for child in map.values_mut() {
                    rebase_uris(child, prefix);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| rebase_uris(v, prefix)),
            _ => {}
        }
    }
}

/// The binary in `dir` with a token, and no GitHub Actions or proxy variables from the
/// environment.
fn tollgate(dir: &Path) -> std::process::Command {
    let mut cmd = tollgate_against_fake_github(dir);
    cmd.env("TEST_GH_TOKEN", TOKEN);
    cmd
}

/// `tollgate post LOG` to `gh` in `dir`; its stderr once it passed.
fn post(dir: &Path, log: &Path, gh: &FakeGitHub) -> String {
    let out = tollgate(dir)
        .arg("post")
        .arg(log)
        .args(["--repo", "acme/app", "--sha", HEAD, "--api-url", &gh.url])
        .args(["--token-env", "TEST_GH_TOKEN", "--fail-on", "none"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    stderr
}

/// A repository holding the template (and a plugin reporting on it) in `subdir`.
fn repo(subdir: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let scanned = dir.path().join(subdir);
    std::fs::create_dir_all(&scanned).unwrap();
    std::fs::write(scanned.join("template.yaml"), TEMPLATE).unwrap();
    std::fs::write(scanned.join("plugin.sarif.txt"), PLUGIN_SARIF).unwrap();
    std::fs::write(
        scanned.join("tollgate.toml"),
        "[[stage.external]]\nname = \"fake\"\ncommand = \"cat\"\nargs = [\"plugin.sarif.txt\"]\n",
    )
    .unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "head"]);
    dir
}

/// The one log the fake GitHub was sent, decoded.
fn uploaded(gh: &FakeGitHub, stderr: &str) -> Value {
    assert_eq!(gh.violations(), Vec::<String>::new());
    let st = gh.state.lock().unwrap();
    assert_eq!(st.sarifs.len(), 1, "{stderr}");
    let gz = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        st.sarifs[0]["sarif"].as_str().unwrap(),
    )
    .unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut text)
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn results(log: &Value, run: usize) -> Vec<&Value> {
    log["runs"][run]["results"]
        .as_array()
        .unwrap()
        .iter()
        .collect()
}

#[test]
fn the_upload_is_the_previous_upload_of_the_same_log() {
    for (subdir, prefix) in [("services/my api", "services/my%20api/"), (".", "")] {
        let repo = repo(subdir);
        let sarif = repo.path().join("out.sarif");
        let gh = FakeGitHub::start(Arc::new(OpenApi::load()), "");
        let out = tollgate(repo.path())
            .args([
                "run",
                subdir,
                "--offline",
                "--stages",
                "iac,permissions,fake",
            ])
            .args(["--allow-plugins", "--include-passes", "--post"])
            .args(["--repo", "acme/app", "--sha", HEAD, "--api-url", &gh.url])
            .args(["--token-env", "TEST_GH_TOKEN", "--fail-on", "none"])
            .arg("--sarif")
            .arg(&sarif)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        let text = std::fs::read_to_string(&sarif).unwrap();
        let written: Value = serde_json::from_str(&text).unwrap();
        let sent = uploaded(&gh, &stderr);
        assert!(
            sent == previous::upload(&text, prefix),
            "{subdir}: {sent:#}"
        );

        // What the comparison covers: passes recorded in both runs and taken out, and
        // every path made relative to the repository's root.
        for run in [0, 1] {
            let kinds = |log: &Value| -> Vec<String> {
                results(log, run)
                    .iter()
                    .map(|r| r["kind"].as_str().unwrap_or("fail").to_string())
                    .collect()
            };
            assert!(kinds(&written).iter().any(|k| k == "pass"), "{run}");
            assert!(kinds(&sent).iter().all(|k| k == "fail"), "{run}");
            assert!(!kinds(&sent).is_empty());
            for result in results(&sent, run) {
                let location = &result["locations"][0]["physicalLocation"]["artifactLocation"];
                assert_eq!(location["uri"], format!("{prefix}template.yaml"));
            }
        }
        let root = sent["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap();
        assert!(root.ends_with('/') && !root.ends_with("api/"), "{root}");

        // The log posted later from the same checkout: the same upload.
        let gh = FakeGitHub::start(Arc::new(OpenApi::load()), "");
        let stderr = post(repo.path(), &sarif, &gh);
        assert!(uploaded(&gh, &stderr) == sent, "{subdir}: post");
    }
}

/// A log over 10 MB gzipped is not sent, and the error says so as before; the other reporters
/// still publish.
#[test]
fn a_log_over_the_limit_is_refused_with_the_same_error() {
    let dir = tempfile::tempdir().unwrap();
    // Text that does not compress, in a run's properties: about 12 MB gzipped.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let noise: String = (0..16_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'0' + (state % 64) as u8)
        })
        .collect();
    let log = serde_json::json!({"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "fake", "rules": [{"id": "F1"}]}},
        "properties": {"noise": noise},
        "results": [{"ruleId": "F1", "level": "error", "message": {"text": "bad"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "template.yaml"},
                "region": {"startLine": 3}}}]}]
    }]});
    let text = serde_json::to_string_pretty(&log).unwrap();
    let sarif = dir.path().join("big.sarif");
    std::fs::write(&sarif, &text).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let before = gz.finish().unwrap().len();
    assert!(before > 10 * 1024 * 1024, "{before}");

    let gh = FakeGitHub::start(Arc::new(OpenApi::load()), "");
    let stderr = post(dir.path(), &sarif, &gh);
    let said = "error: publishing to GitHub: code scanning: the SARIF log is ";
    let line = stderr.lines().find(|l| l.starts_with(said)).expect(&stderr);
    let size: usize = line[said.len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect(line);
    // Written compactly, the log is a little smaller than the text it was read from.
    assert!(size > 10 * 1024 * 1024 && size <= before, "{size} {before}");
    assert!(
        line.ends_with(" bytes gzipped, over GitHub's 10 MB limit; hint: lower the number of results or split runs"),
        "{line}"
    );
    assert_eq!(gh.violations(), Vec::<String>::new());
    assert_eq!(gh.count("code-scanning/upload-sarif"), 0);
    assert_eq!(gh.count("checks/create"), 1, "{stderr}");
}
