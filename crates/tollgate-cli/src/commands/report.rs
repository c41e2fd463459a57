//! `tollgate report [PATH]`: the compliance report of a scan it runs, or of a SARIF log an
//! earlier scan wrote with `--include-passes` (`--from-sarif`). The report itself is built and
//! rendered by tollgate-report; this command gathers its inputs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use tollgate_core::config::discover_config;
use tollgate_core::{
    Config, Evaluation, Finding, Framework, Location, Notification, ScanContext, Span, Verdict,
    WalkOptions,
};
use tollgate_report::model::{ConfigEvidence, Evidence};
use tollgate_report::{evidence, inventory, ReportInput};
use tollgate_sarif::sarif::{ResultKind, Run, Sarif};

use crate::pipeline::{self, ScanRequest, StageOptions};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Directory to scan (with --from-sarif: the checkout the log was made from, for the data
    /// inventory and the code frames).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Config file (default: tollgate.toml found from PATH upward).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Built-in stages to run (default: all; external plugins never run for a report).
    #[arg(long, value_delimiter = ',', value_name = "a,b")]
    pub stages: Option<Vec<String>>,
    /// Read the findings and evaluations from this SARIF log (written with
    /// `--include-passes`) instead of scanning.
    #[arg(long, value_name = "FILE")]
    pub from_sarif: Option<PathBuf>,
    /// Framework to report on (repeatable, or comma-separated; default: the config's
    /// `[compliance] frameworks`, else every framework a rule maps to): hipaa, gdpr, pci-dss,
    /// soc2, cis-aws, nist-800-53.
    #[arg(long, value_delimiter = ',', value_name = "NAME", value_parser = crate::args::parse_framework)]
    pub framework: Vec<Framework>,
    /// Make no report (and exit 0) unless --framework or the config's `[compliance]
    /// frameworks` names a framework: for CI steps that report only for the repositories
    /// that ask for it.
    #[arg(long)]
    pub if_configured: bool,
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Advisory database for the deps stage (repeatable), as `run` takes it.
    #[arg(long = "advisory-db", value_name = "PATH")]
    pub advisory_db: Vec<PathBuf>,
    /// Never use the network.
    #[arg(long)]
    pub offline: bool,
    /// Date the scan judges against, YYYY-MM-DD (for tests).
    #[arg(long, hide = true, value_parser = crate::args::parse_date)]
    pub today: Option<time::Date>,
    /// More logs on stderr (-v debug, -vv trace).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML file (nothing fetched): charts, control tables, the data
    /// inventory with sorting and filtering, the 1,000 most severe findings with their code frames.
    Html,
    Markdown,
    /// Stable JSON, described by docs/compliance-report.schema.json.
    Json,
}

/// What the report is made from.
struct Gathered {
    ctx: Arc<ScanContext>,
    rules: Vec<tollgate_core::Rule>,
    findings: Vec<Finding>,
    evaluations: Vec<Evaluation>,
    notifications: Vec<Notification>,
    scan_time: time::OffsetDateTime,
}

pub fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    let root = args
        .path
        .canonicalize()
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.path.display()))?;
    if !root.is_dir() {
        anyhow::bail!("{} is not a directory", args.path.display());
    }
    let today = args
        .today
        .unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
    let config_path = args.config.clone().or_else(|| discover_config(&root));
    let config = match &config_path {
        Some(path) => pipeline::load_config(path).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => Config::default(),
    };
    let frameworks = if args.framework.is_empty() {
        config.compliance.frameworks.clone()
    } else {
        args.framework.clone()
    };
    if args.if_configured && frameworks.is_empty() {
        eprintln!("no compliance framework configured (`[compliance] frameworks`); no report made");
        return Ok(0);
    }
    let config = Arc::new(config);
    let gathered = match &args.from_sarif {
        Some(log) => from_sarif(log, &root, config.clone(), today)?,
        None => scan(args, &root, config.clone(), today)?,
    };
    for note in &gathered.notifications {
        if note.level == tollgate_core::NotificationLevel::Error {
            eprintln!(
                "error: {}",
                tollgate_core::display::visible_line(&note.message)
            );
        }
    }

    // The scan kept its parsed documents and the cloud model its stages built, so the data
    // inventory reads that model rather than parsing every template again. A scan stopped at
    // its timeout was cancelled part-way: its model may lack what it did not get to, and a
    // cancelled context parses nothing more, so the inventory is built from a fresh one.
    // The permission analysis comes with it: the permissions stage made it once for the scan.
    let analysis = if gathered.ctx.is_cancelled() {
        let fresh = ScanContext::new(
            root.clone(),
            gathered.ctx.files().to_vec(),
            config.clone(),
            today,
        );
        tollgate_perms::analysis(&fresh)
    } else {
        tollgate_perms::analysis(&gathered.ctx)
    };
    let patterns = inventory::NamePatterns::new(&config.classification);
    let key = config
        .stage
        .iac
        .classification_key
        .as_deref()
        .unwrap_or(tollgate_iac::model::DEFAULT_CLASSIFICATION_KEY);
    let evidence = evidence_of(args, &root, config_path.as_deref(), &config, &gathered);
    // The data inventory (the permission analysis of every identity against every store) and
    // the controls and findings do not depend on each other: build them side by side.
    let report = std::thread::scope(|scope| {
        let assets = scope.spawn(|| {
            inventory::build(
                &analysis,
                &patterns,
                key,
                &config.stage.permissions.trusted_accounts,
            )
        });
        let mut report = tollgate_report::build(ReportInput {
            rules: &gathered.rules,
            findings: &gathered.findings,
            evaluations: &gathered.evaluations,
            notifications: &gathered.notifications,
            frameworks: &frameworks,
            ignores: &config.ignore,
            inventory: Vec::new(),
            evidence,
            root: Some(&root),
            frames: match args.format {
                ReportFormat::Json => tollgate_report::ALL_FRAMES,
                ReportFormat::Html => tollgate_report::html::LISTED_FINDINGS,
                ReportFormat::Markdown => 0,
            },
        });
        report.inventory = assets
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        report
    });
    // The report is written as it is rendered: the JSON form of a large repository is
    // hundreds of megabytes, which need not be held as one string first.
    let render = |out: &mut dyn std::io::Write| match args.format {
        ReportFormat::Json => tollgate_report::write_json(&report, out),
        ReportFormat::Markdown => tollgate_report::markdown::write(&report, out),
        ReportFormat::Html => tollgate_report::html::write(&report, out),
    };
    match &args.output {
        Some(path) => crate::output::write_atomic(path, render)?,
        None => crate::output::write_stdout_with(render),
    }
    // The process ends once the report is written (nothing here holds a file or a temporary
    // directory): freeing the scan's parsed documents, cloud model and report one allocation
    // at a time took a twentieth of a large repository's report, on the critical path.
    std::mem::forget((gathered, analysis, report));
    Ok(0)
}

/// Run the built-in stages (never plugins: a report is evidence of tollgate's own checks)
/// and post-process their findings as `run` does, suppressions included.
fn scan(
    args: &ReportArgs,
    root: &Path,
    config: Arc<Config>,
    today: time::Date,
) -> anyhow::Result<Gathered> {
    let options = StageOptions {
        deps: tollgate_deps::DepsOptions {
            advisory_db: args.advisory_db.clone(),
            offline: args.offline,
            ..tollgate_deps::DepsOptions::default()
        },
    };
    let mut selection =
        pipeline::select(args.stages.as_deref(), &config, &options).map_err(anyhow::Error::msg)?;
    selection.external.clear();
    let mut result = pipeline::scan(ScanRequest {
        root: root.to_path_buf(),
        config,
        selection,
        shard: None,
        today,
        show_progress: false,
        only: None,
        reuse: None,
        // The data inventory reads the cloud model the stages built (see `run`).
        keep_parsed: true,
        borrowed: Vec::new(),
        evaluations: true,
    })?;
    crate::postprocess::apply(&mut result, None);
    Ok(Gathered {
        ctx: result.ctx,
        rules: result.rules,
        findings: result.findings,
        evaluations: result.evaluations,
        notifications: result.notifications,
        scan_time: result.start_time,
    })
}

/// Findings, evaluations and notifications of every run of a SARIF log; rules are this
/// build's catalog (the log's mapping to controls is the catalog's).
fn from_sarif(
    log_path: &Path,
    root: &Path,
    config: Arc<Config>,
    today: time::Date,
) -> anyhow::Result<Gathered> {
    let name = log_path.display().to_string();
    let text = tollgate_core::read_text(log_path, tollgate_sarif::MAX_LOG_BYTES as u64)
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let log: Sarif = tollgate_sarif::parse_log(&text, &name).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut findings = Vec::new();
    let mut evaluations = Vec::new();
    let mut notifications = Vec::new();
    let mut scan_time = None;
    let mut rules = pipeline::all_rules();
    for run in &log.runs {
        // The advisories the log's dependency check found are rules of that scan, not of the
        // catalog; they count under the check's own rule.
        for rule in tollgate_sarif::instance_rules_of_run(run) {
            if !rules.iter().any(|r| r.code == rule.code) {
                rules.push(rule);
            }
        }
        findings.extend(tollgate_sarif::findings_from_run(&only_kinds(run, |k| {
            !matches!(k, Some(ResultKind::Open))
        })));
        notifications.extend(tollgate_sarif::notifications_from_run(run));
        scan_time = scan_time.or_else(|| {
            let start = run
                .invocations
                .as_ref()?
                .first()?
                .start_time_utc
                .as_deref()?;
            time::OffsetDateTime::parse(start, &time::format_description::well_known::Rfc3339).ok()
        });
    }
    evaluations.extend(evaluations_of(&text));
    // The inventory is read from the checkout's templates.
    let options = WalkOptions::from_config(&config);
    let files = tollgate_core::walk(root, &options).files;
    let ctx = Arc::new(ScanContext::new(root.to_path_buf(), files, config, today));
    Ok(Gathered {
        ctx,
        rules,
        findings,
        evaluations,
        notifications,
        scan_time: scan_time.unwrap_or_else(time::OffsetDateTime::now_utc),
    })
}

/// A copy of `run` keeping the results whose kind `keep` accepts.
fn only_kinds(run: &Run, keep: impl Fn(Option<&ResultKind>) -> bool) -> Run {
    let mut copy = run.clone();
    if let Some(results) = copy.results.as_mut() {
        results.retain(|r| keep(r.kind.as_ref()));
    }
    copy
}

/// The records of passes a log written with `--include-passes` holds (results of kind
/// `pass`, `notApplicable` and `open`, read as pass, not applicable and unknown): rule,
/// resource and the resource's header. Results without a rule or a place are left out.
fn evaluations_of(text: &str) -> Vec<Evaluation> {
    let Ok(log) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for run in log["runs"].as_array().into_iter().flatten() {
        for result in run["results"].as_array().into_iter().flatten() {
            let verdict = match result["kind"].as_str() {
                Some("pass") => Verdict::Pass,
                Some("notApplicable") => Verdict::NotApplicable,
                Some("open") => Verdict::Unknown,
                _ => continue,
            };
            let Some(rule) = result["ruleId"].as_str() else {
                continue;
            };
            let location = &result["locations"][0];
            let resource = result["properties"]["resource"]
                .as_str()
                .or_else(|| location["logicalLocations"][0]["fullyQualifiedName"].as_str())
                .unwrap_or_default();
            let physical = &location["physicalLocation"];
            let Some(uri) = physical["artifactLocation"]["uri"].as_str() else {
                continue;
            };
            let line = physical["region"]["startLine"]
                .as_u64()
                .and_then(|l| u32::try_from(l).ok());
            let path = tollgate_sarif::uri::decode(uri);
            let location = match line {
                Some(line) => Location::at(path, Span::line(line)),
                None => Location::file(path),
            };
            let rule = tollgate_core::display::visible_line(rule).into_owned();
            let resource = tollgate_core::display::visible_line(resource).into_owned();
            out.push(Evaluation::new(rule, resource, location, verdict));
        }
    }
    out
}

/// The repository a GitHub Actions run belongs to (`GITHUB_REPOSITORY`, on
/// `GITHUB_SERVER_URL`), as the URL `origin` would name it. It comes first: it names the
/// repository even when the checkout's `origin` is a local mirror or missing. `None` outside
/// Actions or when the variable is not `owner/name`.
fn actions_repository(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let slug = var("GITHUB_REPOSITORY")?;
    let (owner, name) = slug.split_once('/')?;
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 100
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if !part_ok(owner) || !part_ok(name) {
        return None;
    }
    let server = var("GITHUB_SERVER_URL")
        .filter(|s| s.starts_with("https://") || s.starts_with("http://"))
        .filter(|s| {
            !s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@')
        })
        .unwrap_or_else(|| "https://github.com".to_string());
    Some(format!("{}/{owner}/{name}", server.trim_end_matches('/')))
}

fn evidence_of(
    args: &ReportArgs,
    root: &Path,
    config_path: Option<&Path>,
    config: &Config,
    gathered: &Gathered,
) -> Evidence {
    let git = evidence::git_facts(root);
    let config_evidence = config_path.and_then(|path| {
        let bytes = std::fs::read(path).ok()?;
        let shown = path
            .canonicalize()
            .ok()
            .and_then(|real| real.strip_prefix(root).ok().map(Path::to_path_buf))
            .or_else(|| path.file_name().map(PathBuf::from))
            .unwrap_or_default();
        Some(ConfigEvidence {
            path: shown.to_string_lossy().replace('\\', "/"),
            sha256: evidence::sha256_hex(&bytes),
        })
    });
    let rules = pipeline::all_rules();
    Evidence {
        repository: actions_repository(|k| std::env::var(k).ok())
            .or(git.repository)
            .or_else(|| root.file_name().map(|n| n.to_string_lossy().into_owned())),
        commit: git.commit,
        dirty: git.dirty,
        scan_time: gathered
            .scan_time
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        tollgate_version: crate::version::short(),
        rule_catalog: format!(
            "{} rules, catalog {}",
            rules.len(),
            crate::version::catalog_digest(&rules)
        ),
        advisory_database: crate::version::advisory_database_in_use(
            &args.advisory_db,
            config,
            args.from_sarif.is_some(),
        ),
        config: config_evidence,
        source: if args.from_sarif.is_some() {
            "sarif"
        } else {
            "scan"
        }
        .to_string(),
        sarif_log: args
            .from_sarif
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actions_repository_names_the_repository() {
        let env = |pairs: Vec<(&'static str, &'static str)>| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(name, _)| *name == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            actions_repository(env(vec![("GITHUB_REPOSITORY", "acme/clinic")])).as_deref(),
            Some("https://github.com/acme/clinic")
        );
        assert_eq!(
            actions_repository(env(vec![
                ("GITHUB_REPOSITORY", "acme/clinic"),
                ("GITHUB_SERVER_URL", "https://ghe.example.com/")
            ]))
            .as_deref(),
            Some("https://ghe.example.com/acme/clinic")
        );
        for bad in ["acme", "acme/", "a/b/c", "acme/<b>", "acme/x y"] {
            assert_eq!(
                actions_repository(env(vec![("GITHUB_REPOSITORY", bad)])),
                None,
                "{bad}"
            );
        }
        assert_eq!(actions_repository(env(vec![])), None);
    }
}
