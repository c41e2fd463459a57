//! End-to-end: names and texts from the scanned tree reach every output faithfully and inert.
//! A backslash is a character of a Linux file name; control characters never reach a terminal,
//! a report or a SARIF log raw.

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::{assert_no_raw_control, tollgate_cmd};

/// A CloudFormation template in JSON with a syntax error on line 4 (the missing comma), so
/// every file below gets a finding that names it.
const BROKEN_TEMPLATE: &str = "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Queue\": {\"Type\": \"AWS::SQS::Queue\"}\n    \"Topic\": {\"Type\": \"AWS::SNS::Topic\"}\n  }\n}\n";

const BACKSLASH: &str = "back\\slash.json";
const ESCAPE: &str = "esc\x1b[2J\x1b]8;;http:evil.test\x07.json";

fn run(dir: &std::path::Path, format: &str) -> (String, Option<i32>) {
    let out: std::process::Output = tollgate_cmd()
        .current_dir(dir)
        .args([
            "run",
            ".",
            "--no-progress",
            "--stages",
            "parse",
            "--format",
            format,
        ])
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

#[cfg(unix)]
#[test]
fn file_names_are_reported_as_they_are_and_escaped_where_shown() {
    let dir = tempfile::tempdir().unwrap();
    for name in [BACKSLASH, ESCAPE] {
        std::fs::write(dir.path().join(name), BROKEN_TEMPLATE).unwrap();
    }

    let (json, _) = run(dir.path(), "json");
    let report: Value = serde_json::from_str(&json).unwrap();
    let mut paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    paths.sort();
    // The JSON report names the real files (JSON escapes the control characters itself).
    assert_eq!(paths, [BACKSLASH, ESCAPE]);

    let (sarif, _) = run(dir.path(), "sarif");
    let log: Value = serde_json::from_str(&sarif).unwrap();
    let mut uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    uris.sort();
    assert_eq!(
        uris,
        [
            "back%5Cslash.json",
            "esc%1B%5B2J%1B%5D8;;http%3Aevil.test%07.json"
        ]
    );
    assert!(
        !sarif.contains("\\u001b") && !sarif.contains('\x1b'),
        "{sarif}"
    );

    let (text, _) = run(dir.path(), "text");
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
    assert!(text.contains(" --> back\\slash.json:5:"), "{text}");
    assert!(
        text.contains(" --> esc\\u{1b}[2J\\u{1b}]8;;http:evil.test\\u{7}.json:5:"),
        "{text}"
    );

    let (markdown, _) = run(dir.path(), "markdown");
    assert!(
        !markdown.contains('\x1b') && !markdown.contains('\x07'),
        "{markdown}"
    );
    assert!(markdown.contains("back\\slash.json:5"), "{markdown}");
}

/// A carriage return in a file name (the start of a forged line in a CI log) and an escape
/// sequence reach no output raw, in any format.
#[cfg(unix)]
#[test]
fn no_format_carries_a_raw_control_character_of_a_file_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cr\r::error::forged\t.json"),
        BROKEN_TEMPLATE,
    )
    .unwrap();
    std::fs::write(dir.path().join(ESCAPE), BROKEN_TEMPLATE).unwrap();
    for format in [
        "text", "compact", "markdown", "junit", "gitlab", "json", "sarif",
    ] {
        let (out, _) = run(dir.path(), format);
        assert_no_raw_control(&out, format);
        assert!(
            out.contains("forged"),
            "{format}: the file is not reported: {out}"
        );
    }
}

/// The compliance report names failing files too.
#[cfg(unix)]
#[test]
fn the_compliance_report_carries_no_raw_control_character_of_a_file_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cr\r::error::forged\x1b[2J.yaml"),
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
    )
    .unwrap();
    for format in ["markdown", "html", "json"] {
        let out = tollgate_cmd()
            .current_dir(dir.path())
            .args(["report", ".", "--format", format])
            .output()
            .unwrap();
        let out = String::from_utf8(out.stdout).unwrap();
        assert_no_raw_control(&out, format);
        assert!(out.contains("forged"), "{format}: the file is not named");
    }
}

/// A plugin's messages are escaped like tollgate's own in every output, the SARIF log
/// included.
#[test]
fn plugin_messages_lose_their_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[{"id":"X1"}]}},"results":[{"ruleId":"X1","level":"error","message":{"text":"bad \u001b[2J @admin"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.txt"},"region":{"startLine":1}}}]}]}]}"#;
    std::fs::write(dir.path().join("plugin.sarif.txt"), sarif).unwrap();
    std::fs::write(dir.path().join("a.txt"), "x\n").unwrap();
    std::fs::write(
        dir.path().join("tollgate.toml"),
        "[[stage.external]]\nname = \"t\"\ncommand = \"cat\"\nargs = [\"plugin.sarif.txt\"]\n",
    )
    .unwrap();
    for format in ["sarif", "json", "text", "markdown"] {
        let out = Command::new(tollgate_e2e::tollgate_bin())
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args([
                "run",
                ".",
                "--no-progress",
                "--allow-plugins",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(stdout.contains("bad "), "{format}: {stdout}");
        assert!(
            !stdout.contains('\x1b') && !stdout.contains("\\u001b"),
            "{format}: {stdout}"
        );
    }
}
