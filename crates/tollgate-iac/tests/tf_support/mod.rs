//! Shared by the Terraform, plan and Serverless adapter tests: scan a fixture directory into
//! the cloud model the way the stage does.

use std::path::PathBuf;
use std::sync::Arc;

use tollgate_core::inventory::{walk, WalkOptions};
use tollgate_core::{Config, ScanContext};
use tollgate_iac::model::{build_model, CloudModel};

pub fn fixture_dir(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/adapters")
        .join(rel)
}

/// The scan context of a fixture directory, judged on a fixed day.
pub fn context(rel: &str) -> ScanContext {
    let root = fixture_dir(rel);
    let inv = walk(&root, &WalkOptions::default());
    ScanContext::new(
        root,
        inv.files,
        Arc::new(Config::default()),
        time::macros::date!(2026 - 06 - 01),
    )
}

pub fn model_of(rel: &str) -> CloudModel {
    build_model(&context(rel))
}
