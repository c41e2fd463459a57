//! `tollgate rules`: every rule of every registered stage, or with `--framework`, a
//! compliance framework's controls and the rules that check each.

use std::fmt::Write;

use tollgate_core::compliance::{self, ControlCoverage};
use tollgate_core::{Framework, Rule};

use crate::args::{RulesArgs, RulesFormat};
use crate::pipeline::all_rules;
use tollgate_github::markdown::escape;

pub fn run(args: &RulesArgs) -> anyhow::Result<u8> {
    let mut rules = all_rules();
    match &args.path {
        // The policy stage's rules come from the repository's own policies.
        Some(path) => {
            let ctx = match super::explain::scan_context(path) {
                Ok(ctx) => ctx,
                Err(message) => {
                    eprintln!("error: {message}");
                    return Ok(2);
                }
            };
            let mut report = tollgate_core::StageReport::default();
            rules.extend(tollgate_policy::policy_rules(&ctx, &mut report));
            for n in &report.notifications {
                eprintln!(
                    "warning: {}",
                    tollgate_core::display::visible_line(&n.message)
                );
            }
        }
        None if args.framework.is_empty() && args.format == RulesFormat::Table => {
            eprintln!("note: the policy stage's rules (TG9xxx) come from a repository's own Rego and Guard policies; `tollgate rules --path DIR` lists them too");
        }
        None => {}
    }
    rules.sort_by(|a, b| a.code.cmp(&b.code));
    if !args.framework.is_empty() {
        let text = match args.format {
            RulesFormat::Table => args
                .framework
                .iter()
                .map(|f| framework_table(*f, &rules))
                .collect::<Vec<_>>()
                .join("\n"),
            RulesFormat::Json => {
                serde_json::to_string_pretty(&framework_json(&args.framework, &rules))? + "\n"
            }
            RulesFormat::Markdown => args
                .framework
                .iter()
                .map(|f| framework_markdown(*f, &rules))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        crate::output::print_stdout(&text);
        return Ok(0);
    }
    let text = match args.format {
        RulesFormat::Table => table(&rules),
        RulesFormat::Json => serde_json::to_string_pretty(&rules)? + "\n",
        RulesFormat::Markdown => markdown(&rules),
    };
    crate::output::print_stdout(&text);
    Ok(0)
}

pub fn table(rules: &[Rule]) -> String {
    let headers = ["CODE", "SEVERITY", "STAGE", "TITLE"];
    let rows: Vec<[String; 4]> = rules
        .iter()
        .map(|r| {
            [
                r.code.clone(),
                r.default_severity.to_string(),
                r.stage.clone(),
                r.title.clone(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 4]| {
        let _ = writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    };
    line(headers);
    for row in &rows {
        line([&row[0], &row[1], &row[2], &row[3]]);
    }
    out
}

pub fn markdown(rules: &[Rule]) -> String {
    let mut out = String::from("| Code | Severity | Stage | Title |\n|---|---|---|---|\n");
    for r in rules {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            r.code,
            r.default_severity,
            escape(&r.stage),
            escape(&r.title)
        );
    }
    out
}

/// How many of the framework's controls some rule checks, said so that nobody reads it as a
/// claim of compliance.
fn coverage_line(framework: Framework, coverage: &[ControlCoverage<'_>]) -> String {
    let covered = coverage.iter().filter(|c| !c.rules.is_empty()).count();
    format!(
        "{covered} of {} {} controls in tollgate's catalog are checked by at least one rule; \
         a checked control is evidence to review, not a control met.",
        coverage.len(),
        framework.name()
    )
}

/// One framework as text: a header, the covered controls with their rules, then the controls
/// no rule checks.
pub fn framework_table(framework: Framework, rules: &[Rule]) -> String {
    let catalog = compliance::catalog(framework);
    let coverage = compliance::coverage(framework, rules);
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", framework.title(), catalog.edition);
    let _ = writeln!(out, "{}\n", coverage_line(framework, &coverage));
    let id_width = coverage
        .iter()
        .map(|c| c.control.id.chars().count())
        .max()
        .unwrap_or(0)
        .max("CONTROL".len());
    let _ = writeln!(out, "{:id_width$}  TITLE / RULES", "CONTROL");
    for c in coverage.iter().filter(|c| !c.rules.is_empty()) {
        let _ = writeln!(out, "{:id_width$}  {}", c.control.id, c.control.title);
        let _ = writeln!(out, "{:id_width$}    {}", "", c.rules.join(", "));
    }
    let uncovered: Vec<_> = coverage.iter().filter(|c| c.rules.is_empty()).collect();
    if !uncovered.is_empty() {
        let _ = writeln!(out, "\nNot checked by any rule:");
        for c in uncovered {
            let _ = writeln!(out, "{:id_width$}  {}", c.control.id, c.control.title);
        }
    }
    out
}

/// One framework as markdown: a table of every control with the rules that check it.
pub fn framework_markdown(framework: Framework, rules: &[Rule]) -> String {
    let catalog = compliance::catalog(framework);
    let coverage = compliance::coverage(framework, rules);
    let mut out = format!(
        "## {} ({})\n\n{}\n\n| Control | Title | Rules |\n|---|---|---|\n",
        escape(framework.title()),
        escape(&catalog.edition),
        coverage_line(framework, &coverage)
    );
    for c in &coverage {
        let rules = if c.rules.is_empty() {
            "not checked".to_string()
        } else {
            c.rules
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            escape(&c.control.id),
            escape(&c.control.title),
            rules
        );
    }
    out
}

/// Every requested framework as JSON: its catalog's edition and source, each control with the
/// rules that check it, and the ids of the controls no rule checks.
pub fn framework_json(frameworks: &[Framework], rules: &[Rule]) -> serde_json::Value {
    let list: Vec<serde_json::Value> = frameworks
        .iter()
        .map(|framework| {
            let catalog = compliance::catalog(*framework);
            let coverage = compliance::coverage(*framework, rules);
            serde_json::json!({
                "framework": framework.slug(),
                "title": framework.title(),
                "edition": catalog.edition,
                "source": catalog.source,
                "controls": coverage.iter().map(|c| serde_json::json!({
                    "id": c.control.id,
                    "title": c.control.title,
                    "rules": c.rules,
                })).collect::<Vec<_>>(),
                "uncovered": coverage
                    .iter()
                    .filter(|c| c.rules.is_empty())
                    .map(|c| c.control.id.as_str())
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::Value::Array(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_rule_is_listed() {
        let rules = all_rules();
        let table = table(&rules);
        assert!(table.starts_with("CODE "));
        for rule in &rules {
            assert!(table.contains(&rule.code), "{} missing", rule.code);
        }
        assert!(table.contains("TG0001  medium    parse"), "{table}");
        assert!(markdown(&rules).contains("| `TG0001` | medium | parse |"));
    }

    #[test]
    fn every_rule_cites_only_controls_its_catalog_has() {
        let unknown = compliance::unknown_controls(&all_rules());
        assert!(
            unknown.is_empty(),
            "controls missing from the catalogs under crates/tollgate-core/src/compliance/: {unknown:?}"
        );
    }

    /// The catalogs' `[rules]` tables are the one source of a rule's controls: a rule that
    /// adds a control in code, or a table naming a code no stage has, fails here.
    #[test]
    fn controls_come_only_from_the_catalogs_and_name_real_rules() {
        let rules = all_rules();
        let in_code: Vec<String> = rules
            .iter()
            .filter(|r| r.controls != compliance::mapped_controls(&r.code))
            .map(|r| r.code.clone())
            .collect();
        assert!(
            in_code.is_empty(),
            "rules citing controls in code; move them to the `[rules]` tables of \
             crates/tollgate-core/src/compliance/*.toml: {in_code:?}"
        );
        let unknown: Vec<&str> = compliance::mapped_rule_codes()
            .into_iter()
            .filter(|code| !rules.iter().any(|r| r.code == *code))
            .collect();
        assert!(
            unknown.is_empty(),
            "the compliance catalogs map codes no rule has: {unknown:?}"
        );
    }

    #[test]
    fn framework_listing_shows_covering_rules_and_uncovered_controls() {
        let rules = all_rules();
        let text = framework_table(Framework::Hipaa, &rules);
        assert!(
            text.starts_with("HIPAA Security Rule (45 CFR Part 164, Subpart C)\n"),
            "{text}"
        );
        let line = text
            .lines()
            .position(|l| l.starts_with("164.312(a)(2)(iv)"))
            .expect("encryption control is covered");
        assert!(text
            .lines()
            .nth(line)
            .unwrap()
            .ends_with("Encryption and decryption"));
        assert!(
            text.lines().nth(line + 1).unwrap().contains("TG1"),
            "{text}"
        );
        let (_, uncovered) = text.split_once("Not checked by any rule:").unwrap();
        assert!(uncovered.contains("Automatic logoff"), "{text}");
        assert!(!uncovered.contains("Encryption and decryption"));

        let md = framework_markdown(Framework::Nist80053, &rules);
        assert!(
            md.contains("| SC\\-28 | Protection of Information at Rest | `TG"),
            "{md}"
        );
        let json = framework_json(&[Framework::PciDss, Framework::CisAws], &rules);
        assert_eq!(json[0]["framework"], "pci-dss");
        assert_eq!(json[1]["framework"], "cis-aws");
        let controls = json[1]["controls"].as_array().unwrap();
        let trail = controls.iter().find(|c| c["id"] == "3.2").unwrap();
        assert!(!trail["rules"].as_array().unwrap().is_empty());
        assert!(json[1]["uncovered"]
            .as_array()
            .unwrap()
            .iter()
            .all(|id| controls
                .iter()
                .any(|c| &c["id"] == id && c["rules"].as_array().unwrap().is_empty())));
    }
}
