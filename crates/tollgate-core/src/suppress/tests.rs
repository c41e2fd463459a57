use std::collections::HashMap;
use std::sync::Arc;

use time::macros::date;

use super::*;
use crate::config::toml_date::TomlDate;
use crate::test_support::{assert_mentions, finding_at, sample_rules};

fn rules() -> RuleIndex {
    sample_rules()
}

fn finding(rule: &str, path: &str, line: u32, header: Option<u32>) -> Finding {
    let mut f = finding_at(rule, path, line);
    f.resource_line = header;
    f
}

fn files(entries: &[(&str, &str)]) -> HashMap<String, Arc<str>> {
    entries
        .iter()
        .map(|(p, t)| (p.to_string(), Arc::from(*t)))
        .collect()
}

fn run(
    findings: &mut [Finding],
    config: &Config,
    sources: &HashMap<String, Arc<str>>,
) -> Vec<Notification> {
    apply_suppressions(findings, &rules(), config, date!(2026 - 11 - 28), &|p| {
        sources.get(p).cloned()
    })
}

fn ids(notes: &[Notification]) -> Vec<&str> {
    notes.iter().map(|n| n.id.as_str()).collect()
}

const TEMPLATE: &str = "\
Resources:
  # tollgate:ignore[TG1002] tracing is done by the vendor agent
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12 # tollgate:ignore[TG1001]: retries are handled upstream
      # tollgate:ignore[lambda-without-tracing]
      Timeout: 30
";

#[test]
fn inline_on_the_line_above_and_on_the_header() {
    let sources = files(&[("t.yaml", TEMPLATE)]);
    let mut findings = vec![
        finding("TG1001", "t.yaml", 6, Some(3)),
        finding("TG1002", "t.yaml", 8, Some(3)),
        finding("TG1002", "t.yaml", 5, Some(3)),
        finding("TG1001", "t.yaml", 4, Some(3)),
    ];
    let notes = run(&mut findings, &Config::default(), &sources);
    let why = |i: usize| {
        findings[i]
            .suppression
            .as_ref()
            .map(|s| s.justification.as_str())
    };
    // On the finding's line.
    assert_eq!(why(0), Some("retries are handled upstream"));
    assert_eq!(
        findings[0].suppression.as_ref().unwrap().kind,
        SuppressionKind::InSource
    );
    // On the comment-only line above it, by rule name: no reason given.
    assert_eq!(why(1), Some(NO_REASON));
    // Above the resource header.
    assert_eq!(why(2), Some("tracing is done by the vendor agent"));
    // The header comment names TG1002 only.
    assert_eq!(why(3), None);
    assert_eq!(ids(&notes), ["suppression-without-reason"]);
    assert_eq!(notes[0].location.as_ref().unwrap().start_line(), Some(7));
}

#[test]
fn checkov_skip_anywhere_in_the_resource() {
    let text = "\
resource \"aws_lambda_function\" \"f\" {
  #checkov:skip=CKV_AWS_116:DLQ lives in another stack
  runtime = \"python3.12\"
  timeout = 30
}
# checkov:skip=CKV_AWS_50
";
    let sources = files(&[("main.tf", text)]);
    let mut findings = vec![
        finding("TG1001", "main.tf", 4, Some(1)),
        finding("TG1002", "main.tf", 4, Some(1)),
        finding("TG1001", "other.tf", 4, Some(1)),
    ];
    let notes = run(&mut findings, &Config::default(), &sources);
    assert_eq!(
        findings[0]
            .suppression
            .as_ref()
            .map(|s| s.justification.as_str()),
        Some("DLQ lives in another stack")
    );
    assert_eq!(findings[1].suppression, None);
    assert_eq!(findings[2].suppression, None);
    // Unmatched Checkov skips belong to Checkov: no unused note.
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn unused_inline_suppression_is_a_note_with_its_line() {
    let sources = files(&[
        (
            "t.yaml",
            "Fn: # tollgate:ignore[TG1001,TG1002] both fine here\n  a: 1\n",
        ),
        ("clean.tf", "// tollgate:ignore[TG9999] stale\n"),
    ]);
    let mut findings = vec![finding("TG1002", "t.yaml", 1, None)];
    let notes = apply_suppressions_in(
        &mut findings,
        &rules(),
        &Config::default(),
        date!(2026 - 11 - 28),
        &["clean.tf", "t.yaml"],
        &|p| sources.get(p).cloned(),
    );
    assert!(findings[0].suppression.is_some());
    assert_eq!(ids(&notes), ["unused-suppression", "unused-suppression"]);
    assert_eq!(notes[0].level, crate::NotificationLevel::Note);
    assert_mentions(&notes[0], &["clean.tf:1"]);
    assert_mentions(&notes[0], &["names no known rule"]);
    assert_mentions(&notes[1], &["tollgate:ignore[TG1001]"]);
    assert_mentions(&notes[1], &["t.yaml:1"]);
}

#[test]
fn json_files_have_no_comments_and_all_is_refused() {
    let sources = files(&[
        ("t.json", "{\"a\": 1} # tollgate:ignore[TG1001] x\n"),
        ("t.yaml", "a: 1 # tollgate:ignore[all] everything\n"),
    ]);
    let mut findings = vec![
        finding("TG1001", "t.json", 1, None),
        finding("TG1001", "t.yaml", 1, None),
    ];
    let notes = run(&mut findings, &Config::default(), &sources);
    assert!(findings.iter().all(|f| f.suppression.is_none()));
    assert_eq!(ids(&notes), ["invalid-suppression"]);
    assert_eq!(notes[0].location.as_ref().unwrap().path, "t.yaml");
}

fn ignore(rule: &str, paths: &[&str], expires: Option<time::Date>, line: u32) -> IgnoreEntry {
    IgnoreEntry {
        rule: rule.into(),
        paths: paths.iter().map(|p| p.to_string()).collect(),
        reason: format!("accepted {rule}"),
        expires: expires.map(TomlDate),
        line: Some(line),
    }
}

#[test]
fn config_ignores_by_rule_name_equivalent_path_and_alias() {
    let config = Config {
        ignore: vec![
            ignore("lambda-without-dlq", &["legacy/**"], None, 3),
            ignore(
                "CKV_AWS_116",
                &["svc/*.yaml"],
                Some(date!(2027 - 01 - 31)),
                8,
            ),
            ignore("CVE-2024-0001", &[], None, 13),
        ],
        path: Some(".tollgate.toml".into()),
        ..Config::default()
    };
    let mut dep = finding("GHSA-aaaa-bbbb-cccc", "Cargo.lock", 10, None);
    dep.properties
        .insert("aliases".into(), serde_json::json!(["CVE-2024-0001"]));
    let mut findings = vec![
        finding("TG1001", "legacy/a/t.yaml", 1, None),
        finding("TG1001", "svc/t.yaml", 1, None),
        finding("TG1001", "svc/deep/t.yaml", 1, None),
        dep,
    ];
    let notes = run(&mut findings, &config, &HashMap::new());
    let why: Vec<Option<&str>> = findings
        .iter()
        .map(|f| f.suppression.as_ref().map(|s| s.justification.as_str()))
        .collect();
    assert_eq!(
        why,
        [
            Some("accepted lambda-without-dlq"),
            Some("accepted CKV_AWS_116"),
            None,
            Some("accepted CVE-2024-0001"),
        ]
    );
    assert_eq!(
        findings[0].suppression.as_ref().unwrap().kind,
        SuppressionKind::External
    );
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn expired_ignore_does_not_apply_and_is_reported() {
    let config = Config {
        ignore: vec![
            ignore("TG1001", &[], Some(date!(2026 - 11 - 28)), 4),
            ignore("TG1002", &[], Some(date!(2026 - 11 - 29)), 9),
        ],
        ..Config::default()
    };
    let mut findings = vec![finding("TG1001", "t.yaml", 1, None)];
    let notes = run(&mut findings, &config, &HashMap::new());
    assert_eq!(findings[0].suppression, None);
    assert_eq!(ids(&notes), ["expired-ignore", "unused-ignore"]);
    assert_eq!(notes[0].level, crate::NotificationLevel::Warning);
    assert_mentions(&notes[0], &["tollgate.toml:4"]);
    assert_mentions(&notes[0], &["2026-11-28"]);
    let at = notes[0].location.as_ref().unwrap();
    assert_eq!(
        (at.path.as_str(), at.start_line()),
        ("tollgate.toml", Some(4))
    );
    assert_eq!(notes[1].level, crate::NotificationLevel::Note);
    assert_mentions(&notes[1], &["tollgate.toml:9"]);
}

#[test]
fn inline_suppression_wins_over_config_and_both_count_as_used() {
    let sources = files(&[("t.yaml", "a: 1 # tollgate:ignore[TG1001] inline reason\n")]);
    let config = Config {
        ignore: vec![ignore("TG1001", &[], None, 1)],
        ..Config::default()
    };
    let mut findings = vec![finding("TG1001", "t.yaml", 1, None)];
    let notes = run(&mut findings, &config, &sources);
    let s = findings[0].suppression.as_ref().unwrap();
    assert_eq!(
        (s.kind, s.justification.as_str()),
        (SuppressionKind::InSource, "inline reason")
    );
    assert!(notes.is_empty(), "{notes:?}");
}

#[test]
fn suppressions_of_disabled_rules_are_not_reported_unused() {
    let sources = files(&[(
        "t.yaml",
        "a: 1 # tollgate:ignore[lambda-without-dlq] off anyway\n",
    )]);
    let mut config = Config::default();
    config.rules.insert(
        "TG1001".into(),
        crate::config::RuleConfig {
            disable: true,
            ..Default::default()
        },
    );
    let notes = apply_suppressions_in(
        &mut [],
        &rules(),
        &config,
        date!(2026 - 11 - 28),
        &["t.yaml"],
        &|p| sources.get(p).cloned(),
    );
    assert!(notes.is_empty(), "{notes:?}");
    let notes = apply_suppressions_in(
        &mut [],
        &rules(),
        &Config::default(),
        date!(2026 - 11 - 28),
        &["t.yaml"],
        &|p| sources.get(p).cloned(),
    );
    assert_eq!(ids(&notes), ["unused-suppression"]);
}
