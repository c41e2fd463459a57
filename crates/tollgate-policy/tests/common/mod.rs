//! What the policy stage's tests share.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate_core::{Config, ScanContext, WalkOptions};

/// A scan of every file under `dir` with `config`, dated 2026-12-01 so that date-dependent
/// rules give the same answer on every day the tests run.
pub fn context(dir: &Path, config: Config) -> ScanContext {
    let files = tollgate_core::walk(dir, &WalkOptions::from_config(&config)).files;
    ScanContext::new(
        dir.to_path_buf(),
        files,
        Arc::new(config),
        time::macros::date!(2026 - 12 - 01),
    )
}

/// The repository's root.
// Not every test file uses every helper.
#[allow(dead_code)]
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The example policies (`examples/policies/policies/*.rego`, tests left out), in name order,
/// as `(policies/NAME, text)`.
#[allow(dead_code)]
pub fn example_policies() -> Vec<(String, String)> {
    let dir = repo().join("examples/policies/policies");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".rego") && !name.ends_with("_test.rego") {
            out.push((
                format!("policies/{name}"),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    out
}

/// The example repositories and the IaC and permissions fixtures, which the policies'
/// evaluation is compared over.
#[allow(dead_code)]
pub const CORPUS: [&str; 8] = [
    "examples/policies",
    "examples/sam-orders",
    "examples/sam-orders-hardened",
    "examples/serverless-payments",
    "examples/terraform-ledger",
    "examples/sam-clinic",
    "crates/tollgate-iac/tests/fixtures",
    "crates/tollgate-perms/tests/fixtures",
];
