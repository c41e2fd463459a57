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

/// A run of one stage stopped part way by its `stage-timeout`: the report, the message of its
/// one `stage-timeout` error, and the size of the repository that took.
struct PartWay {
    report: Value,
    message: String,
    size: usize,
}

/// `tollgate run . --stages STAGE --format json` over repositories that `write(root, size)`
/// builds, until one stops part way: how much a machine gets done in a second varies (a
/// loaded shared runner or a fast idle one), so a run that finished (or was stopped only after
/// checking every file) is tried again with a repository twice as large, and one that checked
/// nothing (`checked` is 0) with twice the timeout.
fn stopped_part_way(
    stage: &str,
    mut size: usize,
    write: impl Fn(&std::path::Path, usize),
    checked: impl Fn(&Value) -> usize,
) -> PartWay {
    let mut timeout = 1;
    let mut tried = Vec::new();
    for _ in 0..6 {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, size);
        std::fs::write(
            root.join("tollgate.toml"),
            format!("stage-timeout = {timeout}\n"),
        )
        .unwrap();
        let out = tollgate_cmd()
            .args(["run", ".", "--stages", stage, "--format", "json"])
            .current_dir(root)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let timeouts: Vec<&Value> = report["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["id"] == "stage-timeout")
            .collect();
        let done = checked(&report);
        tried.push(format!(
            "{size} in {timeout} s: {done} checked, {timeouts:?}"
        ));
        if timeouts.is_empty() {
            size *= 2;
            continue;
        }
        assert_eq!(timeouts.len(), 1, "{:#}", report["notifications"]);
        let message = timeouts[0]["message"].as_str().unwrap().to_string();
        if done == 0 || message.contains("nor stop when asked") {
            timeout *= 2;
            continue;
        }
        // Stopped after it had checked everything (late while merging what it found): not part
        // way, so a larger repository puts the stop among the files.
        if message.contains("did not say which files it left unchecked") {
            size *= 2;
            continue;
        }
        // The stage did not finish: a tool failure, with the report still written.
        assert_eq!(out.status.code(), Some(2), "{message}");
        assert!(message.contains(&format!("stage `{stage}`")), "{message}");
        return PartWay {
            report,
            message,
            size,
        };
    }
    panic!("stage `{stage}` never stopped part way: {tried:#?}");
}

/// The count in "N files were not checked" (or "1 file was") of a `stage-timeout` message.
fn count_not_checked(message: &str) -> usize {
    [" files were not checked", " file was not checked"]
        .iter()
        .find_map(|words| {
            let (before, _) = message.split_once(words)?;
            before.rsplit(' ').next()?.parse().ok()
        })
        .unwrap_or_else(|| panic!("no count of files not checked: {message}"))
}

/// A handler in its own file with one injection (TG6001) and other code that takes time to
/// read.
fn handler_file(i: usize) -> String {
    let mut code = format!("import os\n\n\ndef main(event, context):\n    os.system(\"echo {i} \" + event[\"body\"])\n");
    for j in 0..400 {
        code.push_str(&format!(
            "\n\ndef helper_{j}(items, scale):\n    total = 0\n    for item in items:\n        total += item * scale + {j}\n    return total\n"
        ));
    }
    code
}

/// A SAM template declaring `count` handlers, and their files.
fn handlers(root: &std::path::Path, count: usize) {
    std::fs::create_dir_all(root.join("src")).unwrap();
    let mut template = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n");
    for i in 0..count {
        template.push_str(&format!("  F{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: h{i:04}.main\n      CodeUri: src/\n"));
        std::fs::write(root.join(format!("src/h{i:04}.py")), handler_file(i)).unwrap();
    }
    std::fs::write(root.join("template.yaml"), template).unwrap();
}

fn traced(report: &Value) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "TG6001")
        .map(|f| f["location"]["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_timed_out_code_stage_keeps_the_handlers_it_traced() {
    let run = stopped_part_way("code", 200, handlers, |r| traced(r).len());
    let traced = traced(&run.report);
    // Every handler file is either reported or counted among those not checked.
    assert_eq!(
        traced.len() + count_not_checked(&run.message),
        run.size,
        "{} traced: {}",
        traced.len(),
        run.message
    );
    assert!(
        !run.message.contains("template.yaml"),
        "the template was mapped: {}",
        run.message
    );
}

/// One handler a template declares (`src/app.py`, one injection) and `count` files no template
/// names, each with a conventionally named handler (`lambda_handler(event, context)`) and code
/// that takes time to read.
fn declared_and_conventional(root: &std::path::Path, count: usize) {
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::create_dir_all(root.join("jobs")).unwrap();
    std::fs::write(
        root.join("template.yaml"),
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.main\n      CodeUri: src/\n",
    )
    .unwrap();
    std::fs::write(
        root.join("src/app.py"),
        "import os\n\n\ndef main(event, context):\n    os.system(\"echo \" + event[\"body\"])\n",
    )
    .unwrap();
    for i in 0..count {
        let code = handler_file(i).replace("def main(", "def lambda_handler(");
        std::fs::write(root.join(format!("jobs/j{i:04}.py")), code).unwrap();
    }
}

/// The search for conventionally named handlers reads every code file; the handlers templates
/// declare are traced before it, so a stage timeout during the search (or while tracing what it
/// found) still reports the declared handler, and counts every other file as not checked.
#[test]
fn a_code_stage_timed_out_while_searching_for_handlers_keeps_the_declared_ones() {
    let mut size = 100;
    let mut tried = Vec::new();
    for _ in 0..6 {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        declared_and_conventional(root, size);
        std::fs::write(root.join("tollgate.toml"), "stage-timeout = 1\n").unwrap();
        let out = tollgate_cmd()
            .args(["run", ".", "--stages", "code", "--format", "json"])
            .current_dir(root)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let timeouts: Vec<String> = report["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["id"] == "stage-timeout")
            .map(|n| n["message"].as_str().unwrap().to_string())
            .collect();
        let traced = traced(&report);
        tried.push(format!("{size}: {} traced, {timeouts:?}", traced.len()));
        // Finished within the second (a fast machine): a larger repository.
        let Some(message) = timeouts.first() else {
            size *= 2;
            continue;
        };
        assert_eq!(out.status.code(), Some(2), "{message}");
        assert!(
            traced.contains("src/app.py"),
            "the declared handler was not traced: {tried:#?}"
        );
        if message.contains("did not say which files it left unchecked") {
            size *= 2;
            continue;
        }
        // Every conventional handler's file is either reported or counted as not checked; the
        // declared handler's file, traced, is not among those.
        assert_eq!(
            traced.len() - 1 + count_not_checked(message),
            size,
            "{tried:#?}"
        );
        return;
    }
    panic!("the code stage never stopped part way: {tried:#?}");
}

/// Queues of the template each Rego policy reports.
const QUEUES: usize = 150;

/// A template of [`QUEUES`] queues and `count` policies, each reporting every queue.
fn policies(root: &std::path::Path, count: usize) {
    std::fs::create_dir_all(root.join("policies")).unwrap();
    let mut template = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for i in 0..QUEUES {
        template.push_str(&format!(
            "  Queue{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: queue-{i}\n"
        ));
    }
    std::fs::write(root.join("template.yaml"), template).unwrap();
    for p in 0..count {
        let policy = format!("package main\n\ndeny contains msg if {{\n  input.resource.type == \"AWS::SQS::Queue\"\n  name := input.resource.properties.QueueName\n  startswith(name, \"queue-\")\n  msg := sprintf(\"policy {p:04} saw %s\", [name])\n}}\n");
        std::fs::write(root.join(format!("policies/p{p:04}.rego")), policy).unwrap();
    }
}

/// Results per policy file.
fn results_by_policy(report: &Value) -> std::collections::BTreeMap<String, usize> {
    let mut results = std::collections::BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        if let Some(rest) = f["message"].as_str().unwrap().strip_prefix("policy ") {
            *results
                .entry(format!("policies/p{}.rego", &rest[..4]))
                .or_default() += 1;
        }
    }
    results
}

#[test]
fn a_timed_out_policy_stage_keeps_the_results_of_the_policies_it_evaluated() {
    let run = stopped_part_way("policy", 60, policies, |r| results_by_policy(r).len());
    let results = results_by_policy(&run.report);
    // A policy not listed as unchecked was evaluated on every queue; a listed one may have
    // reported some queues before the stop, and those results stay (all of them when it was
    // stopped on the template's deployment-unit document, the last one after the queues').
    let listed = |policy: &str| run.message.contains(&format!("`{policy}`"));
    let complete = results
        .iter()
        .filter(|&(policy, &n)| n == QUEUES && !listed(policy))
        .count();
    let not_checked = count_not_checked(&run.message);
    assert!(not_checked > 0, "{}", run.message);
    assert_eq!(
        complete + not_checked,
        run.size,
        "{results:?}: {}",
        run.message
    );
}
