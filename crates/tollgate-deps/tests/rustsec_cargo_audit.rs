//! The side-by-side check with cargo-audit, without cargo-audit: the fixture lockfiles of
//! `tests/fixtures/rustsec-lockfiles` scanned against the OSV form of the fixture RustSec
//! database (`tests/fixtures/rustsec-osv`, written by `scripts/compare-cargo-audit.py convert`)
//! must give the (crate, version, advisory) set recorded in `docs/dependencies-accuracy.md`,
//! which is cargo-audit's except where that page explains why not. The converted OSV files
//! must be what the script writes today.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use tollgate_core::Stage;
use tollgate_deps::{DepsOptions, DepsStage};

fn rustsec_osv() -> PathBuf {
    common::fixtures().join("rustsec-osv")
}

/// (crate, version, advisory id) of every advisory finding in one lockfile case.
fn scan_case(case: &str) -> BTreeSet<(String, String, String)> {
    let cache = tempfile::tempdir().unwrap();
    let stage = DepsStage::new(DepsOptions {
        advisory_db: vec![rustsec_osv()],
        offline: true,
        cache_dir: Some(cache.path().to_path_buf()),
        ..DepsOptions::default()
    });
    let root = common::fixtures().join("rustsec-lockfiles").join(case);
    let report = stage
        .run(&common::context(&root, common::today()))
        .unwrap_or_else(|e| panic!("{case}: {e}"));
    assert!(
        report
            .notifications
            .iter()
            .all(|n| n.level != tollgate_core::NotificationLevel::Error),
        "{case}: {:#?}",
        report.notifications
    );
    report
        .findings
        .iter()
        .filter(|f| !f.rule.starts_with("TG"))
        .map(|f| {
            let resource = f
                .resource
                .as_deref()
                .expect("advisory findings name a resource");
            let (_, package) = resource
                .split_once('#')
                .unwrap_or_else(|| panic!("resource {resource} has no #"));
            let (name, version) = package
                .rsplit_once('@')
                .unwrap_or_else(|| panic!("resource {resource} has no @"));
            (name.to_string(), version.to_string(), f.rule.clone())
        })
        .collect()
}

fn set(rows: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    rows.iter()
        .map(|(n, v, id)| (n.to_string(), v.to_string(), id.to_string()))
        .collect()
}

#[test]
fn vulnerable_versions_are_reported_like_cargo_audit() {
    let want = set(&[
        ("atty", "0.2.14", "RUSTSEC-2021-0145"),
        ("atty", "0.2.14", "RUSTSEC-2024-0375"),
        ("crossbeam-utils", "0.8.6", "RUSTSEC-2022-0041"),
        ("h2", "0.3.23", "RUSTSEC-2024-0003"),
        ("h2", "0.3.23", "RUSTSEC-2026-0258"),
        ("h2", "0.4.1", "RUSTSEC-2024-0003"),
        ("h2", "0.4.1", "RUSTSEC-2026-0258"),
        ("hashbrown", "0.15.0", "RUSTSEC-2024-0402"),
        ("hyper", "0.14.9", "RUSTSEC-2021-0078"),
        ("idna", "0.5.0", "RUSTSEC-2024-0421"),
        ("libgit2-sys", "0.16.1+1.7.1", "RUSTSEC-2024-0013"),
        ("quinn-proto", "0.11.14", "RUSTSEC-2026-0185"),
        ("regex", "1.5.4", "RUSTSEC-2022-0013"),
        ("ring", "0.16.20", "RUSTSEC-2025-0009"),
        ("ring", "0.16.20", "RUSTSEC-2025-0010"),
        ("rustls", "0.21.10", "RUSTSEC-2024-0336"),
        ("smallvec", "0.6.9", "RUSTSEC-2019-0009"),
        ("smallvec", "0.6.9", "RUSTSEC-2021-0003"),
        ("smallvec", "1.6.0", "RUSTSEC-2021-0003"),
        ("time", "0.1.43", "RUSTSEC-2020-0071"),
        ("tokio", "1.8.1", "RUSTSEC-2021-0124"),
        ("tokio", "1.8.1", "RUSTSEC-2023-0001"),
        ("tokio", "1.8.1", "RUSTSEC-2025-0023"),
        ("tracing-subscriber", "0.3.19", "RUSTSEC-2025-0055"),
        ("zip", "2.2.0", "RUSTSEC-2025-0168"),
    ]);
    assert_eq!(scan_case("v3-vulnerable"), want);
}

#[test]
fn first_patched_and_never_affected_versions_are_clean() {
    assert_eq!(scan_case("v4-patched"), BTreeSet::new());
}

#[test]
fn versions_fixed_by_one_advisory_can_stay_in_another() {
    let want = set(&[
        // ^0.3.24 is patched for RUSTSEC-2024-0003, but only 0.4.16 fixes RUSTSEC-2026-0258.
        ("h2", "0.3.24", "RUSTSEC-2026-0258"),
        ("rand", "0.10.0", "RUSTSEC-2026-0097"),
        ("rand", "0.9.2", "RUSTSEC-2026-0097"),
        ("ring", "0.16.20", "RUSTSEC-2025-0009"),
        ("ring", "0.16.20", "RUSTSEC-2025-0010"),
        // 0.17.0 is out of the unmaintained advisory (>= 0.17) but before the 0.17.12 fix.
        ("ring", "0.17.0", "RUSTSEC-2025-0009"),
        ("rustls", "0.23.13", "RUSTSEC-2026-0285"),
        ("rustls", "0.23.44", "RUSTSEC-2026-0285"),
        // 0.2.0 is listed as unaffected (=0.2.0); 0.2.7 is the first affected 0.2 release.
        ("time", "0.2.7", "RUSTSEC-2020-0071"),
        ("time", "0.3.6", "RUSTSEC-2026-0009"),
        ("tokio", "1.13.1", "RUSTSEC-2023-0001"),
        ("tokio", "1.13.1", "RUSTSEC-2025-0023"),
        ("tokio", "1.18.4", "RUSTSEC-2025-0023"),
        ("tokio", "1.39.0", "RUSTSEC-2025-0023"),
        ("tokio", "1.8.4", "RUSTSEC-2023-0001"),
        ("tokio", "1.8.4", "RUSTSEC-2025-0023"),
    ]);
    assert_eq!(scan_case("v4-boundaries"), want);
}

#[test]
fn prereleases_follow_semver_precedence() {
    let want = set(&[
        // Between the affected rc.1 and the fixing rc.2; beta.3 sorts before rc.1.
        ("anchor-lang", "1.0.0-rc.1", "RUSTSEC-2026-0146"),
        // 0.4.0-alpha.1 is above ^0.3.24 (< 0.4.0-0 ends it) and below 0.4.2.
        ("h2", "0.4.0-alpha.1", "RUSTSEC-2024-0003"),
        ("h2", "0.4.0-alpha.1", "RUSTSEC-2026-0258"),
        ("rand", "0.10.1-rc.1", "RUSTSEC-2026-0097"),
        ("ring", "0.17.0-alpha.11", "RUSTSEC-2025-0009"),
        ("ring", "0.17.0-alpha.11", "RUSTSEC-2025-0010"),
        ("smallvec", "1.6.1-alpha.1", "RUSTSEC-2021-0003"),
        ("time", "0.2.0-alpha.1", "RUSTSEC-2020-0071"),
        ("time", "0.2.23-rc.1", "RUSTSEC-2020-0071"),
    ]);
    assert_eq!(scan_case("v4-prerelease"), want);
}

#[test]
fn only_crates_io_packages_are_matched() {
    let want = set(&[
        ("smallvec", "1.6.0", "RUSTSEC-2021-0003"),
        // crates.io through its sparse index URL is still crates.io.
        ("time", "0.1.43", "RUSTSEC-2020-0071"),
    ]);
    assert_eq!(scan_case("v3-sources"), want);
}

#[test]
fn informational_advisories_are_reported_and_withdrawn_ones_are_not() {
    let want = set(&[
        ("atty", "0.2.14", "RUSTSEC-2021-0145"),
        ("atty", "0.2.14", "RUSTSEC-2024-0375"),
        ("crossbeam-utils", "0.8.6", "RUSTSEC-2022-0041"),
        ("paste", "1.0.15", "RUSTSEC-2024-0436"),
        ("personnummer", "3.0.0", "RUSTSEC-2020-0166"),
        ("rand", "0.9.2", "RUSTSEC-2026-0097"),
    ]);
    // ring 0.17.14 is only named by the withdrawn RUSTSEC-2025-0007.
    assert_eq!(scan_case("v4-informational"), want);
}

/// Whether `python3` runs here; in CI its absence is a failure, not a reason to skip.
fn python3_available() -> bool {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "python3 is required in CI"
    );
    found
}

fn json_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect()
}

#[test]
fn converted_osv_fixture_is_current() {
    if !python3_available() {
        eprintln!("python3 not found: converter output not checked");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/compare-cargo-audit.py");
    let run = Command::new("python3")
        .arg(&script)
        .arg("convert")
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let committed = rustsec_osv();
    let names = json_files(&committed);
    assert_eq!(
        json_files(out.path()),
        names,
        "run `{} convert`",
        script.display()
    );
    assert_eq!(names.len(), 29);
    for name in names {
        let want = std::fs::read_to_string(out.path().join(&name)).unwrap();
        let have = std::fs::read_to_string(committed.join(&name)).unwrap();
        assert!(
            want == have,
            "{name} is stale: run `python3 {} convert`",
            script.display()
        );
    }
}
