//! A streamed log reads, byte for byte, as the log built whole: tollgate's own run within
//! GitHub's limits, followed by other runs as they are.

mod common;

use common::{assert_valid, lambda_finding, lambda_rule, span};
use tollgate_core::{Evaluation, Finding, Location, Notification, Severity, Verdict};
use tollgate_sarif::sarif::Run;
use tollgate_sarif::{
    build_log, build_run, build_run_within_limits, to_json_pretty, write_json_pretty, RunInput,
    StreamedLog,
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
    let plugin = {
        let mut input = RunInput::new(&[], &findings, &[]);
        input.automation_id = "tollgate/ext/plugin/".into();
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
