//! `docs/rules/TG2xxx.md` are generated from the permissions rules' metadata (the IaC crate
//! owns the `TG1xxx` pages and the index). This test fails when they are stale;
//! `UPDATE_DOCS=1 cargo test -p tollgate-perms --test docs` rewrites them and removes pages of
//! rules that no longer exist.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use tollgate_core::Rule;
use tollgate_perms::rules;

fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules")
}

fn page(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated from the rule metadata in crates/tollgate-perms/src/rules; do not edit. -->"
    );
    let _ = writeln!(out, "# {}: {}\n", rule.code, rule.title);
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Name | `{}` |", rule.name);
    let _ = writeln!(out, "| Stage | `{}` |", rule.stage);
    let _ = writeln!(out, "| Default severity | {} |", rule.default_severity);
    let _ = writeln!(out, "| Precision | {} |", rule.precision.as_str());
    let _ = writeln!(out, "| Tags | {} |", rule.tags.join(", "));
    let equivalents: Vec<String> = rule.equivalents.iter().map(|e| format!("`{e}`")).collect();
    let _ = writeln!(out, "| Equivalents | {} |\n", equivalents.join(", "));
    let _ = writeln!(out, "## What it checks\n\n{}\n", rule.description.trim());
    let _ = writeln!(out, "## How to fix\n\n{}\n", rule.remediation.trim());
    out.push_str(&tollgate_core::compliance::markdown_section(&rule.controls));
    let _ = writeln!(
        out,
        "\nTo accept one finding, put `# tollgate:ignore[{}] reason` on the resource's first line. \
         `tollgate explain {} --path DIR` shows what your own policies' actions expand to.",
        rule.code, rule.code
    );
    out
}

#[test]
fn rule_docs_are_up_to_date() {
    let wanted: BTreeMap<String, String> = rules::metas()
        .iter()
        .map(|m| (format!("{}.md", m.code), page(m)))
        .collect();
    let stale = tollgate_core::generated_docs::sync(
        &docs_dir(),
        &wanted,
        |n| n.starts_with("TG2") && n.ends_with(".md"),
        tollgate_core::generated_docs::update_requested(),
    )
    .expect("write docs/rules");
    assert!(
        stale.is_empty(),
        "docs/rules is stale: {}\nhint: run `UPDATE_DOCS=1 cargo test -p tollgate-perms --test docs`",
        stale.join(", ")
    );
}

#[test]
fn every_rule_has_words_equivalents_and_a_help_page() {
    for m in rules::metas() {
        assert!(m.code.starts_with("TG2"), "{}", m.code);
        assert_eq!(m.stage, "permissions");
        assert!(
            !m.description.is_empty() && !m.remediation.is_empty(),
            "{}",
            m.code
        );
        assert!(!m.equivalents.is_empty(), "{}", m.code);
        let uri = m.help_uri.as_deref().unwrap_or_default();
        assert!(uri.ends_with(&format!("docs/rules/{}.md", m.code)), "{uri}");
        assert!(page(&m).contains(&m.title));
    }
}
