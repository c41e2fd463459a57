//! `--format json`: the report struct, serialised as is.

use crate::report::Report;

pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| unreachable!("the report is plain data: {e}"));
    text.push('\n');
    text
}
