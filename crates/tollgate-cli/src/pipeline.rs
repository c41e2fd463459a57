//! `tollgate run`'s pipeline: inventory, stages (concurrently, each under a timeout), external
//! plugins, then post-processing in one place. Nothing here prints; everything the run has to
//! say ends up in [`ScanResult`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tollgate_core::config::ExternalStage;
use tollgate_core::{
    Config, Finding, Notification, Rule, ScanContext, Stage, StageReport, WalkOptions,
};
use tollgate_deps::{DepsOptions, DepsStage};
use tollgate_sarif::sarif::Run;

use crate::external::{self, ExternalOutcome};
use crate::output::text::REDACT_SOURCE_PROPERTY;
use crate::progress::Progress;
use crate::stages::parse_check::ParseCheck;

/// Default seconds a stage may run (config `stage-timeout`).
pub const DEFAULT_STAGE_TIMEOUT: u64 = 300;

/// Every built-in stage, in the order their results are reported. Adding a stage crate is one
/// line here.
pub fn builtin_stages_with(options: &StageOptions) -> Vec<Arc<dyn Stage>> {
    vec![
        Arc::new(ParseCheck),
        Arc::new(tollgate_iac::IacStage::new()),
        Arc::new(tollgate_perms::PermissionsStage::new()),
        Arc::new(DepsStage::new(options.deps.clone())),
        Arc::new(tollgate_policy::PolicyStage::new()),
        Arc::new(tollgate_code::CodeStage::new()),
    ]
}

/// Settings of built-in stages that come from the command line rather than the config.
#[derive(Debug, Clone, Default)]
pub struct StageOptions {
    pub deps: DepsOptions,
}

/// The dependency stage's settings: `[stage.deps]` in the config under the command line's
/// flags. `--advisory-db` replaces the config's databases; `offline` is on when either says so.
/// Config paths are relative to the config file's directory.
pub fn deps_options(flags: &DepsOptions, config: &Config) -> DepsOptions {
    let table = &config.stage.deps;
    let advisory_db = if flags.advisory_db.is_empty() {
        table
            .advisory_db
            .iter()
            .map(|p| config.path_from_config(p))
            .collect()
    } else {
        flags.advisory_db.clone()
    };
    DepsOptions {
        advisory_db,
        offline: flags.offline || table.offline.unwrap_or(false),
        cache_dir: table
            .cache_dir
            .as_deref()
            .map(|p| config.path_from_config(p))
            .or_else(|| flags.cache_dir.clone()),
        ..flags.clone()
    }
}

/// The built-in stages with default settings (for listing their names and rules).
pub fn builtin_stages() -> Vec<Arc<dyn Stage>> {
    builtin_stages_with(&StageOptions::default())
}

/// Names of the built-in stages: what `--stages` and the config's `stages` accept, what
/// external stages may not be called, and what `tollgate init` writes. Derived from
/// [`builtin_stages_with`], so registering a stage there is the only edit.
pub fn builtin_stage_names() -> Vec<String> {
    builtin_stages()
        .iter()
        .map(|s| s.name().to_string())
        .collect()
}

/// Read a config file, checking its stage names against [`builtin_stage_names`].
pub fn load_config(path: &std::path::Path) -> Result<Config, tollgate_core::ConfigError> {
    let names = builtin_stage_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    tollgate_core::config::load(path, &names)
}

/// The commented config `tollgate init` writes, naming exactly the built-in stages.
pub fn default_config_text() -> String {
    let names = builtin_stage_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    tollgate_core::config::default_config_text(&names)
}

/// Every rule of every built-in stage (for `tollgate rules` and `explain`).
pub fn all_rules() -> Vec<Rule> {
    builtin_stages().iter().flat_map(|s| s.rules()).collect()
}

/// The stages one run executes.
pub struct Selection {
    pub builtin: Vec<Arc<dyn Stage>>,
    pub external: Vec<ExternalStage>,
}

/// Pick stages by name (`--stages`, else config `stages`, else all). An unknown name is an
/// error that lists the known ones.
pub fn select(
    requested: Option<&[String]>,
    config: &Config,
    options: &StageOptions,
) -> Result<Selection, String> {
    let options = StageOptions {
        deps: deps_options(&options.deps, config),
    };
    let builtin = builtin_stages_with(&options);
    let external = &config.stage.external;
    let requested: Vec<String> = match requested {
        Some(names) => names.to_vec(),
        None => config.stages.clone(),
    };
    let requested: Vec<&str> = requested
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if requested.is_empty() {
        return Ok(Selection {
            builtin,
            external: external.clone(),
        });
    }
    let known: Vec<&str> = builtin
        .iter()
        .map(|s| s.name())
        .chain(external.iter().map(|e| e.name.as_str()))
        .collect();
    let unknown: Vec<&str> = requested
        .iter()
        .copied()
        .filter(|r| !known.contains(r))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "unknown stage{} {}; known stages: {}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", "),
            known.join(", ")
        ));
    }
    Ok(Selection {
        builtin: builtin
            .into_iter()
            .filter(|s| requested.contains(&s.name()))
            .collect(),
        external: external
            .iter()
            .filter(|e| requested.contains(&e.name.as_str()))
            .cloned()
            .collect(),
    })
}

/// What one scan needs.
pub struct ScanRequest {
    /// The scanned directory, absolute.
    pub root: PathBuf,
    pub config: Arc<Config>,
    pub selection: Selection,
    pub shard: Option<(u32, u32)>,
    pub today: time::Date,
    pub show_progress: bool,
    /// Scan only this file of `root` (PATH named a file), whatever the walk would keep.
    pub only: Option<String>,
    /// Reuse this scan's texts and parsed documents for files with the same path and content
    /// ([`ScanContext::reusing`]): the head's scan, when this one is of the base revision.
    pub reuse: Option<Arc<ScanContext>>,
    /// Keep the parsed documents after the stages, for a later scan to reuse; the caller then
    /// lets them go ([`release_parsed`], or [`left_to_exit`] at the end of a run).
    pub keep_parsed: bool,
    /// Files of `reuse`'s inventory that belong to this scan as they are, although they are
    /// not under `root`: the base revision's files identical to the head's, which were not
    /// written out ([`tollgate_github::base_tree_to_dir_sharing`]). Their texts and documents
    /// are the donor's.
    pub borrowed: Vec<tollgate_core::SourceFile>,
    /// Whether the stages record evaluations (passes included): only `--include-passes` SARIF
    /// and the audit report read them, and on a large scan they outnumber the findings.
    pub evaluations: bool,
}

/// What one scan produced, before post-processing.
pub struct ScanResult {
    pub ctx: Arc<ScanContext>,
    /// Rules of the selected built-in stages (all of them, fired or not, so sharded runs
    /// declare the same rules) plus rules stages created at run time.
    pub rules: Vec<Rule>,
    /// Findings of the built-in stages.
    pub findings: Vec<Finding>,
    /// What each rule of the built-in stages concluded per resource it judged, passes
    /// included. After post-processing: only selected, enabled rules, a failure whose
    /// findings are all suppressed marked so, in file order. Never gated, published or
    /// baselined; written to SARIF with `--include-passes` and read by the audit report.
    pub evaluations: Vec<tollgate_core::Evaluation>,
    /// Findings read back from the plugins' runs.
    pub external_findings: Vec<Finding>,
    pub external_runs: Vec<Run>,
    pub notifications: Vec<Notification>,
    /// For each built-in stage that reported, the rule codes of its findings: recorded only
    /// for the two scans of `--diff-base` (a scan kept for reuse or reusing another), whose
    /// comparison needs to know which stage a finding came from ([`crate::diff_base`]).
    pub codes_by_stage: Vec<(String, tollgate_iac::rules::StringSet)>,
    /// The stages whose results this scan took from the one it reused
    /// ([`crate::diff_base::adopt_results`]): they reported that scan's findings.
    pub adopted: Vec<&'static str>,
    /// Which IaC findings this scan took from the one it reused, deployment unit by unit,
    /// when it did not adopt them all ([`tollgate_iac::SharedByUnit`]).
    pub shared_by_unit: Option<Arc<tollgate_iac::SharedByUnit>>,
    /// The IaC findings this scan takes from the one it reused, not yet among `findings`
    /// ([`scan_leaving_taken`]; [`ScanResult::take_from_head`] puts them there).
    pub taken: Option<Taken>,
    /// A stage or plugin failed, or the root could not be read: exit code 2.
    pub failed: bool,
    pub start_time: time::OffsetDateTime,
    pub end_time: time::OffsetDateTime,
}

enum Outcome {
    /// The stage's report, if it returned one (partial when it stopped at its timeout), and
    /// the error that makes the run a tool failure, if any.
    Builtin(usize, Option<StageReport>, Option<Notification>),
    External(usize, ExternalOutcome),
}

/// The IaC findings a scan reusing another takes from that scan's results
/// ([`tollgate_iac::TakenFindings`]), left there: the IaC stage's own findings are
/// `findings[at..at + own]`, and the pieces lay out the whole list of its findings.
pub struct Taken {
    at: usize,
    own: usize,
    findings: Arc<tollgate_iac::TakenFindings>,
}

impl ScanResult {
    /// Put the IaC findings this scan took from the one it reused among its findings, where
    /// its IaC stage would have reported them, those `keep` accepts: `--diff-base` copies
    /// only the head's findings its comparison reads ([`crate::diff_base`]).
    pub fn take_from_head(&mut self, keep: impl FnMut(&Finding) -> bool) {
        let Some(Taken { at, own, findings }) = self.taken.take() else {
            return;
        };
        let tail = self.findings.split_off(at + own);
        let own = self.findings.split_off(at);
        let mut laid = tollgate_iac::rules::Piece::assemble(
            &findings.pieces,
            &findings.head.findings,
            own,
            keep,
        )
        .expect("the pieces were checked against the findings when recorded");
        mark_secret_findings(&self.rules, &mut laid);
        self.findings.extend(laid);
        self.findings.extend(tail);
    }
}

/// Run the inventory walk and every selected stage.
pub fn scan(request: ScanRequest) -> anyhow::Result<ScanResult> {
    let mut result = scan_leaving_taken(request)?;
    result.take_from_head(|_| true);
    Ok(result)
}

/// [`scan`], except that the IaC findings a scan reusing another takes from it are left in
/// that scan's results ([`ScanResult::taken`]), for the caller to copy those it needs.
pub fn scan_leaving_taken(request: ScanRequest) -> anyhow::Result<ScanResult> {
    let start_time = time::OffsetDateTime::now_utc();
    let ScanRequest {
        root,
        config,
        selection,
        shard,
        today,
        show_progress,
        only,
        reuse,
        keep_parsed,
        borrowed,
        evaluations: wants_evaluations,
    } = request;
    let mut notifications = Vec::new();
    let mut failed = false;

    let files = match std::fs::read_dir(&root) {
        Ok(_) => {
            let options = WalkOptions {
                shard,
                ..WalkOptions::from_config(&config)
            };
            let inventory = match &only {
                Some(name) => tollgate_core::walk_file(&root, name, &options),
                None => tollgate_core::walk(&root, &options),
            };
            failed |= inventory
                .notifications
                .iter()
                .any(|n| n.id == "root-unreadable");
            notifications.extend(inventory.notifications);
            let mut inventory_files = inventory.files;
            if !borrowed.is_empty() {
                inventory_files.extend(borrowed);
                // In the walk's order, as if they had been found under the root.
                inventory_files.sort_by(|a, b| a.path.cmp(&b.path));
            }
            if inventory_files.is_empty() && shard.is_none() {
                // An empty or mistyped PATH must not pass as a clean scan without a word.
                notifications.push(Notification::warning(
                    "nothing-to-scan",
                    "no file to scan was found (check the path, `include`/`exclude` and ignore files)",
                ));
            }
            inventory_files
        }
        Err(e) => {
            failed = true;
            notifications.push(Notification::error(
                "path-unreadable",
                format!("cannot read {}: {e}", root.display()),
            ));
            Vec::new()
        }
    };
    tracing::debug!(files = files.len(), "inventory walked");
    if reuse.is_none() {
        // The input's size is known before most of the run's memory is taken: the allocator
        // may use huge pages for a small scan, not for a large one.
        let bytes = files.iter().map(|f| f.size).sum();
        let huge_pages = tollgate_alloc::huge_pages_for(bytes);
        tracing::debug!(bytes, huge_pages, "transparent huge pages chosen");
    }
    let mut ctx = ScanContext::new(root.clone(), files, config.clone(), today);
    if let Some(donor) = reuse.clone() {
        ctx = ctx.reusing(donor);
    }
    // Documents are kept only when a stage other than the cloud model's readers asks for
    // them, or a later scan reuses them; otherwise each is dropped once mapped. The parse
    // check alone reads each document once, for its syntax error, and needs none kept.
    let parse_check_only = selection
        .builtin
        .iter()
        .all(|s| s.name() == crate::stages::parse_check::NAME);
    if keep_parsed {
        ctx = ctx.kept_for_reuse();
    } else if parse_check_only || !selection.builtin.iter().any(|s| s.reads_documents()) {
        ctx = ctx.without_document_cache();
    }
    if !wants_evaluations {
        ctx = ctx.without_evaluations();
    }
    if reuse.is_some() {
        ctx.adopt_memo(Arc::new(tollgate_iac::LeaveTaken));
    }
    let mut ctx = Arc::new(ctx);
    let adopted = match &reuse {
        Some(donor) => crate::diff_base::adopt_results(&ctx, donor, &selection.builtin),
        None => Vec::new(),
    };

    let mut rules: Vec<Rule> = selection.builtin.iter().flat_map(|s| s.rules()).collect();
    let stage_timeout = Duration::from_secs(config.stage_timeout.unwrap_or(DEFAULT_STAGE_TIMEOUT));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .build()?;
    let progress = Progress::start(show_progress, runtime.handle());
    let total = selection.builtin.len() + selection.external.len();

    let (mut outcomes, crashed): (Vec<Outcome>, Vec<Notification>) = runtime.block_on(async {
        let mut set = JoinSet::new();
        for (i, stage) in selection.builtin.iter().enumerate() {
            let (stage, ctx) = (stage.clone(), ctx.clone());
            set.spawn(async move {
                let (report, failure) = run_stage(stage, ctx, stage_timeout).await;
                Outcome::Builtin(i, report, failure)
            });
        }
        for (i, plugin) in selection.external.iter().enumerate() {
            let (plugin, root) = (plugin.clone(), root.clone());
            set.spawn(async move {
                Outcome::External(i, external::run(&plugin, &root, stage_timeout).await)
            });
        }
        let mut done = Vec::with_capacity(total);
        let mut crashed = Vec::new();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok(outcome) => done.push(outcome),
                // The tasks catch their stages' failures themselves; this is a bug in the
                // pipeline (e.g. in the plugin runner), and still not a reason to crash.
                Err(e) => crashed.push(Notification::error(
                    "stage-failed",
                    format!("a stage task ended abnormally: {e}"),
                )),
            }
            let finished = done.len() + crashed.len();
            progress.set_message(format!("scanning: {finished}/{total} stages done"));
        }
        (done, crashed)
    });
    failed |= !crashed.is_empty();
    notifications.extend(crashed);
    progress.finish();
    // Stages that timed out may still be running on blocking threads: [`run_stage`] asked
    // them to stop (cancelling the context) when their time was up; do not wait for them. A
    // scan whose stages all finished leaves its context usable, so what reads the cloud model
    // afterwards (the compliance report) gets it, not a model of nothing.
    runtime.shutdown_background();
    // Kept in the memo, which releasing the documents empties.
    let shared_by_unit = reuse
        .as_ref()
        .and_then(|_| ctx.memoized::<tollgate_iac::SharedByUnit>());
    let mut taken_findings = reuse
        .as_ref()
        .and_then(|_| ctx.memoized::<tollgate_iac::TakenFindings>());
    if !keep_parsed {
        match Arc::get_mut(&mut ctx) {
            // The base revision's scan: its documents and model are left to the process's end
            // with the rest of it (see `diff_base`).
            Some(ctx) if reuse.is_some() => left_to_exit(ctx.take_parsed()),
            _ => release_parsed(&mut ctx),
        }
    }

    // Report in registration order, whatever order the stages finished in.
    outcomes.sort_by_key(|o| match o {
        Outcome::Builtin(i, ..) => (0, *i),
        Outcome::External(i, _) => (1, *i),
    });
    // Room for every stage's findings at once: growing the list stage by stage would copy a
    // large scan's hundred thousand findings again into a list twice their size.
    let mut findings = Vec::with_capacity(
        outcomes
            .iter()
            .map(|o| match o {
                Outcome::Builtin(_, Some(report), _) => report.findings.len(),
                _ => 0,
            })
            .sum(),
    );
    let mut evaluations = Vec::new();
    let mut external_findings = Vec::new();
    let mut external_runs = Vec::new();
    let mut codes_by_stage = Vec::new();
    let record_codes = keep_parsed || reuse.is_some();
    let mut taken = None;
    for outcome in outcomes {
        match outcome {
            Outcome::Builtin(i, report, failure) => {
                if let Some(report) = report {
                    // The IaC stage's findings the scan took from the one it reused are not
                    // among the report's, but count as its.
                    let mut from_head = match selection.builtin[i].name() {
                        tollgate_iac::IacStage::NAME => taken_findings.take(),
                        _ => None,
                    };
                    use tollgate_iac::rules::Piece;
                    let fits = |t: &tollgate_iac::TakenFindings| {
                        Piece::iter(&t.pieces, &t.head.findings, &report.findings).is_some()
                    };
                    if from_head.as_deref().is_some_and(|t| !fits(t)) {
                        from_head = None;
                        failed = true;
                        notifications.push(Notification::error(
                            "stage-failed",
                            "stage `iac` took findings from the head revision that are not there; its results are missing",
                        ));
                    }
                    if record_codes {
                        let codes = match from_head.as_deref() {
                            Some(t) => codes_of(
                                Piece::iter(&t.pieces, &t.head.findings, &report.findings)
                                    .into_iter()
                                    .flatten(),
                            ),
                            None => codes_of(report.findings.iter()),
                        };
                        codes_by_stage.push((selection.builtin[i].name().to_string(), codes));
                    }
                    if let Some(findings_from_head) = from_head {
                        taken = Some(Taken {
                            at: findings.len(),
                            own: report.findings.len(),
                            findings: findings_from_head,
                        });
                    }
                    findings.extend(report.findings);
                    // Stages that record them anyway (policy, code) are not kept either.
                    if wants_evaluations {
                        evaluations.extend(report.evaluations);
                    }
                    notifications.extend(report.notifications);
                    rules.extend(report.dynamic_rules);
                }
                if let Some(note) = failure {
                    failed = true;
                    notifications.push(note);
                }
            }
            Outcome::External(_, outcome) => {
                failed |= outcome.failed;
                external_findings.extend(outcome.findings);
                external_runs.extend(outcome.runs);
                notifications.extend(outcome.notifications);
            }
        }
    }
    mark_secret_findings(&rules, &mut findings);
    Ok(ScanResult {
        ctx,
        rules,
        findings,
        evaluations,
        external_findings,
        external_runs,
        notifications,
        codes_by_stage,
        adopted,
        shared_by_unit,
        taken,
        failed,
        start_time,
        end_time: time::OffsetDateTime::now_utc(),
    })
}

/// The rule codes of a stage's findings. A stage reports a rule's findings together: only a
/// new code is looked up.
fn codes_of<'a>(findings: impl Iterator<Item = &'a Finding>) -> tollgate_iac::rules::StringSet {
    let mut codes = tollgate_iac::rules::StringSet::default();
    let mut last: Option<&str> = None;
    for finding in findings {
        if last != Some(finding.rule.as_str()) {
            last = Some(finding.rule.as_str());
            if !codes.contains(&finding.rule) {
                codes.insert(finding.rule.clone());
            }
        }
    }
    codes
}

/// Free the parsed documents and the cloud model once every stage is done: what comes after
/// (suppressions, reports, publishing) reads file texts only, and on a large scan the parse
/// cache is hundreds of MiB. A stage that timed out may still be running and hold the context;
/// then it is left alone. They are freed on a thread of their own, while post-processing goes
/// on: on a large scan freeing them takes a tenth of a second.
pub fn release_parsed(ctx: &mut Arc<ScanContext>) {
    match Arc::get_mut(ctx) {
        Some(ctx) => free_in_background(ctx.take_parsed()),
        None => tracing::debug!("a stage still runs; parsed documents kept"),
    }
}

/// Let `value` go without freeing it: for what a run holds until the process exits anyway
/// (the `--diff-base` run's base scan, the head's documents once compared, the scan's result
/// once the outputs are written). The operating system takes the memory back at exit in one
/// go, whereas freeing it piece by piece costs CPU time: millions of small blocks, most of
/// them allocated on other threads (slower to free in mimalloc), and pages the allocator then
/// gives back and the next allocations fault in again (zeroed, often as huge pages). Only for
/// one run per process: a test that scans many times leaks each of them.
pub fn left_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Drop `value` on a thread of its own: freeing a large scan's documents, model or SARIF log
/// takes a tenth of a second that the run need not wait for. Without a thread to be had, it is
/// dropped here.
pub fn free_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("tollgate-free".into())
        .spawn(move || drop(value));
}

/// Findings whose source holds a secret get [`REDACT_SOURCE_PROPERTY`], so every output that
/// shows source masks it: those of rules tagged `secret`/`secrets` and the TG4xxx secret rules.
/// Decided here from the rules, once, rather than trusting each stage to remember.
fn mark_secret_findings(rules: &[Rule], findings: &mut [Finding]) {
    let secret_rules: std::collections::HashSet<&str> = rules
        .iter()
        .filter(|r| {
            r.code.starts_with("TG4") || r.tags.iter().any(|t| t == "secret" || t == "secrets")
        })
        .map(|r| r.code.as_str())
        .collect();
    // A stage reports each rule's findings together: the answer for the last rule is reused
    // rather than hashing every finding's code.
    let mut last: Option<(String, bool)> = None;
    for finding in findings {
        let secret = match &last {
            Some((rule, secret)) if *rule == finding.rule => *secret,
            _ => {
                let secret =
                    secret_rules.contains(finding.rule.as_str()) || finding.rule.starts_with("TG4");
                last = Some((finding.rule.clone(), secret));
                secret
            }
        };
        if secret {
            finding
                .properties
                .insert(REDACT_SOURCE_PROPERTY.to_string(), true.into());
        }
    }
}

/// Run one built-in stage on a blocking thread under `timeout`. An error, a panic or a timeout
/// becomes an error notification; the other stages carry on. Past the timeout the scan is
/// cancelled (every built-in stage started together under the same timeout, so all of them
/// are past it) and the stage gets [`grace`] to return what it finished: the findings of the
/// files it checked are kept, and the notification names the files it did not get to.
async fn run_stage(
    stage: Arc<dyn Stage>,
    ctx: Arc<ScanContext>,
    timeout: Duration,
) -> (Option<StageReport>, Option<Notification>) {
    let name = stage.name().to_string();
    tracing::debug!(stage = %name, "stage started");
    let scan = ctx.clone();
    let mut task = tokio::task::spawn_blocking(move || stage.run(&ctx));
    let (report, failure) = match tokio::time::timeout(timeout, &mut task).await {
        Ok(joined) => stage_outcome(&name, joined),
        Err(_) => {
            scan.cancel();
            match tokio::time::timeout(grace(timeout), task).await {
                Ok(joined) => match stage_outcome(&name, joined) {
                    (Some(report), _) => {
                        let note = stopped_early(&name, timeout, &report.not_checked);
                        (Some(report), Some(note))
                    }
                    failed => failed,
                },
                Err(_) => (
                    None,
                    Some(Notification::error(
                        "stage-timeout",
                        format!(
                            "stage `{name}` did not finish within {} s (config `stage-timeout`), nor stop when asked; its results are missing",
                            timeout.as_secs()
                        ),
                    )),
                ),
            }
        }
    };
    tracing::debug!(stage = %name, complete = failure.is_none(), "stage finished");
    (report, failure.map(|n| n.stage(name)))
}

/// How long a stage past its timeout may take to stop and hand in what it finished: a fifth of
/// the timeout, between 1 s and 60 s. The file it is working on is bounded by its own budget (a
/// tenth of the timeout), so a stage that checks for cancellation between files stops within it.
fn grace(timeout: Duration) -> Duration {
    (timeout / 5).clamp(Duration::from_secs(1), Duration::from_secs(60))
}

/// The `stage-timeout` error of a stage that stopped at its timeout and returned what it had.
fn stopped_early(name: &str, timeout: Duration, not_checked: &[String]) -> Notification {
    const SHOWN: usize = 5;
    let unchecked = match not_checked.len() {
        0 => "it did not say which files it left unchecked".to_string(),
        n => {
            let mut names = not_checked
                .iter()
                .take(SHOWN)
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if n > SHOWN {
                names.push_str(&format!(" and {} more", n - SHOWN));
            }
            let files = if n == 1 { "file was" } else { "files were" };
            format!("{n} {files} not checked: {names}")
        }
    };
    Notification::error(
        "stage-timeout",
        format!(
            "stage `{name}` did not finish within {} s (config `stage-timeout`) and stopped early; the results of the files it checked are reported, {unchecked}",
            timeout.as_secs()
        ),
    )
}

/// A finished stage task: its report, or the error notification for its failure or panic.
fn stage_outcome(
    name: &str,
    joined: Result<Result<StageReport, tollgate_core::StageError>, tokio::task::JoinError>,
) -> (Option<StageReport>, Option<Notification>) {
    let failure = match joined {
        Ok(Ok(report)) => return (Some(report), None),
        Ok(Err(e)) => {
            let mut message = format!("stage `{name}` failed: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                // Many errors already print their cause in their own message; say each once.
                let text = cause.to_string();
                if !message.contains(&text) {
                    message.push_str(": ");
                    message.push_str(&text);
                }
                source = cause.source();
            }
            Notification::error("stage-failed", message)
        }
        Err(join) => {
            let why = if join.is_panic() {
                let payload = join.into_panic();
                payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string())
            } else {
                "it was cancelled".to_string()
            };
            Notification::error(
                "stage-failed",
                format!("stage `{name}` crashed ({why}); its results are missing"),
            )
        }
    };
    (None, Some(failure))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::{Location, Severity, StageError};

    fn parse_config(text: &str, file: &str) -> Result<Config, tollgate_core::ConfigError> {
        let names = builtin_stage_names();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        tollgate_core::config::parse(text, file, &names)
    }

    /// `tollgate init` writes only stages that run: uncommenting its `stages` line gives a
    /// config the loader accepts and every name in it selects a stage.
    #[test]
    fn init_text_names_exactly_the_stages_that_run() {
        let text = default_config_text();
        let line = text
            .lines()
            .find(|l| l.starts_with("# stages = "))
            .expect("a stages line");
        let config = parse_config(line.trim_start_matches("# "), "tollgate.toml").unwrap();
        assert_eq!(config.stages, builtin_stage_names());
        let selection = select(None, &config, &StageOptions::default()).unwrap();
        assert_eq!(selection.builtin.len(), builtin_stages().len());
        // A name no stage has is refused by the loader, with the list of the real ones.
        let err = parse_config("stages = [\"policy-x\"]\n", "tollgate.toml").unwrap_err();
        assert!(
            err.to_string().contains("unknown stage `policy-x`"),
            "{err}"
        );
    }

    /// A cause that an error's own message already prints is not repeated: the deps stage's
    /// "cannot open the advisory database: PATH: No such file" came out with its path and
    /// system error three times.
    #[test]
    fn a_failed_stage_names_each_cause_once() {
        /// An error printing its cause in its own message, as `#[error("{path}: {source}")]`.
        #[derive(Debug)]
        struct Open {
            path: String,
            source: std::io::Error,
        }
        impl std::fmt::Display for Open {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}: {}", self.path, self.source)
            }
        }
        impl std::error::Error for Open {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.source)
            }
        }
        /// An error leaving its cause to the chain.
        #[derive(Debug)]
        struct Stale(std::io::Error);
        impl std::fmt::Display for Stale {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("index is stale")
            }
        }
        impl std::error::Error for Stale {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let missing = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let open = Open {
            path: "/db".into(),
            source: missing(),
        };
        let e = StageError::with_source(format!("cannot open the database: {open}"), open);
        let (_, note) = stage_outcome("deps", Ok(Err(e)));
        assert_eq!(
            note.unwrap().message,
            "stage `deps` failed: cannot open the database: /db: no such file"
        );
        // A cause the message does not hold is still added.
        let e = StageError::with_source("cannot read the index", Stale(missing()));
        let (_, note) = stage_outcome("deps", Ok(Err(e)));
        assert_eq!(
            note.unwrap().message,
            "stage `deps` failed: cannot read the index: index is stale: no such file"
        );
    }

    struct Fake {
        name: &'static str,
        behaviour: fn() -> Result<StageReport, StageError>,
    }

    impl Stage for Fake {
        fn name(&self) -> &str {
            self.name
        }
        fn rules(&self) -> Vec<Rule> {
            vec![Rule::new(
                "TG9990",
                "fake",
                self.name,
                Severity::Low,
                "Fake",
            )]
        }
        fn run(&self, _ctx: &ScanContext) -> Result<StageReport, StageError> {
            (self.behaviour)()
        }
    }

    fn scan_with(stages: Vec<Arc<dyn Stage>>, timeout: u64) -> ScanResult {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            stage_timeout: Some(timeout),
            ..Config::default()
        };
        scan(ScanRequest {
            root: dir.path().to_path_buf(),
            config: Arc::new(config),
            selection: Selection {
                builtin: stages,
                external: vec![],
            },
            shard: None,
            today: time::macros::date!(2027 - 01 - 01),
            show_progress: false,
            only: None,
            reuse: None,
            keep_parsed: false,
            borrowed: Vec::new(),
            evaluations: true,
        })
        .unwrap()
    }

    /// What reads the cloud model after the scan (the compliance report's data inventory)
    /// gets the resources the stages saw, whether the parsed documents were kept or not.
    #[test]
    fn the_model_outlives_the_scan() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("template.yaml"),
            "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n\
             Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      \
             Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n",
        )
        .unwrap();
        for keep_parsed in [false, true] {
            let config = Arc::new(Config::default());
            let selection = select(
                Some(&["iac".to_string()]),
                &config,
                &StageOptions::default(),
            )
            .unwrap();
            let result = scan(ScanRequest {
                root: dir.path().to_path_buf(),
                config,
                selection,
                shard: None,
                today: time::macros::date!(2027 - 01 - 01),
                show_progress: false,
                only: None,
                reuse: None,
                keep_parsed,
                borrowed: Vec::new(),
                evaluations: true,
            })
            .unwrap();
            let model = tollgate_iac::model(&result.ctx);
            let names: Vec<&str> = model
                .lambdas
                .iter()
                .map(|f| f.meta.address.as_str())
                .collect();
            assert_eq!(names, ["Fn"], "keep_parsed: {keep_parsed}");
            assert!(!result.ctx.is_cancelled());
        }
    }

    #[test]
    fn failing_panicking_and_slow_stages_do_not_hide_the_others() {
        let good: Arc<dyn Stage> = Arc::new(Fake {
            name: "good",
            behaviour: || {
                let mut r = StageReport::default();
                r.push(Finding::new(
                    "TG9990",
                    Severity::Low,
                    "m",
                    Location::file("a"),
                ));
                Ok(r)
            },
        });
        let erring: Arc<dyn Stage> = Arc::new(Fake {
            name: "erring",
            behaviour: || Err(StageError::new("no model")),
        });
        let panicking: Arc<dyn Stage> = Arc::new(Fake {
            name: "panicking",
            behaviour: || panic!("index out of bounds"),
        });
        let slow: Arc<dyn Stage> = Arc::new(Fake {
            name: "slow",
            behaviour: || {
                std::thread::sleep(Duration::from_secs(3));
                Ok(StageReport::default())
            },
        });
        let result = scan_with(vec![good, erring, panicking, slow], 1);
        assert!(result.failed);
        assert_eq!(result.findings.len(), 1);
        // The scanned directory is empty, which is said once.
        let ids: Vec<(&str, Option<&str>)> = result
            .notifications
            .iter()
            .map(|n| (n.id.as_str(), n.stage.as_deref()))
            .collect();
        assert_eq!(
            ids,
            vec![
                ("nothing-to-scan", None),
                ("stage-failed", Some("erring")),
                ("stage-failed", Some("panicking")),
                ("stage-timeout", Some("slow")),
            ]
        );
        assert!(result.notifications[2]
            .message
            .contains("index out of bounds"));
        // Every selected stage's rules are declared, fired or not.
        assert_eq!(result.rules.len(), 4);
    }

    /// Checks one file every 50 ms and, once the scan is cancelled, lists the rest.
    struct Cooperative;

    impl Stage for Cooperative {
        fn name(&self) -> &str {
            "cooperative"
        }
        fn rules(&self) -> Vec<Rule> {
            Vec::new()
        }
        fn run(&self, ctx: &ScanContext) -> Result<StageReport, StageError> {
            let files: Vec<String> = (0..200).map(|i| format!("f{i}.yaml")).collect();
            let mut report = StageReport::default();
            for (i, file) in files.iter().enumerate() {
                if ctx.is_cancelled() {
                    report.not_checked.extend(files[i..].iter().cloned());
                    break;
                }
                report.push(Finding::new(
                    "TG9990",
                    Severity::Low,
                    "m",
                    Location::file(file.clone()),
                ));
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(report)
        }
    }

    /// A stage past its timeout keeps the findings of the files it checked, and the
    /// notification says how many files it did not get to; together they are every file.
    #[test]
    fn a_timed_out_stage_reports_what_it_finished() {
        let result = scan_with(vec![Arc::new(Cooperative)], 1);
        assert!(result.failed);
        let timeout = result
            .notifications
            .iter()
            .find(|n| n.id == "stage-timeout")
            .expect("a stage-timeout notification");
        assert_eq!(timeout.stage.as_deref(), Some("cooperative"));
        let checked = result.findings.len();
        assert!((1..200).contains(&checked), "{checked} files checked");
        let unchecked = 200 - checked;
        assert!(
            timeout.message.contains(&format!(
                "{unchecked} files were not checked: `f{checked}.yaml`"
            )),
            "{}",
            timeout.message
        );
        assert!(
            timeout
                .message
                .contains(&format!("and {} more", unchecked - 5)),
            "{}",
            timeout.message
        );
    }

    #[test]
    fn selection_by_name() {
        let config = Config::default();
        let all = select(None, &config, &StageOptions::default()).unwrap();
        assert_eq!(all.builtin.len(), builtin_stages().len());
        let only = select(
            Some(&["parse".to_string()]),
            &config,
            &StageOptions::default(),
        )
        .unwrap();
        assert_eq!(only.builtin.len(), 1);
        let err = select(
            Some(&["nope".to_string()]),
            &config,
            &StageOptions::default(),
        )
        .err()
        .unwrap();
        assert!(
            err.contains(
                "unknown stage `nope`; known stages: parse, iac, permissions, deps, policy, code"
            ),
            "{err}"
        );
    }

    #[test]
    fn config_may_name_every_builtin_stage() {
        let names: Vec<String> = builtin_stages()
            .iter()
            .map(|s| format!("\"{}\"", s.name()))
            .collect();
        let text = format!("stages = [{}]\n", names.join(", "));
        let config = parse_config(&text, "tollgate.toml").unwrap();
        let selection = select(None, &config, &StageOptions::default()).unwrap();
        assert_eq!(selection.builtin.len(), builtin_stages().len());
    }

    #[test]
    fn deps_table_is_read_and_flags_win() {
        let config = parse_config(
            "[stage.deps]\nadvisory-db = [\"../advisories\"]\noffline = true\ncache-dir = \"c\"\n",
            "repo/tollgate.toml",
        )
        .unwrap();
        let from_config = deps_options(&DepsOptions::default(), &config);
        assert_eq!(
            from_config.advisory_db,
            [PathBuf::from("repo/../advisories")]
        );
        assert!(from_config.offline);
        assert_eq!(from_config.cache_dir, Some(PathBuf::from("repo/c")));
        let flags = DepsOptions {
            advisory_db: vec![PathBuf::from("osv.zip")],
            ..DepsOptions::default()
        };
        let from_flags = deps_options(&flags, &config);
        assert_eq!(from_flags.advisory_db, [PathBuf::from("osv.zip")]);
        assert!(from_flags.offline);
        let plain = deps_options(&DepsOptions::default(), &Config::default());
        assert!(plain.advisory_db.is_empty() && !plain.offline);
        assert_eq!(plain.cache_dir, DepsOptions::default().cache_dir);
    }

    #[test]
    fn default_config_text_names_the_default_stage_timeout() {
        let line = format!("# stage-timeout = {DEFAULT_STAGE_TIMEOUT}\n");
        assert!(default_config_text().contains(&line));
    }

    /// The sample configs shipped under `examples/` stay valid and name real stages.
    #[test]
    fn shipped_samples_parse_and_select() {
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        for sample in ["tollgate.sample.toml", "plugins/todo-scanner/tollgate.toml"] {
            let path = examples.join(sample);
            let config = load_config(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let selection = select(None, &config, &StageOptions::default()).unwrap();
            assert_eq!(selection.external.len(), 1, "{sample}");
            assert_eq!(selection.external[0].name, "todo-scanner");
        }
    }
}
