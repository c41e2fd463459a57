//! `--diff-base REF`: scan the base revision as well and mark the head's findings `new`,
//! `unchanged` or `absent` by fingerprint, so only what the change introduced fails the build.
//!
//! The base tree is read from git's object store into a temporary directory (nothing is checked
//! out over the work tree) and scanned there by the built-in stages only: external stages run
//! commands, and the base revision is as untrusted as the head, so nothing from it is run.
//! Plugin findings therefore keep no baseline state and gate as before.

use std::path::Path;
use std::sync::Arc;

use tollgate_core::{Config, Notification, ScanContext, Stage};
use tollgate_github::GitError;
use tollgate_perms::analysis::PolicyInputs;
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
        // Only the base's findings make the baseline.
        evaluations: false,
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

/// Before the base revision's stages run: take the head's results for every stage whose
/// inputs are the same in both revisions, so that stage does not compute them again.
///
/// The IaC rules read the cloud model and the date, nothing else; the permission analysis
/// reads the model's policies, roles and keys ([`tollgate_perms::analysis::PolicyInputs`]) and
/// the configured trusted accounts. Both scans share the config and the date, so when the
/// base's model is equal to the head's (a change to comments, or to files no template reads),
/// the base adopts the head's IaC rule results, and when only the policy view is equal (a
/// function's runtime changed, a bucket's versioning...) it adopts the head's permission
/// results. Equality is of the models' values (spans included), so the adopted results are
/// the ones the base would have computed. The base's model itself is built here, once, from
/// the head's documents for the files both revisions hold.
pub fn adopt_results(base: &ScanContext, head: &ScanContext, stages: &[Arc<dyn Stage>]) {
    let runs = |name: &str| stages.iter().any(|s| s.name() == name);
    let (iac, permissions) = (
        runs(tollgate_iac::IacStage::NAME),
        runs(tollgate_perms::PermissionsStage::NAME),
    );
    if !iac && !permissions {
        return;
    }
    // Only a model the head completed and kept: one it did not get to is not compared.
    let Some(head_model) = head.memoized::<tollgate_iac::CloudModel>() else {
        return;
    };
    if !head_model.not_checked.is_empty() {
        return;
    }
    let base_model = tollgate_iac::model(base);
    let same_model = *base_model == *head_model;
    let mut adopted = Vec::new();
    if iac && same_model {
        if let Some(done) = head.memoized::<tollgate_iac::RuleOutcome>() {
            base.adopt_memo(done);
            adopted.push(tollgate_iac::IacStage::NAME);
        }
    }
    if permissions && (same_model || PolicyInputs::of(&base_model) == PolicyInputs::of(&head_model))
    {
        if let Some(done) = head.memoized::<tollgate_perms::Outcome>() {
            base.adopt_memo(done);
            adopted.push(tollgate_perms::PermissionsStage::NAME);
        }
    }
    tracing::debug!(
        same_model,
        units_taken = base_model.units.taken_from_head().len(),
        ?adopted,
        "base revision: head results adopted"
    );
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
            evaluations: true,
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

    /// The base revision adopts the head's IaC rule results when both cloud models are equal
    /// (a comment appended) and the head's permission results when only their policies, roles
    /// and keys are (a runtime changed); either way its findings, evaluations, notifications
    /// and SARIF log are byte for byte those of the base scanned on its own.
    #[test]
    fn adopted_results_are_the_ones_the_base_computes() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let dir = tempfile::tempdir().unwrap();
        let head_dir = dir.path().join("head");
        copy_dir(&examples, &head_dir);
        let head = scan(&head_dir, None);
        let template = "sam-orders/template.yaml";
        let text = std::fs::read_to_string(head_dir.join(template)).unwrap();
        assert!(text.contains("Runtime: python3.8"));
        let changes = [
            ("comment", format!("{text}# a comment only\n"), true),
            (
                "runtime",
                text.replace("Runtime: python3.8", "Runtime: python3.12"),
                false,
            ),
        ];
        for (name, changed, same_model) in changes {
            let base_dir = dir.path().join(name);
            copy_dir(&examples, &base_dir);
            std::fs::write(base_dir.join(template), changed).unwrap();
            let mut reused = scan(&base_dir, Some(head.ctx.clone()));
            let mut alone = scan(&base_dir, None);
            assert!(!alone.findings.is_empty());
            assert_eq!(reused.findings, alone.findings, "{name}");
            assert_eq!(reused.evaluations, alone.evaluations, "{name}");
            assert_eq!(reused.notifications, alone.notifications, "{name}");
            assert_eq!(reused.failed, alone.failed, "{name}");
            assert_eq!(sarif(&mut reused), sarif(&mut alone), "{name}");
            // What was adopted is the head's own value, not a copy computed again.
            let adopted =
                |head: Option<Arc<dyn std::any::Any + Send + Sync>>,
                 base: Option<Arc<dyn std::any::Any + Send + Sync>>| {
                    match (head, base) {
                        (Some(h), Some(b)) => Arc::ptr_eq(&h, &b),
                        _ => false,
                    }
                };
            let iac = |ctx: &tollgate_core::ScanContext| {
                ctx.memoized::<tollgate_iac::RuleOutcome>()
                    .map(|v| v as Arc<dyn std::any::Any + Send + Sync>)
            };
            let perms = |ctx: &tollgate_core::ScanContext| {
                ctx.memoized::<tollgate_perms::Outcome>()
                    .map(|v| v as Arc<dyn std::any::Any + Send + Sync>)
            };
            assert_eq!(
                adopted(iac(&head.ctx), iac(&reused.ctx)),
                same_model,
                "{name}"
            );
            assert!(adopted(perms(&head.ctx), perms(&reused.ctx)), "{name}");
            assert!(!adopted(perms(&head.ctx), perms(&alone.ctx)), "{name}");
        }
    }
}
