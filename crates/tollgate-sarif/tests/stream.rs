//! A streamed log reads, byte for byte, as the log built whole: tollgate's own run within
//! GitHub's limits, followed by other runs as they are.

mod common;

use common::{assert_valid, lambda_finding, lambda_rule, span};
use serde_json::Value;
use tollgate_core::{Evaluation, Finding, Location, Notification, Severity, Verdict};
use tollgate_sarif::sarif::Run;
use tollgate_sarif::{
    build_log, build_run, build_run_within_limits, to_json_pretty, write_json_pretty,
    write_log_text_edited, LogEdit, RunInput, StreamedLog,
};

fn whole(input: &RunInput, others: &[Run]) -> String {
    let (own, _) = build_run_within_limits(input);
    let mut runs = vec![own];
    runs.extend(others.iter().cloned());
    to_json_pretty(&build_log(runs))
}

fn streamed(input: &RunInput, others: &[Run]) -> String {
    let (log, _) = StreamedLog::new(input, others.to_vec());
    let mut written = Vec::new();
    log.write_json_pretty(&mut written).unwrap();
    let text = String::from_utf8(written).unwrap();
    assert_eq!(text, log.to_json_pretty());
    text
}

fn assert_same(input: &RunInput, others: &[Run]) {
    let (streamed, whole) = (streamed(input, others), whole(input, others));
    assert!(streamed == whole, "streamed:\n{streamed}\nwhole:\n{whole}");
    assert_valid(&streamed);
    assert_same_edited(input, others, &whole);
}

/// Leaves out recorded checks; with a prefix, puts it before every `uri` and marks each run.
struct Edit(&'static str);

impl LogEdit for Edit {
    fn keeps(&self, kind: Option<&str>) -> bool {
        !matches!(kind, Some("pass" | "notApplicable" | "open"))
    }
    fn edits(&self) -> bool {
        !self.0.is_empty()
    }
    fn edit_run(&self, run: &mut serde_json::Map<String, Value>) {
        run.insert("edited".into(), Value::Bool(true));
        prefix_uris(run.get_mut("artifacts").unwrap_or(&mut Value::Null), self.0);
    }
    fn edit_result(&self, result: &mut Value) {
        prefix_uris(result, self.0);
    }
}

fn prefix_uris(value: &mut Value, prefix: &str) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(uri)) = map.get_mut("uri") {
                *uri = format!("{prefix}{uri}");
            }
            map.values_mut().for_each(|v| prefix_uris(v, prefix));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| prefix_uris(v, prefix)),
        _ => {}
    }
}

/// The log written with an edit, run by run and result by result, reads as the whole log's
/// text edited the same way, and as the whole log edited as one JSON value.
fn assert_same_edited(input: &RunInput, others: &[Run], whole: &str) {
    for edit in [Edit(""), Edit("sub/")] {
        let (mut log, _) = StreamedLog::new(input, others.to_vec());
        let mut streamed = Vec::new();
        log.write_edited(&edit, &mut streamed).unwrap();
        let streamed: Value = serde_json::from_slice(&streamed).unwrap();
        let mut from_text = Vec::new();
        write_log_text_edited(whole, &edit, &mut from_text).unwrap();
        let from_text: Value = serde_json::from_slice(&from_text).unwrap();
        let mut expected: Value = serde_json::from_str(whole).unwrap();
        for run in expected["runs"].as_array_mut().unwrap() {
            if let Some(results) = run.get_mut("results").and_then(Value::as_array_mut) {
                results.retain(|r| edit.keeps(r.get("kind").and_then(Value::as_str)));
                results.iter_mut().for_each(|r| edit.edit_result(r));
            }
            if edit.edits() {
                edit.edit_run(run.as_object_mut().unwrap());
            }
        }
        assert!(streamed == expected, "{}: {streamed:#}", edit.0);
        assert!(from_text == expected, "{}: {from_text:#}", edit.0);
        // Written again, the same: the log is left as it was.
        assert_eq!(log.to_json_pretty(), whole);
    }
}

#[test]
fn an_empty_run_alone_and_before_others() {
    assert_same(&RunInput::new(&[], &[], &[]), &[]);
    // Another run with no results, and one with some: only the first run's list is filled.
    let empty_plugin = {
        let mut input = RunInput::new(&[], &[], &[]);
        input.automation_id = "tollgate/ext/empty/".into();
        build_run(&input)
    };
    let findings = [lambda_finding("p.yaml", 3)];
    let passed = [Evaluation::new(
        "P1",
        "Fn",
        Location::file("p.yaml"),
        Verdict::Pass,
    )];
    let plugin = {
        let mut input = RunInput::new(&[], &findings, &[]);
        input.automation_id = "tollgate/ext/plugin/".into();
        input.evaluations = &passed;
        build_run(&input)
    };
    assert_same(
        &RunInput::new(&[], &[], &[]),
        &[empty_plugin.clone(), plugin.clone()],
    );
    let rules = [lambda_rule()];
    let own = [lambda_finding("a.yaml", 1)];
    assert_same(&RunInput::new(&rules, &own, &[]), &[empty_plugin, plugin]);
}

#[test]
fn results_of_every_shape() {
    let rules = [lambda_rule()];
    let at = |path: &str, line: u32| Location::at(path, span(line, 3, line + 1, 9));
    // Texts with line breaks, quotes and a property named like the list being filled.
    let mut busy = Finding::new(
        "TG1001",
        Severity::High,
        "two\nlines, \"quoted\" and\n      \"results\": []",
        at("a b/t.yaml", 4),
    )
    .resource("Fn")
    .property("results", serde_json::json!([]))
    .property("tags", serde_json::json!(["x", "y"]))
    .related(at("c.yaml", 2), "there\n")
    .flow_step(at("h.py", 7), "step");
    busy.ensure_fingerprint();
    let mut findings = vec![busy, lambda_finding("z.yaml", 9)];
    findings.extend((0..1_500).map(|i| lambda_finding(&format!("f{}.yaml", i % 40), i + 1)));
    findings.push(Finding::new(
        "UNDECLARED",
        Severity::Low,
        "m",
        Location::file("u.yaml"),
    ));
    let evaluations = [
        Evaluation::new("TG1001", "Fn", at("t.yaml", 1), Verdict::Pass),
        Evaluation::new("TG1001", "Gn", at("t.yaml", 8), Verdict::Fail),
        Evaluation::new("OTHER", "Hn", at("u.yaml", 2), Verdict::Unknown),
    ];
    let notes = [Notification::warning("parse-error", "x.yaml: bad")];
    let mut input = RunInput::new(&rules, &findings, &notes);
    input.root_uri = Some("file:///src/app".into());
    input.start_time = Some("2026-12-07T10:00:00Z".into());
    assert_same(&input, &[]);
    input.evaluations = &evaluations;
    assert_same(&input, &[]);
}

#[test]
fn a_failing_writer_stops_the_log() {
    struct Full(usize);
    impl std::io::Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0 < buf.len() {
                return Err(std::io::Error::other("disk full"));
            }
            self.0 -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let rules = [lambda_rule()];
    let findings: Vec<Finding> = (0..2_000)
        .map(|i| lambda_finding("a.yaml", i + 1))
        .collect();
    let input = RunInput::new(&rules, &findings, &[]);
    let (log, _) = StreamedLog::new(&input, Vec::new());
    let total = log.to_json_pretty().len();
    for room in [10, 2_000, total / 2, total - 1] {
        assert!(log.write_json_pretty(Full(room)).is_err(), "room {room}");
    }
    assert!(log.write_json_pretty(Full(total)).is_ok());
    // The streamed log writes what `write_json_pretty` writes for the log built whole.
    let mut built = Vec::new();
    write_json_pretty(&log_built(&input), &mut built).unwrap();
    assert_eq!(built.len(), total);
}

fn log_built(input: &RunInput) -> tollgate_sarif::sarif::Sarif {
    StreamedLog::new(input, Vec::new()).0.into_log()
}
