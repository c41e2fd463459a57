//! `--format sarif` / `--sarif FILE`: one run for the built-in stages, one per plugin.

use tollgate_core::Notification;
use tollgate_sarif::sarif::Sarif;
use tollgate_sarif::{build_log, build_run_within_limits, enforce_limits, RunInput, MAX_RUNS};

use crate::pipeline::ScanResult;

fn rfc3339(t: time::OffsetDateTime) -> Option<String> {
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// The merged log of a scan. Notifications about cuts made to fit GitHub's limits are added to
/// `result.notifications` so the other formats show them too. With `include_passes`, tollgate's
/// run also records the evaluations that did not fail (see [`RunInput::evaluations`]).
pub fn build(result: &mut ScanResult, include_passes: bool) -> Sarif {
    let mut external = std::mem::take(&mut result.external_runs);
    if external.len() > MAX_RUNS - 1 {
        let dropped = external.len() - (MAX_RUNS - 1);
        external.truncate(MAX_RUNS - 1);
        result.notifications.push(Notification::warning(
            "truncated",
            format!("{dropped} plugin runs left out: a SARIF log holds at most {MAX_RUNS} runs"),
        ));
    }
    let mut cuts = Vec::new();
    for run in &mut external {
        cuts.extend(enforce_limits(run));
    }
    // Notes about cut plugin runs belong to tollgate's own run, which is built last.
    result.notifications.extend(cuts);
    let root_uri = tollgate_sarif::uri::dir_uri(result.ctx.root());
    let mut input = RunInput::new(&result.rules, &result.findings, &result.notifications);
    input.start_time = rfc3339(result.start_time);
    input.end_time = rfc3339(result.end_time);
    input.execution_successful = !result.failed;
    input.root_uri = Some(root_uri);
    if include_passes {
        input.evaluations = &result.evaluations;
    }
    // Only the results GitHub's limits keep are built: on a large scan the dropped ones
    // would otherwise be the biggest thing in memory.
    let (own, note) = build_run_within_limits(&input);
    result.notifications.extend(note);
    let mut own = own;
    let config = result
        .ctx
        .config()
        .path
        .as_deref()
        .map(|p| relative_to(std::path::Path::new(p), result.ctx.root()));
    record_config(&mut own, config.as_deref());
    let mut runs = vec![own];
    runs.extend(external.iter().cloned());
    result.external_runs = external;
    build_log(runs)
}

/// `path` relative to the scanned directory (`tollgate.toml`, `../../tollgate.toml` for a
/// config found at the repository's root): logs never carry absolute paths.
fn relative_to(path: &std::path::Path, root: &std::path::Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    for (up, dir) in root.ancestors().enumerate() {
        if let Ok(rest) = path.strip_prefix(dir) {
            let mut out = "../".repeat(up);
            out.push_str(&rest.to_string_lossy().replace('\\', "/"));
            return out;
        }
    }
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Say in the run's invocation which config file was used (`properties.tollgate/config`), as
/// `-v` does on stderr: with config discovery reaching up to the repository's root, a reader
/// of the log must be able to tell which file set its rules.
fn record_config(run: &mut tollgate_sarif::sarif::Run, config: Option<&str>) {
    let Some(config) = config else { return };
    let Some(invocation) = run.invocations.as_mut().and_then(|i| i.first_mut()) else {
        return;
    };
    let mut props = invocation
        .properties
        .take()
        .map(|p| p.additional_properties)
        .unwrap_or_default();
    props.insert(
        "tollgate/config".to_string(),
        serde_json::Value::String(tollgate_core::display::visible_line(config).into_owned()),
    );
    invocation.properties = Some(
        tollgate_sarif::sarif::PropertyBag::builder()
            .additional_properties(props)
            .build(),
    );
}

/// The log as text (for publishing, which uploads it). Files and stdout get [`write`] instead.
pub fn render(log: &Sarif) -> String {
    tollgate_sarif::to_json_pretty(log)
}

/// The same text as [`render`], streamed into `out`.
pub fn write(log: &Sarif, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    tollgate_sarif::write_json_pretty(log, out)
}
