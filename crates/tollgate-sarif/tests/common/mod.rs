//! Test helpers shared by this crate's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;
use tollgate_core::{Finding, Framework, Location, Pos, Rule, Severity, Span};

/// The SARIF 2.1.0 schema vendored in the repository (`<workspace>/tests/schemas/`), compiled
/// once. A missing file is a broken checkout and fails the test.
fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        // This crate lives at <workspace>/crates/tollgate-sarif.
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/schemas/sarif-schema-2.1.0.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read the SARIF schema {}: {e}", path.display()));
        let schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles offline")
    })
}

/// Assert that `log` (serialised SARIF) validates against the SARIF 2.1.0 schema.
pub fn assert_valid(log: &str) {
    let validator = validator();
    let instance: Value = serde_json::from_str(log).expect("log is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "schema errors:\n{}", errors.join("\n"));
}

pub fn span(l1: u32, c1: u32, l2: u32, c2: u32) -> Span {
    Span::new(Pos::new(l1, c1), Pos::new(l2, c2))
}

/// `rule` without the controls the compliance catalogs map to its code: the test rules below
/// carry their own few, so the tests of how controls become taxonomies do not change each time
/// a catalog's mapping does.
fn own_controls_only(mut rule: Rule) -> Rule {
    rule.controls.clear();
    rule
}

pub fn lambda_rule() -> Rule {
    own_controls_only(Rule::new(
        "TG1001",
        "lambda-without-dead-letter-queue",
        "iac",
        Severity::Medium,
        "Lambda function has no dead-letter queue",
    ))
    .description("Asynchronous invocations that fail are **dropped** without a DLQ.")
    .remediation("Set `DeadLetterConfig.TargetArn`.")
    .help_uri("https://tollgate.dev/rules/TG1001")
    .tags(["lambda", "reliability"])
    .control(Framework::Nist80053, "SI-11")
    .control(Framework::CisAws, "3.1")
    .equivalents(["CKV_AWS_116"])
}

pub fn bucket_rule() -> Rule {
    own_controls_only(Rule::new(
        "TG1301",
        "s3-bucket-without-encryption",
        "iac",
        Severity::High,
        "S3 bucket is not encrypted at rest",
    ))
    .description("Objects are stored unencrypted.")
    .remediation("Add `BucketEncryption`.")
    .control(Framework::Nist80053, "SC-28")
    .control(Framework::PciDss, "3.5.1")
}

pub fn lambda_finding(path: &str, line: u32) -> Finding {
    Finding::new(
        "TG1001",
        Severity::Medium,
        "IntakeFunction has no dead-letter queue",
        Location::at(path, span(line, 3, line, 17)),
    )
    .resource("IntakeFunction")
    .evidence("IntakeFunction")
}

/// How many schema errors `log` has.
pub fn schema_errors(log: &str) -> usize {
    let instance: Value = serde_json::from_str(log).expect("log is JSON");
    validator().iter_errors(&instance).count()
}
