//! `tollgate rules`: every rule of every registered stage.

use std::fmt::Write;

use tollgate_core::Rule;

use crate::args::{RulesArgs, RulesFormat};
use crate::pipeline::all_rules;
use tollgate_github::markdown::escape;

pub fn run(args: &RulesArgs) -> anyhow::Result<u8> {
    let mut rules = all_rules();
    rules.sort_by(|a, b| a.code.cmp(&b.code));
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
}
