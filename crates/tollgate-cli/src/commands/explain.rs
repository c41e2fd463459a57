//! `tollgate explain CODE`: one rule, in words.

use std::fmt::Write;

use tollgate_core::Rule;

use crate::args::ExplainArgs;
use crate::pipeline::all_rules;

pub fn run(args: &ExplainArgs) -> anyhow::Result<u8> {
    let rules = all_rules();
    match rules.iter().find(|r| r.answers_to(args.code.trim())) {
        Some(rule) => {
            let mut text = explain(rule);
            if let Some(path) = &args.path {
                if rule.stage != tollgate_perms::PermissionsStage::NAME {
                    eprintln!(
                        "error: --path shows the policies a permissions rule (TG2xxx) reads; {} belongs to the `{}` stage",
                        rule.code, rule.stage
                    );
                    return Ok(2);
                }
                match policies_under(path, &rule.code) {
                    Ok(policies) => text.push_str(&policies),
                    Err(message) => {
                        eprintln!("error: {message}");
                        return Ok(2);
                    }
                }
            }
            crate::output::print_stdout(&text);
            Ok(0)
        }
        None => {
            let closest = closest(&rules, &args.code);
            eprint!("error: unknown rule `{}`", args.code);
            if closest.is_empty() {
                eprintln!();
            } else {
                eprintln!("\nhint: the closest codes are {}", closest.join(", "));
            }
            eprintln!("hint: `tollgate rules` lists every rule");
            Ok(2)
        }
    }
}

/// The policies of the templates under `root`, expanded for `code`, as a section to append to
/// the rule's explanation.
fn policies_under(root: &std::path::Path, code: &str) -> Result<String, String> {
    if !root.is_dir() {
        return Err(format!("{} is not a directory", root.display()));
    }
    let config = match tollgate_core::config::find_config(root) {
        Some(file) => crate::pipeline::load_config(&file).map_err(|e| e.to_string())?,
        None => tollgate_core::Config::default(),
    };
    let inventory = tollgate_core::walk(
        root,
        &tollgate_core::inventory::WalkOptions::from_config(&config),
    );
    let today = time::OffsetDateTime::now_utc().date();
    let ctx = tollgate_core::ScanContext::new(
        root.to_path_buf(),
        inventory.files,
        std::sync::Arc::new(config),
        today,
    );
    let model = tollgate_iac::model(&ctx);
    let expanded = tollgate_perms::explain::explain_policies(&model, code);
    let mut out = format!("\nPolicies under {}:\n", root.display());
    if expanded.trim().is_empty() {
        out.push_str("  (no policy this rule reads was found)\n");
    } else {
        out.push_str(&expanded);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    Ok(out)
}

pub fn explain(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}: {}", rule.code, rule.name, rule.title);
    let _ = writeln!(
        out,
        "severity: {}   stage: {}   precision: {}",
        rule.default_severity,
        rule.stage,
        rule.precision.as_str()
    );
    if !rule.description.trim().is_empty() {
        let _ = writeln!(out, "\n{}", rule.description.trim());
    }
    if !rule.remediation.trim().is_empty() {
        let _ = writeln!(out, "\nHow to fix:\n{}", rule.remediation.trim());
    }
    if !rule.equivalents.is_empty() {
        let _ = writeln!(out, "\nEquivalent checks: {}", rule.equivalents.join(", "));
    }
    if !rule.controls.is_empty() {
        let controls: Vec<String> = rule
            .controls
            .iter()
            .map(|c| format!("{} {}", c.framework, c.id))
            .collect();
        let _ = writeln!(out, "\nControls: {}", controls.join(", "));
    }
    if let Some(uri) = &rule.help_uri {
        let _ = writeln!(out, "\nMore: {uri}");
    }
    out
}

/// Up to three rule codes closest to `wanted` by edit distance (codes and names both count).
pub fn closest(rules: &[Rule], wanted: &str) -> Vec<String> {
    let wanted = wanted.trim().to_ascii_uppercase();
    let mut scored: Vec<(usize, &str)> = rules
        .iter()
        .map(|r| {
            let by_code = strsim::levenshtein(&wanted, &r.code.to_ascii_uppercase());
            let by_name = strsim::levenshtein(&wanted, &r.name.to_ascii_uppercase());
            (by_code.min(by_name), r.code.as_str())
        })
        .filter(|(d, _)| *d <= wanted.len().max(3) / 2 + 1)
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::{Framework, Severity};

    #[test]
    fn explains_every_part() {
        let rule = Rule::new(
            "TG1001",
            "lambda-dlq",
            "iac",
            Severity::High,
            "Lambda without DLQ",
        )
        .description("Why.")
        .remediation("Add one.")
        .equivalents(["CKV_AWS_116"])
        .control(Framework::Nist80053, "SI-13");
        let text = explain(&rule);
        assert!(text.starts_with("TG1001 lambda-dlq: Lambda without DLQ\nseverity: high"));
        assert!(text.contains("How to fix:\nAdd one."));
        assert!(text.contains("Equivalent checks: CKV_AWS_116"));
        assert!(text.contains("Controls: NIST-800-53 SI-13"));
    }

    #[test]
    fn suggests_close_codes() {
        let rules = vec![
            Rule::new("TG1001", "a", "iac", Severity::High, "A"),
            Rule::new("TG1002", "b", "iac", Severity::High, "B"),
            Rule::new("TG2001", "c", "permissions", Severity::High, "C"),
        ];
        assert_eq!(
            closest(&rules, "tg1003"),
            vec!["TG1001", "TG1002", "TG2001"]
        );
        assert!(closest(&rules, "completely-different-words").is_empty());
    }
}
