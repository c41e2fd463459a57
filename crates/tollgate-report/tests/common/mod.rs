//! Shared by the report's integration tests: the cloud model of a directory and its data
//! inventory, as `tollgate report` builds them.

use std::path::Path;
use std::sync::Arc;

use tollgate_core::{Config, ScanContext, WalkOptions};
use tollgate_iac::model::CloudModel;
use tollgate_report::inventory::{self, NamePatterns};
use tollgate_report::model::DataAsset;

/// The model of every file under `dir` and the inventory of its classified data.
pub fn model_and_inventory(dir: &Path, config: &Config) -> (Arc<CloudModel>, Vec<DataAsset>) {
    let files = tollgate_core::walk(dir, &WalkOptions::from_config(config)).files;
    let ctx = ScanContext::new(
        dir.to_path_buf(),
        files,
        Arc::new(config.clone()),
        time::macros::date!(2026 - 11 - 28),
    );
    let model = tollgate_iac::model(&ctx);
    let assets = inventory::build(
        &tollgate_perms::analysis(&ctx),
        &NamePatterns::new(&config.classification),
        "DataClassification",
        &[],
    );
    (model, assets)
}
