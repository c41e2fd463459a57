//! `--format json`: the report struct, serialised as is.

use std::io::Write;

use crate::report::Report;

/// [`render`] streamed into `out`, the same bytes without building them as one string.
pub fn write(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}

/// The report as one string (what [`write`] streams).
#[cfg(test)]
pub fn render(report: &Report) -> String {
    let mut bytes = Vec::new();
    write(report, &mut bytes).unwrap_or_else(|e| unreachable!("the report is plain data: {e}"));
    String::from_utf8(bytes).unwrap_or_else(|e| unreachable!("serde_json writes UTF-8: {e}"))
}
