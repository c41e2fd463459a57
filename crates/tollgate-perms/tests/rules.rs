//! Every rule against its fixtures: `tests/fixtures/<CODE>/{fires,passes}.<source>` in
//! CloudFormation, SAM, Serverless Framework, Terraform `jsonencode` and Terraform
//! `aws_iam_policy_document` (written by `tests/fixtures/generate.py`). In a `fires` file the
//! rule must fire at exactly the lines marked `# <- CODE`; a `passes` file must not make it
//! fire at all. Each file is scanned alone through the permissions stage.

mod support;

use std::collections::BTreeSet;

use support::{fixtures, kind_of, report, scan};
use tollgate_core::{Evaluation, Verdict};
use tollgate_perms::rules;

fn marked_lines(text: &str, code: &str) -> BTreeSet<u32> {
    let marker = format!("<- {code}");
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(&marker))
        .map(|(i, _)| i as u32 + 1)
        .collect()
}

#[test]
fn every_rule_fires_and_passes_in_every_policy_source() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for meta in rules::metas() {
        let dir = fixtures(&meta.code);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: fixtures expected: {e}", dir.display()))
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        for source in [".cfn.yaml", ".sam.yaml", ".serverless.yml", ".tf"] {
            for which in ["fires", "passes"] {
                if !names.iter().any(|n| n == &format!("{which}{source}")) {
                    failures.push(format!("{}: no {which}{source}", meta.code));
                }
            }
        }
        for name in names {
            if kind_of(&name).is_none() {
                continue;
            }
            checked += 1;
            let text = std::fs::read_to_string(dir.join(&name)).expect("fixture readable");
            let expected = if name.starts_with("fires") {
                let lines = marked_lines(&text, &meta.code);
                assert!(!lines.is_empty(), "{}/{name} marks no line", meta.code);
                lines
            } else {
                BTreeSet::new()
            };
            let findings = scan(&dir, &name);
            let got: BTreeSet<u32> = findings
                .iter()
                .filter(|f| f.rule == meta.code)
                .filter_map(|f| f.location.start_line())
                .collect();
            if got != expected {
                let all: Vec<String> = findings
                    .iter()
                    .map(|f| {
                        format!(
                            "  {}@{} {}",
                            f.rule,
                            f.location.start_line().unwrap_or(0),
                            f.message
                        )
                    })
                    .collect();
                failures.push(format!(
                    "{}/{name}: expected lines {expected:?}, got {got:?}\n{}",
                    meta.code,
                    all.join("\n")
                ));
            }
        }
    }
    assert!(checked >= 17 * 8, "only {checked} fixtures checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Evaluations agree with findings on every fixture: each finding has a Fail evaluation of its
/// rule and resource, a rule's `fires` fixtures hold a Fail of it, and its `passes` fixtures
/// hold a Pass of it (the owners of the policies it reads) and no Fail.
#[test]
fn evaluations_agree_with_findings_in_every_policy_source() {
    let mut failures = Vec::new();
    for meta in rules::metas() {
        let dir = fixtures(&meta.code);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("fixtures")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| kind_of(n).is_some())
            .collect();
        names.sort();
        for name in names {
            let report = report(&dir, &name);
            for f in &report.findings {
                match Evaluation::matching(&report.evaluations, f) {
                    Some(i) if report.evaluations[i].verdict == Verdict::Fail => {}
                    other => failures.push(format!(
                        "{}/{name}: {} on {:?} has no Fail evaluation ({other:?})",
                        meta.code, f.rule, f.resource
                    )),
                }
            }
            let mine: BTreeSet<Verdict> = report
                .evaluations
                .iter()
                .filter(|e| e.rule_id == meta.code)
                .map(|e| e.verdict)
                .collect();
            let ok = if name.starts_with("fires") {
                mine.contains(&Verdict::Fail)
            } else {
                mine.contains(&Verdict::Pass) && !mine.contains(&Verdict::Fail)
            };
            if !ok {
                failures.push(format!("{}/{name}: verdicts {mine:?}", meta.code));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A policy document that cannot be resolved leaves its owner unknown to the rules that
/// read it, never passing.
#[test]
fn an_unresolved_policy_makes_its_owner_unknown() {
    let report = report(&fixtures("unresolved"), "trust.cfn.yaml");
    let trust: Vec<_> = report
        .evaluations
        .iter()
        .filter(|e| e.rule_id == "TG2012")
        .collect();
    assert_eq!(trust.len(), 1, "{:?}", report.evaluations);
    assert_eq!(trust[0].resource, "Role");
    assert_eq!(trust[0].verdict, Verdict::Unknown);
}
