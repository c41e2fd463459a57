//! `tollgate run [PATH]`: config, scan, post-process, outputs, gate.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate_core::config::{discover_config, FailOn};
use tollgate_core::{Config, Finding, Notification, NotificationLevel, ScanContext, Severity};

use crate::args::{OutputFormat, RunArgs};
use crate::gate::judge;
use crate::output::{self, write_atomic};
use crate::pipeline::{self, ScanRequest, ScanResult, StageOptions};
use crate::publish::{GithubRun, Results};
use crate::report::{Report, Summary, REPORT_VERSION};
use crate::rule_select::RuleSelection;

/// The threshold when neither flag nor config names one.
pub const DEFAULT_FAIL_ON: FailOn = FailOn::High;

pub fn run(args: &RunArgs) -> anyhow::Result<u8> {
    // Two outputs naming one file would silently leave only the last one written.
    if let (Some(output), Some(sarif)) = (&args.output, &args.sarif) {
        if same_file(output, sarif) {
            eprintln!(
                "error: --output and --sarif both name {}; one would overwrite the other\nhint: give each its own file",
                output.display()
            );
            return Ok(2);
        }
    }
    let (root, only) = scan_root(&args.path);
    let today = args
        .today
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date());

    let (config, config_path) = match read_config(args, &root) {
        Ok(found) => found,
        Err(message) => {
            let stopped = not_run(&root, Config::default(), today, "config-error", message);
            return finish(args, stopped, None, None);
        }
    };
    let rule_selection =
        match RuleSelection::new(&args.check, &args.skip_check, &crate::pipeline::all_rules()) {
            Ok(selection) => selection,
            Err(message) => {
                let stopped = not_run(&root, config, today, "unknown-rule", message);
                return finish(args, stopped, None, None);
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
    let mut selection = match pipeline::select(args.stages.as_deref(), &config, &options) {
        Ok(selection) => selection,
        Err(message) => {
            let stopped = not_run(&root, config, today, "unknown-stage", message);
            return finish(args, stopped, threshold, None);
        }
    };
    let untrusted_plugins = if plugins_trusted(args, config_path.as_deref(), &root) {
        Vec::new()
    } else {
        skip_plugins(&mut selection, config_path.as_deref(), &root)
    };
    // The pull request context is read before scanning so a bad `--repo` or event payload
    // stops the run early, with the outputs still written.
    let context = match crate::publish::context(&args.github) {
        Ok(context) => context,
        Err(message) => {
            let stopped = not_run(&root, config, today, "github-context", message);
            return finish(args, stopped, threshold, None);
        }
    };
    let strict = args.strict || config.strict.unwrap_or(false);
    let mut github_args = args.github.clone();
    if github_args.compliance.is_empty() {
        github_args.compliance = config.compliance.frameworks.clone();
    }
    let config = Arc::new(config);
    let base_stages = selection.builtin.clone();
    // `--diff-base REF`, or in a pull request its base commit.
    let diff_base = args.diff_base.clone().map(|rev| (rev, true)).or_else(|| {
        let ctx = context.as_ref()?;
        ctx.pr?;
        ctx.base_sha.clone().map(|rev| (rev, false))
    });
    let mut result = pipeline::scan(ScanRequest {
        root: root.clone(),
        config: config.clone(),
        selection,
        shard: args.shard,
        today,
        show_progress: crate::progress::wanted(args.quiet, args.no_progress),
        only: only.clone(),
        reuse: None,
        // The base revision's scan reuses the documents of the files it shares with the head.
        keep_parsed: diff_base.is_some(),
        borrowed: Vec::new(),
        // Only the SARIF log with `--include-passes` shows them.
        evaluations: args.include_passes,
    })?;
    result.notifications.extend(untrusted_plugins);
    rule_selection.retain(&mut result.findings, &result.rules);
    rule_selection.retain_evaluations(&mut result.evaluations, &result.rules);
    rule_selection.retain(&mut result.external_findings, &result.rules);
    if crate::postprocess::apply(&mut result, args.baseline.as_deref()) {
        result.failed = true;
    }
    let mut has_baseline = args.baseline.is_some();
    if let Some((rev, explicit)) = diff_base {
        let scan = crate::diff_base::BaseScan {
            config,
            stages: base_stages,
            shard: args.shard,
            today,
            only,
            selection: rule_selection,
            share_findings: true,
        };
        has_baseline |= crate::diff_base::apply(&root, &rev, explicit, scan, &mut result);
        // The head's documents and model, kept for the base: nothing reads them from here on.
        if let Some(ctx) = Arc::get_mut(&mut result.ctx) {
            pipeline::left_to_exit(ctx.take_parsed());
        }
    }
    if strict {
        fail_closed(&mut result);
    }
    let github = context.map(|context| GithubRun {
        diff: crate::publish::local_diff(&root, &context),
        path_prefix: tollgate_github::subdirectory_in_repo(&root).unwrap_or_default(),
        args: github_args,
        context,
        has_baseline,
    });
    finish(args, result, threshold, github.as_ref())
}

/// The dependency stage's settings: `--advisory-db` (never online then) and `--offline`.
fn deps_options(args: &RunArgs) -> tollgate_deps::DepsOptions {
    tollgate_deps::DepsOptions {
        advisory_db: args.advisory_db.clone(),
        offline: args.offline,
        ..tollgate_deps::DepsOptions::default()
    }
}

/// The directory scanned and, when PATH names a file, that file's name in it.
fn scan_root(path: &Path) -> (PathBuf, Option<String>) {
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if absolute.is_file() {
        if let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) {
            return (
                parent.to_path_buf(),
                Some(name.to_string_lossy().into_owned()),
            );
        }
    }
    (absolute, None)
}

/// Whether two output paths name the same file (also through `./`, `..` or a symbolic link
/// to a directory).
fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| -> PathBuf {
        let name = p.file_name().map(|n| n.to_os_string());
        let parent = match p.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        match (parent.canonicalize(), name) {
            (Ok(dir), Some(name)) => dir.join(name),
            _ => p.to_path_buf(),
        }
    };
    resolve(a) == resolve(b)
}

/// `--config`, else the config discovered from the scanned directory upward to the
/// repository's root, and the file it came from. Which file is used is logged (`-v`) and
/// recorded in the SARIF log.
fn read_config(args: &RunArgs, root: &Path) -> Result<(Config, Option<PathBuf>), String> {
    let path: Option<PathBuf> = match &args.config {
        Some(path) => Some(path.clone()),
        None => discover_config(root),
    };
    match path {
        Some(path) => {
            tracing::info!("using config {}", path.display());
            let config = crate::pipeline::load_config(&path).map_err(|e| e.to_string())?;
            Ok((config, Some(path)))
        }
        None => {
            tracing::info!("no tollgate.toml found; using the defaults");
            Ok((Config::default(), None))
        }
    }
}

/// Whether the config's external stages may run. Every file in the scanned directory may come
/// from a pull request, its `tollgate.toml` included, and a plugin is a command: run from a
/// trusted job (`pull_request_target`, `workflow_run`, a job that checks the head out with
/// secrets around) it would be code execution. So they run only when the user said so
/// (`--allow-plugins`), or when the config was named with `--config` and lies outside the
/// scanned directory, where a pull request cannot have written it.
fn plugins_trusted(args: &RunArgs, config_path: Option<&Path>, root: &Path) -> bool {
    if args.allow_plugins {
        return true;
    }
    match (&args.config, config_path) {
        (Some(_), Some(path)) => !inside(path, root),
        _ => false,
    }
}

/// Whether `path` (or what it links to) lies under `root`; one that cannot be resolved counts
/// as inside, so doubt never trusts.
fn inside(path: &Path, root: &Path) -> bool {
    match path.canonicalize() {
        Ok(real) => real.starts_with(root),
        Err(_) => true,
    }
}

/// Take the external stages out of `selection`, with a warning for each that says why and how
/// to run it.
fn skip_plugins(
    selection: &mut pipeline::Selection,
    config_path: Option<&Path>,
    root: &Path,
) -> Vec<Notification> {
    let from = config_path
        .map(|p| {
            p.canonicalize()
                .ok()
                .and_then(|real| real.strip_prefix(root).ok().map(Path::to_path_buf))
                .unwrap_or_else(|| p.to_path_buf())
        })
        .map_or_else(
            || "the config".to_string(),
            |p| format!("`{}`", p.display()),
        );
    std::mem::take(&mut selection.external)
        .into_iter()
        .map(|plugin| {
            Notification::warning(
                "plugin-skipped",
                format!(
                    "external stage `{}` was not run: {from} was found in the scanned directory or its repository, which a pull request can change; hint: pass --allow-plugins (action input `allow-plugins: true`) to run its command, or give a config from outside the scanned directory with --config",
                    plugin.name
                ),
            )
            .stage(plugin.name)
        })
        .collect()
}

/// `--strict`: anything that left part of the repository unchecked fails the run as a tool
/// failure (exit code 2), with one error saying how many and why.
fn fail_closed(result: &mut ScanResult) {
    let problems: Vec<&Notification> = result
        .notifications
        .iter()
        .filter(|n| n.fails_strict())
        .collect();
    if problems.is_empty() {
        return;
    }
    let mut ids: Vec<&str> = problems.iter().map(|n| n.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let message = format!(
        "strict mode: {} problem{} left the scan incomplete ({}); each is listed in this report",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        ids.join(", ")
    );
    result.failed = true;
    result
        .notifications
        .insert(0, Notification::error("strict-incomplete", message));
}

/// A run that stopped before scanning (bad config, unknown stage, no GitHub context): said on
/// stderr, and still a result, so the outputs are written and say why.
fn not_run(
    root: &Path,
    config: Config,
    today: time::Date,
    id: &str,
    message: String,
) -> ScanResult {
    // Said on stderr by `finish`, with every other error.
    let failure = Notification::error(id, message);
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
        evaluations: Vec::new(),
        external_findings: Vec::new(),
        external_runs: Vec::new(),
        codes_by_stage: Vec::new(),
        adopted: Vec::new(),
        shared_by_unit: None,
        taken: None,
        notifications: vec![failure],
        failed: true,
        start_time: now,
        end_time: now,
    }
}

/// Outputs and the gate. Files are written before stdout, and in every case.
///
/// The SARIF log, made only when it is written or uploaded, is written first, its results built
/// a few at a time as they are written, and the findings move into the report rather than being
/// copied: on a large scan the log's results, the findings and a rendered string of either are
/// each tens to hundreds of MiB.
fn finish(
    args: &RunArgs,
    mut result: ScanResult,
    threshold: Option<Severity>,
    github: Option<&GithubRun>,
) -> anyhow::Result<u8> {
    // Messages quote scanned files and tools: from here on, every output gets them with their
    // control characters escaped.
    {
        use rayon::prelude::*;
        // On all cores: a large scan has a hundred thousand findings.
        result
            .findings
            .par_iter_mut()
            .chain(result.external_findings.par_iter_mut())
            .for_each(tollgate_core::display::sanitize_finding);
    }
    for note in &mut result.notifications {
        tollgate_core::display::sanitize_notification(note);
    }
    let mut write_failed = false;
    let mut write_file = |path: &Path, write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>| {
        if let Err(e) = write_atomic(path, write) {
            eprintln!("error: {e:#}");
            write_failed = true;
        }
    };
    let publishing = github.filter(|g| g.publishing());
    let mut code_scanning_sarif = None;
    if args.sarif.is_some() || args.format == OutputFormat::Sarif || publishing.is_some() {
        code_scanning_sarif = output::sarif::with_log(&mut result, args.include_passes, |log| {
            let write_sarif = |out: &mut dyn Write| log.write_json_pretty(out);
            if let Some(path) = &args.sarif {
                write_file(path, &write_sarif);
            }
            if args.format == OutputFormat::Sarif {
                match &args.output {
                    Some(path) => write_file(path, &write_sarif),
                    None => output::write_stdout_with(write_sarif),
                }
            }
            // The code-scanning upload: written again, compressed as it is written.
            publishing
                .and_then(|github| github.encode_sarif(|edit, out| log.write_edited(edit, out)))
        });
    } else {
        // No log is written or uploaded: what it would have cut to fit GitHub's limits, which
        // every format shows, is counted without building its results.
        output::sarif::add_limit_notes(&mut result, args.include_passes);
    }

    let mut findings: Vec<Finding> = std::mem::take(&mut result.findings);
    findings.append(&mut result.external_findings);
    // With a known diff, findings outside the gate's filter mode stay in the report but
    // cannot fail the build.
    let verdict = match github {
        Some(g) => judge(g.gate_scope(&findings), threshold, result.failed),
        None => judge(&findings, threshold, result.failed),
    };
    let mut summary = Summary::of(&findings, &result.notifications, threshold);
    // A run that stopped early (bad config...) has no inventory to speak of.
    if !result.rules.is_empty() || !result.ctx.files().is_empty() {
        summary.count_files(result.ctx.files());
    }
    // The process ends with this run: what the report holds is left to the operating system
    // rather than freed piece by piece (a hundred thousand findings take a tenth of a second).
    let mut report = std::mem::ManuallyDrop::new(Report {
        version: REPORT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        summary,
        findings,
        notifications: std::mem::take(&mut result.notifications),
        verdict,
    });
    if let Some(path) = &args.summary {
        let text = crate::summary::render(verdict, &report.summary, args.sarif.as_ref());
        write_file(path, &|out| out.write_all(text.as_bytes()));
    }
    // `--severity` narrows what the report shows; the gate above and the SARIF log saw all.
    // The findings left out are kept aside for publishing, which judges the same set.
    let mut hidden = Vec::new();
    if !args.severity.is_empty() {
        let (shown, rest): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut report.findings)
            .into_iter()
            .partition(|f| args.severity.contains(&f.severity));
        report.findings = shown;
        hidden = rest;
    }
    let ctx = result.ctx.clone();
    let source = move |path: &str| ctx.file(path).and_then(|f| ctx.text(f).ok());
    let env = |key: &str| std::env::var(key).ok();
    let color = output::text::wants_color(args.color, args.output.is_none(), &env);
    let rendered = match args.format {
        OutputFormat::Text => Some(output::text::render(&report, &source, color)),
        OutputFormat::Compact => Some(output::compact::render(&report, color)),
        // Streamed below: on a large scan the text is tens of MiB.
        OutputFormat::Json => None,
        OutputFormat::Markdown => Some(output::markdown::render(&report)),
        OutputFormat::Junit => Some(output::junit::render(&report, &result.rules)),
        // GitLab places issues by their path from the repository's root.
        OutputFormat::Gitlab => Some(output::gitlab::render(
            &report,
            &tollgate_github::subdirectory_in_repo(result.ctx.root()).unwrap_or_default(),
        )),
        // Written above, from the log.
        OutputFormat::Sarif => None,
    };
    if args.format == OutputFormat::Json {
        let write_json = |out: &mut dyn Write| output::json::write(&report, out);
        match &args.output {
            Some(path) => write_file(path, &write_json),
            None => output::write_stdout_with(write_json),
        }
    }
    if let Some(rendered) = rendered {
        match &args.output {
            Some(path) => write_file(path, &|out| out.write_all(rendered.as_bytes())),
            None => output::print_stdout(&rendered),
        }
    }
    // Problems reach a person even when stdout carries JSON or SARIF for a machine, or is
    // redirected to a file: every error is also said on stderr.
    for note in report
        .notifications
        .iter()
        .filter(|n| n.level == NotificationLevel::Error)
    {
        // Messages may carry a `hint:` line; other control characters never reach the terminal.
        let message: String = note
            .message
            .chars()
            .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
            .collect();
        eprintln!("error: {message}");
    }
    report.findings.append(&mut hidden);
    // Every output is on disk before the first request: nothing is lost if GitHub is down.
    let mut code = if write_failed { 2 } else { verdict.exit_code() };
    if let Some(github) = publishing {
        let results = Results {
            findings: std::mem::take(&mut report.findings),
            rules: std::mem::take(&mut result.rules),
            notifications: std::mem::take(&mut report.notifications),
            code_scanning_sarif,
            sarif_path: args.sarif.clone(),
            verdict,
        };
        if let Some(override_code) = github.publish(results) {
            code = code.max(override_code);
        }
    }
    // Like the report above: the scan's context, texts and rules go with the process.
    crate::pipeline::left_to_exit(result);
    Ok(code)
}
