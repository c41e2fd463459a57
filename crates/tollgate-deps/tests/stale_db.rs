//! TG3003 (stale advisory database) has a place GitHub can show: the `cache-dir` line of the
//! scanned tree's `tollgate.toml`, or else a run-level notification, never a result without a
//! location.

mod common;

use tollgate_core::{NotificationLevel, Stage, StageReport};
use tollgate_deps::{DepsOptions, DepsStage};

/// Scan a copy of the Maven fixture (plus `config`, when given, as `tollgate.toml`) offline
/// against a cached database 10 days old.
fn scan_stale(config: Option<&str>) -> StageReport {
    let repo = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    common::cached_db(cache.path(), 10);
    std::fs::copy(
        common::fixtures().join("repo/java/pom.xml"),
        repo.path().join("pom.xml"),
    )
    .unwrap();
    let config = match config {
        Some(text) => {
            let path = repo.path().join("tollgate.toml");
            std::fs::write(&path, text).unwrap();
            // No `stages` key here, so no stage names to check against.
            tollgate_core::config::load(&path, &[]).unwrap()
        }
        None => tollgate_core::Config::default(),
    };
    let ctx = common::context_with(repo.path(), common::today(), config);
    let stage = DepsStage::new(DepsOptions {
        offline: true,
        cache_dir: Some(cache.path().to_path_buf()),
        ..DepsOptions::default()
    });
    stage.run(&ctx).unwrap()
}

#[test]
fn stale_database_points_at_the_cache_dir_line_of_the_config() {
    let report = scan_stale(Some(
        "# Dependencies are checked against the cache CI restores.\n[stage.deps]\noffline = true\ncache-dir = \".tollgate-cache\"\n",
    ));
    let stale: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "TG3003")
        .collect();
    assert_eq!(stale.len(), 1, "{:?}", report.findings);
    let location = &stale[0].location;
    assert_eq!(location.path, "tollgate.toml");
    assert_eq!(location.start_line(), Some(4));
    assert!(stale[0].message.contains("10 days old"));
    assert!(stale[0].message.contains("`tollgate db update`"));
    assert!(!report
        .notifications
        .iter()
        .any(|n| n.id == "stale-advisory-database"));
    // The advisories of the stale database still count.
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "GHSA-jfh8-c2jp-5v3q"));
}

#[test]
fn without_a_config_line_the_stale_database_is_a_run_notification() {
    // A config that does not name the cache has no line to point at either.
    for config in [None, Some("[stage.deps]\noffline = true\n")] {
        let report = scan_stale(config);
        assert!(
            !report.findings.iter().any(|f| f.rule == "TG3003"),
            "{:?}",
            report.findings
        );
        let notes: Vec<_> = report
            .notifications
            .iter()
            .filter(|n| n.id == "stale-advisory-database")
            .collect();
        assert_eq!(notes.len(), 1, "{:?}", report.notifications);
        assert_eq!(notes[0].level, NotificationLevel::Warning);
        assert_eq!(notes[0].stage.as_deref(), Some("deps"));
        assert!(notes[0].message.starts_with("TG3003: "));
        assert!(notes[0].message.contains("10 days old"));
        assert!(notes[0].message.contains("`tollgate db update`"));
        assert!(report
            .findings
            .iter()
            .any(|f| f.rule == "GHSA-jfh8-c2jp-5v3q"));
    }
}
