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
    // Files the head holds with the same blob are not written out: the base's scan borrows
    // the head's inventory entry, text and document for them. Not with a shard (which part of
    // the inventory a file falls in depends on the others) nor for a single file.
    let head = result.ctx.clone();
    let head_text = |rel: &str| -> Option<Arc<str>> {
        let file = head.file(rel)?;
        // A link's text is its target's; the base tree holds no links.
        let path = head.root().join(&file.path);
        if file.abs != path || !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            return None;
        }
        head.text(file).ok()
    };
    let limits = tollgate_github::TreeLimits::default();
    let written = if scan.shard.is_none() && scan.only.is_none() {
        tollgate_github::base_tree_to_dir_sharing(repo, rev, dir.path(), &limits, &head_text)
    } else {
        tollgate_github::base_tree_to_dir_with(repo, rev, dir.path(), &limits)
    };
    let tree = match written {
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
        shared = tree.shared.len(),
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
        // Files the change left alone are parsed once, for the head.
        reuse: Some(result.ctx.clone()),
        keep_parsed: false,
        borrowed: tree
            .shared
            .iter()
            .filter_map(|path| result.ctx.file(path).cloned())
            .collect(),
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
    // Only the base's findings make the baseline: its evaluations are not sorted and matched
    // with suppressed findings for nothing.
    base.evaluations.clear();
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

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use crate::pipeline::{self, ScanRequest, ScanResult, StageOptions};

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    /// Every built-in stage that needs no network: all but `deps`.
    fn scan(root: &Path, reuse: Option<Arc<tollgate_core::ScanContext>>) -> ScanResult {
        let config = tollgate_core::Config::default();
        let stages: Vec<String> = pipeline::builtin_stage_names()
            .into_iter()
            .filter(|s| s != "deps")
            .collect();
        let selection = pipeline::select(Some(&stages), &config, &StageOptions::default()).unwrap();
        let mut result = pipeline::scan(ScanRequest {
            root: root.to_path_buf(),
            config: Arc::new(config),
            selection,
            shard: None,
            today: time::macros::date!(2026 - 06 - 01),
            show_progress: false,
            only: None,
            reuse,
            keep_parsed: true,
            borrowed: Vec::new(),
        })
        .unwrap();
        crate::postprocess::apply(&mut result, None);
        // The log's only moving parts are the run's times.
        result.start_time = time::OffsetDateTime::UNIX_EPOCH;
        result.end_time = time::OffsetDateTime::UNIX_EPOCH;
        result
    }

    fn sarif(result: &mut ScanResult) -> String {
        crate::output::sarif::render(&crate::output::sarif::build(result, true))
    }

    /// The base revision scanned with the head's documents gives the same findings,
    /// notifications and SARIF log as scanned on its own, byte for byte; the files the change
    /// left alone are parsed once (the base holds the head's very documents) and the changed
    /// ones are parsed anew.
    #[test]
    fn reusing_the_heads_documents_changes_nothing_in_the_base_scan() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let dir = tempfile::tempdir().unwrap();
        let (head_dir, base_dir) = (dir.path().join("head"), dir.path().join("base"));
        copy_dir(&examples, &head_dir);
        copy_dir(&examples, &base_dir);
        // The change: the base's SAM template lacks the head's last line, a Terraform file has
        // a comment more, and a template exists only in the base.
        let changed = "sam-orders/template.yaml";
        let text = std::fs::read_to_string(base_dir.join(changed)).unwrap();
        let cut = text.trim_end().rfind('\n').unwrap();
        std::fs::write(base_dir.join(changed), &text[..cut + 1]).unwrap();
        let tf = "terraform-ledger/main.tf";
        let mut text = std::fs::read_to_string(base_dir.join(tf)).unwrap();
        text.push_str("# base revision\n");
        std::fs::write(base_dir.join(tf), text).unwrap();
        std::fs::copy(
            base_dir.join("sam-orders/template.yaml"),
            base_dir.join("sam-orders/only-in-base.yaml"),
        )
        .unwrap();

        let head = scan(&head_dir, None);
        let mut reused = scan(&base_dir, Some(head.ctx.clone()));
        let mut alone = scan(&base_dir, None);

        assert!(!alone.findings.is_empty());
        assert_eq!(reused.findings, alone.findings);
        assert_eq!(reused.evaluations, alone.evaluations);
        assert_eq!(reused.notifications, alone.notifications);
        assert_eq!(reused.failed, alone.failed);
        assert_eq!(sarif(&mut reused), sarif(&mut alone));

        let mut shared = 0;
        for file in reused.ctx.files() {
            // Only what some stage parsed during the scans: a document asked for now would be
            // parsed now.
            if !reused.ctx.is_parsed(file) {
                continue;
            }
            let Ok(document) = reused.ctx.document(file) else {
                continue;
            };
            let same_file = head.ctx.file(&file.path).filter(|f| head.ctx.is_parsed(f));
            let from_head = same_file
                .and_then(|f| head.ctx.document(f).ok())
                .is_some_and(|theirs| Arc::ptr_eq(&theirs, &document));
            let unchanged = same_file.is_some()
                && ![changed, tf, "sam-orders/only-in-base.yaml"].contains(&file.path.as_str());
            assert_eq!(from_head, unchanged, "{}", file.path);
            shared += usize::from(from_head);
            // Scanned alone, nothing is shared.
            let own = alone
                .ctx
                .document(alone.ctx.file(&file.path).unwrap())
                .unwrap();
            assert!(!Arc::ptr_eq(&own, &document));
        }
        assert!(shared >= 10, "{shared} documents shared");
    }
}
