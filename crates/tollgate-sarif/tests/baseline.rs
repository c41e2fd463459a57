mod common;

use common::{bucket_rule, lambda_finding, lambda_rule, span};
use tollgate_core::{BaselineState, Finding, Location, Severity, Suppression, SuppressionKind};
use tollgate_sarif::{
    build_log, build_run, findings_from_run, fingerprints_of, mark_baseline, parse_log,
    to_json_pretty, Baseline, RunInput,
};

fn bucket_finding(path: &str) -> Finding {
    Finding::new(
        "TG1301",
        Severity::High,
        "DataBucket is not encrypted",
        Location::at(path, span(7, 5, 7, 30)),
    )
    .resource("DataBucket")
}

/// A log as an earlier job wrote it, read back from text.
fn old_log(findings: &[Finding]) -> serde_sarif::sarif::Sarif {
    let rules = [lambda_rule(), bucket_rule()];
    let text = to_json_pretty(&build_log(vec![build_run(&RunInput::new(
        &rules,
        findings,
        &[],
    ))]));
    parse_log(&text, "baseline.sarif").unwrap()
}

#[test]
fn new_unchanged_updated_and_absent() {
    let mut fixed = bucket_finding("b.yaml");
    fixed.resource = Some("OldBucket".into());
    let old = old_log(&[
        lambda_finding("a.yaml", 10),
        bucket_finding("s3.yaml"),
        fixed,
    ]);
    let baseline = Baseline::from_log(&old);
    assert_eq!(baseline.len(), 3);
    assert_eq!(fingerprints_of(&old).len(), 3);

    // The lambda finding moved down 5 lines (same fingerprint), the bucket got worse, a new
    // finding appeared, OldBucket was fixed.
    let mut worse = bucket_finding("s3.yaml");
    worse.severity = Severity::Critical;
    let mut now = vec![
        lambda_finding("a.yaml", 15),
        worse,
        lambda_finding("new.yaml", 1),
    ];
    let absent = mark_baseline(&mut now, &baseline);
    let states: Vec<_> = now.iter().map(|f| f.baseline_state.unwrap()).collect();
    assert_eq!(
        states,
        [
            BaselineState::Unchanged,
            BaselineState::Updated,
            BaselineState::New
        ]
    );
    assert_eq!(absent.len(), 1);
    assert_eq!(absent[0].resource.as_deref(), Some("OldBucket"));
    assert_eq!(absent[0].baseline_state, Some(BaselineState::Absent));
    assert_eq!(absent[0].message, "DataBucket is not encrypted");
    assert!(!absent[0].is_active());
}

#[test]
fn findings_survive_a_round_trip() {
    let mut original = lambda_finding("dir with space/t#1.yaml", 12)
        .resource_line(10)
        .related(Location::at("roles.yaml", span(3, 1, 5, 9)), "role here")
        .property("cwe", "CWE-400")
        .property("tags", serde_json::json!(["reliability"]));
    original.ensure_fingerprint();
    original.suppression = Some(Box::new(Suppression {
        kind: SuppressionKind::InSource,
        justification: "handled".into(),
    }));
    original.baseline_state = Some(BaselineState::New);
    let whole_line = Finding::new(
        "TG1301",
        Severity::Info,
        "whole line",
        Location::at("x.tf", tollgate_core::Span::line(4)),
    );
    let log = old_log(&[original.clone(), whole_line]);
    let back = findings_from_run(&log.runs[0]);
    // The evidence is not written to SARIF (the fingerprint already stands for it).
    original.evidence.clear();
    assert_eq!(back[0], original);
    assert_eq!(back[1].severity, Severity::Info);
    assert_eq!(back[1].location.region, Some(tollgate_core::Span::line(4)));
}

#[test]
fn external_results_get_severity_from_score_or_level_and_a_fingerprint() {
    let text = r#"{"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "trivy", "rules": [
            {"id": "CVE-1", "properties": {"security-severity": "9.8"}},
            {"id": "CVE-2", "defaultConfiguration": {"level": "note"}}
        ]}},
        "results": [
            {"ruleIndex": 0, "message": {"text": "a"}},
            {"ruleId": "CVE-2", "ruleIndex": 1, "message": {"text": "b"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "go.sum"}, "region": {"startLine": 3}}}]},
            {"ruleId": "CVE-2", "ruleIndex": 1, "level": "error", "message": {"text": "c"},
             "suppressions": [{"kind": "external", "status": "underReview"}]}
        ]
    }]}"#;
    let log = parse_log(text, "trivy.sarif").unwrap();
    let findings = findings_from_run(&log.runs[0]);
    assert_eq!(findings[0].rule, "CVE-1");
    assert_eq!(findings[0].severity, Severity::Critical);
    assert_eq!(findings[1].severity, Severity::Low);
    assert_eq!(findings[1].location.path, "go.sum");
    assert_eq!(findings[2].severity, Severity::High);
    assert!(
        findings[2].suppression.is_none(),
        "a suppression under review does not count"
    );
    assert!(findings.iter().all(|f| f.fingerprint.len() == 32));
    assert_ne!(findings[1].fingerprint, findings[2].fingerprint);
    // The same log as a baseline marks the same results unchanged.
    let mut again = findings.clone();
    let absent = mark_baseline(&mut again, &Baseline::from_log(&log));
    assert!(absent.is_empty());
    assert!(again
        .iter()
        .all(|f| f.baseline_state == Some(BaselineState::Unchanged)));
}

#[test]
fn message_templates_are_filled_and_passes_skipped() {
    let text = r#"{"version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "lint", "rules": [
            {"id": "L1", "messageStrings": {"default": {"text": "{0} is used before {1}"}}}
        ]}},
        "results": [
            {"ruleIndex": 0, "message": {"id": "default", "arguments": ["x", "y"]}},
            {"ruleIndex": 0, "kind": "pass", "message": {"text": "fine"}}
        ]
    }]}"#;
    let log = parse_log(text, "lint.sarif").unwrap();
    let findings = findings_from_run(&log.runs[0]);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].message, "x is used before y");
}

#[test]
fn a_baseline_from_findings_keeps_what_a_log_within_limits_drops() {
    // More findings than GitHub keeps in one run: a log built within its limits drops some,
    // and a baseline read back from that log would call them new.
    let findings: Vec<Finding> = (0..tollgate_sarif::MAX_RESULTS_PER_RUN + 10)
        .map(|i| lambda_finding(&format!("fn{i}.yaml"), 3))
        .collect();
    let rules = [lambda_rule()];
    let (run, note) =
        tollgate_sarif::build_run_within_limits(&RunInput::new(&rules, &findings, &[]));
    assert!(note.is_some(), "the log is cut");
    let from_log = Baseline::from_log(&build_log(vec![run]));
    let from_findings = Baseline::from_findings(findings.iter().cloned());
    assert_eq!(from_findings.len(), findings.len());
    assert!(from_log.len() < findings.len());
    let mut head = findings.clone();
    let absent = mark_baseline(&mut head, &from_findings);
    assert!(absent.is_empty());
    assert!(head
        .iter()
        .all(|f| f.baseline_state == Some(BaselineState::Unchanged)));
}

/// A fingerprint is matched together with its rule: two rules' findings that share one are
/// told apart, a finding given twice is one baseline entry, and each baseline finding no
/// finding matches any more is absent once.
#[test]
fn findings_are_matched_by_rule_and_fingerprint_together() {
    let with = |rule: &str, fingerprint: &str| {
        let mut f = bucket_finding("s3.yaml");
        f.rule = rule.to_string();
        f.fingerprint = fingerprint.to_string();
        f
    };
    let baseline = Baseline::from_findings([
        with("TG1301", "f1"),
        with("TG1302", "f1"),
        with("TG1301", "f1"),
        with("TG1303", "f2"),
    ]);
    assert_eq!(baseline.len(), 3);
    assert!(baseline.contains("TG1302", "f1"));
    assert!(!baseline.contains("TG1303", "f1"));

    let mut now = vec![
        with("TG1302", "f1"),
        with("TG1303", "f1"),
        with("TG1302", "f1"),
    ];
    let absent = mark_baseline(&mut now, &baseline);
    let states: Vec<_> = now.iter().map(|f| f.baseline_state.unwrap()).collect();
    assert_eq!(
        states,
        [
            BaselineState::Unchanged,
            BaselineState::New,
            BaselineState::Unchanged
        ]
    );
    let gone: Vec<(&str, &str)> = absent
        .iter()
        .map(|f| (f.rule.as_str(), f.fingerprint.as_str()))
        .collect();
    assert_eq!(gone, [("TG1301", "f1"), ("TG1303", "f2")]);
}
