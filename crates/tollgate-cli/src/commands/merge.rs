//! `tollgate merge A.sarif B.sarif ... [-o OUT]`: combine logs (e.g. the shards of one scan);
//! without `-o` the merged log goes to stdout.
//!
//! Each input is read with its results left as text, and each merged result is kept as
//! compact JSON, so merging takes a small multiple of the largest input's size rather than
//! the whole log as SARIF structures. A result that cannot be read is left out with a warning
//! naming the file, the JSON path and the line and column; the rest of its log is merged.

use std::path::Path;

use tollgate_sarif::sarif::{Location as SarifLocation, Notification as SarifNotification, Sarif};
use tollgate_sarif::{read_log_lazily, Merger};

use crate::args::MergeArgs;
use crate::output::write_atomic;

pub fn run(args: &MergeArgs) -> anyhow::Result<u8> {
    let mut merger = Merger::default();
    for path in &args.inputs {
        if let Err(message) = add_log(&mut merger, path) {
            eprintln!("error: {message}");
            return Ok(2);
        }
    }
    for message in merger.dropped() {
        eprintln!("warning: {message}");
    }
    let mut merged = match merger.finish() {
        Ok(log) => log,
        Err(e) => {
            eprintln!("error: cannot merge: {e}");
            return Ok(2);
        }
    };
    merged.sort_results();
    sort_notifications(merged.log_mut());
    match &args.output {
        Some(path) => {
            write_atomic(path, |out| merged.write_json_pretty(out))?;
            tracing::info!(output = %path.display(), "merged {} logs", args.inputs.len());
        }
        // Like `run --format sarif`: the log is the command's output.
        None => crate::output::write_stdout_with(|out| merged.write_json_pretty(out)),
    }
    Ok(0)
}

/// Read the log at `path` and add its runs to `merger`, one result at a time.
fn add_log(merger: &mut Merger, path: &Path) -> Result<(), String> {
    let name = path.display().to_string();
    let text = tollgate_core::read_text(path, tollgate_sarif::MAX_LOG_BYTES as u64)
        .map_err(|e| format!("{name}: {e}"))?;
    let log = read_log_lazily(&text, &name).map_err(|e| e.to_string())?;
    for (ri, run) in log.runs.iter().enumerate() {
        merger.add_run(&name, run.clone(), log.has_results(ri), log.results(ri));
    }
    Ok(())
}

/// Put each run's notifications in the order a single scan reports them (path, line, column,
/// id, message, as `postprocess::sort_notifications` does), so merging the shards of a scan
/// gives the same log as the unsharded scan. Results are sorted by the merged log itself.
pub fn sort_notifications(log: &mut Sarif) {
    for run in &mut log.runs {
        for invocation in run.invocations.iter_mut().flatten() {
            if let Some(notes) = invocation.tool_execution_notifications.as_mut() {
                notes.sort_by_cached_key(notification_key);
            }
        }
    }
}

type Key = (String, Option<i64>, Option<i64>, String, String);

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
