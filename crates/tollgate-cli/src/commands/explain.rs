//! `tollgate explain CODE`: one rule, in words.

use std::fmt::Write;

use tollgate_core::Rule;

use crate::args::ExplainArgs;
use crate::pipeline::all_rules;

pub fn run(args: &ExplainArgs) -> anyhow::Result<u8> {
    let rules = all_rules();
    let wanted = args.code.trim();
    if !rules.iter().any(|r| r.answers_to(wanted)) {
        if let Some(path) = &args.path {
            return explain_policy_rule(wanted, path);
        }
        if is_policy_code(wanted) {
            eprintln!(
                "error: `{}` is a code of the policy stage: its codes come from the repository's own Rego policies and Guard rules (METADATA `custom.code` or `# code:`, else `TG9` and four hex digits derived from the package and rule name)\nhint: `tollgate explain {} --path DIR` explains it from the policies of the repository at DIR; `tollgate rules --path DIR` lists them",
                tollgate_core::display::visible_line(wanted),
                tollgate_core::display::visible_line(wanted)
            );
            return Ok(2);
        }
    }
    match rules.iter().find(|r| r.answers_to(wanted)) {
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
        None if crate::rule_select::looks_like_advisory(&args.code) => explain_advisory(args),
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

/// The advisory databases `run` would read, offline: `--advisory-db`, else the config's
/// `[stage.deps] advisory-db` (config found from the current directory as `run .` finds it),
/// else the archives `tollgate db update` cached.
fn advisory_sources(args: &ExplainArgs) -> (Vec<std::path::PathBuf>, Option<std::path::PathBuf>) {
    let defaults = tollgate_deps::DepsOptions::default();
    let index_dir = defaults.cache_dir.as_ref().map(|d| d.join("indexes"));
    if !args.advisory_db.is_empty() {
        return (args.advisory_db.clone(), index_dir);
    }
    let here = std::env::current_dir().unwrap_or_else(|_| ".".into());
    if let Some(config) = tollgate_core::config::discover_config(&here)
        .and_then(|path| crate::pipeline::load_config(&path).ok())
    {
        let options = crate::pipeline::deps_options(&defaults, &config);
        if !options.advisory_db.is_empty() {
            return (options.advisory_db, index_dir);
        }
    }
    let cached = defaults
        .cache_dir
        .as_deref()
        .map(|dir| {
            tollgate_deps::Ecosystem::ALL
                .iter()
                .filter_map(|&e| tollgate_deps::cache::cached(dir, e).map(|(path, _)| path))
                .collect()
        })
        .unwrap_or_default();
    (cached, index_dir)
}

fn explain_advisory(args: &ExplainArgs) -> anyhow::Result<u8> {
    let id = args.code.trim();
    let (sources, index_dir) = advisory_sources(args);
    if sources.is_empty() {
        eprintln!(
            "error: `{}` looks like an advisory, and there is no local advisory database to look it up in\nhint: run `tollgate db update`, pass --advisory-db PATH, or see https://osv.dev/vulnerability/{}",
            tollgate_core::display::visible_line(id),
            tollgate_core::display::visible_line(id)
        );
        return Ok(2);
    }
    let db = match tollgate_deps::AdvisoryDb::open(&sources, index_dir.as_deref()) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("error: cannot open the advisory database: {e}");
            return Ok(2);
        }
    };
    match db.find(id) {
        Ok(Some(advisory)) => {
            crate::output::print_stdout(&advisory_text(&advisory));
            Ok(0)
        }
        Ok(None) => {
            let names: Vec<String> = sources.iter().map(|p| p.display().to_string()).collect();
            eprintln!(
                "error: no advisory `{}` (as id or alias) in {}\nhint: `tollgate db update` refreshes the cached database",
                tollgate_core::display::visible_line(id),
                names.join(", ")
            );
            Ok(2)
        }
        Err(e) => {
            eprintln!("error: reading the advisory database: {e}");
            Ok(2)
        }
    }
}

/// An advisory in words: what it is, what it affects, what fixes it, where to read more.
/// Its text comes from a database a pull request may have written: shown line by line,
/// with control characters made visible.
pub fn advisory_text(a: &tollgate_deps::osv::Advisory) -> String {
    let safe = |t: &str| tollgate_core::display::visible_line(t).into_owned();
    let mut out = String::new();
    let summary = a.summary.as_deref().unwrap_or("(no summary)");
    let _ = writeln!(out, "{}: {}", safe(&a.id), safe(summary));
    if !a.aliases.is_empty() {
        let aliases: Vec<String> = a.aliases.iter().map(|x| safe(x)).collect();
        let _ = writeln!(out, "aliases: {}", aliases.join(", "));
    }
    for score in &a.severity {
        let _ = writeln!(
            out,
            "severity: {} {}",
            safe(&score.kind),
            safe(&score.score)
        );
    }
    if let Some(withdrawn) = &a.withdrawn {
        let _ = writeln!(out, "withdrawn: {}", safe(withdrawn));
    }
    if !a.affected.is_empty() {
        let _ = writeln!(out, "\nAffected:");
        for affected in &a.affected {
            let package = affected.package.as_ref().map_or_else(
                || "(unnamed package)".to_string(),
                |p| format!("{} {}", safe(&p.ecosystem), safe(&p.name)),
            );
            let mut parts: Vec<String> = Vec::new();
            for range in &affected.ranges {
                for event in &range.events {
                    if let Some(v) = &event.introduced {
                        parts.push(format!("introduced {}", safe(v)));
                    }
                    if let Some(v) = &event.fixed {
                        parts.push(format!("fixed in {}", safe(v)));
                    }
                    if let Some(v) = &event.last_affected {
                        parts.push(format!("last affected {}", safe(v)));
                    }
                }
            }
            if parts.is_empty() && !affected.versions.is_empty() {
                parts.push(format!("{} listed versions", affected.versions.len()));
            }
            let _ = writeln!(out, "  {package}: {}", parts.join(", "));
        }
    }
    if let Some(details) = a.details.as_deref().filter(|d| !d.trim().is_empty()) {
        let _ = writeln!(out, "\nDetails:");
        for line in details.trim().lines().take(60) {
            let _ = writeln!(out, "  {}", safe(line));
        }
    }
    let _ = writeln!(
        out,
        "\nHow to fix: upgrade to a fixed version above, or suppress it with a reason in\ntollgate.toml ([[ignore]] rule = \"{}\").",
        safe(&a.id)
    );
    let _ = writeln!(out, "\nMore: {}", safe(&a.help_uri()));
    out
}

/// Whether `code` has the shape of a derived policy-stage code (`TG9A3F1`).
fn is_policy_code(code: &str) -> bool {
    code.len() == 7
        && code[..3].eq_ignore_ascii_case("TG9")
        && code[3..].chars().all(|c| c.is_ascii_hexdigit())
}

/// `code` among the rules of the policies of the repository at `root`.
fn explain_policy_rule(code: &str, root: &std::path::Path) -> anyhow::Result<u8> {
    let ctx = match scan_context(root) {
        Ok(ctx) => ctx,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(2);
        }
    };
    let mut report = tollgate_core::StageReport::default();
    let rules = tollgate_policy::policy_rules(&ctx, &mut report);
    for n in &report.notifications {
        eprintln!(
            "warning: {}",
            tollgate_core::display::visible_line(&n.message)
        );
    }
    match rules.iter().find(|r| r.answers_to(code)) {
        Some(rule) => {
            crate::output::print_stdout(&explain(rule));
            Ok(0)
        }
        None => {
            eprintln!(
                "error: unknown rule `{}`: neither a built-in rule nor one of the {} rules of the policies under {}",
                tollgate_core::display::visible_line(code),
                rules.len(),
                root.display()
            );
            eprintln!(
                "hint: `tollgate rules --path {}` lists them",
                root.display()
            );
            Ok(2)
        }
    }
}

/// A scan of the repository at `root` (its own `tollgate.toml` when it has one), for commands
/// that read its files without running the stages.
pub(crate) fn scan_context(root: &std::path::Path) -> Result<tollgate_core::ScanContext, String> {
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
    Ok(tollgate_core::ScanContext::new(
        root.to_path_buf(),
        inventory.files,
        std::sync::Arc::new(config),
        today,
    ))
}

/// The policies of the templates under `root`, expanded for `code`, as a section to append to
/// the rule's explanation.
fn policies_under(root: &std::path::Path, code: &str) -> Result<String, String> {
    let ctx = scan_context(root)?;
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
        // One control a line, with its title from the framework's catalog.
        let _ = writeln!(out, "\nControls:");
        for c in &rule.controls {
            match c.title() {
                Some(title) => {
                    let _ = writeln!(out, "  {} {}: {title}", c.framework, c.id);
                }
                None => {
                    let _ = writeln!(out, "  {} {}", c.framework, c.id);
                }
            }
        }
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
        // A code no catalog maps, so the one control cited is all there is.
        let rule = Rule::new(
            "TG0999",
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
        assert!(text.starts_with("TG0999 lambda-dlq: Lambda without DLQ\nseverity: high"));
        assert!(text.contains("How to fix:\nAdd one."));
        assert!(text.contains("Equivalent checks: CKV_AWS_116"));
        assert!(
            text.contains("Controls:\n  NIST-800-53 SI-13: Predictable Failure Prevention\n"),
            "{text}"
        );
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
