//! What a failing adapter costs: one file (or one Terraform configuration), never the others.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use tollgate_core::{
    walk, Config, NotificationLevel, ScanContext, Stage, StageReport, WalkOptions,
};

use super::test_hooks::{panic_on, slow_on};
use crate::IacStage;

/// Templates in every format the adapters read, each with findings of its own.
const FILES: &[(&str, &str)] = &[
    ("cfn/a.yaml", "TG1001/fires.cfn.yaml"),
    ("cfn/b.yaml", "TG1301/fires.cfn.yaml"),
    ("sam/template.yaml", "TG1001/fires.sam.yaml"),
    ("svc/serverless.yml", "TG1001/fires.serverless.yml"),
    ("tf/main.tf", "TG1001/fires.tf"),
    ("tf2/main.tf", "TG1301/fires.tf"),
];

fn tree() -> tempfile::TempDir {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let dir = tempfile::tempdir().unwrap();
    for (to, from) in FILES {
        let to = dir.path().join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixtures.join(from), to).unwrap();
    }
    dir
}

fn scan(root: &Path) -> StageReport {
    scan_with(root, Config::default())
}

fn scan_with(root: &Path, config: Config) -> StageReport {
    let files = walk(root, &WalkOptions::default()).files;
    let ctx = ScanContext::new(
        root.to_path_buf(),
        files,
        Arc::new(config),
        time::macros::date!(2027 - 01 - 01),
    );
    IacStage::new().run(&ctx).unwrap()
}

type Key = (String, String, String);

fn findings(report: &StageReport) -> BTreeSet<Key> {
    report
        .findings
        .iter()
        .map(|f| (f.rule.clone(), f.location.path.clone(), f.message.clone()))
        .collect()
}

#[test]
fn a_panic_in_one_file_costs_that_file_only() {
    let dir = tree();
    let all = findings(&scan(dir.path()));
    for (victim, unit) in [
        ("cfn/a.yaml", "cfn/a.yaml"),
        ("sam/template.yaml", "sam/template.yaml"),
        ("svc/serverless.yml", "svc/serverless.yml"),
        // A Terraform configuration is a directory, mapped as one.
        ("tf/main.tf", "tf"),
    ] {
        assert!(
            all.iter().any(|(_, path, _)| path == victim),
            "{victim} has findings of its own"
        );
        let report = {
            let _guard = panic_on(unit);
            scan(dir.path())
        };
        let expected: BTreeSet<Key> = all
            .iter()
            .filter(|(_, path, _)| path != victim)
            .cloned()
            .collect();
        assert_eq!(findings(&report), expected, "panic on {victim}");
        let failed: Vec<_> = report
            .notifications
            .iter()
            .filter(|n| n.id == "adapter-failed")
            .collect();
        assert_eq!(failed.len(), 1, "{victim}: {failed:?}");
        assert_eq!(failed[0].level, NotificationLevel::Error);
        assert!(failed[0].message.starts_with(&format!("{unit}: ")));
    }
}

/// Corrupted copies of a good file: cut short at several places, with a stray byte sequence
/// spliced in, with invalid UTF-8, with an unclosed bracket.
fn corruptions(good: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for cut in [
        good.len() / 5,
        good.len() / 3,
        good.len() / 2,
        good.len() * 4 / 5,
    ] {
        out.push(good[..cut].to_vec());
        let mut spliced = good[..cut].to_vec();
        spliced.extend_from_slice(b"\n  {[\"\t: ]]\n");
        spliced.extend_from_slice(&good[cut..]);
        out.push(spliced);
        let mut bad_utf8 = good.to_vec();
        bad_utf8.insert(cut, 0xFF);
        out.push(bad_utf8);
    }
    let mut unclosed = good.to_vec();
    unclosed.extend_from_slice(b"\n{[(\n");
    out.push(unclosed);
    out
}

/// For a tree with one corrupted file among the good ones, the good files' findings are those
/// of the tree without it.
#[test]
fn a_corrupted_file_loses_nothing_of_the_others() {
    let dir = tree();
    let all = findings(&scan(dir.path()));
    for (good, corrupt_at) in [
        ("cfn/a.yaml", "cfn/corrupt.yaml"),
        ("sam/template.yaml", "sam/corrupt.yaml"),
        ("svc/serverless.yml", "svc2/serverless.yml"),
        ("tf/main.tf", "tf3/main.tf"),
    ] {
        let text = std::fs::read(dir.path().join(good)).unwrap();
        let at = dir.path().join(corrupt_at);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        for (i, corrupted) in corruptions(&text).into_iter().enumerate() {
            std::fs::write(&at, &corrupted).unwrap();
            let with: BTreeSet<Key> = findings(&scan(dir.path()))
                .into_iter()
                .filter(|(_, path, _)| path != corrupt_at)
                .collect();
            assert_eq!(with, all, "{corrupt_at}, corruption {i}");
        }
        std::fs::remove_file(&at).unwrap();
    }
}

/// A file whose evaluation never ends costs its own budget (a tenth of `stage-timeout`, here
/// 0.1 s), not the stage: the other files' findings are all there.
#[test]
fn a_file_past_its_time_budget_costs_that_file_only() {
    let dir = tree();
    let all = findings(&scan(dir.path()));
    let config = Config {
        stage_timeout: Some(1),
        ..Config::default()
    };
    for (victim, unit) in [("cfn/b.yaml", "cfn/b.yaml"), ("tf2/main.tf", "tf2")] {
        let report = {
            let _guard = slow_on(unit);
            scan_with(dir.path(), config.clone())
        };
        let expected: BTreeSet<Key> = all
            .iter()
            .filter(|(_, path, _)| path != victim)
            .cloned()
            .collect();
        assert_eq!(findings(&report), expected, "{victim} slow");
        let stopped: Vec<_> = report
            .notifications
            .iter()
            .filter(|n| n.id == "file-timeout")
            .collect();
        assert_eq!(stopped.len(), 1, "{victim}: {stopped:?}");
        assert!(stopped[0].message.starts_with(&format!("{unit}: ")));
    }
}
