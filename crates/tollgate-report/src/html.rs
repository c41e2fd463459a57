//! The report as one self-contained HTML file: inline CSS, inline SVG charts and a few lines
//! of inline script (sorting and filtering the inventory), nothing fetched from anywhere (a
//! Content-Security-Policy forbids it), so it works offline and in a CI artifact viewer.
//!
//! Every text in the report may come from the scanned repository (file names, resource
//! names, tag values, source lines), which a pull request controls: all of it goes through
//! [`esc`], in text and in attributes alike. Element ids are made from numbers only.

use std::fmt::Write;

use crate::model::{
    Accessor, ComplianceReport, ControlReport, ControlStatus, DataAsset, FactState, FindingEntry,
    FrameworkReport, KeyType,
};

/// Severities in the order charts show them, with their colours.
const SEVERITIES: [(&str, &str); 5] = [
    ("critical", "#7f1d1d"),
    ("high", "#dc2626"),
    ("medium", "#f59e0b"),
    ("low", "#3b82f6"),
    ("info", "#9ca3af"),
];

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#111827;background:#f9fafb}
header{background:#111827;color:#f9fafb;padding:1rem 2rem}
header h1{margin:0;font-size:1.4rem}
main{padding:1rem 2rem;max-width:1400px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:1rem 1.5rem;margin:1rem 0}
h2{font-size:1.15rem;margin-top:0}
table{border-collapse:collapse;width:100%;font-size:.86rem}
th,td{border-bottom:1px solid #e5e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f4f6}
th.sortable{cursor:pointer;user-select:none}
th.sortable::after{content:" \2195";color:#9ca3af}
td.num,th.num{text-align:right}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}
.charts figure{margin:0}
figcaption{font-weight:600;font-size:.9rem;margin-bottom:.3rem}
.status{font-weight:600;white-space:nowrap}
.failing{color:#b91c1c}.passing{color:#15803d}.unknown{color:#a16207}.not-evaluated{color:#6b7280}
.yes{color:#15803d}.no{color:#b91c1c}.na{color:#6b7280}
.sev{display:inline-block;padding:0 .4rem;border-radius:4px;color:#fff;font-size:.78rem}
pre.frame{background:#111827;color:#e5e7eb;padding:.5rem;overflow:auto;font-size:.8rem;border-radius:4px}
pre.frame .hl{background:#7f1d1d;display:block}
details{margin:.3rem 0}
summary{cursor:pointer}
.muted{color:#6b7280}
input#inventory-filter{padding:.3rem .5rem;width:20rem;margin-bottom:.5rem}
.note{background:#fef3c7;border-left:4px solid #f59e0b;padding:.4rem .8rem;margin:.5rem 0}
"#;

/// Sorting by a clicked header, filtering by the text box. Data comes from the table's own
/// cells; nothing is evaluated or inserted as HTML.
const SCRIPT: &str = r#"
(function(){
  var table=document.getElementById('inventory');
  if(!table){return;}
  var body=table.tBodies[0];
  var headers=table.querySelectorAll('th.sortable');
  headers.forEach(function(th,i){
    th.addEventListener('click',function(){
      var asc=th.getAttribute('data-dir')!=='asc';
      headers.forEach(function(h){h.removeAttribute('data-dir');});
      th.setAttribute('data-dir',asc?'asc':'desc');
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var x=a.cells[i].textContent.trim(),y=b.cells[i].textContent.trim();
        var c=x.localeCompare(y,undefined,{numeric:true});
        return asc?c:-c;
      });
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
  var filter=document.getElementById('inventory-filter');
  filter.addEventListener('input',function(){
    var q=filter.value.toLowerCase();
    Array.prototype.forEach.call(body.rows,function(r){
      r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none';
    });
  });
})();
"#;

/// `text` safe inside HTML text and double- or single-quoted attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control and bidirectional-override characters are shown, not obeyed.
            c if tollgate_core::display::is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &ComplianceReport) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // Nothing may be loaded from anywhere: the report works offline, and injected markup
    // could not call out even if escaping ever failed.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let repo = report
        .evidence
        .repository
        .as_deref()
        .unwrap_or("repository");
    let _ = writeln!(out, "<title>Compliance report: {}</title>", esc(repo));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(
        out,
        "<header><h1>Compliance report: {}</h1><div>{}</div></header>\n<main>",
        esc(repo),
        esc(&report.evidence.scan_time)
    );
    evidence(&mut out, report);
    charts(&mut out, report);
    let shown = report.findings.len().min(LISTED_FINDINGS);
    for fw in &report.frameworks {
        framework(&mut out, fw, shown);
    }
    inventory(&mut out, &report.inventory);
    findings(&mut out, &report.findings[..shown], report.findings.len());
    out.push_str("</main>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    out
}

fn evidence(out: &mut String, report: &ComplianceReport) {
    out.push_str("<section id=\"evidence\"><h2>Evidence</h2><table>\n");
    for (key, value) in report.evidence.rows() {
        let _ = writeln!(out, "<tr><th>{key}</th><td>{}</td></tr>", esc(&value));
    }
    out.push_str("</table>\n");
    for note in &report.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(note));
    }
    out.push_str("</section>\n");
}

/// A horizontal bar chart: one labelled bar per entry.
fn bar_chart(out: &mut String, id: &str, caption: &str, bars: &[(String, usize, &str)]) {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let height = 24 * bars.len().max(1) + 8;
    let _ = write!(
        out,
        "<figure><figcaption>{}</figcaption><svg id=\"{id}\" class=\"chart\" width=\"380\" height=\"{height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(caption),
        esc(caption)
    );
    for (i, (label, count, colour)) in bars.iter().enumerate() {
        let y = 4 + i * 24;
        let width = 220 * count / max;
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect x=\"100\" y=\"{y}\" width=\"{width}\" height=\"18\" fill=\"{colour}\"><title>{}: {count}</title></rect><text x=\"{}\" y=\"{}\" font-size=\"12\">{count}</text>",
            y + 13,
            esc(label),
            esc(label),
            104 + width,
            y + 13
        );
    }
    out.push_str("</svg></figure>\n");
}

fn charts(out: &mut String, report: &ComplianceReport) {
    let s = &report.summary;
    out.push_str("<section id=\"overview\"><h2>Findings and control coverage</h2>\n");
    let _ = writeln!(
        out,
        "<p>{} open finding{}, {} suppressed.</p><div class=\"charts\">",
        s.open,
        if s.open == 1 { "" } else { "s" },
        s.suppressed
    );
    let by_severity: Vec<(String, usize, &str)> = SEVERITIES
        .iter()
        .map(|(sev, colour)| {
            (
                sev.to_string(),
                s.by_severity.get(*sev).copied().unwrap_or(0),
                *colour,
            )
        })
        .collect();
    bar_chart(
        out,
        "chart-severity",
        "Open findings by severity",
        &by_severity,
    );
    let by_stage: Vec<(String, usize, &str)> = s
        .by_stage
        .iter()
        .map(|(stage, n)| (stage.clone(), *n, "#4b5563"))
        .collect();
    bar_chart(out, "chart-stage", "Open findings by stage", &by_stage);
    coverage_chart(out, &report.frameworks);
    out.push_str("</div></section>\n");
}

/// One stacked bar per framework: its controls failing, unknown, passing, not evaluated.
fn coverage_chart(out: &mut String, frameworks: &[FrameworkReport]) {
    let height = 28 * frameworks.len().max(1) + 30;
    let _ = write!(
        out,
        "<figure><figcaption>Controls per framework</figcaption><svg id=\"chart-coverage\" class=\"chart\" width=\"520\" height=\"{height}\" role=\"img\" aria-label=\"Controls per framework\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (i, fw) in frameworks.iter().enumerate() {
        let y = 4 + i * 28;
        let total = fw.controls.len().max(1);
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 14,
            esc(&fw.name)
        );
        let mut x = 110;
        for (n, colour, what) in [
            (fw.controls_failing, "#dc2626", "failing"),
            (fw.controls_unknown, "#f59e0b", "unknown"),
            (fw.controls_passing, "#16a34a", "passing"),
            (fw.controls_not_evaluated, "#d1d5db", "not evaluated"),
        ] {
            let width = 360 * n / total;
            if width > 0 {
                let _ = write!(
                    out,
                    "<rect class=\"coverage-bar\" x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"20\" fill=\"{colour}\"><title>{}: {n} {what}</title></rect>",
                    esc(&fw.name)
                );
            }
            x += width;
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\">{}/{}</text>",
            x + 4,
            y + 14,
            fw.controls_passing,
            fw.controls.len()
        );
    }
    let y = 8 + frameworks.len() * 28;
    let mut x = 0;
    for (colour, what) in [
        ("#dc2626", "failing"),
        ("#f59e0b", "unknown"),
        ("#16a34a", "passing"),
        ("#d1d5db", "not evaluated"),
    ] {
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{y}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{what}</text>",
            x + 14,
            y + 9
        );
        x += 110;
    }
    out.push_str("</svg></figure>\n");
}

fn status_class(status: ControlStatus) -> &'static str {
    match status {
        ControlStatus::Failing => "failing",
        ControlStatus::Unknown => "unknown",
        ControlStatus::Passing => "passing",
        ControlStatus::NotEvaluated => "not-evaluated",
    }
}

fn place(path: &str, line: Option<u32>) -> String {
    match line {
        Some(line) => format!("{path}:{line}"),
        None => path.to_string(),
    }
}

/// Findings the page shows, most severe first, each with its code frame. A page of a hundred
/// thousand findings is hundreds of megabytes that no browser opens and no one reads; the JSON
/// report and the SARIF log keep them all.
pub const LISTED_FINDINGS: usize = 1000;

/// A link to finding `id` when the page shows it, else its number.
fn finding_link(id: usize, text: &str, shown: usize) -> String {
    if id < shown {
        format!("<a href=\"#finding-{id}\">{}</a>", esc(text))
    } else {
        esc(text)
    }
}

fn framework(out: &mut String, fw: &FrameworkReport, shown: usize) {
    let _ = writeln!(
        out,
        "<section class=\"framework\"><h2>{} <span class=\"muted\">{}</span></h2>",
        esc(&fw.name),
        esc(&fw.title)
    );
    out.push_str("<table class=\"controls\"><thead><tr><th>control</th><th>status</th><th>rules</th><th class=\"num\">resources</th><th class=\"num\">pass</th><th class=\"num\">fail</th><th class=\"num\">unknown</th><th class=\"num\">suppressed</th></tr></thead><tbody>\n");
    for c in &fw.controls {
        control_row(out, c, shown);
    }
    out.push_str("</tbody></table></section>\n");
}

fn control_row(out: &mut String, c: &ControlReport, shown: usize) {
    let title = c
        .title
        .as_deref()
        .map(|t| format!("<div class=\"muted\">{}</div>", esc(t)))
        .unwrap_or_default();
    let mut detail = String::new();
    if !c.failures.is_empty() || !c.suppressions.is_empty() {
        detail.push_str("<details><summary>failures and exceptions</summary><ul>");
        for f in &c.failures {
            let _ = write!(
                detail,
                "<li><span class=\"sev\" style=\"background:{}\">{}</span> {} {} {}: {}<br><span class=\"muted\">fix: {}</span></li>",
                severity_colour(&f.severity),
                esc(&f.severity),
                esc(&f.rule),
                finding_link(f.finding, &place(&f.path, f.line), shown),
                esc(f.resource.as_deref().unwrap_or("")),
                esc(&f.message),
                esc(&f.fix)
            );
        }
        if c.failures_total > c.failures.len() {
            let _ = write!(
                detail,
                "<li class=\"muted\">and {} more failing findings of {}: see the JSON report or the SARIF log</li>",
                c.failures_total - c.failures.len(),
                esc(&c.rules.join(", "))
            );
        }
        for s in &c.suppressions {
            let _ = write!(
                detail,
                "<li>suppressed ({}) {} {}: {}{}</li>",
                esc(&s.kind),
                esc(&s.rule),
                finding_link(s.finding, &place(&s.path, s.line), shown),
                esc(&s.reason),
                s.expires
                    .as_deref()
                    .map(|d| format!(" <span class=\"muted\">(expires {})</span>", esc(d)))
                    .unwrap_or_default()
            );
        }
        if c.suppressions_total > c.suppressions.len() {
            let _ = write!(
                detail,
                "<li class=\"muted\">and {} more suppressed findings: see the JSON report</li>",
                c.suppressions_total - c.suppressions.len()
            );
        }
        detail.push_str("</ul></details>");
    }
    let _ = writeln!(
        out,
        "<tr><td>{}{title}{detail}</td><td class=\"status {}\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
        esc(&c.id),
        status_class(c.status),
        c.status.as_str(),
        esc(&c.rules.join(", ")),
        c.resources_evaluated,
        c.pass,
        c.fail,
        c.unknown,
        c.suppressed
    );
}

fn severity_colour(severity: &str) -> &'static str {
    SEVERITIES
        .iter()
        .find(|(s, _)| *s == severity)
        .map_or("#6b7280", |(_, c)| c)
}

fn fact_cell(state: FactState, detail: &str) -> String {
    let class = match state {
        FactState::Yes => "yes",
        FactState::No => "no",
        FactState::Unknown | FactState::NotApplicable => "na",
    };
    format!(
        "<td class=\"{class}\" title=\"{}\">{}</td>",
        esc(detail),
        state.as_str()
    )
}

fn accessor_cell(list: &[Accessor], total: usize) -> String {
    if list.is_empty() {
        return "<td class=\"muted\">none in the scan</td>".to_string();
    }
    let items: Vec<String> = list
        .iter()
        .map(|a| {
            let functions = if a.functions.is_empty() {
                String::new()
            } else {
                format!(
                    " <span class=\"muted\">({})</span>",
                    esc(&a.functions.join(", "))
                )
            };
            format!(
                "<span title=\"{} at {}\">{}{}{}</span>",
                esc(&a.actions.join(", ")),
                esc(&place(&a.path, Some(a.line))),
                esc(&a.principal),
                functions,
                if a.wildcard { " on *" } else { "" }
            )
        })
        .collect();
    let more = if total > list.len() {
        format!(
            "<br><span class=\"muted\">and {} more</span>",
            total - list.len()
        )
    } else {
        String::new()
    };
    format!("<td>{}{more}</td>", items.join("<br>"))
}

fn inventory(out: &mut String, assets: &[DataAsset]) {
    out.push_str("<section id=\"data-inventory\"><h2>Data inventory</h2>\n");
    out.push_str("<input id=\"inventory-filter\" type=\"search\" placeholder=\"filter: PHI, a name, a role...\" aria-label=\"filter the inventory\">\n");
    out.push_str("<table id=\"inventory\"><thead><tr>");
    for header in [
        "resource",
        "type",
        "class",
        "at rest",
        "in transit",
        "access logs",
        "backups",
        "public",
        "cross-account",
        "readers",
        "writers",
    ] {
        let _ = write!(out, "<th class=\"sortable\">{header}</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for a in assets {
        let key_class = match a.encryption_at_rest.key {
            KeyType::CustomerManaged | KeyType::AwsManaged => "yes",
            KeyType::None => "no",
            _ => "na",
        };
        let _ = writeln!(
            out,
            "<tr><td>{}<div class=\"muted\">{}</div></td><td>{}</td><td title=\"{}\">{}</td><td class=\"{key_class}\" title=\"{}\">{}</td>{}{}{}{}{}{}{}</tr>",
            esc(&a.resource),
            esc(&place(&a.path, Some(a.line))),
            esc(&a.resource_type),
            esc(&a.classified_by),
            a.classification.as_str(),
            esc(&a.encryption_at_rest.detail),
            a.encryption_at_rest.key.as_str(),
            fact_cell(a.encryption_in_transit.state, &a.encryption_in_transit.detail),
            fact_cell(a.access_logging.state, &a.access_logging.detail),
            fact_cell(a.backups.state, &a.backups.detail),
            fact_cell(a.public_access.state, &a.public_access.detail),
            fact_cell(a.cross_account_access.state, &a.cross_account_access.detail),
            accessor_cell(&a.readers, a.readers_total),
            accessor_cell(&a.writers, a.writers_total),
        );
    }
    if assets.is_empty() {
        out.push_str("<tr><td colspan=\"11\" class=\"muted\">No resource is classified PHI, PCI or PII (by tag or by [classification] in the config).</td></tr>\n");
    }
    out.push_str("</tbody></table></section>\n");
}

fn findings(out: &mut String, findings: &[FindingEntry], total: usize) {
    out.push_str("<section id=\"findings\"><h2>Findings</h2>\n");
    if findings.is_empty() {
        out.push_str("<p class=\"muted\">No findings.</p>\n");
    }
    if total > findings.len() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">The {} most severe of {total} findings; all of them are in the JSON report (<code>--format json</code>) and the SARIF log.</p>",
            findings.len()
        );
    }
    for f in findings {
        let suppressed = f
            .suppressed
            .as_deref()
            .map(|r| format!(" <span class=\"muted\">(suppressed: {})</span>", esc(r)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<details id=\"finding-{}\" class=\"finding\"><summary><span class=\"sev\" style=\"background:{}\">{}</span> {} {}: {}{suppressed}</summary>",
            f.id,
            severity_colour(&f.severity),
            esc(&f.severity),
            esc(&f.rule),
            esc(&place(&f.path, f.line)),
            esc(&f.message)
        );
        let _ = write!(
            out,
            "<p><strong>{}</strong> <span class=\"muted\">({} stage{})</span></p>",
            esc(&f.title),
            esc(&f.stage),
            f.resource
                .as_deref()
                .map(|r| format!(", resource {}", esc(r)))
                .unwrap_or_default()
        );
        if !f.fix.is_empty() {
            let _ = write!(out, "<p>fix: {}</p>", esc(&f.fix));
        }
        if !f.frame.is_empty() {
            out.push_str("<pre class=\"frame\">");
            for line in &f.frame {
                let text = format!("{:>5} | {}", line.number, line.text);
                if line.highlight {
                    let _ = write!(out, "<span class=\"hl\">{}</span>", esc(&text));
                } else {
                    let _ = writeln!(out, "{}", esc(&text));
                }
            }
            out.push_str("</pre>");
        }
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        AtRest, DataClassName, Evidence, Fact, FindingSummary, FrameLine, REPORT_FORMAT_VERSION,
    };

    const HOSTILE: &str = "</td><script>alert(1)</script><img src=x onerror=alert(2)>\"'&\u{202e}";

    fn hostile_report() -> ComplianceReport {
        let fact = Fact::new(FactState::No, HOSTILE);
        ComplianceReport {
            format_version: REPORT_FORMAT_VERSION,
            evidence: Evidence {
                repository: Some(HOSTILE.into()),
                scan_time: HOSTILE.into(),
                source: "scan".into(),
                ..Evidence::default()
            },
            summary: FindingSummary::default(),
            frameworks: Vec::new(),
            inventory: vec![DataAsset {
                resource: HOSTILE.into(),
                resource_type: HOSTILE.into(),
                name: Some(HOSTILE.into()),
                path: HOSTILE.into(),
                line: 1,
                classification: DataClassName::Phi,
                classified_by: HOSTILE.into(),
                encryption_at_rest: AtRest {
                    key: KeyType::None,
                    detail: HOSTILE.into(),
                },
                encryption_in_transit: fact.clone(),
                access_logging: fact.clone(),
                backups: fact.clone(),
                public_access: fact.clone(),
                cross_account_access: fact,
                readers: vec![Accessor {
                    principal: HOSTILE.into(),
                    functions: vec![HOSTILE.into()],
                    actions: vec![HOSTILE.into()],
                    wildcard: false,
                    path: HOSTILE.into(),
                    line: 1,
                }],
                readers_total: 1,
                writers: Vec::new(),
                writers_total: 0,
            }],
            findings: vec![FindingEntry {
                id: 0,
                rule: HOSTILE.into(),
                title: HOSTILE.into(),
                stage: HOSTILE.into(),
                severity: HOSTILE.into(),
                message: HOSTILE.into(),
                path: HOSTILE.into(),
                line: Some(1),
                resource: Some(HOSTILE.into()),
                suppressed: Some(HOSTILE.into()),
                fix: HOSTILE.into(),
                frame: vec![FrameLine {
                    number: 1,
                    text: HOSTILE.into(),
                    highlight: true,
                }],
            }],
            notes: vec![HOSTILE.into()],
        }
    }

    #[test]
    fn hostile_names_cannot_inject_markup_or_script() {
        let html = render(&hostile_report());
        assert_eq!(
            html.matches("<script").count(),
            1,
            "only the report's own script"
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("</td><script"), "{html}");
        assert!(
            !html.contains('\u{202e}'),
            "bidi overrides are shown, not obeyed"
        );
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        // Attribute values cannot be closed early either.
        assert!(!html.contains("title=\"</td>"), "{html}");
        assert!(!html.contains("\"'&\u{202e}"));
    }

    #[test]
    fn the_page_fetches_nothing() {
        let html = render(&hostile_report());
        assert!(html.contains("Content-Security-Policy"));
        for needle in ["src=\"http", "href=\"http", "url(", "@import", "<link"] {
            assert!(!html.contains(needle), "{needle}");
        }
    }
}
