//! `--format json`: the report struct, serialised as is.

use std::io::Write;

use serde::Serialize;

use crate::report::Report;

/// Findings serialised together on all cores before they are written, in order: bounds what
/// is held in memory at once (a few MiB) while a large report still uses every core.
const BATCH: usize = 8192;

/// Findings each core serialises in one piece.
const PIECE: usize = 256;

/// [`render`] streamed into `out`, the same bytes without building them as one string.
///
/// The bytes are exactly those of `serde_json::to_writer_pretty(out, report)`: the report's
/// fields are written in their declared order, each value pretty-printed on its own and
/// indented to its depth. The findings, which are nearly all of a large report (a hundred
/// thousand make 70 MB), are serialised in parallel, batch by batch.
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    // Destructured so that a field added to the report cannot be forgotten here.
    let Report {
        version,
        tool_version,
        findings,
        notifications,
        summary,
        verdict,
    } = report;
    out.write_all(b"{")?;
    field(out, "version", version, true)?;
    field(out, "tool_version", tool_version, false)?;
    out.write_all(b",\n  \"findings\": ")?;
    write_findings(findings, out)?;
    field(out, "notifications", notifications, false)?;
    field(out, "summary", summary, false)?;
    field(out, "verdict", verdict, false)?;
    out.write_all(b"\n}\n")
}

/// One field of the report's top-level object: `"name": value`, the value at depth 1.
fn field(
    out: &mut dyn Write,
    name: &str,
    value: &impl Serialize,
    first: bool,
) -> std::io::Result<()> {
    out.write_all(if first { b"\n  " } else { b",\n  " })?;
    serde_json::to_writer(&mut *out, name)?;
    out.write_all(b": ")?;
    out.write_all(&pretty(value, 1)?)
}

/// `value` pretty-printed as serde_json prints it at nesting `depth`: its own rendering with
/// every line after the first indented by two spaces per level. Strings never hold a raw
/// line break (JSON escapes it), so every line break in the rendering is structural.
fn pretty(value: &impl Serialize, depth: usize) -> std::io::Result<Vec<u8>> {
    let text = serde_json::to_vec_pretty(value)?;
    let indent = "  ".repeat(depth);
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
            out.extend_from_slice(indent.as_bytes());
        }
        out.extend_from_slice(line);
    }
    Ok(out)
}

/// The findings array at depth 1, as serde_json prints it: `[]`, or one finding per element
/// at depth 2.
fn write_findings(findings: &[tollgate_core::Finding], out: &mut dyn Write) -> std::io::Result<()> {
    use rayon::prelude::*;
    if findings.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    for (b, batch) in findings.chunks(BATCH).enumerate() {
        let pieces: Vec<std::io::Result<Vec<u8>>> = batch
            .par_chunks(PIECE)
            .enumerate()
            .map(|(p, piece)| {
                let mut bytes = Vec::new();
                for (i, finding) in piece.iter().enumerate() {
                    let first = b == 0 && p == 0 && i == 0;
                    bytes.extend_from_slice(if first { b"\n    " } else { b",\n    " });
                    bytes.extend_from_slice(&pretty(finding, 2)?);
                }
                Ok(bytes)
            })
            .collect();
        for piece in pieces {
            out.write_all(&piece?)?;
        }
    }
    out.write_all(b"\n  ]")
}

/// The report as one string (what [`write`] streams).
#[cfg(test)]
pub fn render(report: &Report) -> String {
    let mut bytes = Vec::new();
    write(report, &mut bytes).unwrap_or_else(|e| unreachable!("the report is plain data: {e}"));
    String::from_utf8(bytes).unwrap_or_else(|e| unreachable!("serde_json writes UTF-8: {e}"))
}

#[cfg(test)]
mod tests {
    use tollgate_core::{Finding, Location, Notification, Pos, Severity, Span};

    use crate::gate::Verdict;
    use crate::report::{Report, Summary, REPORT_VERSION};

    fn report(findings: usize) -> Report {
        let span = |line| Span::new(Pos::new(line, 3), Pos::new(line, 9));
        let findings: Vec<Finding> = (0..findings)
            .map(|i| {
                let mut f = Finding::new(
                    "TG1001",
                    Severity::ALL[i % Severity::ALL.len()],
                    format!("Function `F{i}` says \"hi\"\nover two lines \u{1F680} \\ {{ }} [ ]"),
                    Location::at(format!("dir/t{}.yaml", i % 7), span(i as u32 + 1)),
                )
                .resource(format!("F{i}"));
                if i % 3 == 0 {
                    f.properties.insert(
                        "nested".into(),
                        serde_json::json!({"a": [1, {"b": []}], "c": {}}),
                    );
                }
                f
            })
            .collect();
        let notifications = vec![Notification::warning("truncated", "dropped\n  some")];
        let summary = Summary::of(&findings, &notifications, Some(Severity::High));
        Report {
            version: REPORT_VERSION,
            tool_version: "0.1.0".into(),
            summary,
            findings,
            notifications,
            verdict: Verdict::Pass,
        }
    }

    /// The streamed report is byte for byte what serde_json prints for the struct, empty or
    /// spanning several batches and pieces.
    #[test]
    fn streamed_report_is_serde_jsons_pretty_print() {
        for n in [0, 1, 2, super::PIECE + 1, super::BATCH * 2 + 3] {
            let report = report(n);
            let mut want = serde_json::to_vec_pretty(&report).unwrap();
            want.push(b'\n');
            assert_eq!(
                super::render(&report),
                String::from_utf8(want).unwrap(),
                "{n}"
            );
        }
    }
}
