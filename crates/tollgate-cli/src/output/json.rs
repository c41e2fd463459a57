//! `--format json`: the report struct, serialised as is.

use std::io::Write;

use serde::Serialize;

use tollgate_sarif::pretty::pretty_into;

use crate::report::Report;

/// Findings serialised together on all cores before they are written, in order: bounds what
/// is held in memory at once while a large report still uses every core. Up to three batches
/// are alive at once (one written, one waiting, one being serialised), at about 2.7 KB a
/// finding: 8,192 findings a batch could hold 60 MB at once, 2,048 hold about 16 MB (the
/// 5,000-template scan's peak and wall time did not move measurably either way).
const BATCH: usize = 2048;

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
    let mut bytes = Vec::new();
    pretty_into(value, 1, &mut bytes)?;
    out.write_all(&bytes)
}

/// The findings array at depth 1, as serde_json prints it: `[]`, or one finding per element
/// at depth 2. A thread serialises the batches (on all cores) while this one writes the one
/// before, so writing a large report overlaps with rendering it.
fn write_findings(findings: &[tollgate_core::Finding], out: &mut dyn Write) -> std::io::Result<()> {
    use rayon::prelude::*;
    if findings.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[")?;
    // Buffers written go back here for the next pieces: fresh ones for every piece would be
    // allocated on one thread and freed on another, given back to the system and faulted in
    // again, 70 MB of them on a large report.
    let spare: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());
    let take_spare = || spare.lock().ok().and_then(|mut spare| spare.pop());
    let serialize = |b: usize, batch: &[tollgate_core::Finding]| {
        batch
            .par_chunks(PIECE)
            .enumerate()
            .map(|(p, piece)| {
                // About 600 bytes a finding: room for most pieces at once.
                let mut bytes = take_spare().unwrap_or_default();
                bytes.clear();
                bytes.reserve(piece.len() * 640);
                for (i, finding) in piece.iter().enumerate() {
                    let first = b == 0 && p == 0 && i == 0;
                    bytes.extend_from_slice(if first { b"\n    " } else { b",\n    " });
                    finding_into(finding, &mut bytes)?;
                }
                Ok(bytes)
            })
            .collect::<std::io::Result<Vec<Vec<u8>>>>()
    };
    std::thread::scope(|scope| {
        // One batch waits while the next is serialised: a few MiB held at once.
        let (sender, batches) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || {
            for (b, batch) in findings.chunks(BATCH).enumerate() {
                // The writer stopped (an error): nothing more to do.
                if sender.send(serialize(b, batch)).is_err() {
                    break;
                }
            }
        });
        for pieces in batches {
            for piece in pieces? {
                out.write_all(&piece)?;
                if let Ok(mut spare) = spare.lock() {
                    spare.push(piece);
                }
            }
        }
        Ok::<(), std::io::Error>(())
    })?;
    out.write_all(b"\n  ]")
}

/// One finding at depth 2, the bytes serde_json's pretty printer gives it (`pretty_into(finding,
/// 2, out)`), written field by field: the keys are constant, the numbers and plain strings
/// written directly, only the rarely set fields (related locations, flow steps, suppression,
/// baseline state, properties) go through serde. A large report is a hundred thousand
/// findings, and serde's way spent more time escaping the same keys than the values.
fn finding_into(finding: &tollgate_core::Finding, out: &mut Vec<u8>) -> std::io::Result<()> {
    // Destructured so that a field added to the finding cannot be forgotten here; the order
    // is the struct's, as serde writes it.
    let tollgate_core::Finding {
        rule,
        severity,
        message,
        location,
        related,
        code_flow,
        resource,
        resource_line,
        evidence,
        fingerprint,
        suppression,
        baseline_state,
        properties,
    } = finding;
    out.extend_from_slice(b"{\n      \"rule\": ");
    string_into(rule, out);
    out.extend_from_slice(b",\n      \"severity\": ");
    string_into(severity.as_str(), out);
    out.extend_from_slice(b",\n      \"message\": ");
    string_into(message, out);
    out.extend_from_slice(b",\n      \"location\": {\n        \"path\": ");
    string_into(&location.path, out);
    match &location.region {
        Some(span) => {
            out.extend_from_slice(
                b",\n        \"region\": {\n          \"start\": {\n            \"line\": ",
            );
            uint_into(span.start.line, out);
            out.extend_from_slice(b",\n            \"col\": ");
            uint_into(span.start.col, out);
            out.extend_from_slice(b"\n          },\n          \"end\": {\n            \"line\": ");
            uint_into(span.end.line, out);
            out.extend_from_slice(b",\n            \"col\": ");
            uint_into(span.end.col, out);
            out.extend_from_slice(b"\n          }\n        }\n      }");
        }
        None => out.extend_from_slice(b",\n        \"region\": null\n      }"),
    }
    if !related.is_empty() {
        out.extend_from_slice(b",\n      \"related\": ");
        pretty_into(related, 3, out)?;
    }
    if !code_flow.is_empty() {
        out.extend_from_slice(b",\n      \"code_flow\": ");
        pretty_into(code_flow, 3, out)?;
    }
    if let Some(resource) = resource {
        out.extend_from_slice(b",\n      \"resource\": ");
        string_into(resource, out);
    }
    if let Some(line) = resource_line {
        out.extend_from_slice(b",\n      \"resource_line\": ");
        uint_into(*line, out);
    }
    if !evidence.is_empty() {
        out.extend_from_slice(b",\n      \"evidence\": ");
        string_into(evidence, out);
    }
    if !fingerprint.is_empty() {
        out.extend_from_slice(b",\n      \"fingerprint\": ");
        string_into(fingerprint, out);
    }
    if let Some(suppression) = suppression {
        out.extend_from_slice(b",\n      \"suppression\": ");
        pretty_into(suppression, 3, out)?;
    }
    if let Some(state) = baseline_state {
        out.extend_from_slice(b",\n      \"baseline_state\": ");
        string_into(state.as_str(), out);
    }
    if !properties.is_empty() {
        out.extend_from_slice(b",\n      \"properties\": ");
        pretty_into(properties, 3, out)?;
    }
    out.extend_from_slice(b"\n    }");
    Ok(())
}

/// `text` as a JSON string, escaped as serde_json escapes it. Most texts need no escape at
/// all, which a scan without early exit (one the compiler can vectorise) tells.
fn string_into(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let plain = bytes.chunks(32).all(|chunk| {
        chunk.iter().fold(true, |plain, &b| {
            plain & (b >= 0x20 && b != b'"' && b != b'\\')
        })
    });
    if plain {
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, text)
            .unwrap_or_else(|e| unreachable!("a string written to memory: {e}"));
    }
}

/// `n` in decimal, as serde_json writes an unsigned integer.
fn uint_into(mut n: u32, out: &mut Vec<u8>) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
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
    use tollgate_core::{
        BaselineState, Finding, Location, Notification, Pos, Severity, Span, Suppression,
        SuppressionKind,
    };

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
                // Every optional field, set and not, and texts that need escaping or not.
                if i % 4 == 1 {
                    f.location.region = None;
                    f.resource = None;
                    f.message =
                        "plain text, long enough to span more than one chunk of the scan".into();
                }
                if i % 5 == 2 {
                    f = f
                        .related(Location::file("other.yaml"), "the role \"R\" is here")
                        .flow_step(Location::at("h.py", span(4)), "enters here\u{7f}\u{1}");
                    f.resource_line = Some(u32::MAX - i as u32);
                    f.evidence = format!("{}\\ evidence \u{e9}\t{i}", "x".repeat(40));
                    f.fingerprint = format!("{i:032x}");
                }
                if i % 6 == 3 {
                    f.suppression = Some(Box::new(Suppression {
                        kind: SuppressionKind::InSource,
                        justification: "reviewed \"ok\"".into(),
                    }));
                    f.baseline_state = Some(BaselineState::Unchanged);
                    f.resource_line = Some(0);
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

    /// Strings are escaped as serde_json escapes them, whatever byte needs it and wherever it
    /// stands in the chunks the scan reads.
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut texts = vec![
            String::new(),
            "plain".into(),
            "\u{e9}t\u{e9} \u{1F680}\u{7f}".into(),
        ];
        for special in (0u8..0x80).map(char::from).chain(['\u{80}', '\u{2028}']) {
            for at in 0..40 {
                let mut text = "a".repeat(at);
                text.push(special);
                text.push_str(&"b".repeat(40 - at));
                texts.push(text);
            }
        }
        for text in texts {
            let mut ours = Vec::new();
            super::string_into(&text, &mut ours);
            assert_eq!(ours, serde_json::to_vec(&text).unwrap(), "{text:?}");
        }
    }

    /// The streamed report is byte for byte what serde_json prints for the struct, empty or
    /// spanning several batches and pieces.
    #[test]
    fn streamed_report_is_serde_jsons_pretty_print() {
        for n in [0, 1, 2, 7, super::PIECE + 1, super::BATCH * 2 + 3] {
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
