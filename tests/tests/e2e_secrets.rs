//! End-to-end: a plaintext secret in a template never reaches stdout in any format, nor the
//! SARIF file, while the finding itself is reported (message and code frame masked).

use std::path::Path;

use serde_json::Value;
use tollgate_e2e::tollgate_cmd;

const STRIPE: &str = "sk_live_51H8exampleexampleexample00";
const PASSWORD: &str = "hunter2-but-longer-Pa55w0rd!";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sam = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n      Environment:\n        Variables:\n          PAYMENT_API_KEY: {STRIPE}\n"
    );
    std::fs::write(dir.path().join("template.yaml"), sam).unwrap();
    let tf = format!(
        "resource \"aws_lambda_function\" \"f\" {{\n  function_name = \"f\"\n  role          = \"arn:aws:iam::111122223333:role/f\"\n  runtime       = \"python3.12\"\n  handler       = \"app.handler\"\n  filename      = \"f.zip\"\n  environment {{\n    variables = {{\n      DB_PASSWORD = \"{PASSWORD}\"\n    }}\n  }}\n}}\n"
    );
    std::fs::write(dir.path().join("main.tf"), tf).unwrap();
    dir
}

/// The parts of the secrets that must never be printed (what follows the first 4 characters).
fn assert_no_secret(what: &str, text: &str) {
    for secret in [STRIPE, PASSWORD] {
        let tail: String = secret.chars().skip(4).collect();
        assert!(!text.contains(&tail), "{what} shows a secret:\n{text}");
    }
}

fn run(dir: &Path, format: &str) -> String {
    let out = tollgate_cmd()
        .current_dir(dir)
        .args([
            "run",
            ".",
            "--no-progress",
            "--fail-on",
            "none",
            "--stages",
            "iac",
        ])
        .args(["--format", format, "--sarif", "out.sarif"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
    assert_no_secret(&format!("{format} stderr"), &stderr);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn secrets_are_masked_in_every_format() {
    let dir = repo();
    for format in ["text", "json", "sarif", "markdown"] {
        let stdout = run(dir.path(), format);
        assert!(stdout.matches("TG1005").count() >= 2, "{format}: {stdout}");
        assert_no_secret(format, &stdout);
    }
    let text = run(dir.path(), "text");
    // The code frame is there, masked, under the right line.
    assert!(
        text.contains("12 |           PAYMENT_API_KEY: sk_l****"),
        "{text}"
    );
    let sarif = std::fs::read_to_string(dir.path().join("out.sarif")).unwrap();
    assert_no_secret("out.sarif", &sarif);
    // SARIF carries no source snippets at all, so it cannot leak through one.
    let log: Value = serde_json::from_str(&sarif).unwrap();
    let mut stack = vec![&log];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                assert!(!map.contains_key("snippet"), "snippet in SARIF: {value:#}");
                assert!(
                    !map.contains_key("contextRegion"),
                    "context in SARIF: {value:#}"
                );
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}
