//! `docs/compliance-report.schema.json` is generated from the report types; this test fails
//! when it is stale (`UPDATE_DOCS=1 cargo test -p tollgate-report --test schema` rewrites it),
//! and checks that a report built from the PHI example validates against it.

use std::collections::BTreeMap;
use std::path::PathBuf;

mod common;

use tollgate_core::config::ClassificationConfig;
use tollgate_core::generated_docs::{sync, update_requested};
use tollgate_core::Config;
use tollgate_report::model::Evidence;
use tollgate_report::{schema_json, ReportInput};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn schema_file_is_current() {
    let name = "compliance-report.schema.json";
    let wanted = BTreeMap::from([(name.to_string(), schema_json())]);
    let stale = sync(
        &repo().join("docs"),
        &wanted,
        |n| n == name,
        update_requested(),
    )
    .unwrap();
    assert!(
        stale.is_empty(),
        "docs/{name} is stale: run `UPDATE_DOCS=1 cargo test -p tollgate-report --test schema` and update docs/compliance-report.md to match"
    );
}

#[test]
fn the_phi_example_report_validates_against_the_schema() {
    let dir = repo().join("examples/sam-clinic");
    let config = Config {
        classification: ClassificationConfig {
            phi: vec!["clinic-scans-*".to_string()],
            ..ClassificationConfig::default()
        },
        ..Config::default()
    };
    let (model, assets) = common::model_and_inventory(&dir, &config);
    assert_eq!(assets.len(), 2, "{assets:#?}");
    let rules = tollgate_iac::rules::metas();
    let (findings, evaluations) =
        tollgate_iac::rules::run_all(&model, time::macros::date!(2026 - 11 - 28));
    let report = tollgate_report::build(ReportInput {
        rules: &rules,
        findings: &findings,
        evaluations: &evaluations,
        notifications: &[],
        frameworks: &[],
        ignores: &[],
        inventory: assets,
        evidence: Evidence {
            scan_time: "2026-11-28T00:00:00Z".into(),
            source: "scan".into(),
            ..Evidence::default()
        },
        root: Some(&dir),
        frames: tollgate_report::ALL_FRAMES,
    });
    let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(!report.findings.is_empty() && !report.frameworks.is_empty());
    let passing = report
        .frameworks
        .iter()
        .flat_map(|f| &f.controls)
        .filter(|c| c.status == tollgate_report::model::ControlStatus::Passing)
        .count();
    assert!(passing > 0, "the IaC rules' evaluations make controls pass");
    assert!(
        report.findings.iter().any(|f| !f.frame.is_empty()),
        "findings carry code frames"
    );
    // A report read back is the same report: the JSON form loses nothing.
    let back: tollgate_report::ComplianceReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}
