//! The report as GitHub-flavoured markdown: evidence, per-framework control tables, failing
//! resources and suppressions, and the data inventory. Every text that comes from a scanned
//! file is escaped (no links, mentions, HTML or broken tables).

use std::fmt::Write;
use std::io;

use tollgate_core::display::markdown_escape as esc;

use crate::model::{Accessor, ComplianceReport, ControlStatus, DataAsset, FrameworkReport};
use crate::sink::Out;

/// The report as one string; [`write`] streams it into a writer instead.
pub fn render(report: &ComplianceReport) -> String {
    crate::sink::to_string(|out| write(report, out))
}

/// Write the report into `out` as it is made.
pub fn write(report: &ComplianceReport, out: &mut dyn io::Write) -> io::Result<()> {
    let mut out = Out::new(out);
    document(&mut out, report);
    out.finish()
}

fn document(out: &mut Out<'_>, report: &ComplianceReport) {
    out.push_str("# Compliance report\n\n");
    evidence(out, report);
    let s = &report.summary;
    let _ = writeln!(
        out,
        "**Findings:** {} open, {} suppressed ({} total).{}\n",
        s.open,
        s.suppressed,
        s.total,
        if s.by_severity.is_empty() {
            String::new()
        } else {
            let parts: Vec<String> = ["critical", "high", "medium", "low", "info"]
                .iter()
                .filter_map(|sev| s.by_severity.get(*sev).map(|n| format!("{sev} {n}")))
                .collect();
            format!(" Open by severity: {}.", parts.join(", "))
        }
    );
    for note in &report.notes {
        let _ = writeln!(out, "> **Note:** {}\n", esc(note));
    }
    out.push_str("## Frameworks\n\n");
    out.push_str("| framework | failing | passing | unknown | not evaluated |\n");
    out.push_str("|---|---:|---:|---:|---:|\n");
    for fw in &report.frameworks {
        let _ = writeln!(
            out,
            "| {} ({}) | {} | {} | {} | {} |",
            esc(&fw.name),
            esc(&fw.title),
            fw.controls_failing,
            fw.controls_passing,
            fw.controls_unknown,
            fw.controls_not_evaluated
        );
    }
    out.push('\n');
    for fw in &report.frameworks {
        framework(out, fw);
    }
    inventory(out, &report.inventory);
}

fn evidence(out: &mut Out<'_>, report: &ComplianceReport) {
    out.push_str("| evidence | |\n|---|---|\n");
    for (key, value) in report.evidence.rows() {
        let _ = writeln!(out, "| {key} | {} |", esc(&value));
    }
    out.push('\n');
}

fn status_icon(status: ControlStatus) -> &'static str {
    match status {
        ControlStatus::Failing => "❌ failing",
        ControlStatus::Unknown => "❔ unknown",
        ControlStatus::Passing => "✅ passing",
        ControlStatus::NotEvaluated => "➖ not evaluated",
    }
}

fn framework(out: &mut Out<'_>, fw: &FrameworkReport) {
    let _ = writeln!(out, "## {} — {}\n", esc(&fw.name), esc(&fw.title));
    out.push_str("| control | status | rules | resources | pass | fail | unknown | suppressed |\n");
    out.push_str("|---|---|---|---:|---:|---:|---:|---:|\n");
    for c in &fw.controls {
        let id = match &c.title {
            Some(title) => format!("{} {}", esc(&c.id), esc(title)),
            None => esc(&c.id),
        };
        let _ = writeln!(
            out,
            "| {id} | {} | {} | {} | {} | {} | {} | {} |",
            status_icon(c.status),
            esc(&c.rules.join(", ")),
            c.resources_evaluated,
            c.pass,
            c.fail,
            c.unknown,
            c.suppressed
        );
    }
    out.push('\n');
    for c in fw.controls.iter().filter(|c| !c.failures.is_empty()) {
        let _ = writeln!(out, "### {} {}: failing\n", esc(&fw.name), esc(&c.id));
        for f in &c.failures {
            // A code span shows its text as it is: a file name's control characters are
            // escaped first (a carriage return would forge a line of a terminal or log).
            let path = tollgate_core::display::visible_line(&f.path);
            let place = match f.line {
                Some(line) => format!("{path}:{line}"),
                None => path.into_owned(),
            };
            let _ = writeln!(
                out,
                "- **{}** {} `{}` {} — {}  \n  fix: {}",
                esc(&f.severity),
                esc(&f.rule),
                place.replace('`', "'"),
                f.resource
                    .as_deref()
                    .map(|r| format!("({})", esc(r)))
                    .unwrap_or_default(),
                esc(&f.message),
                esc(&f.fix)
            );
        }
        if c.failures_total > c.failures.len() {
            let _ = writeln!(
                out,
                "- and {} more failing findings of {}: see the JSON report or the SARIF log",
                c.failures_total - c.failures.len(),
                esc(&c.rules.join(", "))
            );
        }
        out.push('\n');
    }
    let suppressed: Vec<_> = fw
        .controls
        .iter()
        .flat_map(|c| c.suppressions.iter().map(move |s| (c, s)))
        .collect();
    if !suppressed.is_empty() {
        let _ = writeln!(out, "### {}: suppressions\n", esc(&fw.name));
        out.push_str("| control | rule | where | kind | reason | expires |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for (c, s) in suppressed {
            let place = match s.line {
                Some(line) => format!("{}:{line}", s.path),
                None => s.path.clone(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                esc(&c.id),
                esc(&s.rule),
                esc(&place),
                esc(&s.kind),
                esc(&s.reason),
                esc(s.expires.as_deref().unwrap_or("never"))
            );
        }
        let unlisted: usize = fw
            .controls
            .iter()
            .map(|c| c.suppressions_total - c.suppressions.len())
            .sum();
        if unlisted > 0 {
            let _ = writeln!(
                out,
                "\n{unlisted} more suppressed findings are not listed here: see the JSON report."
            );
        }
        out.push('\n');
    }
}

fn accessors(list: &[Accessor], total: usize) -> String {
    if list.is_empty() {
        return "none in the scan".to_string();
    }
    let mut listed: Vec<String> = list
        .iter()
        .map(|a| {
            let mut text = esc(&a.principal);
            if !a.functions.is_empty() {
                let _ = write!(text, " (used by {})", esc(&a.functions.join(", ")));
            }
            if a.wildcard {
                text.push_str(" on \\*");
            }
            text
        })
        .collect();
    if total > list.len() {
        listed.push(format!("and {} more", total - list.len()));
    }
    listed.join("; ")
}

fn inventory(out: &mut Out<'_>, assets: &[DataAsset]) {
    out.push_str("## Data inventory\n\n");
    if assets.is_empty() {
        out.push_str(
            "No resource is classified PHI, PCI or PII (by tag or by `[classification]` in the config).\n",
        );
        return;
    }
    out.push_str("| resource | class | at rest | in transit | access logs | backups | public | cross-account | readers | writers |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|\n");
    for a in assets {
        let _ = writeln!(
            out,
            "| {} ({}, {}:{}) | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            esc(&a.resource),
            esc(&a.resource_type),
            esc(&a.path),
            a.line,
            a.classification.as_str(),
            a.encryption_at_rest.key.as_str(),
            a.encryption_in_transit.state.as_str(),
            a.access_logging.state.as_str(),
            a.backups.state.as_str(),
            a.public_access.state.as_str(),
            a.cross_account_access.state.as_str(),
            accessors(&a.readers, a.readers_total),
            accessors(&a.writers, a.writers_total),
        );
    }
    out.push('\n');
}
