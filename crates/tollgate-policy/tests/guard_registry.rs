//! A rule file written in the style of AWS's published Guard rules registry (a filtered `let`
//! per rule honouring `Metadata.guard.SuppressedRules`, `when %var !empty`, `%var.Property`
//! chains, lower-case `in` and `not in`, multi-line messages, `some %var[*]`, a filter on a
//! variable) runs unchanged, with its `cfn-guard test` file, through `tollgate policy test`'s
//! runner.

use std::path::PathBuf;
use std::time::Duration;

use tollgate_policy::test_runner::{run_tests, Outcome};

fn sources() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guard-registry");
    ["registry_style.guard", "registry_style_tests.yaml"]
        .iter()
        .map(|name| {
            (
                format!("guard-registry/{name}"),
                std::fs::read_to_string(dir.join(name)).unwrap(),
            )
        })
        .collect()
}

#[test]
fn registry_style_rules_pass_their_unit_tests() {
    let report = run_tests(sources(), Duration::from_secs(5));
    assert!(report.load_errors.is_empty(), "{:?}", report.load_errors);
    assert_eq!(report.results.len(), 3, "{:?}", report.results);
    for r in &report.results {
        assert_eq!(r.outcome, Outcome::Pass, "{r:?}");
    }
}

#[test]
fn a_wrong_expectation_fails() {
    let mut sources = sources();
    sources[1].1 = sources[1]
        .1
        .replace("S3_BUCKET_SSE_ENABLED: PASS", "S3_BUCKET_SSE_ENABLED: FAIL");
    let report = run_tests(sources, Duration::from_secs(5));
    let failed: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.outcome != Outcome::Pass)
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(failed, ["encrypted bucket passes, suppressed one skips"]);
}
