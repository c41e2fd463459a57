//! tollgate's compliance report: per framework and per control, the rules that map to it, the
//! resources they judged and the verdicts (passes included); the data inventory of every
//! resource classified PHI, PCI or PII with who can reach it; an evidence header saying
//! where, when and by what the scan was made. The report is data ([`model`]); [`markdown`]
//! and [`html`] render it, and its JSON form is documented by a generated JSON Schema.

mod controls;
pub mod evidence;
mod findings;
pub mod html;
pub mod inventory;
pub mod markdown;
pub mod model;
mod sink;

use std::path::Path;

use tollgate_core::config::IgnoreEntry;
use tollgate_core::{Evaluation, Finding, Framework, Notification, Rule};

pub use model::{schema_json, ComplianceReport, REPORT_FORMAT_VERSION};

/// What a report is made of.
pub struct ReportInput<'a> {
    /// Every rule of the scan (controls come from their mappings).
    pub rules: &'a [Rule],
    pub findings: &'a [Finding],
    pub evaluations: &'a [Evaluation],
    /// Notifications of the scan: files not checked limit what passing means.
    pub notifications: &'a [Notification],
    /// Frameworks asked for; empty means every framework a rule maps to.
    pub frameworks: &'a [Framework],
    /// The config's `[[ignore]]` entries, for the expiry of suppressions.
    pub ignores: &'a [IgnoreEntry],
    pub inventory: Vec<model::DataAsset>,
    pub evidence: model::Evidence,
    /// The scanned directory, to read the code frames from; `None` leaves them out.
    pub root: Option<&'a Path>,
    /// How many findings, most severe first, get their code frame: reading source lines for
    /// findings a form never shows is wasted (the HTML page shows [`html::LISTED_FINDINGS`],
    /// markdown none, JSON all: [`ALL_FRAMES`]).
    pub frames: usize,
}

/// [`ReportInput::frames`] for a report that shows every finding's frame (JSON).
pub const ALL_FRAMES: usize = usize::MAX;

/// Build the report.
pub fn build(input: ReportInput<'_>) -> ComplianceReport {
    let (findings, entry_of) =
        findings::entries(input.findings, input.rules, input.root, input.frames);
    let frameworks = controls::frameworks(&input, &entry_of);
    let mut notes = Vec::new();
    let silent = controls::rules_without_evaluations(&input);
    if !silent.is_empty() {
        notes.push(format!(
            "{} mapped rule{} recorded no evaluation in this scan (no resource of their kind, or they record failures only), so {} controls count failures only: {}",
            silent.len(),
            if silent.len() == 1 { "" } else { "s" },
            if silent.len() == 1 { "its" } else { "their" },
            listed(&silent, LISTED_IN_NOTES)
        ));
    }
    let unchecked = input
        .notifications
        .iter()
        .filter(|n| n.leaves_unchecked())
        .count();
    if unchecked > 0 {
        notes.push(format!(
            "{unchecked} file{} or part{} of files could not be checked (see the scan's notifications): controls cannot pass for what they hold",
            if unchecked == 1 { "" } else { "s" },
            if unchecked == 1 { "" } else { "s" },
        ));
    }
    ComplianceReport {
        format_version: REPORT_FORMAT_VERSION,
        summary: findings::summary(input.findings, input.rules),
        evidence: input.evidence,
        frameworks,
        inventory: input.inventory,
        findings,
        notes,
    }
}

/// Rule codes a note names before it only counts the rest (a repository's own policies add
/// rules too: a note could name hundreds).
const LISTED_IN_NOTES: usize = 30;

/// `items` joined with commas, the first `limit` of them and a count of the rest.
fn listed(items: &[String], limit: usize) -> String {
    let mut text = items[..items.len().min(limit)].join(", ");
    if items.len() > limit {
        text.push_str(&format!(" and {} more", items.len() - limit));
    }
    text
}

/// The report as pretty JSON with a final newline.
pub fn to_json(report: &ComplianceReport) -> String {
    sink::to_string(|out| write_json(report, out))
}

/// [`to_json`] written into `out` as it is made (the JSON report of a large repository is
/// hundreds of megabytes).
pub fn write_json(report: &ComplianceReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_in_notes_are_counted_past_their_limit() {
        let codes: Vec<String> = (1..=5).map(|i| format!("TG100{i}")).collect();
        assert_eq!(listed(&codes, 5), "TG1001, TG1002, TG1003, TG1004, TG1005");
        assert_eq!(listed(&codes, 2), "TG1001, TG1002 and 3 more");
    }
}
