mod common;

use common::{assert_valid, lambda_finding, lambda_rule};
use tollgate_core::{Finding, Location, Severity, Suppression, SuppressionKind};
use tollgate_sarif::{
    build_log, build_run, enforce_limits, to_json_pretty, RunInput, MAX_LOCATIONS_PER_RESULT,
    MAX_RESULTS_PER_RUN,
};

#[test]
fn truncates_to_the_most_severe_results_and_says_so() {
    let rules = [lambda_rule()];
    // 24,980 medium, 5 suppressed medium, 20 low, then 5 critical at the very end: the
    // suppressed ones go first, then the last 5 lows; the criticals stay.
    let mut findings: Vec<Finding> = (0..24_980)
        .map(|i| lambda_finding(&format!("f{i}.yaml"), 1))
        .collect();
    for i in 0..5 {
        let mut f = lambda_finding(&format!("s{i}.yaml"), 1);
        f.message = "suppressed".into();
        f.suppression = Some(Box::new(Suppression {
            kind: SuppressionKind::External,
            justification: "accepted".into(),
        }));
        findings.push(f);
    }
    for i in 0..20 {
        findings.push(Finding::new(
            "TG1001",
            Severity::Low,
            format!("low{i}"),
            Location::file(format!("low{i}.yaml")),
        ));
    }
    for i in 0..5 {
        findings.push(Finding::new(
            "TG1001",
            Severity::Critical,
            "crit",
            Location::file(format!("crit{i}.yaml")),
        ));
    }
    assert_eq!(findings.len(), 25_010);
    let mut run = build_run(&RunInput::new(&rules, &findings, &[]));

    let note = enforce_limits(&mut run).expect("a truncation notification");
    assert_eq!(note.id, "truncated");
    assert!(
        note.message
            .contains("dropped 10 of 25010 results (5 medium, 5 low)"),
        "{}",
        note.message
    );

    let results = run.results.as_ref().unwrap();
    assert_eq!(results.len(), MAX_RESULTS_PER_RUN);
    let text = |r: &serde_sarif::sarif::Result| r.message.text.clone().unwrap_or_default();
    assert!(results.iter().all(|r| text(r) != "suppressed"));
    let lows: Vec<String> = results
        .iter()
        .map(text)
        .filter(|t| t.starts_with("low"))
        .collect();
    assert_eq!(lows.len(), 15);
    assert_eq!(lows.last().unwrap(), "low14");
    assert_eq!(results.iter().filter(|r| text(r) == "crit").count(), 5);
    // Original order is kept among the kept results.
    assert_eq!(
        results.last().unwrap().message.text.as_deref(),
        Some("crit")
    );

    let notes = run.invocations.as_ref().unwrap()[0]
        .tool_execution_notifications
        .as_ref()
        .unwrap();
    assert_eq!(
        notes
            .last()
            .unwrap()
            .descriptor
            .as_ref()
            .unwrap()
            .id
            .as_deref(),
        Some("truncated")
    );
    // A second pass has nothing left to cut.
    assert!(enforce_limits(&mut run).is_none());
}

#[test]
fn caps_related_locations() {
    let rules = [lambda_rule()];
    let mut finding = lambda_finding("a.yaml", 1);
    for i in 0..(MAX_LOCATIONS_PER_RESULT + 5) {
        finding = finding.related(Location::file(format!("r{i}.yaml")), "here");
    }
    let findings = [finding, lambda_finding("b.yaml", 2)];
    let mut run = build_run(&RunInput::new(&rules, &findings, &[]));
    let note = enforce_limits(&mut run).unwrap();
    assert!(
        note.message.contains("dropped 5 locations from 1 results"),
        "{}",
        note.message
    );
    let results = run.results.as_ref().unwrap();
    assert_eq!(
        results[0].related_locations.as_ref().unwrap().len(),
        MAX_LOCATIONS_PER_RESULT
    );
    assert_eq!(results.len(), 2);
    assert_valid(&to_json_pretty(&build_log(vec![run])));
}

#[test]
fn small_runs_are_left_alone() {
    let rules = [lambda_rule()];
    let findings = [lambda_finding("a.yaml", 1)];
    let mut run = build_run(&RunInput::new(&rules, &findings, &[]));
    let before = run.clone();
    assert!(enforce_limits(&mut run).is_none());
    assert_eq!(run, before);
}

#[test]
fn drops_unused_rules_first_and_fixes_indices() {
    use tollgate_core::Rule;
    use tollgate_sarif::MAX_RULES_PER_RUN;
    let mut rules: Vec<Rule> = (0..MAX_RULES_PER_RUN + 3)
        .map(|i| Rule::new(format!("X{i}"), "r", "iac", Severity::Low, "R"))
        .collect();
    rules.push(lambda_rule());
    let findings = [lambda_finding("a.yaml", 1)];
    let mut run = build_run(&RunInput::new(&rules, &findings, &[]));
    let note = enforce_limits(&mut run).unwrap();
    assert!(
        note.message.contains("dropped 4 of 25004 rules"),
        "{}",
        note.message
    );
    let driver_rules = run.tool.driver.rules.as_ref().unwrap();
    assert_eq!(driver_rules.len(), MAX_RULES_PER_RUN);
    let result = &run.results.as_ref().unwrap()[0];
    let index = result.rule_index.unwrap() as usize;
    assert_eq!(driver_rules[index].id, "TG1001");
}

#[test]
fn caps_thread_flows_tags_and_extensions() {
    use serde_json::json;
    use tollgate_sarif::{
        parse_log, MAX_EXTENSIONS_PER_RUN, MAX_TAGS_PER_RULE, MAX_THREAD_FLOW_LOCATIONS_PER_RESULT,
    };
    let step = json!({"location": {"physicalLocation": {"artifactLocation": {"uri": "a.py"}}}});
    let steps: Vec<_> = (0..6_000).map(|_| step.clone()).collect();
    let flow = json!({"threadFlows": [{"locations": steps}, {"locations": steps}]});
    let tags: Vec<String> = (0..25).map(|i| format!("t{i}")).collect();
    let extensions: Vec<_> = (0..MAX_EXTENSIONS_PER_RUN + 2)
        .map(|i| json!({"name": format!("ext{i}"), "rules": [{"id": "E"}]}))
        .collect();
    let log = json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {"name": "deep", "rules": [{"id": "R", "properties": {"tags": tags}}]},
                "extensions": extensions
            },
            "results": [
                {"ruleId": "R", "message": {"text": "m"}, "codeFlows": [flow]},
                {"message": {"text": "e"}, "rule": {"index": 0, "toolComponent": {"index": 101}}}
            ]
        }]
    });
    let mut log = parse_log(&log.to_string(), "deep.sarif").unwrap();
    let run = &mut log.runs[0];
    let note = enforce_limits(run).unwrap();
    assert!(
        note.message
            .contains("dropped 2000 thread flow locations from 1 results"),
        "{}",
        note.message
    );
    assert!(
        note.message.contains("cut the tags of 1 rules"),
        "{}",
        note.message
    );
    assert!(
        note.message.contains("dropped 2 of 102 tool extensions"),
        "{}",
        note.message
    );
    let results = run.results.as_ref().unwrap();
    let kept: usize = results[0].code_flows.as_ref().unwrap()[0]
        .thread_flows
        .iter()
        .map(|t| t.locations.len())
        .sum();
    assert_eq!(kept, MAX_THREAD_FLOW_LOCATIONS_PER_RESULT);
    let rule = &run.tool.driver.rules.as_ref().unwrap()[0];
    assert_eq!(
        rule.properties
            .as_ref()
            .unwrap()
            .tags
            .as_ref()
            .unwrap()
            .len(),
        MAX_TAGS_PER_RULE
    );
    assert_eq!(
        run.tool.extensions.as_ref().unwrap().len(),
        MAX_EXTENSIONS_PER_RUN
    );
    assert!(results[1].rule.is_none());
    assert_valid(&to_json_pretty(&build_log(log.runs)));
}

/// Building only the results that fit gives the very log that building all and cutting gives:
/// same results in the same order, same rule table, same notification in the same place.
#[test]
fn building_within_limits_equals_building_then_cutting() {
    use tollgate_core::{BaselineState, Notification};
    use tollgate_sarif::{build_run_within_limits, write_json_pretty};
    let rules = [lambda_rule()];
    let severities = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    let mut findings: Vec<Finding> = (0..MAX_RESULTS_PER_RUN + 3_000)
        .map(|i| {
            // A rule no descriptor declares, on some results only: its undeclared descriptor
            // must exist whether or not those results are kept.
            let rule = if i % 997 == 0 { "TG9999" } else { "TG1001" };
            let mut f = Finding::new(
                rule,
                severities[(i * 7) % severities.len()],
                format!("m{i}"),
                Location::file(format!("f{i}.yaml")),
            );
            match i % 11 {
                0 => {
                    f.suppression = Some(Box::new(Suppression {
                        kind: SuppressionKind::InSource,
                        justification: "accepted".into(),
                    }))
                }
                1 => f.baseline_state = Some(BaselineState::Unchanged),
                2 => f.baseline_state = Some(BaselineState::New),
                _ => {}
            }
            f
        })
        .collect();
    let mut deep = lambda_finding("deep.yaml", 1);
    for i in 0..(MAX_LOCATIONS_PER_RESULT + 2) {
        deep = deep.related(Location::file(format!("r{i}.yaml")), "here");
    }
    findings.push(deep);
    let notes = [Notification::warning("parse-error", "x.yaml: bad")];

    let input = RunInput::new(&rules, &findings, &notes);
    let mut whole = build_run(&input);
    let cut_after = enforce_limits(&mut whole).expect("a cut");
    let (within, cut_before) = build_run_within_limits(&input);
    let cut_before = cut_before.expect("a cut");
    assert_eq!(cut_before, cut_after);
    assert!(
        cut_before.message.contains("results") && cut_before.message.contains("locations"),
        "{}",
        cut_before.message
    );
    assert_eq!(within.results.as_ref().unwrap().len(), MAX_RESULTS_PER_RUN);
    assert_eq!(within, whole);

    // Streaming the log writes the same text as rendering it to a string.
    let log = build_log(vec![within]);
    let mut streamed = Vec::new();
    write_json_pretty(&log, &mut streamed).unwrap();
    let text = to_json_pretty(&log);
    assert_eq!(String::from_utf8(streamed).unwrap(), text);
    assert_valid(&text);
}

#[test]
fn building_within_limits_leaves_small_runs_whole() {
    use tollgate_sarif::build_run_within_limits;
    let rules = [lambda_rule()];
    let findings = [lambda_finding("a.yaml", 1), lambda_finding("b.yaml", 2)];
    let input = RunInput::new(&rules, &findings, &[]);
    let (run, note) = build_run_within_limits(&input);
    assert!(note.is_none());
    assert_eq!(run, build_run(&input));
}

#[test]
fn one_flooding_file_cannot_push_other_files_results_out() {
    let rules = [lambda_rule()];
    // 30,000 high results in one file, then a medium result in each of 40 other files: a cut
    // by severity alone would keep 25,000 of the flood and none of the others.
    let mut findings: Vec<Finding> = (0..30_000u32)
        .map(|i| {
            Finding::new(
                "TG1001",
                Severity::High,
                format!("flood {i}"),
                Location::at("requirements.txt", common::span(i + 1, 1, i + 1, 5)),
            )
        })
        .collect();
    for i in 0..40 {
        findings.push(lambda_finding(&format!("stack{i}/template.yaml"), 3));
    }
    let is_other = |r: &serde_sarif::sarif::Result| {
        r.message.text.as_deref() == Some("IntakeFunction has no dead-letter queue")
    };

    // Built whole and cut afterwards, and cut before building: the same results either way.
    let mut run = build_run(&RunInput::new(&rules, &findings, &[]));
    let note = enforce_limits(&mut run).expect("a truncation notification");
    let (within, within_note) =
        tollgate_sarif::build_run_within_limits(&RunInput::new(&rules, &findings, &[]));
    for (run, note) in [
        (&run, note),
        (&within, within_note.expect("a notification")),
    ] {
        let results = run.results.as_ref().unwrap();
        assert_eq!(results.len(), MAX_RESULTS_PER_RUN);
        assert_eq!(results.iter().filter(|r| is_other(r)).count(), 40);
        assert!(
            note.message
                .contains("dropped 5040 of 30040 results (5040 high)"),
            "{}",
            note.message
        );
    }
}

#[test]
fn one_flooding_rule_cannot_push_other_rules_results_out_of_the_same_file() {
    let rules = [lambda_rule()];
    // A policy's 30,000 high results on the template, then one medium result of each of 30
    // other rules on the same template: a cut by file alone would keep the flood's share of
    // the file first, all of it high, and drop the others.
    let mut findings: Vec<Finding> = (0..30_000u32)
        .map(|i| {
            Finding::new(
                "TG9A97A",
                Severity::High,
                format!("flood {i}"),
                Location::at("template.yaml", common::span(3, 1, 3, 5)),
            )
        })
        .collect();
    for i in 0..30 {
        findings.push(Finding::new(
            format!("TG10{i:02}"),
            Severity::Medium,
            "the real finding",
            Location::at("template.yaml", common::span(10 + i, 1, 10 + i, 5)),
        ));
    }
    let is_real =
        |r: &serde_sarif::sarif::Result| r.message.text.as_deref() == Some("the real finding");
    let mut run = build_run(&RunInput::new(&rules, &findings, &[]));
    enforce_limits(&mut run).expect("a truncation notification");
    let (within, _) =
        tollgate_sarif::build_run_within_limits(&RunInput::new(&rules, &findings, &[]));
    for run in [&run, &within] {
        let results = run.results.as_ref().unwrap();
        assert_eq!(results.len(), MAX_RESULTS_PER_RUN);
        assert_eq!(results.iter().filter(|r| is_real(r)).count(), 30);
    }
}
