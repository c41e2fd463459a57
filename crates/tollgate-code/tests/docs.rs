//! `docs/rules/TG6xxx.md` are generated from the code stage's rule metadata (the IaC crate owns
//! the `TG1xxx` pages and the index, the permissions crate the `TG2xxx` pages). This test fails
//! when they are stale; `UPDATE_DOCS=1 cargo test -p tollgate-code --test docs` rewrites them
//! and removes pages of rules that no longer exist.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use tollgate_code::rules;
use tollgate_core::Rule;

fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules")
}

fn page(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated from the rule metadata in crates/tollgate-code/src/rules; do not edit. -->"
    );
    let _ = writeln!(out, "# {}: {}\n", rule.code, rule.title);
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Name | `{}` |", rule.name);
    let _ = writeln!(out, "| Stage | `{}` |", rule.stage);
    let _ = writeln!(
        out,
        "| Default severity | {} (one level higher when the function is reachable without authorization, and again when its role reaches PHI or PCI data or can escalate) |",
        rule.default_severity
    );
    let _ = writeln!(out, "| Precision | {} |", rule.precision.as_str());
    let _ = writeln!(out, "| Tags | {} |\n", rule.tags.join(", "));
    let _ = writeln!(out, "## What it checks\n\n{}\n", rule.description.trim());
    let _ = writeln!(out, "## How to fix\n\n{}\n", rule.remediation.trim());
    if !rule.controls.is_empty() {
        out.push_str(&tollgate_core::compliance::markdown_section(&rule.controls));
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "To accept one finding, put a `tollgate:ignore[{}] reason` comment (`#` in Python, `//` in \
         JavaScript and TypeScript) on the offending line or the line above it.",
        rule.code
    );
    out
}

#[test]
fn rule_docs_are_up_to_date() {
    let wanted: BTreeMap<String, String> = rules::all()
        .iter()
        .map(|r| r.meta())
        .map(|m| (format!("{}.md", m.code), page(&m)))
        .collect();
    let stale = tollgate_core::generated_docs::sync(
        &docs_dir(),
        &wanted,
        |n| n.starts_with("TG6") && n.ends_with(".md"),
        tollgate_core::generated_docs::update_requested(),
    )
    .expect("write docs/rules");
    assert!(
        stale.is_empty(),
        "docs/rules is stale: {}\nhint: run `UPDATE_DOCS=1 cargo test -p tollgate-code --test docs`",
        stale.join(", ")
    );
}

#[test]
fn every_rule_links_to_its_page() {
    for rule in rules::all() {
        let m = rule.meta();
        assert!(m.code.starts_with("TG6"), "{}", m.code);
        assert!(
            !m.description.is_empty() && !m.remediation.is_empty(),
            "{}",
            m.code
        );
        let uri = m.help_uri.as_deref().unwrap_or_default();
        assert!(uri.ends_with(&format!("docs/rules/{}.md", m.code)), "{uri}");
    }
}
