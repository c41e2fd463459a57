//! End-to-end: `tollgate run` against small temporary repositories.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::tollgate_bin;

/// A CloudFormation template in JSON with a syntax error on line 4 (the missing comma).
const BROKEN_TEMPLATE: &str = "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Queue\": {\"Type\": \"AWS::SQS::Queue\"}\n    \"Topic\": {\"Type\": \"AWS::SNS::Topic\"}\n  }\n}\n";
const GOOD_TEMPLATE: &str =
    "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {}\n}\n";

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn tollgate(dir: &Path) -> Command {
    let mut cmd = Command::new(tollgate_bin());
    cmd.current_dir(dir)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    cmd
}

fn json_report(dir: &Path, extra: &[&str]) -> (Value, i32) {
    let out = tollgate(dir)
        .args(["run", ".", "--format", "json", "--no-progress"])
        .args(extra)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (report, out.status.code().unwrap())
}

#[test]
fn broken_template_is_a_finding_and_gates_by_threshold() {
    let dir = repo(&[
        ("template.json", BROKEN_TEMPLATE),
        ("ok.json", GOOD_TEMPLATE),
    ]);
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    assert_eq!(findings[0]["rule"], "TG0001");
    assert_eq!(findings[0]["location"]["path"], "template.json");
    assert_eq!(findings[0]["location"]["region"]["start"]["line"], 5);
    assert_eq!(report["verdict"], "pass");
    assert_eq!(report["summary"]["by_severity"]["medium"], 1);

    let (report, code) = json_report(dir.path(), &["--fail-on", "medium"]);
    assert_eq!(code, 1);
    assert_eq!(report["verdict"], "fail");
}

#[test]
fn text_report_has_a_code_frame_and_summary() {
    let dir = repo(&[("template.json", BROKEN_TEMPLATE)]);
    let out = tollgate(dir.path())
        .args(["run", "--fail-on", "none", "--no-progress"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("warning[TG0001]: "), "{text}");
    assert!(text.contains(" --> template.json:5:"), "{text}");
    assert!(text.contains("5 |     \"Topic\""), "{text}");
    assert!(text.contains("-- passed (fail-on none)"), "{text}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn sarif_file_is_written_and_valid() {
    let dir = repo(&[("template.json", BROKEN_TEMPLATE)]);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    tollgate(dir.path())
        .args([
            "run",
            ".",
            "--format",
            "markdown",
            "--output",
            "out/report.md",
            "--sarif",
            "out/r.sarif",
        ])
        .assert()
        .code(0)
        .stdout("");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.starts_with("## tollgate: ✅ passed (fail-on high)"),
        "{md}"
    );
    let log: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("r.sarif")).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["automationDetails"]["id"], "tollgate/");
    assert_eq!(log["runs"][0]["results"][0]["ruleId"], "TG0001");
    tollgate_e2e::assert_valid_sarif(&log);
}

#[test]
fn config_error_points_into_the_file_and_exits_2() {
    let dir = repo(&[("tollgate.toml", "fail-on = \"high\"\nfial-on = \"low\"\n")]);
    let out = tollgate(dir.path())
        .args(["run", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tollgate.toml:2:1: "), "{stderr}");
    // The report is still written, and says why.
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["verdict"], "error");
    assert_eq!(report["notifications"][0]["id"], "config-error");
}

#[test]
fn unknown_stage_lists_the_known_ones() {
    let dir = repo(&[]);
    let out = tollgate(dir.path())
        .args(["run", "--stages", "parse,nope", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown stage `nope`; known stages: parse, iac, permissions, deps"),
        "{stderr}"
    );
}

#[test]
fn baseline_known_findings_do_not_fail() {
    let dir = repo(&[("template.json", BROKEN_TEMPLATE)]);
    tollgate(dir.path())
        .args([
            "run",
            "--fail-on",
            "medium",
            "--sarif",
            "base.sarif",
            "--format",
            "json",
        ])
        .assert()
        .code(1);
    let (report, code) = json_report(
        dir.path(),
        &["--fail-on", "medium", "--baseline", "base.sarif"],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["findings"][0]["baseline_state"], "unchanged");
    assert_eq!(report["summary"]["unchanged"], 1);
}

#[test]
fn inline_suppression_is_not_possible_in_json_but_config_ignore_is() {
    let dir = repo(&[
        ("template.json", BROKEN_TEMPLATE),
        (
            "tollgate.toml",
            "fail-on = \"medium\"\n\n[[ignore]]\nrule = \"TG0001\"\npaths = [\"template.json\"]\nreason = \"fixture kept broken on purpose\"\n",
        ),
    ]);
    let (report, code) = json_report(dir.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["suppressed"], 1);
    assert_eq!(report["findings"][0]["suppression"]["kind"], "external");
}

#[test]
fn shards_merge_to_the_unsharded_log() {
    let mut files = Vec::new();
    let names: Vec<String> = (0..12).map(|i| format!("t{i:02}.json")).collect();
    for (i, name) in names.iter().enumerate() {
        files.push((
            name.as_str(),
            if i % 2 == 0 {
                BROKEN_TEMPLATE
            } else {
                GOOD_TEMPLATE
            },
        ));
    }
    let dir = repo(&files);
    let run = |extra: &[&str], out: &str| {
        tollgate(dir.path())
            .args([
                "run",
                ".",
                "--format",
                "json",
                "--fail-on",
                "none",
                "--sarif",
                out,
            ])
            .args(extra)
            .assert()
            .code(0);
    };
    run(&[], "all.sarif");
    run(&["--shard", "1/2"], "s1.sarif");
    run(&["--shard", "2/2"], "s2.sarif");
    tollgate(dir.path())
        .args(["merge", "s1.sarif", "s2.sarif", "-o", "merged.sarif"])
        .assert()
        .code(0);
    let read = |name: &str| -> Value {
        let mut log: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(name)).unwrap()).unwrap();
        for run in log["runs"].as_array_mut().unwrap() {
            for inv in run["invocations"].as_array_mut().into_iter().flatten() {
                let inv = inv.as_object_mut().unwrap();
                inv.remove("startTimeUtc");
                inv.remove("endTimeUtc");
            }
        }
        log
    };
    let all = read("all.sarif");
    let merged = read("merged.sarif");
    assert_eq!(all["runs"][0]["results"].as_array().unwrap().len(), 6);
    assert_eq!(all, merged);
}

#[test]
fn plugin_run_is_merged_valid_and_rebased() {
    // A plugin that reports with an absolute file URI, as many tools do, and exits 1.
    let dir = repo(&[("src/app.py", "print('hi')\n")]);
    let root = dir.path().canonicalize().unwrap();
    let sarif = format!(
        r#"{{"version":"2.1.0","runs":[{{"tool":{{"driver":{{"name":"fake","rules":[{{"id":"F1"}}]}}}},"results":[{{"ruleId":"F1","level":"error","message":{{"text":"bad"}},"locations":[{{"physicalLocation":{{"artifactLocation":{{"uri":"file://{}/src/app.py"}},"region":{{"startLine":1}}}}}}]}}]}}]}}"#,
        root.display()
    );
    std::fs::write(dir.path().join("plugin.sarif.txt"), sarif).unwrap();
    std::fs::write(
        dir.path().join("tollgate.toml"),
        "[[stage.external]]\nname = \"fake\"\ncommand = \"sh\"\nargs = [\"-c\", \"cat plugin.sarif.txt; exit 1\"]\n",
    )
    .unwrap();
    let out = tollgate(dir.path())
        .args(["run", "--format", "sarif", "--allow-plugins"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    tollgate_e2e::assert_valid_sarif(&log);
    let run = &log["runs"][1];
    assert_eq!(run["automationDetails"]["id"], "tollgate/ext/fake/");
    let location = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "src/app.py", "{run:#}");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
}

/// A result that cannot be read is left out with a warning naming the file, the JSON path and
/// the line and column; the other results of the same log are merged, and the written log
/// says what was left out.
#[test]
fn merge_leaves_out_a_broken_result_and_keeps_the_rest() {
    let log = r#"{"version": "2.1.0", "runs": [{
  "tool": {"driver": {"name": "scanner", "rules": [{"id": "R1"}]}},
  "results": [
    {"ruleId": "R1", "message": {"text": "first"},
     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.py"}, "region": {"startLine": 3}}}]},
    {"ruleId": "R1", "message": {"text": "broken"},
     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "b.py"}, "region": {"startLine": "four"}}}]},
    {"ruleId": "R1"},
    {"ruleId": "R1", "message": {"text": "last"},
     "locations": [{"physicalLocation": {"artifactLocation": {"uri": "c.py"}, "region": {"startLine": 0}}}]}
  ]
}]}"#;
    let dir = repo(&[("tool.sarif", log)]);
    let out = tollgate(dir.path())
        .args(["merge", "tool.sarif", "-o", "out.sarif"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("tool.sarif:7:") && stderr.contains(
            "invalid SARIF at `runs[0].results[1].locations[0].physicalLocation.region.startLine`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("tool.sarif:8:")
            && stderr.contains("invalid SARIF at `runs[0].results[2]`: missing field `message`"),
        "{stderr}"
    );
    let merged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.sarif")).unwrap()).unwrap();
    tollgate_e2e::assert_valid_sarif(&merged);
    let run = &merged["runs"][0];
    let messages: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["first", "last"]);
    // The `startLine` of 0 the schema refuses is dropped, not copied.
    assert!(run["results"][1]["locations"][0]["physicalLocation"]
        .get("region")
        .is_none());
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    // Two results left out, and the one repair said once (the number and the region it took
    // with it).
    let ids: Vec<&str> = notes
        .iter()
        .map(|n| n["descriptor"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "invalid-sarif-dropped",
            "result-unreadable",
            "result-unreadable"
        ],
        "{notes:#?}"
    );
    assert!(notes.iter().all(|n| n["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("tool.sarif:")));
    assert!(notes[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("`startLine` value out of SARIF's range or before the start (the first: 0)"));
}

/// What the SARIF schema refuses in an input (an `informationUri` holding a byte-order mark, a
/// `helpUri` with a bad escape, an empty location in a notification) is not copied: the written
/// log validates, and a warning on stderr and a notification in the log name the input and what
/// was dropped.
#[test]
fn merge_drops_invalid_uris_and_empty_locations_and_says_so() {
    let log = "{\"version\": \"2.1.0\", \"runs\": [{
  \"tool\": {\"driver\": {\"name\": \"scanner\", \"informationUri\": \"https://example.com/\u{feff}tool\",
    \"rules\": [{\"id\": \"R1\", \"helpUri\": \"https://example.com/R1%ZZ\"}]}},
  \"invocations\": [{\"executionSuccessful\": true, \"toolExecutionNotifications\": [
    {\"message\": {\"text\": \"note\"}, \"locations\": [{}, {}]}]}],
  \"results\": [{\"ruleId\": \"R1\", \"message\": {\"text\": \"kept\"},
     \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"a.py\"}, \"region\": {\"startLine\": 3}}}]}]
}]}";
    let dir = repo(&[("tool.sarif", log)]);
    let out = tollgate(dir.path())
        .args(["merge", "tool.sarif", "-o", "out.sarif"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for field in ["informationUri", "helpUri", "empty locations"] {
        assert!(
            stderr.contains("warning: tool.sarif: ") && stderr.contains(field),
            "{field}: {stderr}"
        );
    }
    let merged: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.sarif")).unwrap()).unwrap();
    tollgate_e2e::assert_valid_sarif(&merged);
    let run = &merged["runs"][0];
    assert!(run["tool"]["driver"].get("informationUri").is_none());
    assert!(run["tool"]["driver"]["rules"][0].get("helpUri").is_none());
    assert_eq!(run["results"][0]["message"]["text"], "kept");
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let dropped = notes
        .iter()
        .filter(|n| n["descriptor"]["id"] == "invalid-sarif-dropped")
        .count();
    assert_eq!(dropped, 3, "{notes:#?}");
    assert!(
        notes.iter().all(|n| n.get("locations").is_none()),
        "{notes:#?}"
    );
}

#[test]
fn merge_names_the_invalid_file() {
    let dir = repo(&[("bad.sarif", "{\"version\": \"2.1.0\"")]);
    let out = tollgate(dir.path())
        .args(["merge", "bad.sarif", "-o", "out.sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.sarif"));
    assert!(!dir.path().join("out.sarif").exists());
}
