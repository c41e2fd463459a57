//! End-to-end: an inline suppression and an expired `[[ignore]]` through the binary, as SARIF
//! `suppressions` and notifications.

use serde_json::Value;
use tollgate_e2e::tollgate_cmd;

#[test]
fn inline_suppression_and_expired_ignore() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Kept:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false # tollgate:ignore[TG1401] holds only public events\n  Open:\n    Type: AWS::SNS::Topic\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("tollgate.toml"),
        "[[ignore]]\nrule = \"TG1402\"\nreason = \"topic encryption lands next sprint\"\nexpires = 2026-01-31\n",
    )
    .unwrap();
    let out = tollgate_cmd()
        .current_dir(dir.path())
        .args([
            "run",
            ".",
            "--no-progress",
            "--format",
            "sarif",
            "--fail-on",
            "medium",
        ])
        .args(["--stages", "iac", "--today", "2026-11-28"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The expired ignore no longer applies: the topic finding fails the gate.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let result = |rule: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {results:#?}"))
    };
    let kept = result("TG1401");
    assert_eq!(kept["suppressions"][0]["kind"], "inSource", "{kept:#}");
    assert!(kept["suppressions"][0]["justification"]
        .as_str()
        .is_some_and(|j| j.contains("public events")));
    let open = result("TG1402");
    assert!(
        open["suppressions"].as_array().is_none_or(Vec::is_empty),
        "{open:#}"
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let expired = notes
        .iter()
        .find(|n| n["descriptor"]["id"] == "expired-ignore")
        .unwrap_or_else(|| panic!("{notes:#?}"));
    let text = expired["message"]["text"].as_str().unwrap();
    assert!(
        text.contains("TG1402") && text.contains("2026-01-31"),
        "{text}"
    );
}
