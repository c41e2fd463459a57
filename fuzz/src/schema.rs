//! The SARIF 2.1.0 schema vendored under `tests/schemas/` (the one the SARIF and end-to-end
//! tests validate against), compiled in so a libFuzzer binary needs no file at run time.

use std::sync::OnceLock;

use serde_json::Value;

const SARIF_SCHEMA: &str = include_str!("../../tests/schemas/sarif-schema-2.1.0.json");

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(SARIF_SCHEMA).expect("the SARIF schema is JSON");
        // Formats (`uri`) are checked: GitHub refuses a log whose URIs are not URIs.
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles offline")
    })
}

/// The first few ways `log` fails the SARIF 2.1.0 schema, each with where (empty when valid).
pub fn sarif_schema_errors(log: &Value) -> Vec<String> {
    validator()
        .iter_errors(log)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}
