//! `--format sarif` / `--sarif FILE`: one run for the built-in stages, one per plugin.

use tollgate_core::Notification;
use tollgate_sarif::sarif::Run;
use tollgate_sarif::{enforce_limits, truncation_note, RunInput, StreamedLog, MAX_RUNS};

use crate::pipeline::ScanResult;

fn rfc3339(t: time::OffsetDateTime) -> Option<String> {
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// The merged log of a scan, given to `use_log` while `result` is borrowed, which the log
/// reads its findings from: tollgate's own results are built only as the log is written, a few
/// at a time (see [`StreamedLog`]), so they never all exist next to the findings. Notifications
/// about cuts made to fit GitHub's limits are then added to `result.notifications` so the other
/// formats show them too. With `include_passes`, tollgate's run also records the evaluations
/// that did not fail (see [`RunInput::evaluations`]).
pub fn with_log<T>(
    result: &mut ScanResult,
    include_passes: bool,
    use_log: impl FnOnce(&mut StreamedLog<'_>) -> T,
) -> T {
    let external = limit_plugin_runs(result);
    let config = result
        .ctx
        .config()
        .path
        .as_deref()
        .map(|p| relative_to(std::path::Path::new(p), result.ctx.root()));
    let (used, note) = {
        let input = own_run_input(result, include_passes);
        let (mut log, note) = StreamedLog::new(&input, external);
        record_config(log.own_run_mut(), config.as_deref());
        (use_log(&mut log), note)
    };
    result.notifications.extend(note);
    used
}

/// The notifications [`with_log`] adds, in the same order, without building the log: for a run
/// that writes and uploads no SARIF, whose report still says what a log would have cut.
pub fn add_limit_notes(result: &mut ScanResult, include_passes: bool) {
    result.external_runs = limit_plugin_runs(result);
    let note = truncation_note(&own_run_input(result, include_passes));
    result.notifications.extend(note);
}

/// The plugin runs a log has room for, each cut to GitHub's limits, with a note for what was
/// left out or cut. Taken out of `result`.
fn limit_plugin_runs(result: &mut ScanResult) -> Vec<Run> {
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
    external
}

fn own_run_input(result: &ScanResult, include_passes: bool) -> RunInput<'_> {
    let mut input = RunInput::new(&result.rules, &result.findings, &result.notifications);
    input.start_time = rfc3339(result.start_time);
    input.end_time = rfc3339(result.end_time);
    input.execution_successful = !result.failed;
    input.root_uri = Some(tollgate_sarif::uri::dir_uri(result.ctx.root()));
    if include_passes {
        input.evaluations = &result.evaluations;
    }
    input
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tollgate_core::{Config, Finding, Location, Rule, ScanContext, Severity};
    use tollgate_sarif::{build_run, MAX_LOCATIONS_PER_RESULT, MAX_RESULTS_PER_RUN};

    use super::*;

    /// A scan over every limit a log has: more plugin runs than a log holds, a plugin run with
    /// too many results and one with too many locations on a result, and more of tollgate's own
    /// results than a run holds.
    fn scan_over_the_limits() -> ScanResult {
        let rules = vec![Rule::new(
            "TG1001",
            "no-dlq",
            "iac",
            Severity::Medium,
            "No DLQ",
        )];
        let severities = [Severity::Low, Severity::Medium, Severity::High];
        let many = |prefix: &str| -> Vec<Finding> {
            (0..MAX_RESULTS_PER_RUN + 5)
                .map(|i| {
                    Finding::new(
                        "TG1001",
                        severities[i % severities.len()],
                        "m",
                        Location::file(format!("{prefix}{}.yaml", i % 300)),
                    )
                })
                .collect()
        };
        let plugin_run = |findings: &[Finding]| {
            let mut input = RunInput::new(&[], findings, &[]);
            input.automation_id = "tollgate/ext/plugin/".to_string();
            build_run(&input)
        };
        let mut deep = Finding::new("P1", Severity::High, "deep", Location::file("d.yaml"));
        for i in 0..MAX_LOCATIONS_PER_RESULT + 4 {
            deep = deep.related(Location::file(format!("r{i}.yaml")), "here");
        }
        let mut external_runs = vec![plugin_run(&many("p")), plugin_run(&[deep])];
        let small = [Finding::new(
            "P2",
            Severity::Low,
            "x",
            Location::file("a.yaml"),
        )];
        external_runs.extend((0..MAX_RUNS + 1).map(|_| plugin_run(&small)));
        let dir = std::env::temp_dir();
        let now = time::OffsetDateTime::UNIX_EPOCH;
        ScanResult {
            ctx: Arc::new(ScanContext::new(
                dir,
                Vec::new(),
                Arc::new(Config::default()),
                now.date(),
            )),
            rules,
            findings: many("f"),
            evaluations: Vec::new(),
            external_findings: Vec::new(),
            external_runs,
            codes_by_stage: Vec::new(),
            adopted: Vec::new(),
            shared_by_unit: None,
            taken: None,
            notifications: vec![Notification::warning("parse-error", "x.yaml: bad")],
            failed: false,
            start_time: now,
            end_time: now,
        }
    }

    #[test]
    fn limit_notes_without_a_log_are_those_building_it_adds() {
        let mut built = scan_over_the_limits();
        let built_runs = with_log(&mut built, false, |log| log.other_runs().to_vec());
        let mut counted = scan_over_the_limits();
        add_limit_notes(&mut counted, false);
        assert_eq!(counted.notifications, built.notifications);
        assert_eq!(counted.external_runs, built_runs);
        let ids: Vec<&str> = counted
            .notifications
            .iter()
            .map(|n| n.id.as_str())
            .collect();
        // The scan's own note, runs left out, the two cut plugin runs, tollgate's own run.
        assert_eq!(
            ids,
            [
                "parse-error",
                "truncated",
                "truncated",
                "truncated",
                "truncated"
            ]
        );
        assert!(
            counted.notifications[1]
                .message
                .contains("4 plugin runs left out"),
            "{:?}",
            counted.notifications[1]
        );
    }
}
