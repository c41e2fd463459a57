//! After the stages: rule config, suppressions, fingerprints, baseline, order. The rules
//! themselves live in tollgate-core and tollgate-sarif; this is where the run wires them up.

use std::path::Path;

use tollgate_core::postprocess::{apply_rule_config, finish, RuleIndex};
use tollgate_core::{apply_suppressions_in, FileKind, Notification};

use crate::pipeline::ScanResult;

/// Post-process a scan in place. Returns whether something failed (an unreadable baseline).
pub fn apply(result: &mut ScanResult, baseline: Option<&Path>) -> bool {
    let ctx = result.ctx.clone();
    let config = ctx.config();
    let index = RuleIndex::new(result.rules.iter().cloned());
    let mut notes = apply_rule_config(&mut result.findings, &index, config);
    // Files whose comments may hold suppressions: those the stages read. Listing them also
    // reports a `tollgate:ignore` left behind after its finding was fixed.
    let scanned: Vec<&str> = ctx
        .files()
        .iter()
        .filter(|f| f.kind != FileKind::Other)
        .map(|f| f.path.as_str())
        .collect();
    let source = |path: &str| ctx.file(path).and_then(|f| ctx.text(f).ok());
    notes.extend(apply_suppressions_in(
        &mut result.findings,
        &index,
        config,
        ctx.today(),
        &scanned,
        &source,
    ));
    finish(&mut result.findings);
    finish(&mut result.external_findings);
    let mut failed = false;
    if let Some(path) = baseline {
        if let Err(message) = crate::baseline::apply(path, result) {
            failed = true;
            notes.push(Notification::error("baseline-unreadable", message));
        }
    }
    result.notifications.extend(notes);
    dedup_parse_errors(&mut result.notifications);
    sort_notifications(&mut result.notifications);
    failed
}

/// Every stage that reads a file meets its syntax error; it is one problem, reported once (by
/// the first stage in registration order that saw it).
pub fn dedup_parse_errors(notes: &mut Vec<Notification>) {
    let mut seen = std::collections::HashSet::new();
    notes.retain(|n| {
        n.id != "parse-error" || seen.insert(n.location.as_ref().map(|l| l.path.clone()))
    });
}

/// Notifications without a place first (stage and config problems), then by path, line,
/// column, id and message: the same order `tollgate merge` gives merged shards.
pub fn sort_notifications(notes: &mut [Notification]) {
    notes.sort_by(|a, b| {
        let key = |n: &Notification| {
            let path = n.location.as_ref().map_or("", |l| l.path.as_str());
            let pos = n
                .location
                .as_ref()
                .and_then(|l| l.region)
                .map(|r| (r.start.line, r.start.col));
            (path.to_string(), pos, n.id.clone(), n.message.clone())
        };
        key(a).cmp(&key(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::Location;

    #[test]
    fn one_parse_error_per_file() {
        let parse_error = |path: &str, stage: &str| {
            Notification::warning("parse-error", format!("{path}: bad"))
                .at(Location::file(path))
                .stage(stage)
        };
        let mut notes = vec![
            parse_error("a.yaml", "parse"),
            parse_error("a.yaml", "iac"),
            parse_error("b.yaml", "iac"),
            Notification::warning("file-skipped", "a.yaml: big").at(Location::file("a.yaml")),
        ];
        dedup_parse_errors(&mut notes);
        let kept: Vec<_> = notes
            .iter()
            .map(|n| (n.id.as_str(), n.stage.as_deref()))
            .collect();
        assert_eq!(
            kept,
            vec![
                ("parse-error", Some("parse")),
                ("parse-error", Some("iac")),
                ("file-skipped", None)
            ]
        );
        sort_notifications(&mut notes);
        assert_eq!(notes[0].id, "file-skipped");
    }
}
