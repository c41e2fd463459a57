//! `--diff-base REF`: scan the base revision as well and mark the head's findings `new`,
//! `unchanged` or `absent` by fingerprint, so only what the change introduced fails the build.
//!
//! The base tree is read from git's object store into a temporary directory (nothing is checked
//! out over the work tree) and scanned there by the built-in stages only: external stages run
//! commands, and the base revision is as untrusted as the head, so nothing from it is run.
//! Plugin findings therefore keep no baseline state and gate as before.

use std::path::Path;
use std::sync::Arc;

use tollgate_core::{Config, Finding, Notification, ScanContext, Stage};
use tollgate_github::GitError;
use tollgate_perms::analysis::PolicyInputs;
use tollgate_sarif::{mark_baseline_except, Baseline};

use crate::pipeline::{self, ScanRequest, ScanResult, Selection};

mod shared_findings;

use shared_findings::SharedFindings;

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
    /// Leave the findings both revisions hold alike out of the comparison
    /// ([`SharedFindings`]); off only in tests that compare with the full comparison.
    pub share_findings: bool,
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
        Ok(marked) => marked.is_some(),
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

/// Mark `result`'s findings; `None` when the base commit is missing, otherwise how many of the
/// head's findings the base was known to hold alike ([`SharedFindings`]).
fn marked(
    repo: &Path,
    rev: &str,
    scan: BaseScan,
    result: &mut ScanResult,
) -> Result<Option<usize>, String> {
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
            return Ok(None);
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
    // The IaC findings the base takes from the head are left there: only those the
    // comparison reads are copied, below.
    let mut base = pipeline::scan_leaving_taken(ScanRequest {
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
    // The findings the base holds alike with the head are left out of its post-processing and
    // of the baseline: the head's state for them is known (see [`shared_findings`]).
    let shared = scan
        .share_findings
        .then(|| SharedFindings::new(result, &base))
        .flatten();
    match &shared {
        Some(shared) => {
            let mut covered = shared.covering();
            base.take_from_head(|f| !covered(f));
            base.findings.retain(|f| !shared.covers(f));
        }
        None => base.take_from_head(|_| true),
    }
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
    crate::postprocess::apply_to_findings(&mut base);
    // The baseline takes the first finding of a key, and lists absent ones, in the reporting
    // order, as the post-processed base would hold them.
    let baseline = Baseline::from_findings(
        in_reporting_order(std::mem::take(&mut base.findings)).chain(in_reporting_order(
            std::mem::take(&mut base.external_findings),
        )),
    );
    let known = match &shared {
        Some(shared) => shared.states(&result.findings),
        None => Vec::new(),
    };
    let shared_count = known.iter().flatten().count();
    tracing::debug!(
        shared = shared_count,
        compared = baseline.len(),
        "base revision: findings compared"
    );
    let absent = mark_baseline_except(&mut result.findings, &baseline, |i| {
        known.get(i).copied().flatten()
    });
    add_in_order(&mut result.findings, absent);
    // The base's scan, findings and baseline are not freed: the run ends soon after, and
    // freeing them took about 5.5% of the instructions of a `--diff-base` run of 600 templates
    // ([`pipeline::left_to_exit`]). The temporary directory is still removed.
    pipeline::left_to_exit((base, baseline, known, shared));
    Ok(Some(shared_count))
}

/// `findings` in the reporting order ([`tollgate_core::postprocess::sort_findings`], a stable
/// sort), found by sorting their positions: a finding is a few hundred bytes, which a sort
/// would move many times over.
fn in_reporting_order(findings: Vec<Finding>) -> impl Iterator<Item = Finding> {
    use tollgate_core::postprocess::reporting_order;
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| reporting_order(&findings[a], &findings[b]));
    let mut slots: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
    order.into_iter().filter_map(move |i| slots[i].take())
}

/// Append `absent` to `findings` and put them all in the reporting order
/// ([`tollgate_core::postprocess::sort_findings`], a stable sort). Both lists are in that order
/// already when the head's findings were post-processed without a `--baseline` (whose absent
/// findings come last) and the base's in their order: then each absent finding goes after the
/// head's findings that do not sort after it, which is where the stable sort puts it, without
/// moving the head's tens of thousands of findings through a sort again.
fn add_in_order(findings: &mut Vec<Finding>, absent: Vec<Finding>) {
    use tollgate_core::postprocess::reporting_order;
    let in_order = |list: &[Finding]| {
        list.windows(2)
            .all(|w| reporting_order(&w[0], &w[1]) != std::cmp::Ordering::Greater)
    };
    if !(in_order(findings) && in_order(&absent)) {
        findings.extend(absent);
        tollgate_core::postprocess::sort_findings(findings);
        return;
    }
    if absent.is_empty() {
        return;
    }
    let head = std::mem::take(findings);
    let mut merged = Vec::with_capacity(head.len() + absent.len());
    let mut absent = absent.into_iter().peekable();
    for finding in head {
        while let Some(gone) =
            absent.next_if(|gone| reporting_order(&finding, gone) == std::cmp::Ordering::Greater)
        {
            merged.push(gone);
        }
        merged.push(finding);
    }
    merged.extend(absent);
    *findings = merged;
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
pub fn adopt_results(
    base: &ScanContext,
    head: &ScanContext,
    stages: &[Arc<dyn Stage>],
) -> Vec<&'static str> {
    let runs = |name: &str| stages.iter().any(|s| s.name() == name);
    let (iac, permissions) = (
        runs(tollgate_iac::IacStage::NAME),
        runs(tollgate_perms::PermissionsStage::NAME),
    );
    let mut adopted = Vec::new();
    if !iac && !permissions {
        return adopted;
    }
    // Only a model the head completed and kept: one it did not get to is not compared.
    let Some(head_model) = head.memoized::<tollgate_iac::CloudModel>() else {
        return adopted;
    };
    if !head_model.not_checked.is_empty() {
        return adopted;
    }
    let base_model = tollgate_iac::model(base);
    let same_model = *base_model == *head_model;
    if iac && same_model {
        if let Some(done) = head.memoized::<tollgate_iac::RuleOutcome>() {
            if base.adopt_memo(done) {
                adopted.push(tollgate_iac::IacStage::NAME);
            }
        }
    }
    if permissions && (same_model || PolicyInputs::of(&base_model) == PolicyInputs::of(&head_model))
    {
        if let Some(done) = head.memoized::<tollgate_perms::Outcome>() {
            if base.adopt_memo(done) {
                adopted.push(tollgate_perms::PermissionsStage::NAME);
            }
        }
    }
    tracing::debug!(
        same_model,
        units_taken = base_model.units.taken_from_head().len(),
        ?adopted,
        "base revision: head results adopted"
    );
    adopted
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use crate::pipeline::{self, ScanRequest, ScanResult, StageOptions};

    pub(super) fn copy_dir(from: &Path, to: &Path) {
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
    pub(super) fn scan(root: &Path, reuse: Option<Arc<tollgate_core::ScanContext>>) -> ScanResult {
        scan_with(root, reuse, true)
    }

    /// [`scan`], recording evaluations or not. A scan reusing another without evaluations
    /// borrows its inventory entries for the files with the same bytes, as `--diff-base` does
    /// for the same blobs (they are taken out of `root` while it runs, as the base tree holds
    /// no file it borrows).
    fn scan_with(
        root: &Path,
        reuse: Option<Arc<tollgate_core::ScanContext>>,
        evaluations: bool,
    ) -> ScanResult {
        let borrowed = match (&reuse, evaluations) {
            (Some(head), false) => head
                .files()
                .iter()
                .filter(|f| std::fs::read(&f.abs).ok() == std::fs::read(root.join(&f.path)).ok())
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        for file in &borrowed {
            std::fs::remove_file(root.join(&file.path)).unwrap();
        }
        let put_back = borrowed.clone();
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
            borrowed,
            evaluations,
        })
        .unwrap();
        for file in put_back {
            std::fs::copy(&file.abs, root.join(&file.path)).unwrap();
        }
        crate::postprocess::apply(&mut result, None);
        // The log's only moving parts are the run's times.
        result.start_time = time::OffsetDateTime::UNIX_EPOCH;
        result.end_time = time::OffsetDateTime::UNIX_EPOCH;
        result
    }

    pub(super) fn sarif(result: &mut ScanResult) -> String {
        crate::output::sarif::with_log(result, true, |log| log.to_json_pretty())
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
    /// and keys are (a runtime changed), and otherwise computes its IaC results from the
    /// head's unit by unit; either way its findings, evaluations, notifications and SARIF log
    /// are byte for byte those of the base scanned on its own.
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
            // Without evaluations, a base whose model differs computes its IaC results from
            // the head's, deployment unit by unit, and they are the ones it computes alone.
            let mut by_unit = scan_with(&base_dir, Some(head.ctx.clone()), false);
            let mut alone = scan_with(&base_dir, None, false);
            assert_eq!(by_unit.shared_by_unit.is_some(), !same_model, "{name}");
            assert_eq!(by_unit.findings, alone.findings, "{name}");
            assert_eq!(by_unit.notifications, alone.notifications, "{name}");
            assert_eq!(sarif(&mut by_unit), sarif(&mut alone), "{name}");
        }
    }
}

#[cfg(test)]
mod add_in_order_tests {
    use tollgate_core::{Finding, Location, Severity, Span};

    fn finding(path: &str, line: u32, rule: &str, tag: &str) -> Finding {
        let mut f = Finding::new(
            rule,
            Severity::Low,
            "m",
            Location::at(path, Span::line(line)),
        );
        // Tells apart findings equal in every key of the order.
        f.fingerprint = tag.to_string();
        f
    }

    /// Merging the absent findings in gives what appending and sorting gives, equal keys
    /// included (the head's first), and so does a head list out of order.
    #[test]
    fn absent_findings_go_where_the_sort_puts_them() {
        let head = vec![
            finding("a.yaml", 1, "TG1", "h1"),
            finding("a.yaml", 3, "TG1", "h2"),
            finding("a.yaml", 3, "TG1", "h3"),
            finding("b.yaml", 2, "TG2", "h4"),
        ];
        let absent = vec![
            finding("a.yaml", 0, "TG1", "a1"),
            finding("a.yaml", 3, "TG1", "a2"),
            finding("a.yaml", 3, "TG2", "a3"),
            finding("c.yaml", 1, "TG1", "a4"),
        ];
        let sorted = |mut all: Vec<Finding>| {
            tollgate_core::postprocess::sort_findings(&mut all);
            all.into_iter().map(|f| f.fingerprint).collect::<Vec<_>>()
        };
        for head in [head.clone(), head.iter().rev().cloned().collect()] {
            for absent in [absent.clone(), Vec::new(), absent[1..2].to_vec()] {
                let want = sorted(head.iter().chain(&absent).cloned().collect());
                let mut got = head.clone();
                super::add_in_order(&mut got, absent.clone());
                let got: Vec<String> = got.into_iter().map(|f| f.fingerprint).collect();
                assert_eq!(got, want);
            }
        }
    }
}

#[cfg(test)]
mod shared_findings_tests {
    use std::path::Path;
    use std::sync::Arc;

    use tollgate_core::{BaselineState, Config};

    use super::{marked, BaseScan};
    use crate::pipeline::{self, ScanRequest, ScanResult, StageOptions};

    fn git(dir: &Path, args: &[&str]) {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    /// `git mv` of `from` to `name` in the same directory.
    fn rename(repo: &Path, from: &str, name: &str) {
        let to = Path::new(from).with_file_name(name);
        git(repo, &["mv", from, to.to_str().unwrap()]);
    }

    fn write(repo: &Path, path: &str, text: &str) {
        let path = repo.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn bucket_module(versioned: bool) -> String {
        format!(
            "variable \"name\" {{}}\nresource \"aws_s3_bucket\" \"data\" {{\n  bucket = var.name\n}}\n\
             resource \"aws_s3_bucket_versioning\" \"data\" {{\n  bucket = aws_s3_bucket.data.id\n  \
             versioning_configuration {{\n    status = \"{}\"\n  }}\n}}\n",
            if versioned { "Enabled" } else { "Suspended" }
        )
    }

    fn bucket_root(name: &str) -> String {
        format!("module \"data\" {{\n  source = \"../modules/bucket\"\n  name   = \"{name}\"\n}}\n")
    }

    /// What `tollgate run --diff-base HEAD~1` does to the findings of `repo`, every stage but
    /// `deps`: the head's findings marked and the absent ones added, with the findings both
    /// revisions hold alike left out of the comparison or not. Also how many were left out.
    fn diff_base_run(repo: &Path, share_findings: bool) -> (ScanResult, usize) {
        let config = Arc::new(Config::default());
        let stages: Vec<String> = pipeline::builtin_stage_names()
            .into_iter()
            .filter(|s| s != "deps")
            .collect();
        let selection = pipeline::select(Some(&stages), &config, &StageOptions::default()).unwrap();
        let base_stages = selection.builtin.clone();
        let today = time::macros::date!(2026 - 06 - 01);
        let mut result = pipeline::scan(ScanRequest {
            root: repo.to_path_buf(),
            config: config.clone(),
            selection,
            shard: None,
            today,
            show_progress: false,
            only: None,
            reuse: None,
            keep_parsed: true,
            borrowed: Vec::new(),
            evaluations: false,
        })
        .unwrap();
        crate::postprocess::apply(&mut result, None);
        let scan = BaseScan {
            config,
            stages: base_stages,
            shard: None,
            today,
            only: None,
            selection: crate::rule_select::RuleSelection::default(),
            share_findings,
        };
        let shared = marked(repo, "HEAD~1", scan, &mut result)
            .unwrap()
            .expect("the base commit is there");
        pipeline::release_parsed(&mut result.ctx);
        result.start_time = time::OffsetDateTime::UNIX_EPOCH;
        result.end_time = time::OffsetDateTime::UNIX_EPOCH;
        (result, shared)
    }

    /// Leaving the findings both revisions hold alike out of the comparison gives every finding
    /// the state, and the log the results, that comparing all of the base's findings gives: for a
    /// comment, a suppression added, a runtime changed (a unit whose results change), a
    /// template deleted, a file renamed, a Terraform module two roots call changed and a
    /// template copied.
    #[test]
    fn shared_findings_are_marked_as_the_full_comparison_marks_them() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        for name in ["sam-orders", "serverless-payments", "terraform-ledger"] {
            super::tests::copy_dir(&examples.join(name), &repo.join(name));
        }
        write(&repo, "tf/modules/bucket/main.tf", &bucket_module(false));
        write(&repo, "tf/dev/main.tf", &bucket_root("dev-data"));
        write(&repo, "tf/prod/main.tf", &bucket_root("prod-data"));
        git(&repo, &["init", "-q"]);
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "base"]);

        let sam = "sam-orders/template.yaml";
        let text = std::fs::read_to_string(repo.join(sam)).unwrap();
        assert!(text.contains("Runtime: python3.8"));
        // A suppression on the header line of a resource the rules find fault with.
        let head = super::tests::scan(&repo, None);
        let target = head
            .findings
            .iter()
            .find(|f| f.location.path == sam && f.resource_line.is_some())
            .expect("a finding in the SAM template");
        let line = target.resource_line.unwrap() as usize;
        let suppressed: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| match i + 1 == line {
                true => format!("{l} # tollgate:ignore[{}] kept on purpose\n", target.rule),
                false => format!("{l}\n"),
            })
            .collect();
        // (what changed, the change, whether the base's scan adopts some of the head's results,
        // or takes the IaC results of some deployment units from the head's, so that the
        // findings of the untouched files are left out of the comparison)
        type Change<'a> = (&'static str, Box<dyn Fn(&Path) + 'a>, bool);
        let changes: Vec<Change<'_>> = vec![
            (
                "comment",
                Box::new(|r| write(r, sam, &format!("{text}# a comment\n"))),
                true,
            ),
            (
                "suppression",
                Box::new(|r| write(r, sam, &suppressed)),
                true,
            ),
            (
                "runtime",
                Box::new(|r| {
                    let now = std::fs::read_to_string(r.join(sam)).unwrap();
                    write(r, sam, &now.replace("python3.8", "python3.12"));
                }),
                true,
            ),
            (
                "a file no template reads deleted",
                Box::new(|r| git(r, &["rm", "-q", "sam-orders/README.md"])),
                true,
            ),
            (
                "a file no template reads renamed",
                Box::new(|r| rename(r, "terraform-ledger/README.md", "NOTES.md")),
                true,
            ),
            (
                "template deleted",
                Box::new(|r| git(r, &["rm", "-q", "serverless-payments/serverless.yml"])),
                true,
            ),
            (
                "template renamed",
                Box::new(|r| rename(r, "terraform-ledger/main.tf", "ledger.tf")),
                true,
            ),
            (
                "module",
                Box::new(|r| write(r, "tf/modules/bucket/main.tf", &bucket_module(true))),
                true,
            ),
            (
                "copied",
                Box::new(|r| {
                    std::fs::copy(r.join(sam), r.join("sam-orders/copy.yaml")).unwrap();
                }),
                true,
            ),
        ];
        let mut states = std::collections::HashSet::new();
        for (name, change, shares) in changes {
            change(&repo);
            git(&repo, &["add", "-A"]);
            git(&repo, &["commit", "-q", "-m", name]);
            let (mut full, none) = diff_base_run(&repo, false);
            let (mut shortcut, shared) = diff_base_run(&repo, true);
            assert_eq!(none, 0, "{name}");
            // The untouched templates' findings are the head's own when results were adopted.
            assert_eq!(shared > 0, shares, "{name}: {shared} shared");
            assert!(shared < shortcut.findings.len(), "{name}: {shared} shared");
            assert_eq!(full.findings, shortcut.findings, "{name}");
            assert_eq!(
                super::tests::sarif(&mut full),
                super::tests::sarif(&mut shortcut),
                "{name}"
            );
            states.extend(full.findings.iter().filter_map(|f| f.baseline_state));
        }
        for state in [
            BaselineState::New,
            BaselineState::Unchanged,
            BaselineState::Absent,
        ] {
            assert!(states.contains(&state), "no finding was {state:?}");
        }
    }
}
