//! The report as one self-contained HTML file: inline CSS, inline SVG charts and a few lines
//! of inline script (sorting and filtering the inventory), nothing fetched from anywhere (a
//! Content-Security-Policy forbids it), so it works offline and in a CI artifact viewer.
//!
//! Every text in the report may come from the scanned repository (file names, resource
//! names, tag values, source lines), which a pull request controls: all of it goes through
//! [`esc`], in text and in attributes alike. Element ids are made from numbers only.

use std::fmt::{self, Write};
use std::io;

use crate::model::{
    Accessor, ComplianceReport, ControlReport, ControlStatus, DataAsset, FactState, FindingEntry,
    FrameworkReport, KeyType,
};
use crate::sink::Out;

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
    Esc(text).to_string()
}

/// [`esc`] written straight where it is formatted (`write!(out, "{}", Esc(text))`), without a
/// string of its own: the page of a large repository escapes hundreds of thousands of texts.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        // Runs of characters that need nothing are written whole.
        let mut plain_from = 0;
        for (at, c) in text.char_indices() {
            let replacement = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                // Control and bidirectional-override characters are shown, not obeyed.
                c if tollgate_core::display::is_unsafe(c) => "",
                _ => continue,
            };
            f.write_str(&text[plain_from..at])?;
            if replacement.is_empty() {
                write!(f, "\\u{{{:x}}}", c as u32)?;
            } else {
                f.write_str(replacement)?;
            }
            plain_from = at + c.len_utf8();
        }
        f.write_str(&text[plain_from..])
    }
}

/// `path:line` (or the path alone), escaped.
struct Place<'a>(&'a str, Option<u32>);

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(line) => write!(f, "{}:{line}", Esc(self.0)),
            None => write!(f, "{}", Esc(self.0)),
        }
    }
}

/// The page as one string; [`write`] streams it into a writer instead.
pub fn render(report: &ComplianceReport) -> String {
    crate::sink::to_string(|out| write(report, out))
}

/// Write the page into `out` as it is made.
pub fn write(report: &ComplianceReport, out: &mut dyn io::Write) -> io::Result<()> {
    let mut out = Out::new(out);
    page(&mut out, report);
    out.finish()
}

fn page(out: &mut Out<'_>, report: &ComplianceReport) {
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
    let _ = writeln!(out, "<title>Compliance report: {}</title>", Esc(repo));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");
    let _ = writeln!(
        out,
        "<header><h1>Compliance report: {}</h1><div>{}</div></header>\n<main>",
        Esc(repo),
        Esc(&report.evidence.scan_time)
    );
    evidence(out, report);
    charts(out, report);
    let shown = report.findings.len().min(LISTED_FINDINGS);
    for fw in &report.frameworks {
        framework(out, fw, shown);
    }
    inventory(out, &report.inventory);
    findings(out, &report.findings[..shown], report.findings.len());
    out.push_str("</main>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
}

fn evidence(out: &mut Out<'_>, report: &ComplianceReport) {
    out.push_str("<section id=\"evidence\"><h2>Evidence</h2><table>\n");
    for (key, value) in report.evidence.rows() {
        let _ = writeln!(out, "<tr><th>{key}</th><td>{}</td></tr>", Esc(&value));
    }
    out.push_str("</table>\n");
    for note in &report.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", Esc(note));
    }
    out.push_str("</section>\n");
}

/// A horizontal bar chart: one labelled bar per entry.
fn bar_chart(out: &mut Out<'_>, id: &str, caption: &str, bars: &[(String, usize, &str)]) {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let height = 24 * bars.len().max(1) + 8;
    let _ = write!(
        out,
        "<figure><figcaption>{}</figcaption><svg id=\"{id}\" class=\"chart\" width=\"380\" height=\"{height}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        Esc(caption),
        Esc(caption)
    );
    for (i, (label, count, colour)) in bars.iter().enumerate() {
        let y = 4 + i * 24;
        let width = 220 * count / max;
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect x=\"100\" y=\"{y}\" width=\"{width}\" height=\"18\" fill=\"{colour}\"><title>{}: {count}</title></rect><text x=\"{}\" y=\"{}\" font-size=\"12\">{count}</text>",
            y + 13,
            Esc(label),
            Esc(label),
            104 + width,
            y + 13
        );
    }
    out.push_str("</svg></figure>\n");
}

fn charts(out: &mut Out<'_>, report: &ComplianceReport) {
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
fn coverage_chart(out: &mut Out<'_>, frameworks: &[FrameworkReport]) {
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
            Esc(&fw.name)
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
                    Esc(&fw.name)
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

/// Findings the page shows, most severe first, each with its code frame. A page of a hundred
/// thousand findings is hundreds of megabytes that no browser opens and no one reads; the JSON
/// report and the SARIF log keep them all.
pub const LISTED_FINDINGS: usize = 1000;

/// A link to finding `id` when the page shows it, else its place alone.
struct FindingLink<'a> {
    id: usize,
    place: Place<'a>,
    shown: usize,
}

fn finding_link(id: usize, path: &str, line: Option<u32>, shown: usize) -> FindingLink<'_> {
    FindingLink {
        id,
        place: Place(path, line),
        shown,
    }
}

impl fmt::Display for FindingLink<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.id < self.shown {
            write!(f, "<a href=\"#finding-{}\">{}</a>", self.id, self.place)
        } else {
            write!(f, "{}", self.place)
        }
    }
}

fn framework(out: &mut Out<'_>, fw: &FrameworkReport, shown: usize) {
    let _ = writeln!(
        out,
        "<section class=\"framework\"><h2>{} <span class=\"muted\">{}</span></h2>",
        Esc(&fw.name),
        Esc(&fw.title)
    );
    out.push_str("<table class=\"controls\"><thead><tr><th>control</th><th>status</th><th>rules</th><th class=\"num\">resources</th><th class=\"num\">pass</th><th class=\"num\">fail</th><th class=\"num\">unknown</th><th class=\"num\">suppressed</th></tr></thead><tbody>\n");
    for c in &fw.controls {
        control_row(out, c, shown);
    }
    out.push_str("</tbody></table></section>\n");
}

fn control_row(out: &mut Out<'_>, c: &ControlReport, shown: usize) {
    let title = c
        .title
        .as_deref()
        .map(|t| format!("<div class=\"muted\">{}</div>", Esc(t)))
        .unwrap_or_default();
    let mut detail = String::new();
    if !c.failures.is_empty() || !c.suppressions.is_empty() {
        detail.push_str("<details><summary>failures and exceptions</summary><ul>");
        for f in &c.failures {
            let _ = write!(
                detail,
                "<li><span class=\"sev\" style=\"background:{}\">{}</span> {} {} {}: {}<br><span class=\"muted\">fix: {}</span></li>",
                severity_colour(&f.severity),
                Esc(&f.severity),
                Esc(&f.rule),
                finding_link(f.finding, &f.path, f.line, shown),
                Esc(f.resource.as_deref().unwrap_or("")),
                Esc(&f.message),
                Esc(&f.fix)
            );
        }
        if c.failures_total > c.failures.len() {
            let _ = write!(
                detail,
                "<li class=\"muted\">and {} more failing findings of {}: see the JSON report or the SARIF log</li>",
                c.failures_total - c.failures.len(),
                Esc(&c.rules.join(", "))
            );
        }
        for s in &c.suppressions {
            let _ = write!(
                detail,
                "<li>suppressed ({}) {} {}: {}{}</li>",
                Esc(&s.kind),
                Esc(&s.rule),
                finding_link(s.finding, &s.path, s.line, shown),
                Esc(&s.reason),
                s.expires
                    .as_deref()
                    .map(|d| format!(" <span class=\"muted\">(expires {})</span>", Esc(d)))
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
        Esc(&c.id),
        status_class(c.status),
        c.status.as_str(),
        Esc(&c.rules.join(", ")),
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

fn fact_cell(out: &mut Out<'_>, state: FactState, detail: &str) {
    let class = match state {
        FactState::Yes => "yes",
        FactState::No => "no",
        FactState::Unknown | FactState::NotApplicable => "na",
    };
    let _ = write!(
        out,
        "<td class=\"{class}\" title=\"{}\">{}</td>",
        Esc(detail),
        state.as_str()
    );
}

/// `items` escaped, with `separator` between them.
struct Joined<'a>(&'a [String], &'a str);

impl fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(self.1)?;
            }
            write!(f, "{}", Esc(item))?;
        }
        Ok(())
    }
}

fn accessor_cell(out: &mut Out<'_>, list: &[Accessor], total: usize) {
    if list.is_empty() {
        out.push_str("<td class=\"muted\">none in the scan</td>");
        return;
    }
    out.push_str("<td>");
    for (i, a) in list.iter().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        let _ = write!(
            out,
            "<span title=\"{} at {}\">{}",
            Joined(&a.actions, ", "),
            Place(&a.path, Some(a.line)),
            Esc(&a.principal),
        );
        if !a.functions.is_empty() {
            let _ = write!(
                out,
                " <span class=\"muted\">({})</span>",
                Joined(&a.functions, ", ")
            );
        }
        if a.wildcard {
            out.push_str(" on *");
        }
        out.push_str("</span>");
    }
    if total > list.len() {
        let _ = write!(
            out,
            "<br><span class=\"muted\">and {} more</span>",
            total - list.len()
        );
    }
    out.push_str("</td>");
}

fn inventory(out: &mut Out<'_>, assets: &[DataAsset]) {
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
        let _ = write!(
            out,
            "<tr><td>{}<div class=\"muted\">{}</div></td><td>{}</td><td title=\"{}\">{}</td><td class=\"{key_class}\" title=\"{}\">{}</td>",
            Esc(&a.resource),
            Place(&a.path, Some(a.line)),
            Esc(&a.resource_type),
            Esc(&a.classified_by),
            a.classification.as_str(),
            Esc(&a.encryption_at_rest.detail),
            a.encryption_at_rest.key.as_str(),
        );
        for fact in [
            &a.encryption_in_transit,
            &a.access_logging,
            &a.backups,
            &a.public_access,
            &a.cross_account_access,
        ] {
            fact_cell(out, fact.state, &fact.detail);
        }
        accessor_cell(out, &a.readers, a.readers_total);
        accessor_cell(out, &a.writers, a.writers_total);
        out.push_str("</tr>\n");
    }
    if assets.is_empty() {
        out.push_str("<tr><td colspan=\"11\" class=\"muted\">No resource is classified PHI, PCI or PII (by tag or by [classification] in the config).</td></tr>\n");
    }
    out.push_str("</tbody></table></section>\n");
}

fn findings(out: &mut Out<'_>, findings: &[FindingEntry], total: usize) {
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
            .map(|r| format!(" <span class=\"muted\">(suppressed: {})</span>", Esc(r)))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<details id=\"finding-{}\" class=\"finding\"><summary><span class=\"sev\" style=\"background:{}\">{}</span> {} {}: {}{suppressed}</summary>",
            f.id,
            severity_colour(&f.severity),
            Esc(&f.severity),
            Esc(&f.rule),
            Place(&f.path, f.line),
            Esc(&f.message)
        );
        let _ = write!(
            out,
            "<p><strong>{}</strong> <span class=\"muted\">({} stage{})</span></p>",
            Esc(&f.title),
            Esc(&f.stage),
            f.resource
                .as_deref()
                .map(|r| format!(", resource {}", Esc(r)))
                .unwrap_or_default()
        );
        if !f.fix.is_empty() {
            let _ = write!(out, "<p>fix: {}</p>", Esc(&f.fix));
        }
        if !f.frame.is_empty() {
            out.push_str("<pre class=\"frame\">");
            for line in &f.frame {
                if line.highlight {
                    let _ = write!(
                        out,
                        "<span class=\"hl\">{:>5} | {}</span>",
                        line.number,
                        Esc(&line.text)
                    );
                } else {
                    let _ = writeln!(out, "{:>5} | {}", line.number, Esc(&line.text));
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
