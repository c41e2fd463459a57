//! End-to-end-ish: the fixture repository's lockfiles against the fixture OSV database, as a
//! directory and as a zip, offline.

mod common;

use std::collections::BTreeSet;

use tollgate_core::{Severity, Stage, Verdict};
use tollgate_deps::{DepsOptions, DepsStage};

/// Run over the fixture repository.
fn scan(s: &DepsStage) -> Result<tollgate_core::StageReport, tollgate_core::StageError> {
    let ctx = common::context(&common::fixtures().join("repo"), common::today());
    s.run(&ctx)
}

fn stage(db: Vec<std::path::PathBuf>, cache: &std::path::Path) -> DepsStage {
    DepsStage::new(DepsOptions {
        advisory_db: db,
        offline: true,
        cache_dir: Some(cache.to_path_buf()),
        ..DepsOptions::default()
    })
}

/// (rule, path, line, severity) of each finding.
fn summary(report: &tollgate_core::StageReport) -> BTreeSet<(String, String, u32, Severity)> {
    report
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.clone(),
                f.location.path.clone(),
                f.location.start_line().unwrap_or(0),
                f.severity,
            )
        })
        .collect()
}

fn expected() -> BTreeSet<(String, String, u32, Severity)> {
    [
        (
            "RUSTSEC-2021-0003",
            "rust/Cargo.lock",
            26,
            Severity::Critical,
        ),
        ("RUSTSEC-2020-0071", "rust/Cargo.lock", 31, Severity::Medium),
        ("RUSTSEC-2020-0036", "rust/Cargo.lock", 6, Severity::Low),
        (
            "GHSA-p6mc-m468-83gw",
            "node/package-lock.json",
            17,
            Severity::High,
        ),
        (
            "GHSA-35jh-r3h4-6jhm",
            "node/package-lock.json",
            17,
            Severity::High,
        ),
        (
            "GHSA-vh95-rmgr-6w4m",
            "node/package-lock.json",
            22,
            Severity::Medium,
        ),
        (
            "PYSEC-2019-217",
            "python/requirements.txt",
            3,
            Severity::High,
        ),
        ("TG3001", "python/requirements.txt", 5, Severity::Medium),
        (
            "PYSEC-2019-133",
            "python/requirements-common.txt",
            2,
            Severity::High,
        ),
        (
            "TG3001",
            "python/requirements-common.txt",
            3,
            Severity::Medium,
        ),
        ("GO-2020-0015", "go/go.mod", 7, Severity::Medium),
        (
            "GHSA-jfh8-c2jp-5v3q",
            "java/pom.xml",
            11,
            Severity::Critical,
        ),
        (
            "GHSA-wq4h-7r42-5hrr",
            "ruby/Gemfile.lock",
            4,
            Severity::High,
        ),
        (
            "GHSA-q7rv-6hp3-vh96",
            "php/composer.lock",
            5,
            Severity::High,
        ),
        ("TG3002", "web/package.json", 3, Severity::Low),
    ]
    .into_iter()
    .map(|(r, p, l, s)| (r.to_string(), p.to_string(), l, s))
    .collect()
}

#[test]
fn directory_database_finds_every_seeded_vulnerability() {
    let cache = tempfile::tempdir().unwrap();
    let report = scan(&stage(vec![common::fixtures().join("osv")], cache.path())).unwrap();
    assert_eq!(summary(&report), expected(), "{:#?}", report.findings);
    // No duplicates hide in the set: an included requirements file also scanned on its own
    // reports each package once.
    assert_eq!(report.findings.len(), expected().len());
    assert!(report
        .notifications
        .iter()
        .all(|n| n.level != tollgate_core::NotificationLevel::Error));
}

/// The check records a verdict on every package it was given: the clean ones pass, the
/// unpinned requirements are unknown, and the affected ones are judged by their advisories'
/// findings (each advisory's rule is a case of the check's rule, at the same resource).
#[test]
fn every_package_is_judged_once() {
    let cache = tempfile::tempdir().unwrap();
    let report = scan(&stage(vec![common::fixtures().join("osv")], cache.path())).unwrap();
    let verdicts: Vec<(&str, Verdict)> = report
        .evaluations
        .iter()
        .map(|e| {
            assert_eq!(e.rule_id, "TG3004");
            (e.resource.as_str(), e.verdict)
        })
        .collect();
    let unknown: BTreeSet<&str> = verdicts
        .iter()
        .filter(|(_, v)| *v == Verdict::Unknown)
        .map(|(r, _)| *r)
        .collect();
    assert_eq!(
        unknown,
        BTreeSet::from([
            "python/requirements-common.txt#boto3",
            "python/requirements.txt#flask"
        ])
    );
    assert!(verdicts.contains(&(
        "python/requirements-common.txt#markupsafe@2.1.3",
        Verdict::Pass
    )));
    assert!(verdicts
        .iter()
        .all(|(_, v)| matches!(v, Verdict::Pass | Verdict::Unknown)));
    let judged: BTreeSet<&str> = verdicts.iter().map(|(r, _)| *r).collect();
    assert_eq!(
        judged.len(),
        verdicts.len(),
        "each package once: {verdicts:?}"
    );
    for f in report.findings.iter().filter(|f| f.rule != "TG3001") {
        let resource = f.resource.as_deref().unwrap();
        assert!(
            !judged.contains(resource),
            "{resource} both passes and fails"
        );
    }
}

#[test]
fn aliases_merge_and_messages_name_the_fix() {
    let cache = tempfile::tempdir().unwrap();
    let report = scan(&stage(vec![common::fixtures().join("osv")], cache.path())).unwrap();
    let smallvec: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.resource.as_deref() == Some("rust/Cargo.lock#smallvec@1.6.0"))
        .collect();
    assert_eq!(smallvec.len(), 1, "one finding for RUSTSEC + GHSA + CVE");
    let f = smallvec[0];
    assert_eq!(
        f.properties["aliases"],
        serde_json::json!(["CVE-2021-25900", "GHSA-43w2-9j62-hq99"])
    );
    assert!(f.message.contains("Fixed in 1.6.1"), "{}", f.message);
    assert_eq!(f.properties["cvssScore"], serde_json::json!(9.8));

    let lodash: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.resource.as_deref() == Some("node/package-lock.json#lodash@4.17.15"))
        .collect();
    assert_eq!(lodash.len(), 2);
    for f in &lodash {
        assert!(
            f.message
                .contains("Upgrading to 4.17.21 fixes all 2 advisories"),
            "{}",
            f.message
        );
    }
    // The Jinja2 advisories (PYSEC + GHSA) merge; the withdrawn one does not fire.
    let jinja: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.message.contains("Jinja2"))
        .collect();
    assert_eq!(jinja.len(), 1);
    assert!(report
        .dynamic_rules
        .iter()
        .all(|r| r.code != "PYSEC-2099-1"));
    // Every finding's rule is known: static or dynamic.
    let mut codes: BTreeSet<String> = report
        .dynamic_rules
        .iter()
        .map(|r| r.code.clone())
        .collect();
    codes.extend(
        tollgate_deps::rules::static_rules()
            .into_iter()
            .map(|r| r.code),
    );
    for f in &report.findings {
        assert!(codes.contains(&f.rule), "{} has no rule", f.rule);
    }
    // The RustSec informational advisory is low and says so.
    let failure = report
        .dynamic_rules
        .iter()
        .find(|r| r.code == "RUSTSEC-2020-0036")
        .unwrap();
    assert_eq!(failure.default_severity, Severity::Low);
    assert!(failure.description.contains("unmaintained"));
}

#[test]
fn dev_dependencies_can_be_excluded() {
    let cache = tempfile::tempdir().unwrap();
    let mut s = stage(vec![common::fixtures().join("osv")], cache.path());
    s.options.include_dev = false;
    let report = scan(&s).unwrap();
    assert!(report
        .findings
        .iter()
        .all(|f| f.rule != "GHSA-vh95-rmgr-6w4m"));
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "GHSA-p6mc-m468-83gw"));

    // `[stage.deps] include-dev = false` in tollgate.toml does the same.
    let mut config = tollgate_core::Config::default();
    config.stage.deps.include_dev = Some(false);
    let ctx = common::context_with(&common::fixtures().join("repo"), common::today(), config);
    let s = stage(vec![common::fixtures().join("osv")], cache.path());
    let report = s.run(&ctx).unwrap();
    assert!(report
        .findings
        .iter()
        .all(|f| f.rule != "GHSA-vh95-rmgr-6w4m"));
    let dev = report
        .findings
        .iter()
        .filter(|f| f.properties.get("dev") == Some(&serde_json::json!(true)))
        .count();
    assert_eq!(dev, 0);
}

#[test]
fn zip_database_gives_the_same_results_and_reuses_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("all.zip");
    std::fs::write(&zip, common::fixture_zip()).unwrap();
    let s = stage(vec![zip.clone()], dir.path());
    let first = scan(&s).unwrap();
    assert_eq!(summary(&first), expected());
    // The index was saved under the cache and is used again.
    let saved: Vec<_> = std::fs::read_dir(dir.path().join("indexes"))
        .unwrap()
        .collect();
    assert_eq!(saved.len(), 1);
    let second = scan(&s).unwrap();
    assert_eq!(summary(&second), expected());
}

#[test]
fn offline_without_a_database_says_how_to_get_one() {
    let cache = tempfile::tempdir().unwrap();
    let err = scan(&stage(Vec::new(), cache.path())).unwrap_err();
    assert!(
        err.message.contains("tollgate db update"),
        "{}",
        err.message
    );
    assert!(err.message.contains("--advisory-db"), "{}", err.message);
}

#[test]
fn stale_cached_database_is_used_offline_and_reported() {
    let cache = tempfile::tempdir().unwrap();
    common::cached_db(cache.path(), 10);
    let report = scan(&stage(Vec::new(), cache.path())).unwrap();
    // No config names the cache, so TG3003 is a run-level note (see tests/stale_db.rs).
    let stale: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.id == "stale-advisory-database")
        .collect();
    assert_eq!(stale.len(), 1);
    assert!(stale[0].message.contains("10 days old"));
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "GHSA-jfh8-c2jp-5v3q"));
    assert!(report
        .notifications
        .iter()
        .any(|n| n.id == "advisory-source" && n.message.contains("cached OSV database")));
}

#[test]
fn a_broken_lockfile_is_a_positioned_notification_and_the_rest_is_scanned() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join("a")).unwrap();
    std::fs::write(
        repo.path().join("a/package-lock.json"),
        "{\n  \"packages\": {\n    \"node_modules/x\": {\"version\": \"1.0.0\",}\n  }\n}\n",
    )
    .unwrap();
    let report = scan_beside_a_cargo_lock(repo.path());
    let errors: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.id == "parse-error")
        .collect();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].message.starts_with("a/package-lock.json:3:"),
        "{}",
        errors[0].message
    );
    assert_eq!(
        errors[0].location.as_ref().and_then(|l| l.start_line()),
        Some(3)
    );
    assert!(report
        .findings
        .iter()
        .any(|f| f.rule == "RUSTSEC-2021-0003"));
}

/// A lockfile of one vulnerable pin repeated past the per-file cap gives the cap's findings and
/// a warning counting the rest; a file at the cap is reported whole; other lockfiles are
/// reported as usual.
#[test]
fn findings_of_one_lockfile_stop_at_the_cap_with_a_warning() {
    use tollgate_deps::MAX_FINDINGS_PER_LOCKFILE;
    let repo = tempfile::tempdir().unwrap();
    for (dir, lines) in [
        ("over", MAX_FINDINGS_PER_LOCKFILE + 5),
        ("at", MAX_FINDINGS_PER_LOCKFILE),
    ] {
        std::fs::create_dir_all(repo.path().join(dir)).unwrap();
        std::fs::write(
            repo.path().join(dir).join("requirements.txt"),
            "urllib3==1.24.1\n".repeat(lines),
        )
        .unwrap();
    }
    let report = scan_beside_a_cargo_lock(repo.path());
    let in_file = |path: &str| {
        report
            .findings
            .iter()
            .filter(|f| f.location.path == path)
            .count()
    };
    assert_eq!(in_file("over/requirements.txt"), MAX_FINDINGS_PER_LOCKFILE);
    assert_eq!(in_file("at/requirements.txt"), MAX_FINDINGS_PER_LOCKFILE);
    assert!(in_file("Cargo.lock") > 0);
    let capped: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.id == "findings-capped")
        .collect();
    assert_eq!(capped.len(), 1, "{capped:?}");
    assert!(
        capped[0]
            .message
            .starts_with("over/requirements.txt: 5 more entries with advisories not reported"),
        "{}",
        capped[0].message
    );
}

/// The fixture database over `repo` with the fixture repository's `Cargo.lock` added at its
/// root: a lockfile that must be reported whatever the others do.
fn scan_beside_a_cargo_lock(repo: &std::path::Path) -> tollgate_core::StageReport {
    std::fs::copy(
        common::fixtures().join("repo/rust/Cargo.lock"),
        repo.join("Cargo.lock"),
    )
    .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let ctx = common::context(repo, common::today());
    stage(vec![common::fixtures().join("osv")], cache.path())
        .run(&ctx)
        .unwrap()
}
