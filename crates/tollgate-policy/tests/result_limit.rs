//! A policy that returns tens of thousands of results on every document: the stage stops at
//! its result limit and says so, instead of holding hundreds of megabytes of findings. Its own
//! test binary, so that its CPU-heavy evaluation does not slow the timing-sensitive policies
//! of `hostile.rs` running beside it.

mod common;

use tollgate_core::{Config, Stage};
use tollgate_policy::evaluate::MAX_POLICY_RESULTS;
use tollgate_policy::PolicyStage;

/// A rule that returns 20,000 results whatever the document, over seven documents (six
/// queues and their template): 140,000 findings without the limit.
#[test]
fn a_flood_of_results_stops_at_the_stage_limit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    let mut template = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for i in 0..6 {
        template.push_str(&format!("  Queue{i}:\n    Type: AWS::SQS::Queue\n"));
    }
    std::fs::write(dir.path().join("template.yaml"), template).unwrap();
    std::fs::write(
        dir.path().join("policies/flood.rego"),
        "package main\nimport rego.v1\n\ndeny contains sprintf(\"result %d\", [i]) if {\n  some i in numbers.range(1, 20000)\n}\n",
    )
    .unwrap();
    let mut config = Config::default();
    // Time enough for a debug build to build the 20,000 results.
    config.stage.policy.eval_timeout_ms = Some(60_000);
    let ctx = common::context(dir.path(), config);
    let report = PolicyStage::new().run(&ctx).unwrap();
    assert_eq!(
        report.findings.len(),
        MAX_POLICY_RESULTS,
        "{:#?}",
        report.notifications
    );
    let limit: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.id == "policy-limit")
        .collect();
    assert_eq!(limit.len(), 1, "{:#?}", report.notifications);
    assert!(
        limit[0].message.contains("policies/flood.rego")
            && limit[0].message.contains("100000 results"),
        "{:?}",
        limit[0]
    );
    assert!(
        report
            .not_checked
            .iter()
            .any(|p| p == "policies/flood.rego"),
        "{:?}",
        report.not_checked
    );
}
