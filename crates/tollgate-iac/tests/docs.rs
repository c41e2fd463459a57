//! `docs/rules/<CODE>.md` and `docs/rules/README.md` are generated from the rule metadata.
//! This test fails when they are stale; `UPDATE_DOCS=1 cargo test -p tollgate-iac --test docs`
//! rewrites them (and removes pages of rules that no longer exist).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use tollgate_core::Rule;
use tollgate_iac::rules::{self, IacRule};

/// Files of `docs/rules/` this generator owns: the index and one page per IaC rule (`TG1xxx`).
fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules")
}

fn is_generated_page(name: &str) -> bool {
    name.starts_with("TG1") && name.ends_with(".md")
}

fn page(rule: &Rule, data_protection: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated from the rule metadata in crates/tollgate-iac/src/rules; do not edit. -->"
    );
    let _ = writeln!(out, "# {}: {}\n", rule.code, rule.title);
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Name | `{}` |", rule.name);
    let _ = writeln!(out, "| Stage | `{}` |", rule.stage);
    let _ = writeln!(out, "| Default severity | {} |", rule.default_severity);
    let raised = if data_protection {
        "yes: one level higher on resources tagged PHI, PCI or PII"
    } else {
        "no"
    };
    let _ = writeln!(out, "| Raised for classified data | {raised} |");
    let _ = writeln!(out, "| Precision | {} |", rule.precision.as_str());
    let _ = writeln!(out, "| Tags | {} |", rule.tags.join(", "));
    let equivalents = if rule.equivalents.is_empty() {
        "none".to_string()
    } else {
        rule.equivalents
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "| Checkov equivalents | {equivalents} |\n");
    let _ = writeln!(out, "## What it checks\n\n{}\n", rule.description.trim());
    let _ = writeln!(out, "## How to fix\n\n{}\n", rule.remediation.trim());
    out.push_str(&tollgate_core::compliance::markdown_section(&rule.controls));
    let skip = match rule.equivalents.first() {
        Some(id) => format!(", or Checkov's `checkov:skip={id}:reason`"),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "\nTo accept one finding, put `# tollgate:ignore[{}] reason` on the resource's first \
         line{skip}.",
        rule.code
    );
    out
}

fn index(all: &[Box<dyn IacRule>]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- Generated from the rule metadata in crates/tollgate-iac/src/rules; do not edit. -->"
    );
    let _ = writeln!(out, "# IaC rules\n");
    let _ = writeln!(
        out,
        "Every rule checks the cloud model built from CloudFormation, AWS SAM, Serverless \
         Framework and Terraform, so it behaves the same for each format. Rules marked \
         *data* raise their severity one level on resources tagged `DataClassification` \
         PHI, PCI or PII.\n"
    );
    let _ = writeln!(
        out,
        "| Code | Name | Severity | Title | Checkov |\n|---|---|---|---|---|"
    );
    for r in all {
        let m = rules::published_meta(r.as_ref());
        let data = if r.data_protection() { " (data)" } else { "" };
        let _ = writeln!(
            out,
            "| [{code}]({code}.md) | `{}` | {}{data} | {} | {} |",
            m.name,
            m.default_severity,
            m.title,
            m.equivalents.join(", "),
            code = m.code
        );
    }
    let _ = writeln!(
        out,
        "\nThe permissions rules (`TG2xxx`, pages `TG2001.md` onward in this directory) are \
         generated from `crates/tollgate-perms`. `tollgate rules` lists every rule of every \
         stage, including `TG0001` (a template that does not parse) and the dependency \
         meta-rules `TG3001`-`TG3004`; each advisory is its own rule, named by its OSV id, and a case of `TG3004`."
    );
    out
}

#[test]
fn rule_docs_are_up_to_date() {
    let all = rules::all();
    let mut wanted: BTreeMap<String, String> = all
        .iter()
        .map(|r| {
            let meta = rules::published_meta(r.as_ref());
            (
                format!("{}.md", meta.code),
                page(&meta, r.data_protection()),
            )
        })
        .collect();
    wanted.insert("README.md".to_string(), index(&all));

    let stale = tollgate_core::generated_docs::sync(
        &docs_dir(),
        &wanted,
        is_generated_page,
        tollgate_core::generated_docs::update_requested(),
    )
    .expect("write docs/rules");
    assert!(
        stale.is_empty(),
        "docs/rules is stale: {}\nhint: run `UPDATE_DOCS=1 cargo test -p tollgate-iac --test docs`",
        stale.join(", ")
    );
}

#[test]
fn pages_carry_every_part_of_the_metadata() {
    let all = rules::all();
    let r = &all[0];
    let meta = rules::published_meta(r.as_ref());
    let text = page(&meta, r.data_protection());
    assert!(text.contains(&format!("# {}: {}", meta.code, meta.title)));
    assert!(text.contains("```hcl"));
    for e in &meta.equivalents {
        assert!(text.contains(e.as_str()));
    }
    for c in &meta.controls {
        assert!(text.contains(c.id.as_str()));
    }
    assert!(index(&all).contains(&format!("[{0}]({0}.md)", meta.code)));
}
