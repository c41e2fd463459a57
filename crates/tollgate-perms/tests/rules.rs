//! Every rule against its fixtures: `tests/fixtures/<CODE>/{fires,passes}.<source>` in
//! CloudFormation, SAM, Serverless Framework, Terraform `jsonencode` and Terraform
//! `aws_iam_policy_document` (written by `tests/fixtures/generate.py`). In a `fires` file the
//! rule must fire at exactly the lines marked `# <- CODE`; a `passes` file must not make it
//! fire at all. Each file is scanned alone through the permissions stage.

mod support;

use std::collections::BTreeSet;

use support::{fixtures, kind_of, scan};
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
