//! `tollgate run [PATH]`: config, scan, post-process, outputs, gate.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate_core::config::{find_config, load, FailOn};
use tollgate_core::{Config, Finding, Notification, NotificationLevel, ScanContext, Severity};

use crate::args::{OutputFormat, RunArgs};
use crate::gate::judge;
use crate::output::{self, write_atomic};
use crate::pipeline::{self, ScanRequest, ScanResult, StageOptions};
use crate::report::{Report, Summary, REPORT_VERSION};

/// The threshold when neither flag nor config names one.
pub const DEFAULT_FAIL_ON: FailOn = FailOn::High;

pub fn run(args: &RunArgs) -> anyhow::Result<u8> {
    let root = args
        .path
        .canonicalize()
        .unwrap_or_else(|_| args.path.clone());
    let today = args
        .today
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date());

    let config = match read_config(args, &root) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("error: {message}");
            let failure = Notification::error("config-error", message);
            return finish(
                args,
                not_run(&root, Config::default(), today, failure),
                None,
            );
        }
    };
    let threshold = args
        .fail_on
        .or(config.fail_on)
        .unwrap_or(DEFAULT_FAIL_ON)
        .threshold();
    let options = StageOptions {
        deps: deps_options(args),
    };
    let selection = match pipeline::select(args.stages.as_deref(), &config, &options) {
        Ok(selection) => selection,
        Err(message) => {
            eprintln!("error: {message}");
            let failure = Notification::error("unknown-stage", message);
            return finish(args, not_run(&root, config, today, failure), threshold);
        }
    };
    let mut result = pipeline::scan(ScanRequest {
        root,
        config: Arc::new(config),
        selection,
        shard: args.shard,
        today,
        show_progress: crate::progress::wanted(args.quiet, args.no_progress),
    })?;
    if crate::postprocess::apply(&mut result, args.baseline.as_deref()) {
        result.failed = true;
    }
    finish(args, result, threshold)
}

/// The dependency stage's settings: `--advisory-db` (never online then) and `--offline`.
fn deps_options(args: &RunArgs) -> tollgate_deps::DepsOptions {
    tollgate_deps::DepsOptions {
        advisory_db: args.advisory_db.clone(),
        offline: args.offline,
        ..tollgate_deps::DepsOptions::default()
    }
}

fn read_config(args: &RunArgs, root: &Path) -> Result<Config, String> {
    let path: Option<PathBuf> = match &args.config {
        Some(path) => Some(path.clone()),
        None => find_config(root),
    };
    match path {
        Some(path) => {
            tracing::debug!(config = %path.display(), "reading config");
            load(&path).map_err(|e| e.to_string())
        }
        None => Ok(Config::default()),
    }
}

/// A run that stopped before scanning (bad config, unknown stage): still a result, so the
/// outputs are written and say why.
fn not_run(root: &Path, config: Config, today: time::Date, failure: Notification) -> ScanResult {
    let now = time::OffsetDateTime::now_utc();
    ScanResult {
        ctx: Arc::new(ScanContext::new(
            root.to_path_buf(),
            Vec::new(),
            Arc::new(config),
            today,
        )),
        rules: Vec::new(),
        findings: Vec::new(),
        external_findings: Vec::new(),
        external_runs: Vec::new(),
        notifications: vec![failure],
        failed: true,
        start_time: now,
        end_time: now,
    }
}

/// Outputs and the gate. Files are written before stdout, and in every case.
fn finish(
    args: &RunArgs,
    mut result: ScanResult,
    threshold: Option<Severity>,
) -> anyhow::Result<u8> {
    let log = output::sarif::build(&mut result);
    let mut findings: Vec<Finding> = result.findings.clone();
    findings.extend(result.external_findings.iter().cloned());
    let verdict = judge(&findings, threshold, result.failed);
    let report = Report {
        version: REPORT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        summary: Summary::of(&findings, &result.notifications, threshold),
        findings,
        notifications: result.notifications.clone(),
        verdict,
    };
    let ctx = result.ctx.clone();
    let source = move |path: &str| ctx.file(path).and_then(|f| ctx.text(f).ok());
    let to_terminal = args.output.is_none();
    let rendered = match args.format {
        OutputFormat::Text => output::text::render(
            &report,
            &source,
            to_terminal && output::text::stdout_wants_color(),
        ),
        OutputFormat::Json => output::json::render(&report),
        OutputFormat::Markdown => output::markdown::render(&report),
        OutputFormat::Sarif => output::sarif::render(&log),
    };
    let mut write_failed = false;
    if let Some(path) = &args.sarif {
        if let Err(e) = write_atomic(path, output::sarif::render(&log).as_bytes()) {
            eprintln!("error: {e:#}");
            write_failed = true;
        }
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = write_atomic(path, rendered.as_bytes()) {
                eprintln!("error: {e:#}");
                write_failed = true;
            }
        }
        None => output::print_stdout(&rendered),
    }
    // Problems reach a person even when stdout carries JSON or SARIF for a machine.
    if args.format != OutputFormat::Text || args.output.is_some() {
        for note in report
            .notifications
            .iter()
            .filter(|n| n.level == NotificationLevel::Error)
        {
            eprintln!("error: {}", note.message);
        }
    }
    Ok(if write_failed { 2 } else { verdict.exit_code() })
}
