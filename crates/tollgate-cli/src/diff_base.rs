//! `--diff-base REF`: scan the base revision as well and mark the head's findings `new`,
//! `unchanged` or `absent` by fingerprint, so only what the change introduced fails the build.
//!
//! The base tree is read from git's object store into a temporary directory (nothing is checked
//! out over the work tree) and scanned there by the built-in stages only: external stages run
//! commands, and the base revision is as untrusted as the head, so nothing from it is run.
//! Plugin findings therefore keep no baseline state and gate as before.

use std::path::Path;
use std::sync::Arc;

use tollgate_core::{Config, Notification, Stage};
use tollgate_github::GitError;
use tollgate_sarif::{mark_baseline, Baseline};

use crate::pipeline::{self, ScanRequest, ScanResult, Selection};

/// What the base scan needs besides the revision.
pub struct BaseScan {
    pub config: Arc<Config>,
    pub stages: Vec<Arc<dyn Stage>>,
    pub shard: Option<(u32, u32)>,
    pub today: time::Date,
    /// The single file scanned, when PATH named one.
    pub only: Option<String>,
    /// `--check` / `--skip-check`, applied to the base as to the head.
    pub selection: crate::rule_select::RuleSelection,
}

/// Mark `result`'s built-in findings against revision `rev` of the repository at `repo`.
/// Returns whether states were set; a base commit missing from the checkout (shallow clone) is
/// said once on stderr and leaves the findings unmarked. Other failures become an error
/// notification and fail the run when the user named the revision (`explicit`); a base taken
/// from the pull request only falls back, since the scanned directory need not be a checkout.
pub fn apply(
    repo: &Path,
    rev: &str,
    explicit: bool,
    scan: BaseScan,
    result: &mut ScanResult,
) -> bool {
    match marked(repo, rev, scan, result) {
        Ok(marked) => marked,
        Err(message) if !explicit => {
            eprintln!("note: {message}; only the diff filter applies");
            false
        }
        Err(message) => {
            // Said on stderr with the run's other errors.
            result
                .notifications
                .push(Notification::error("diff-base-failed", message));
            result.failed = true;
            false
        }
    }
}

fn marked(repo: &Path, rev: &str, scan: BaseScan, result: &mut ScanResult) -> Result<bool, String> {
    let dir = tempfile::Builder::new()
        .prefix("tollgate-base-")
        .tempdir()
        .map_err(|e| format!("--diff-base {rev}: cannot create a temporary directory: {e}"))?;
    let tree = match tollgate_github::base_tree_to_dir(repo, rev, dir.path()) {
        Ok(tree) => tree,
        Err(e @ GitError::Missing { .. }) => {
            eprintln!(
                "note: --diff-base: {e}; every finding counts as new, only the diff filter applies"
            );
            return Ok(false);
        }
        Err(e) => return Err(format!("--diff-base {rev}: {e}")),
    };
    tracing::debug!(
        commit = %tree.commit,
        files = tree.files,
        skipped = tree.skipped.len(),
        "base revision written"
    );
    let mut base = pipeline::scan(ScanRequest {
        root: dir.path().to_path_buf(),
        config: scan.config,
        selection: Selection {
            builtin: scan.stages,
            external: Vec::new(),
        },
        shard: scan.shard,
        today: scan.today,
        show_progress: false,
        only: scan.only,
    })
    .map_err(|e| format!("--diff-base {rev}: scanning the base revision: {e:#}"))?;
    scan.selection.retain(&mut base.findings, &base.rules);
    if base.failed {
        // A base stage that failed leaves findings unmarked that it would have matched: say so,
        // they then count as new, which errs on the side of reporting.
        eprintln!(
            "warning: --diff-base {rev}: a stage failed on the base revision; its findings may count as new"
        );
    }
    // Same suppressions and fingerprints as the head. The base's findings are taken as they
    // are, not read back from its SARIF log: that log keeps only the results GitHub accepts,
    // and the ones it drops would count as new in the head.
    crate::postprocess::apply(&mut base, None);
    let baseline = Baseline::from_findings(
        std::mem::take(&mut base.findings)
            .into_iter()
            .chain(std::mem::take(&mut base.external_findings)),
    );
    let absent = mark_baseline(&mut result.findings, &baseline);
    result.findings.extend(absent);
    tollgate_core::postprocess::sort_findings(&mut result.findings);
    Ok(true)
}
