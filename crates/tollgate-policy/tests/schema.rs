//! `docs/policy-input.schema.json` is generated from the input types; this test fails when it
//! is stale (`UPDATE_DOCS=1 cargo test -p tollgate-policy --test schema` rewrites it), and
//! checks that the documents built from the example repositories validate against it.

mod common;

use std::path::{Path, PathBuf};

use tollgate_core::{Config, ScanContext};
use tollgate_policy::input::{schema_json, PolicyInput};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn schema_file_is_current() {
    let path = repo().join("docs/policy-input.schema.json");
    let expected = schema_json();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == expected,
        "docs/policy-input.schema.json is stale: run `UPDATE_DOCS=1 cargo test -p tollgate-policy --test schema` and update docs/policy-input.md to match"
    );
}

fn context(dir: &Path) -> ScanContext {
    common::context(dir, Config::default())
}

#[test]
fn documents_of_every_format_validate_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    let mut formats = std::collections::BTreeSet::new();
    for example in ["sam-orders", "serverless-payments", "terraform-ledger"] {
        let ctx = context(&repo().join("examples").join(example));
        let inputs = tollgate_policy::inputs(&ctx);
        assert!(!inputs.resources.is_empty(), "{example}");
        let mut documents: Vec<PolicyInput> = inputs
            .resources
            .iter()
            .map(|r| PolicyInput::Resource {
                resource: r.doc.clone(),
            })
            .collect();
        documents.extend(
            tollgate_policy::units::units(&inputs.resources, &inputs.identities)
                .into_iter()
                .map(|(_, d)| d),
        );
        documents.extend(inputs.identities.iter().map(|i| PolicyInput::Identity {
            identity: i.clone(),
        }));
        for doc in documents {
            let json = serde_json::to_value(&doc).unwrap();
            kinds.insert(json["kind"].as_str().unwrap().to_string());
            if let Some(f) = json.pointer("/resource/format") {
                formats.insert(f.as_str().unwrap().to_string());
            }
            let errors: Vec<String> = validator
                .iter_errors(&json)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{example}: {errors:?}\n{json}");
        }
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["deployment-unit", "identity", "resource"]
    );
    assert!(
        formats.contains("sam") && formats.contains("serverless") && formats.contains("terraform"),
        "{formats:?}"
    );
}
