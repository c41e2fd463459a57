//! A scan cancelled at its stage timeout: every Rego policy and Guard rule file not evaluated
//! on every document is listed as not checked, so the pipeline can name it. The partial case,
//! a stage stopped half way, is tested end to end.

mod common;

use std::path::Path;

use tollgate_core::{Config, ScanContext, Stage};
use tollgate_policy::PolicyStage;

const TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n";

const REGO: &str = "package main\n\ndeny contains msg if {\n  input.resource.type == \"AWS::SQS::Queue\"\n  msg := \"a queue\"\n}\n";

const GUARD: &str = "let queues = Resources.*[ Type == 'AWS::SQS::Queue' ]\n\nrule queues_encrypted when %queues !empty {\n  %queues.Properties.SqsManagedSseEnabled == true\n}\n";

fn context(dir: &Path) -> ScanContext {
    common::context(dir, Config::default())
}

#[test]
fn a_cancelled_scan_lists_the_policies_it_did_not_evaluate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("template.yaml"), TEMPLATE).unwrap();
    std::fs::write(dir.path().join("policies/queues.rego"), REGO).unwrap();
    std::fs::write(dir.path().join("policies/queues.guard"), GUARD).unwrap();

    let ctx = context(dir.path());
    let complete = PolicyStage::new().run(&ctx).unwrap();
    assert_eq!(complete.findings.len(), 2, "{:#?}", complete);
    assert!(
        complete.not_checked.is_empty(),
        "{:?}",
        complete.not_checked
    );

    let ctx = context(dir.path());
    ctx.cancel();
    let cancelled = PolicyStage::new().run(&ctx).unwrap();
    assert!(cancelled.findings.is_empty(), "{:#?}", cancelled.findings);
    assert_eq!(
        cancelled.not_checked,
        ["policies/queues.rego", "policies/queues.guard"]
    );
}
