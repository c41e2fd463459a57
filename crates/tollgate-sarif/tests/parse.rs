use tollgate_sarif::{parse_log, SarifError};

const GOOD: &str = r#"{
  "version": "2.1.0",
  "runs": [{
    "tool": {"driver": {"name": "checkov", "rules": [{"id": "CKV_AWS_116"}]}},
    "results": [
      {"ruleId": "CKV_AWS_116", "message": {"text": "no DLQ"}},
      {"ruleIndex": 0, "message": {"text": "no DLQ again"}}
    ]
  }]
}"#;

#[test]
fn accepts_a_plain_external_log() {
    let log = parse_log(GOOD, "checkov.sarif").unwrap();
    assert_eq!(log.runs[0].results.as_ref().unwrap().len(), 2);
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let text = "{\n  \"version\": \"2.1.0\",\n  \"runs\": [,]\n}";
    let err = parse_log(text, "bad.sarif").unwrap_err();
    match &err {
        SarifError::Json { line, column, .. } => assert_eq!((*line, *column), (3, 12)),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().starts_with("bad.sarif:3:12: "), "{err}");
}

#[test]
fn shape_errors_carry_the_json_path() {
    let text = GOOD.replace(
        r#"{"ruleIndex": 0, "message": {"text": "no DLQ again"}}"#,
        r#"{"ruleIndex": 0, "level": "severe", "message": {"text": "x"}}"#,
    );
    let err = parse_log(&text, "t.sarif").unwrap_err();
    let SarifError::Json { path, line, .. } = &err else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(path, "runs[0].results[1].level");
    assert_eq!(*line, 7);
    assert!(
        err.to_string().contains("unknown variant `severe`"),
        "{err}"
    );
}

#[test]
fn refuses_other_versions() {
    let text = GOOD.replace("2.1.0", "2.0.0");
    let err = parse_log(&text, "old.sarif").unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("old.sarif:2:14: "), "{message}");
    assert!(
        message.contains("`version`") && message.contains("expected \"2.1.0\""),
        "{message}"
    );
    assert!(message.contains("hint:"), "{message}");
}

#[test]
fn refuses_results_without_a_rule_or_message() {
    let text = GOOD.replace(r#""ruleIndex": 0, "#, "");
    let err = parse_log(&text, "t.sarif").unwrap_err();
    assert!(err.to_string().starts_with("t.sarif:7:7: "), "{err}");
    assert!(err.to_string().contains("`runs[0].results[1]`"), "{err}");
    assert!(err.to_string().contains("expected `ruleId`"), "{err}");

    let text = GOOD.replace(r#"{"text": "no DLQ"}"#, "{}");
    let err = parse_log(&text, "t.sarif").unwrap_err();
    assert!(
        err.to_string().contains("`runs[0].results[0].message`"),
        "{err}"
    );

    let text = GOOD.replace(r#""ruleIndex": 0"#, r#""ruleIndex": 3"#);
    let err = parse_log(&text, "t.sarif").unwrap_err();
    assert!(
        err.to_string().contains("`runs[0].results[1].ruleIndex`"),
        "{err}"
    );
    assert!(
        matches!(
            err,
            SarifError::Invalid {
                position: Some((7, 21)),
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn refuses_missing_runs_and_trailing_garbage() {
    let err = parse_log(r#"{"version": "2.1.0"}"#, "t.sarif").unwrap_err();
    assert!(err.to_string().contains("missing field `runs`"), "{err}");
    let err = parse_log(&format!("{GOOD} x"), "t.sarif").unwrap_err();
    assert!(
        matches!(
            err,
            SarifError::Json {
                line: 10,
                column: 3,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowing() {
    let deep = format!(
        r#"{{"version": "2.1.0", "runs": [], "properties": {{"x": {}1{}}}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let err = parse_log(&deep, "deep.sarif").unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
}

/// The lazy reader gives the same findings as reading the whole log, and refuses what
/// `parse_log` refuses with the same message, including a bad result deep in the log.
#[test]
fn lazy_reading_matches_the_whole_log() {
    use tollgate_sarif::{findings_from_run, read_log_lazily};
    let whole: Vec<_> = parse_log(GOOD, "checkov.sarif")
        .unwrap()
        .runs
        .iter()
        .flat_map(findings_from_run)
        .collect();
    let lazy = read_log_lazily(GOOD, "checkov.sarif").unwrap();
    assert_eq!(lazy.result_count(), 2);
    assert!(lazy.runs[0].results.is_none());
    assert_eq!(lazy.findings().unwrap(), whole);
    assert_eq!(lazy.runs[0].tool.driver.name, "checkov");

    for bad in [
        GOOD.replace("2.1.0", "2.0.0"),
        GOOD.replace(r#""message": {"text": "no DLQ again"}"#, r#""message": {}"#),
        GOOD.replace(r#""ruleIndex": 0"#, r#""ruleIndex": 7"#),
        GOOD.replace("\"runs\": [{", "\"runs\": [{,"),
    ] {
        let expected = parse_log(&bad, "x.sarif").unwrap_err().to_string();
        let got = read_log_lazily(&bad, "x.sarif").and_then(|log| log.findings().map(|_| ()));
        assert_eq!(got.unwrap_err().to_string(), expected);
    }
}
