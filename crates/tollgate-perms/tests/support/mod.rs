//! The scan setup the integration tests share: a `ScanContext` over fixture files under
//! `tests/fixtures/`, run through the permissions stage, and ways to pick findings out.

// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate_core::{Config, FileKind, Finding, ScanContext, SourceFile, Stage};
use tollgate_perms::PermissionsStage;

/// `tests/fixtures/<dir>`.
pub fn fixtures(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
}

/// The kind of a fixture file, from its double extension (fixtures cannot be named
/// `serverless.yml`, so the tests classify them instead of the inventory walk).
pub fn kind_of(name: &str) -> Option<FileKind> {
    if name.ends_with(".serverless.yml") {
        Some(FileKind::Serverless)
    } else if name.ends_with(".sam.yaml") {
        Some(FileKind::Sam { json: false })
    } else if name.ends_with(".cfn.yaml") {
        Some(FileKind::CloudFormation { json: false })
    } else if name.ends_with(".tf") {
        Some(FileKind::Terraform)
    } else {
        None
    }
}

/// A scan of the one file `name` in `dir`, with `config`, on a fixed date.
pub fn context_with(dir: &Path, name: &str, config: Config) -> ScanContext {
    let abs = dir.join(name);
    let size = std::fs::metadata(&abs)
        .unwrap_or_else(|e| panic!("{}: fixture expected: {e}", abs.display()))
        .len();
    let kind = kind_of(name).unwrap_or_else(|| panic!("{name}: no fixture kind"));
    let file = SourceFile {
        path: name.into(),
        abs,
        kind,
        size,
    };
    ScanContext::new(
        dir.to_path_buf(),
        vec![file],
        Arc::new(config),
        time::macros::date!(2026 - 06 - 01),
    )
}

/// A scan of the one file `name` in `dir` with the default configuration.
pub fn context(dir: &Path, name: &str) -> ScanContext {
    context_with(dir, name, Config::default())
}

/// The permissions stage's findings for `ctx`.
pub fn run(ctx: &ScanContext) -> Vec<Finding> {
    PermissionsStage::new()
        .run(ctx)
        .expect("the permissions stage runs")
        .findings
}

/// The permissions stage's whole report for the one file `name` in `dir`, evaluations
/// included.
pub fn report(dir: &Path, name: &str) -> tollgate_core::StageReport {
    PermissionsStage::new()
        .run(&context(dir, name))
        .expect("the permissions stage runs")
}

/// The findings for the one file `name` in `dir`.
pub fn scan(dir: &Path, name: &str) -> Vec<Finding> {
    run(&context(dir, name))
}

/// The findings of rule `code` on resource `address`.
pub fn of<'a>(findings: &'a [Finding], code: &str, address: &str) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.rule == code && f.resource.as_deref() == Some(address))
        .collect()
}

/// The one finding of rule `code` on resource `address`.
pub fn only<'a>(findings: &'a [Finding], code: &str, address: &str) -> &'a Finding {
    let hits = of(findings, code, address);
    assert_eq!(hits.len(), 1, "{code} on {address}: {findings:#?}");
    hits[0]
}

/// The one finding of rule `code`, whatever its resource.
pub fn one<'a>(findings: &'a [Finding], code: &str) -> &'a Finding {
    let hits: Vec<&Finding> = findings.iter().filter(|f| f.rule == code).collect();
    assert_eq!(hits.len(), 1, "{code}: {findings:#?}");
    hits[0]
}

/// The first lines of a finding's related locations.
pub fn related_lines(f: &Finding) -> Vec<u32> {
    f.related
        .iter()
        .filter_map(|r| r.location.start_line())
        .collect()
}
