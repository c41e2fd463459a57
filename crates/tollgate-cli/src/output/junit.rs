//! `--format junit`: JUnit XML for CI systems that show test reports (Jenkins, GitLab, Azure
//! Pipelines). One test suite per rule, one test case per finding: an active finding is a
//! failure, a suppressed or baseline-known one is skipped with the reason, and each error the
//! scan itself met is an errored test case in a `tollgate` suite. Every piece of text from a
//! scanned file or a tool is escaped, and characters XML 1.0 cannot hold are replaced.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use tollgate_core::display::visible_line;
use tollgate_core::{BaselineState, Finding, NotificationLevel, Rule};

use crate::report::Report;

/// Text for XML element content and attribute values: markup characters as entities, line
/// breaks kept (as character references inside attributes), other control characters (which
/// XML 1.0 forbids even as references) shown as `?`.
fn xml(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' if attribute => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\r' | '\t' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// `path:line:col` for a failure's text. The path as the text report shows it in its `-->`
/// line: a carriage return or tab in a file name (git allows any byte but `/` and NUL) is
/// escaped, where element content would carry it raw.
fn place(f: &Finding) -> String {
    let path = visible_line(&f.location.path);
    match f.location.region {
        Some(r) => format!("{path}:{}:{}", r.start.line, r.start.col),
        None => path.into_owned(),
    }
}

pub fn render(report: &Report, rules: &[Rule]) -> String {
    let titles: HashMap<&str, &str> = rules
        .iter()
        .map(|r| (r.code.as_str(), r.title.as_str()))
        .collect();
    // Findings only in the baseline are gone from the code: they are not test cases.
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| f.baseline_state != Some(BaselineState::Absent))
    {
        by_rule.entry(f.rule.as_str()).or_default().push(f);
    }
    let errors: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
        .collect();
    let count =
        |fs: &[&Finding], active: bool| fs.iter().filter(|f| f.is_active() == active).count();
    let all: Vec<&Finding> = by_rule.values().flatten().copied().collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"tollgate\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        all.len() + errors.len(),
        count(&all, true),
        errors.len(),
        count(&all, false)
    );
    for (rule, findings) in &by_rule {
        let name = match titles.get(rule) {
            Some(title) => format!("{rule}: {title}"),
            None => rule.to_string(),
        };
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
            xml(&name, true),
            findings.len(),
            count(findings, true),
            count(findings, false)
        );
        for f in findings {
            test_case(&mut out, rule, f);
        }
        out.push_str("  </testsuite>\n");
    }
    if !errors.is_empty() {
        let _ = writeln!(
            out,
            "  <testsuite name=\"tollgate\" tests=\"{n}\" failures=\"0\" errors=\"{n}\" skipped=\"0\">",
            n = errors.len()
        );
        for note in errors {
            let name = match &note.location {
                Some(l) => format!("{}: {}", note.id, visible_line(&l.path)),
                None => note.id.clone(),
            };
            let _ = writeln!(
                out,
                "    <testcase name=\"{}\" classname=\"tollgate\">\n      <error message=\"{}\" type=\"{}\"/>\n    </testcase>",
                xml(&name, true),
                xml(&note.message, true),
                xml(&note.id, true)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn test_case(out: &mut String, rule: &str, f: &Finding) {
    let mut name = place(f);
    if let Some(resource) = &f.resource {
        let _ = write!(name, " {resource}");
    }
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"",
        xml(&name, true),
        xml(&format!("tollgate.{rule}"), true),
        xml(&f.location.path, true)
    );
    if let Some(r) = f.location.region {
        let _ = write!(out, " line=\"{}\"", r.start.line);
    }
    out.push_str(">\n");
    if f.is_active() {
        let body = format!(
            "{} {} at {}\n{}\nrun `tollgate explain {rule}` for why it matters and how to fix it",
            f.severity,
            rule,
            place(f),
            f.message
        );
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            xml(&f.message, true),
            f.severity,
            xml(&body, false)
        );
    } else {
        let why = match &f.suppression {
            Some(s) => format!("suppressed: {}", s.justification),
            None => "known from the baseline".to_string(),
        };
        let _ = writeln!(out, "      <skipped message=\"{}\"/>", xml(&why, true));
    }
    out.push_str("    </testcase>\n");
}
