//! What the policy stage's tests share.

use std::path::Path;
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
