//! `--format markdown`: a summary table and the findings list, for a pull-request comment or
//! a GitHub step summary. Every piece of text from a scanned file or a tool is escaped: a
//! hostile message must not inject links, images, HTML or break the table.

use std::fmt::Write;

use tollgate_core::{Finding, NotificationLevel, Severity};
use tollgate_github::markdown::escape;

use crate::gate::Verdict;
use crate::report::Report;

/// Most findings listed; the rest are counted (GitHub comments are capped at 65,536 chars).
const MAX_LISTED: usize = 200;

/// A code span that holds any text: fenced with more backticks than the text contains.
fn code(text: &str) -> String {
    let clean = tollgate_core::display::visible_line(text);
    let mut longest = 0;
    let mut run = 0;
    for c in clean.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {} {fence}", clean.replace('|', "\\|"))
}

fn icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "🟥",
        Severity::High => "🟧",
        Severity::Medium => "🟨",
        Severity::Low => "🟦",
        Severity::Info => "⬜",
    }
}

pub fn render(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let verdict = match report.verdict {
        Verdict::Pass => "✅ passed",
        Verdict::Fail => "❌ failed",
        Verdict::Error => "⚠️ error: the scan did not complete",
    };
    let threshold = s.fail_on.map_or("none".to_string(), |t| t.to_string());
    let _ = writeln!(out, "## tollgate: {verdict} (fail-on {threshold})\n");
    out.push_str("| Severity | Active findings |\n|---|---:|\n");
    for severity in Severity::ALL.iter().rev() {
        let n = s.by_severity.get(severity).copied().unwrap_or(0);
        let _ = writeln!(out, "| {} {severity} | {n} |", icon(*severity));
    }
    let _ = writeln!(
        out,
        "\nActive: {} · suppressed: {} · known from the baseline: {} · fixed: {} · tool errors: {} · files not checked: {}\n",
        s.active, s.suppressed, s.unchanged, s.fixed, s.errors, s.not_checked
    );
    let active: Vec<&Finding> = report.findings.iter().filter(|f| f.is_active()).collect();
    if !active.is_empty() {
        out.push_str("### Findings\n\n");
        for f in active.iter().take(MAX_LISTED) {
            let place = match f.location.region {
                Some(r) => format!("{}:{}", f.location.path, r.start.line),
                None => f.location.path.clone(),
            };
            let _ = writeln!(
                out,
                "- {} **{}** {} {} — {}",
                icon(f.severity),
                f.severity,
                code(&f.rule),
                code(&place),
                escape(&f.message)
            );
        }
        if active.len() > MAX_LISTED {
            let _ = writeln!(out, "- … and {} more", active.len() - MAX_LISTED);
        }
        out.push('\n');
    }
    let problems: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.level >= NotificationLevel::Warning || n.leaves_unchecked())
        .collect();
    if !problems.is_empty() {
        out.push_str("### Problems during the scan\n\n");
        for n in problems.iter().take(MAX_LISTED) {
            let place = n
                .location
                .as_ref()
                .map(|l| match l.start_line() {
                    Some(line) => format!(" {}", code(&format!("{}:{line}", l.path))),
                    None => format!(" {}", code(&l.path)),
                })
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- **{}** {}{place}: {}",
                n.level.as_str(),
                code(&n.id),
                escape(&n.message)
            );
        }
        if problems.len() > MAX_LISTED {
            let _ = writeln!(out, "- … and {} more", problems.len() - MAX_LISTED);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Summary, REPORT_VERSION};
    use tollgate_core::Location;

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("a`b|c"), "`` a`b\\|c ``");
        assert_eq!(code("a\x1b[2J\nb"), "` a\\u{1b}[2J\\nb `");
    }

    #[test]
    fn table_and_list() {
        let findings = vec![Finding::new(
            "TG0001",
            Severity::Medium,
            "bad | <script>",
            Location::file("dir/t.yaml"),
        )];
        let summary = Summary::of(&findings, &[], Some(Severity::Medium));
        let report = Report {
            version: REPORT_VERSION,
            tool_version: "t".into(),
            findings,
            notifications: vec![],
            summary,
            verdict: Verdict::Fail,
        };
        let md = render(&report);
        assert!(
            md.starts_with("## tollgate: ❌ failed (fail-on medium)\n"),
            "{md}"
        );
        assert!(md.contains("| 🟨 medium | 1 |"), "{md}");
        assert!(
            md.contains("` TG0001 ` ` dir/t.yaml ` — bad \\| &lt;script&gt;"),
            "{md}"
        );
    }
}
