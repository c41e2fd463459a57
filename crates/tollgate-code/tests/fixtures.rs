//! Every fixture under `tests/fixtures/<rule>/<language>/`: a case whose name starts with
//! `fires-` must raise the rule at least once, one starting with `passes-` must not raise it.
//! A case is one file, or a directory (a handler and the modules it imports). Handlers are
//! found by convention (`handler` / `lambda_handler`), as in a repository without templates.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate_code::scan;
use tollgate_core::{walk, Config, ScanContext, StageReport, WalkOptions};
use tollgate_iac::model::CloudModel;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The entries of `dir`, in name order.
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

fn run_case(case: &Path) -> StageReport {
    let dir = tempfile::tempdir().unwrap();
    if case.is_dir() {
        for entry in std::fs::read_dir(case).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    } else {
        std::fs::copy(case, dir.path().join(case.file_name().unwrap())).unwrap();
    }
    let files = walk(dir.path(), &WalkOptions::default()).files;
    let ctx = ScanContext::new(
        dir.path().to_path_buf(),
        files,
        Arc::new(Config::default()),
        time::macros::date!(2027 - 01 - 01),
    );
    scan(&ctx, &CloudModel::default(), &[])
}

#[test]
fn every_rule_fires_and_passes_in_every_language() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for rule_dir in sorted_entries(&fixtures()) {
        let rule = rule_dir.file_name().unwrap().to_string_lossy().to_string();
        for lang in std::fs::read_dir(&rule_dir).unwrap() {
            let lang = lang.unwrap().path();
            let mut names = Vec::new();
            for case in std::fs::read_dir(&lang).unwrap() {
                let case = case.unwrap().path();
                let name = case.file_name().unwrap().to_string_lossy().to_string();
                names.push(name.clone());
                let report = run_case(&case);
                let raised = report.findings.iter().filter(|f| f.rule == rule).count();
                if std::env::var_os("TOLLGATE_SHOW_FIXTURES").is_some() {
                    for f in &report.findings {
                        eprintln!(
                            "{rule}/{name}: {} {} {}:{:?} {}",
                            f.rule,
                            f.severity.as_str(),
                            f.location.path,
                            f.location.start_line(),
                            f.message
                        );
                        for step in &f.code_flow {
                            eprintln!(
                                "    {}:{:?} {}",
                                step.location.path,
                                step.location.start_line(),
                                step.message
                            );
                        }
                    }
                }
                cases += 1;
                let ok = if name.starts_with("fires-") {
                    raised > 0
                } else if name.starts_with("passes-") {
                    raised == 0
                } else {
                    false
                };
                if !ok {
                    failures.push(format!(
                        "{rule}/{}/{name}: raised {raised}: {:#?}",
                        lang.file_name().unwrap().to_string_lossy(),
                        report
                            .findings
                            .iter()
                            .map(|f| &f.message)
                            .collect::<Vec<_>>()
                    ));
                }
            }
            // Every rule has each kind of case in every language it has fixtures for.
            for kind in [
                "fires-direct",
                "fires-helper",
                "fires-module",
                "fires-string",
                "passes-constant",
                "passes-sanitized",
                "passes-parameterized",
            ] {
                if !names.iter().any(|n| n.starts_with(kind)) {
                    failures.push(format!("{rule}/{}: no `{kind}` case", lang.display()));
                }
            }
        }
    }
    assert!(cases > 0);
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The code flow of every finding a `fires-` case raises for its rule: from the event field at
/// the handler's parameter through each step to the sink, as SARIF's `codeFlows` carries it.
/// The other test checks only that the rule fires; this one keeps the path each finding shows.
#[test]
fn code_flows_of_every_firing_case() {
    let mut out = String::new();
    for rule_dir in sorted_entries(&fixtures()) {
        let rule = rule_dir.file_name().unwrap().to_string_lossy().to_string();
        for lang in sorted_entries(&rule_dir) {
            let firing = sorted_entries(&lang).into_iter().filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("fires-")
            });
            for case in firing {
                let report = run_case(&case);
                for f in report.findings.iter().filter(|f| f.rule == rule) {
                    out.push_str(&format!(
                        "{rule}/{}/{}: {}:{} {}\n",
                        lang.file_name().unwrap().to_string_lossy(),
                        case.file_name().unwrap().to_string_lossy(),
                        f.location.path,
                        f.location.start_line().unwrap_or(0),
                        f.message
                    ));
                    for step in &f.code_flow {
                        out.push_str(&format!(
                            "    {}:{} {}\n",
                            step.location.path,
                            step.location.start_line().unwrap_or(0),
                            step.message
                        ));
                    }
                }
            }
        }
    }
    insta::assert_snapshot!(out);
}
