//! After the stages: rule config, suppressions, fingerprints, baseline, order. The rules
//! themselves live in tollgate-core and tollgate-sarif; this is where the run wires them up.

use std::path::Path;

use tollgate_core::postprocess::{apply_rule_config, finish, rule_disabled, RuleIndex};
use tollgate_core::{apply_suppressions_in, FileKind, Notification};

use crate::pipeline::ScanResult;

/// Post-process a scan in place. Returns whether something failed (an unreadable baseline).
pub fn apply(result: &mut ScanResult, baseline: Option<&Path>) -> bool {
    let ctx = result.ctx.clone();
    let config = ctx.config();
    let index = RuleIndex::new(result.rules.iter().cloned());
    // Files whose comments may hold suppressions: those the stages read. Listing them also
    // reports a `tollgate:ignore` left behind after its finding was fixed.
    let scanned: Vec<&str> = ctx
        .files()
        .iter()
        .filter(|f| f.kind != FileKind::Other)
        .map(|f| f.path.as_str())
        .collect();
    let mut notes = process_findings(result, &index, &scanned);
    finish(&mut result.findings);
    finish(&mut result.external_findings);
    // Evaluations follow their findings: none for a disabled rule, and a failure whose
    // findings were all suppressed says so. Baselines and diff filters are about findings
    // only; an evaluation says what was checked, new or not.
    result
        .evaluations
        .retain(|e| !rule_disabled(&e.rule_id, &index, config));
    tollgate_core::evaluation::mark_suppressed(&mut result.evaluations, &result.findings);
    tollgate_core::evaluation::sort(&mut result.evaluations);
    let mut failed = false;
    if let Some(path) = baseline {
        if let Err(message) = crate::baseline::apply(path, result) {
            failed = true;
            notes.push(Notification::error("baseline-unreadable", message));
        }
    }
    result.notifications.extend(notes);
    dedup_parse_errors(&mut result.notifications);
    sort_notifications(&mut result.notifications);
    failed
}

/// What post-processing does to each finding on its own: rule config and suppressions (inline
/// comments of `scanned` files and of the findings' own files, config ignores). Returns the
/// notes it raised.
fn process_findings(
    result: &mut ScanResult,
    index: &RuleIndex,
    scanned: &[&str],
) -> Vec<Notification> {
    let ctx = result.ctx.clone();
    let config = ctx.config();
    let mut notes = apply_rule_config(&mut result.findings, index, config);
    // A text the scan did not keep for want of a suppression mark holds no directive.
    let source = |path: &str| ctx.file(path).and_then(|f| ctx.suppression_text(f));
    notes.extend(apply_suppressions_in(
        &mut result.findings,
        index,
        config,
        ctx.today(),
        scanned,
        &source,
    ));
    notes
}

/// Post-process the findings of a scan that only serves as a baseline (the base revision of
/// `--diff-base`): each finding gets what [`apply`] gives it but its fingerprint (which
/// [`tollgate_sarif::Baseline`] fills in), and nothing else is done: the scan's notes, such as
/// suppressions left unused, are nobody's to read, so only the files that hold findings have
/// their comments read, and the findings stay in the stages' order for the caller to order.
pub fn apply_to_findings(result: &mut ScanResult) {
    let index = RuleIndex::new(result.rules.iter().cloned());
    process_findings(result, &index, &[]);
}

/// Every stage that reads a file meets its syntax error; it is one problem, reported once (by
/// the first stage in registration order that saw it).
pub fn dedup_parse_errors(notes: &mut Vec<Notification>) {
    let mut seen = std::collections::HashSet::new();
    notes.retain(|n| {
        n.id != "parse-error" || seen.insert(n.location.as_ref().map(|l| l.path.clone()))
    });
}

/// Notifications without a place first (stage and config problems), then by path, line,
/// column, id and message: the same order `tollgate merge` gives merged shards.
pub fn sort_notifications(notes: &mut [Notification]) {
    notes.sort_by(|a, b| {
        let key = |n: &Notification| {
            let path = n.location.as_ref().map_or("", |l| l.path.as_str());
            let pos = n
                .location
                .as_ref()
                .and_then(|l| l.region)
                .map(|r| (r.start.line, r.start.col));
            (path.to_string(), pos, n.id.clone(), n.message.clone())
        };
        key(a).cmp(&key(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::sync::Arc;
    use tollgate_core::{Evaluation, Location, Verdict};

    use crate::pipeline::{self, ScanRequest, StageOptions};

    /// Scan `dir` with the iac and permissions stages and post-process, as `tollgate run`.
    fn scan_dir(dir: &Path) -> ScanResult {
        scan_dir_with(dir, true)
    }

    /// [`scan_dir`], recording evaluations or not.
    fn scan_dir_with(dir: &Path, evaluations: bool) -> ScanResult {
        let config = match tollgate_core::config::discover_config(dir) {
            Some(path) => pipeline::load_config(&path).unwrap(),
            None => tollgate_core::Config::default(),
        };
        let stages = ["iac".to_string(), "permissions".to_string()];
        let selection = pipeline::select(Some(&stages), &config, &StageOptions::default()).unwrap();
        let mut result = pipeline::scan(ScanRequest {
            root: dir.to_path_buf(),
            config: Arc::new(config),
            selection,
            shard: None,
            today: time::macros::date!(2026 - 06 - 01),
            show_progress: false,
            only: None,
            reuse: None,
            keep_parsed: false,
            borrowed: Vec::new(),
            evaluations,
        })
        .unwrap();
        assert!(!apply(&mut result, None));
        result
    }

    fn example(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name)
    }

    fn verdicts(result: &ScanResult, rule: &str) -> BTreeSet<Verdict> {
        result
            .evaluations
            .iter()
            .filter(|e| e.rule_id == rule)
            .map(|e| e.verdict)
            .collect()
    }

    /// The seeded examples fail where they find; their hardened twins pass the same rules on
    /// the same kinds of resources.
    #[test]
    fn examples_pass_where_hardened_and_fail_where_seeded() {
        for name in ["sam-orders", "serverless-payments", "terraform-ledger"] {
            let seeded = scan_dir(&example(name));
            let hardened = scan_dir(&example(&format!("{name}-hardened")));
            for result in [&seeded, &hardened] {
                for f in result
                    .findings
                    .iter()
                    .filter(|f| f.rule.starts_with("TG1") || f.rule.starts_with("TG2"))
                {
                    let i = Evaluation::matching(&result.evaluations, f).unwrap_or_else(|| {
                        panic!("{name}: {} on {:?} has no evaluation", f.rule, f.resource)
                    });
                    assert_eq!(
                        result.evaluations[i].verdict,
                        Verdict::Fail,
                        "{name}: {f:?}"
                    );
                }
            }
            // Rules the seeded example fails at medium or above: the hardened twin fixed
            // every such resource, so the rule passes there and fails nowhere.
            let fixed: BTreeSet<&str> = seeded
                .findings
                .iter()
                .filter(|f| {
                    (f.rule.starts_with("TG1") || f.rule.starts_with("TG2"))
                        && f.severity >= tollgate_core::Severity::Medium
                })
                .map(|f| f.rule.as_str())
                .collect();
            assert!(!fixed.is_empty(), "{name}");
            for rule in fixed {
                assert!(
                    verdicts(&seeded, rule).contains(&Verdict::Fail),
                    "{name}: {rule}"
                );
                let there = verdicts(&hardened, rule);
                // The hardened twins drop their function URL rather than guard it.
                if rule == "TG1009" {
                    assert!(there.is_empty(), "{name}-hardened: {rule} has {there:?}");
                    continue;
                }
                assert!(
                    there.contains(&Verdict::Pass) && !there.contains(&Verdict::Fail),
                    "{name}-hardened: {rule} has {there:?}"
                );
            }
            // Resource by resource: what failed in the seeded example and exists in its twin
            // under the same name passes there, unless the twin keeps a finding below medium.
            let mut compared = 0;
            for failed in seeded
                .evaluations
                .iter()
                .filter(|e| e.verdict == Verdict::Fail)
            {
                let Some(twin) = hardened
                    .evaluations
                    .iter()
                    .find(|e| e.rule_id == failed.rule_id && e.resource == failed.resource)
                else {
                    continue;
                };
                compared += 1;
                let kept_low = hardened.findings.iter().any(|f| {
                    f.rule == twin.rule_id && f.resource.as_deref() == Some(&twin.resource)
                });
                let want = if kept_low {
                    Verdict::Fail
                } else {
                    Verdict::Pass
                };
                assert_eq!(twin.verdict, want, "{name}-hardened: {twin:?}");
            }
            assert!(compared >= 3, "{name}: only {compared} resources compared");
        }
    }

    /// A run whose outputs show no evaluations records none, and finds, notes and suppresses
    /// exactly what a run that records them does.
    #[test]
    fn a_scan_without_evaluations_finds_the_same() {
        for name in ["sam-orders", "serverless-payments", "terraform-ledger"] {
            let with = scan_dir_with(&example(name), true);
            let without = scan_dir_with(&example(name), false);
            assert!(!with.evaluations.is_empty(), "{name}");
            assert!(without.evaluations.is_empty(), "{name}");
            assert!(!with.findings.is_empty(), "{name}");
            assert_eq!(with.findings, without.findings, "{name}");
            assert_eq!(with.notifications, without.notifications, "{name}");
        }
    }

    /// A suppressed finding's evaluation stays a failure and carries the suppression; a
    /// disabled rule has no evaluations left.
    #[test]
    fn evaluations_follow_suppressions_and_disabled_rules() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("template.yaml"),
            "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Kept:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false # tollgate:ignore[TG1401] holds only public events\n  Open:\n    Type: AWS::SNS::Topic\n  Sealed:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: true\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("tollgate.toml"),
            "[rules.TG1402]\ndisable = true\n",
        )
        .unwrap();
        let result = scan_dir(dir.path());
        let of = |rule: &str, resource: &str| {
            result
                .evaluations
                .iter()
                .find(|e| e.rule_id == rule && e.resource == resource)
                .unwrap_or_else(|| panic!("{rule} {resource}: {:?}", result.evaluations))
        };
        let kept = of("TG1401", "Kept");
        assert_eq!(kept.verdict, Verdict::Fail);
        let suppression = kept.suppression.as_ref().expect("marked suppressed");
        assert_eq!(suppression.justification, "holds only public events");
        assert_eq!(of("TG1401", "Sealed").verdict, Verdict::Pass);
        assert_eq!(of("TG1401", "Sealed").suppression, None);
        assert!(result.evaluations.iter().all(|e| e.rule_id != "TG1402"));
        assert!(result.findings.iter().all(|f| f.rule != "TG1402"));
    }

    #[test]
    fn one_parse_error_per_file() {
        let parse_error = |path: &str, stage: &str| {
            Notification::warning("parse-error", format!("{path}: bad"))
                .at(Location::file(path))
                .stage(stage)
        };
        let mut notes = vec![
            parse_error("a.yaml", "parse"),
            parse_error("a.yaml", "iac"),
            parse_error("b.yaml", "iac"),
            Notification::warning("file-skipped", "a.yaml: big").at(Location::file("a.yaml")),
        ];
        dedup_parse_errors(&mut notes);
        let kept: Vec<_> = notes
            .iter()
            .map(|n| (n.id.as_str(), n.stage.as_deref()))
            .collect();
        assert_eq!(
            kept,
            vec![
                ("parse-error", Some("parse")),
                ("parse-error", Some("iac")),
                ("file-skipped", None)
            ]
        );
        sort_notifications(&mut notes);
        assert_eq!(notes[0].id, "file-skipped");
    }
}
