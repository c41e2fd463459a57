//! `tollgate merge A.sarif B.sarif ... [-o OUT]`: combine logs (e.g. the shards of one scan);
//! without `-o` the merged log goes to stdout.

use std::path::Path;

use tollgate_sarif::sarif::{
    Location as SarifLocation, Notification as SarifNotification, Result as SarifResult, Sarif,
};

use crate::args::MergeArgs;
use crate::output::write_atomic;

pub fn run(args: &MergeArgs) -> anyhow::Result<u8> {
    let mut logs = Vec::with_capacity(args.inputs.len());
    for path in &args.inputs {
        match read_log(path) {
            Ok(log) => logs.push(log),
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(2);
            }
        }
    }
    let mut merged = match tollgate_sarif::merge(logs) {
        Ok(log) => log,
        Err(e) => {
            eprintln!("error: cannot merge: {e}");
            return Ok(2);
        }
    };
    sort_results(&mut merged);
    match &args.output {
        Some(path) => {
            write_atomic(path, |out| crate::output::sarif::write(&merged, out))?;
            tracing::info!(output = %path.display(), "merged {} logs", args.inputs.len());
        }
        // Like `run --format sarif`: the log is the command's output.
        None => crate::output::write_stdout_with(|out| crate::output::sarif::write(&merged, out)),
    }
    Ok(0)
}

fn read_log(path: &Path) -> Result<Sarif, String> {
    let name = path.display().to_string();
    let text = tollgate_core::read_text(path, tollgate_sarif::MAX_LOG_BYTES as u64)
        .map_err(|e| format!("{name}: {e}"))?;
    tollgate_sarif::parse_log(&text, &name).map_err(|e| e.to_string())
}

/// Put each run's results and notifications in the order a single scan reports them (results:
/// path, line, rule, column, message, as `tollgate_core::postprocess::sort_findings` orders
/// findings; notifications: path, line, column, id, message, as
/// `postprocess::sort_notifications` does), so merging the shards of a scan gives the same log
/// as the unsharded scan.
pub fn sort_results(log: &mut Sarif) {
    for run in &mut log.runs {
        if let Some(results) = run.results.as_mut() {
            results.sort_by_cached_key(result_key);
        }
        for invocation in run.invocations.iter_mut().flatten() {
            if let Some(notes) = invocation.tool_execution_notifications.as_mut() {
                notes.sort_by_cached_key(notification_key);
            }
        }
    }
}

type Key = (String, Option<i64>, Option<i64>, String, String);
type ResultKey = (String, Option<i64>, String, Option<i64>, String);

/// Results on one line are ordered by rule before column, as findings are.
fn result_key(result: &SarifResult) -> ResultKey {
    let (uri, line, col) = place(result.locations.as_deref());
    (
        uri,
        line,
        result.rule_id.clone().unwrap_or_default(),
        col,
        result.message.text.clone().unwrap_or_default(),
    )
}

fn notification_key(note: &SarifNotification) -> Key {
    let (uri, line, col) = place(note.locations.as_deref());
    let id = note.descriptor.as_ref().and_then(|d| d.id.clone());
    (
        uri,
        line,
        col,
        id.unwrap_or_default(),
        note.message.text.clone().unwrap_or_default(),
    )
}

fn place(locations: Option<&[SarifLocation]>) -> (String, Option<i64>, Option<i64>) {
    let physical = locations
        .and_then(|l| l.first())
        .and_then(|l| l.physical_location.as_ref());
    let uri = physical
        .and_then(|p| p.artifact_location.as_ref())
        .and_then(|a| a.uri.as_deref())
        .map(tollgate_sarif::uri::decode)
        .unwrap_or_default();
    let region = physical.and_then(|p| p.region.as_ref());
    (
        uri,
        region.and_then(|r| r.start_line),
        region.and_then(|r| r.start_column),
    )
}
