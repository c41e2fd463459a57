//! End-to-end: a stage that runs out of time (`stage-timeout`) keeps the findings of the files
//! it checked before its timeout, and its `stage-timeout` error says how many files it did not
//! get to. Together they account for every file: nothing is lost silently.

use std::collections::BTreeSet;

use serde_json::Value;
use tollgate_e2e::{assert_valid_sarif, tollgate_cmd};

/// Templates in the scanned tree, each with one finding (TG1401, a queue without
/// encryption) and a metadata block that makes it slow enough to read that they cannot all be
/// checked within one second (a few seconds of CPU in a debug build).
const TEMPLATES: usize = 1000;

fn template(i: usize) -> String {
    let mut t = format!("AWSTemplateFormatVersion: \"2010-09-09\"\nDescription: template {i}\nMetadata:\n  Notes:\n");
    for j in 0..300 {
        t.push_str(&format!(
            "    Key{j}: [value-{j}, {{Name: n{j}, Size: {j}}}]\n"
        ));
    }
    t.push_str("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n");
    t
}

#[test]
fn a_timed_out_stage_keeps_the_findings_of_the_files_it_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 0..TEMPLATES {
        std::fs::write(root.join(format!("t{i:04}.yaml")), template(i)).unwrap();
    }
    std::fs::write(root.join("tollgate.toml"), "stage-timeout = 1\n").unwrap();
    let sarif = root.join("out.sarif");
    let out = tollgate_cmd()
        .args(["run", ".", "--stages", "iac", "--format", "json", "--sarif"])
        .arg(&sarif)
        .current_dir(root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The stage did not finish: a tool failure, with the report still written.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();

    let checked: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "TG1401")
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    let timeouts: Vec<&Value> = report["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["id"] == "stage-timeout")
        .collect();
    assert_eq!(timeouts.len(), 1, "{:#}", report["notifications"]);
    let message = timeouts[0]["message"].as_str().unwrap();
    let unchecked = TEMPLATES - checked.len();
    assert!(
        !checked.is_empty() && unchecked > 0,
        "{} of {TEMPLATES} templates checked: {message}",
        checked.len()
    );
    // Every template is either reported or counted among those not checked.
    assert!(
        message.contains(&format!("{unchecked} files were not checked")),
        "{} checked: {message}",
        checked.len()
    );
    assert!(message.contains("stage `iac`"), "{message}");

    // The SARIF log carries the same results and says the run did not complete.
    let log: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    assert_eq!(
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == "TG1401")
            .count(),
        checked.len()
    );
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert!(invocation["toolExecutionNotifications"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["descriptor"]["id"] == "stage-timeout"
            && n["message"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("files were not checked"))));
}
