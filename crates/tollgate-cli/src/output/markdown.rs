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

/// A message as inline markdown: the code spans it writes (`` `>=5.1` ``) stay code spans,
/// shown as written (GitHub renders no markup, HTML, mention or link inside one), instead of
/// being escaped into `` \`&gt;=5\.1\` ``; everything else is escaped with [`escape`].
pub fn message(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let run = rest[open..].chars().take_while(|&c| c == '`').count();
        let fence = &rest[open..open + run];
        let after = &rest[open + run..];
        // The span closes at the next run of exactly as many backticks.
        let close = after.match_indices(fence).find(|(i, _)| {
            !after[i + run..].starts_with('`') && (*i == 0 || !after[..*i].ends_with('`'))
        });
        match close {
            Some((end, _)) if !after[..end].trim().is_empty() => {
                out.push_str(&escape(&rest[..open]));
                out.push_str(&code(&after[..end]));
                rest = &after[end + run..];
            }
            _ => {
                out.push_str(&escape(&rest[..open + run]));
                rest = after;
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

/// A code span in running text (not a table cell, so `|` stays as it is): fenced with more
/// backticks than the text holds.
fn code(text: &str) -> String {
    let clean = tollgate_core::display::visible_line(text);
    let longest = clean.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 {
        return format!("`{}`", clean.trim());
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {clean} {fence}")
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
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
    if let Some(scanned) = s.scanned_text() {
        let warn = if s.files_scanned == Some(0) {
            "⚠️ "
        } else {
            ""
        };
        let _ = writeln!(out, "{warn}{}\n", upper_first(&scanned));
    }
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
                message(&f.message)
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
                message(&n.message)
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
        assert_eq!(code("a\x1b[2J\nb"), "`a\\u{1b}[2J\\nb`");
        assert_eq!(code("a`b|c"), "`` a`b|c ``");
        assert_eq!(code("x"), "`x`");
    }

    /// Code spans in a message are kept as written, not escaped into `` \`&gt;=5\.1\` ``.
    #[test]
    fn messages_keep_their_code_spans() {
        assert_eq!(message("upgrade to `>=5.1` now"), "upgrade to `>=5.1` now");
        assert_eq!(message("a ``x`y`` b"), "a `` x`y `` b");
        // An unclosed or empty span is plain text, escaped.
        assert_eq!(message("it's `open"), "it\\'s \\`open");
        assert_eq!(message("`` then"), "\\`\\` then");
        // Markup outside the spans is still neutralised.
        assert_eq!(message("`ok` then <b>"), "`ok` then &lt;b&gt;");
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
            md.contains("`TG0001` `dir/t.yaml` — bad \\| &lt;script&gt;"),
            "{md}"
        );
    }
}
