//! `--format compact`: one line per active finding, `path:line:col: severity RULE message`,
//! the shape editors and `grep` read, then the text report's summary line.

use std::fmt::Write;

use super::text::{paint_severity, single_line, summary_line, Palette};
use crate::report::Report;

pub fn render(report: &Report, color: bool) -> String {
    let palette = Palette::new(color);
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.is_active()) {
        let place = match f.location.region {
            Some(r) => format!("{}:{}:{}", f.location.path, r.start.line, r.start.col),
            None => f.location.path.clone(),
        };
        let _ = writeln!(
            out,
            "{}: {} {} {}",
            single_line(&place),
            paint_severity(palette, f.severity),
            f.rule,
            single_line(&f.message)
        );
    }
    summary_line(&mut out, report, palette);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::Verdict;
    use crate::report::{Summary, REPORT_VERSION};
    use tollgate_core::{Finding, Location, Pos, Severity, Span};

    #[test]
    fn one_line_per_active_finding() {
        let at = Location::at("dir/t.yaml", Span::new(Pos::new(3, 5), Pos::new(3, 9)));
        let mut suppressed = Finding::new("TG2", Severity::High, "quiet", Location::file("a"));
        suppressed.suppression = Some(Box::new(tollgate_core::Suppression {
            kind: tollgate_core::SuppressionKind::InSource,
            justification: "ok".into(),
        }));
        let findings = vec![
            Finding::new("TG1", Severity::Medium, "bad\nthing", at),
            suppressed,
        ];
        let summary = Summary::of(&findings, &[], Some(Severity::High));
        let report = Report {
            version: REPORT_VERSION,
            tool_version: "t".into(),
            findings,
            notifications: vec![],
            summary,
            verdict: Verdict::Pass,
        };
        let out = render(&report, false);
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some("dir/t.yaml:3:5: medium TG1 bad thing"));
        assert!(
            lines.next().unwrap().starts_with("1 active finding"),
            "{out}"
        );
        assert_eq!(lines.next(), None);
        assert!(render(&report, true).contains('\x1b'));
    }
}
