//! `truncation_note` works out, from counts alone, the very notification that building the run
//! within GitHub's limits gives, for every kind of cut the run can need.

mod common;

use common::{lambda_finding, lambda_rule};
use tollgate_core::{
    BaselineState, Evaluation, Finding, Location, Notification, Rule, Severity, Suppression,
    SuppressionKind, Verdict,
};
use tollgate_sarif::{
    build_log, build_run, build_run_within_limits, enforce_limits, to_json_pretty, truncation_note,
    RunInput, StreamedLog, MAX_LOCATIONS_PER_RESULT, MAX_RESULTS_PER_RUN, MAX_RULES_PER_RUN,
    MAX_THREAD_FLOW_LOCATIONS_PER_RESULT,
};

/// The note counted, after checking it is the note of the run built within the limits, of the
/// run built whole and cut, and of the streamed log, whose text is the built run's.
fn counted_note(input: &RunInput) -> Option<Notification> {
    let counted = truncation_note(input);
    let (run, built) = build_run_within_limits(input);
    assert_eq!(counted, built, "counted and built within limits differ");
    let (streamed, streamed_note) = StreamedLog::new(input, Vec::new());
    assert_eq!(counted, streamed_note, "counted and streamed differ");
    assert!(
        streamed.to_json_pretty() == to_json_pretty(&build_log(vec![run])),
        "streamed and built logs differ"
    );
    let mut whole = build_run(input);
    assert_eq!(
        counted,
        enforce_limits(&mut whole),
        "counted and cut differ"
    );
    counted
}

fn suppressed(mut finding: Finding) -> Finding {
    finding.suppression = Some(Box::new(Suppression {
        kind: SuppressionKind::InSource,
        justification: "accepted".into(),
    }));
    finding
}

fn tagged_rule(code: &str, tags: usize) -> Rule {
    Rule::new(code, "tagged", "iac", Severity::Low, "Tagged")
        .tags((0..tags).map(|i| format!("t{i}")))
}

#[test]
fn small_runs_need_no_note() {
    let rules = [lambda_rule()];
    let findings = [lambda_finding("a.yaml", 1), lambda_finding("b.yaml", 2)];
    assert_eq!(counted_note(&RunInput::new(&rules, &findings, &[])), None);
    assert_eq!(counted_note(&RunInput::new(&[], &[], &[])), None);
}

#[test]
fn results_locations_and_flows_over_the_limits() {
    let rules = [lambda_rule()];
    let severities = Severity::ALL;
    let mut findings: Vec<Finding> = (0..MAX_RESULTS_PER_RUN + 40)
        .map(|i| {
            let rule = if i % 501 == 0 { "TG9999" } else { "TG1001" };
            let mut f = Finding::new(
                rule,
                severities[(i * 3) % severities.len()],
                format!("m{i}"),
                Location::file(format!("f{}.yaml", i % 700)),
            );
            match i % 13 {
                0 => f = suppressed(f),
                1 => f.baseline_state = Some(BaselineState::Absent),
                2 => f.baseline_state = Some(BaselineState::Unchanged),
                _ => {}
            }
            f
        })
        .collect();
    // Kept: a critical finding with too many related locations and one with too long a flow.
    let mut related = Finding::new(
        "TG1001",
        Severity::Critical,
        "deep",
        Location::file("d.yaml"),
    );
    let mut flow = Finding::new(
        "TG1001",
        Severity::Critical,
        "long",
        Location::file("l.yaml"),
    );
    for i in 0..MAX_LOCATIONS_PER_RESULT + 7 {
        related = related.related(Location::file(format!("r{i}.yaml")), "here");
    }
    for i in 0..MAX_THREAD_FLOW_LOCATIONS_PER_RESULT + 3 {
        flow = flow.flow_step(Location::file(format!("s{i}.py")), "step");
    }
    // Dropped: a suppressed info finding, last of a crowded file, says nothing about its
    // locations.
    let mut dropped = suppressed(Finding::new(
        "TG1001",
        Severity::Info,
        "gone",
        Location::file("f0.yaml"),
    ));
    for i in 0..MAX_LOCATIONS_PER_RESULT + 50 {
        dropped = dropped.related(Location::file(format!("g{i}.yaml")), "here");
    }
    findings.extend([related, flow, dropped]);
    let notes = [Notification::warning("parse-error", "x.yaml: bad")];

    let note = counted_note(&RunInput::new(&rules, &findings, &notes)).expect("a cut");
    assert_eq!(note.id, "truncated");
    let message = &note.message;
    assert!(
        message.starts_with("dropped 43 of 25043 results ("),
        "{message}"
    );
    assert!(
        message.contains("; dropped 7 locations from 1 results"),
        "{message}"
    );
    assert!(
        message.contains("; dropped 3 thread flow locations from 1 results"),
        "{message}"
    );
}

#[test]
fn rules_and_their_tags_over_the_limits() {
    // Declared rules past the limit, a duplicate declaration (the first one counts), rules
    // with more tags than GitHub takes among the used ones and among the unused ones the cut
    // drops, and rules only findings and evaluations name.
    let mut rules: Vec<Rule> = vec![tagged_rule("R0", 30), tagged_rule("R0", 2)];
    rules.extend((1..MAX_RULES_PER_RUN + 5).map(|i| {
        let tags = if i % 5_000 == 0 { 21 } else { 1 };
        tagged_rule(&format!("R{i}"), tags)
    }));
    // An unused rule at the very end, dropped with its tags.
    rules.push(tagged_rule("LAST", 40));
    let findings: Vec<Finding> = ["R0", "R10000", "R25004", "UNDECLARED", "R7"]
        .iter()
        .map(|code| Finding::new(*code, Severity::High, "m", Location::file("a.yaml")))
        .collect();
    let at = Location::file("t.yaml");
    let evaluations = [
        Evaluation::new("PASSED", "Fn", at.clone(), Verdict::Pass),
        Evaluation::new("FAILED", "Fn", at.clone(), Verdict::Fail),
        Evaluation::new("R25003", "Fn", at.clone(), Verdict::NotApplicable),
        Evaluation::new("OPEN", "Fn", at, Verdict::Unknown),
    ];
    for with_evaluations in [false, true] {
        let mut input = RunInput::new(&rules, &findings, &[]);
        if with_evaluations {
            input.evaluations = &evaluations;
        }
        let note = counted_note(&input).expect("a cut");
        assert!(
            note.message.contains("rules that no result uses"),
            "{}",
            note.message
        );
        assert!(note.message.contains("cut the tags of"), "{}", note.message);
    }
}

#[test]
fn more_used_rules_than_the_limit() {
    // Every result has its own undeclared rule: the results cut keeps 25,000 of them, and the
    // rules cut can keep no more than the limit although more are used.
    let rules = [tagged_rule("R", 22)];
    let findings: Vec<Finding> = (0..MAX_RESULTS_PER_RUN + 10)
        .map(|i| {
            let severity = if i % 2 == 0 {
                Severity::Low
            } else {
                Severity::High
            };
            Finding::new(
                format!("U{i}"),
                severity,
                "m",
                Location::file(format!("f{i}.yaml")),
            )
        })
        .collect();
    let note = counted_note(&RunInput::new(&rules, &findings, &[])).expect("a cut");
    assert!(
        note.message.starts_with("dropped 10 of 25010 results"),
        "{}",
        note.message
    );
    assert!(note.message.contains("of 25011 rules"), "{}", note.message);
}
