//! The `deps` stage: read every lockfile of the inventory, look each package up in the
//! advisory source (a local database, the cached download, or the OSV API) and report the
//! vulnerable ones at their lockfile line.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tollgate_core::{
    Evaluation, Finding, Location, Notification, Rule, ScanContext, Severity, Stage, StageError,
    StageReport, Verdict,
};

use crate::cache;
use crate::lockfile::{self, Includes, LockfileKind};
use crate::online::{FetchFailure, OnlineClient, Query};
use crate::osv::Advisory;
use crate::report;
use crate::rules::{self, STAGE};
use crate::store::{AdvisoryDb, DbError};
use crate::{manifest, Ecosystem, Package, DEFAULT_OSV_API};

/// How the stage is configured (from CLI flags and config).
#[derive(Debug, Clone)]
pub struct DepsOptions {
    /// `--advisory-db PATH` (repeatable): directories of OSV JSON or OSV `all.zip` files. When
    /// given, only these are used and the network is never touched.
    pub advisory_db: Vec<PathBuf>,
    /// `--offline`: never touch the network; without a database this is an error.
    pub offline: bool,
    /// Where `tollgate db update` keeps the download (and indexes of `--advisory-db` paths).
    pub cache_dir: Option<PathBuf>,
    /// OSV API root for online mode.
    pub online_base_url: String,
    pub online_timeout: Duration,
    /// Report development-only dependencies too (marked as such). `[stage.deps] include-dev`
    /// in the config overrides it.
    pub include_dev: bool,
}

impl Default for DepsOptions {
    fn default() -> Self {
        Self {
            advisory_db: Vec::new(),
            offline: false,
            cache_dir: cache::default_cache_dir(),
            online_base_url: DEFAULT_OSV_API.to_string(),
            online_timeout: Duration::from_secs(120),
            include_dev: true,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct DepsStage {
    pub options: DepsOptions,
}

impl DepsStage {
    pub fn new(options: DepsOptions) -> Self {
        Self { options }
    }
}

/// Reads `-r` includes from the inventory only, so nothing outside the scanned root is read.
struct CtxIncludes<'a>(&'a ScanContext);

impl Includes for CtxIncludes<'_> {
    fn read(&self, path: &str) -> Result<Arc<str>, String> {
        let file = self
            .0
            .file(path)
            .ok_or_else(|| "not among the scanned files".to_string())?;
        self.0.text(file).map_err(|e| e.to_string())
    }
}

/// A parsed lockfile with its text (for line spans).
struct Lock {
    path: String,
    text: Arc<str>,
    parsed: crate::Parsed,
}

/// Where advisories come from this run.
enum Source {
    Local(AdvisoryDb),
    Online(OnlineClient),
}

/// Manifests read beside the lockfiles (for dependencies no lockfile pins).
fn is_manifest(name: &str) -> bool {
    matches!(
        name,
        "package.json" | "pyproject.toml" | "Pipfile" | "Gemfile" | "composer.json"
    )
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `path` as a report may show it: relative to the scanned root (`../advisories` for a database
/// beside it), since reports never carry the machine's absolute paths.
fn shown_path(path: &std::path::Path, root: &std::path::Path) -> String {
    use std::path::Component;
    let canonical =
        |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (path, root) = (canonical(path), canonical(root));
    if !path.is_absolute() || !root.is_absolute() {
        return path.display().to_string();
    }
    let ours: Vec<Component> = path.components().collect();
    let base: Vec<Component> = root.components().collect();
    let common = ours.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); base.len() - common];
    parts.extend(
        ours[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

fn note(message: String) -> Notification {
    Notification::note("advisory-source", message).stage(STAGE)
}

impl DepsStage {
    fn read_locks(
        &self,
        ctx: &ScanContext,
        report: &mut StageReport,
    ) -> (Vec<Lock>, Vec<(String, String)>) {
        let paths: HashSet<&str> = ctx.files().iter().map(|f| f.path.as_str()).collect();
        let mut locks = Vec::new();
        let mut manifests = Vec::new();
        for (i, file) in ctx.files().iter().enumerate() {
            if ctx.is_cancelled() {
                // Past the stage timeout: what was read is still checked; the rest is listed.
                report.not_checked.extend(
                    ctx.files()[i..]
                        .iter()
                        .filter(|f| {
                            let name = file_name(&f.path);
                            is_manifest(name) || LockfileKind::detect(name).is_some()
                        })
                        .map(|f| f.path.clone()),
                );
                break;
            }
            let name = file_name(&file.path);
            let is_manifest = is_manifest(name);
            let kind = LockfileKind::detect(name);
            if kind.is_none() && !is_manifest {
                continue;
            }
            if kind == Some(LockfileKind::GoSum) {
                let go_mod = format!("{}go.mod", &file.path[..file.path.len() - name.len()]);
                if paths.contains(go_mod.as_str()) {
                    continue;
                }
            }
            let text = match ctx.text(file) {
                Ok(t) => t,
                Err(e) => {
                    report.notify(
                        Notification::warning("file-skipped", format!("{}: {e}", file.path))
                            .at(Location::file(file.path.clone()))
                            .stage(STAGE),
                    );
                    continue;
                }
            };
            if is_manifest {
                manifests.push((file.path.clone(), text.to_string()));
                continue;
            }
            let Some(kind) = kind else { continue };
            match lockfile::parse(kind, &file.path, &text, &CtxIncludes(ctx)) {
                Ok(parsed) => {
                    if !parsed.skipped.is_empty() {
                        let first = &parsed.skipped[0];
                        report.notify(
                            Notification::note(
                                "entries-skipped",
                                format!(
                                    "{}: {} entries not checked against advisories (line {}: {})",
                                    file.path,
                                    parsed.skipped.len(),
                                    first.0,
                                    first.1
                                ),
                            )
                            .at(Location::file(file.path.clone()))
                            .stage(STAGE),
                        );
                    }
                    locks.push(Lock {
                        path: file.path.clone(),
                        text,
                        parsed,
                    });
                }
                Err(e) => report.notify(
                    Notification::error("parse-error", e.to_string())
                        .at(Location::at(
                            file.path.clone(),
                            tollgate_core::Span::line(e.line.max(1)),
                        ))
                        .stage(STAGE),
                ),
            }
        }
        let found = manifest::check(&manifests, &paths);
        report.findings.extend(found);
        (locks, manifests)
    }

    /// Pick the advisory source, saying which in a note; a stale cached database used anyway
    /// raises TG3003 (its age is returned for the caller to place). `api_failed` means the
    /// OSV API was tried and could not answer, so any cached database beats none.
    fn source(
        &self,
        ctx: &ScanContext,
        ecosystems: &BTreeSet<Ecosystem>,
        report: &mut StageReport,
        api_failed: bool,
    ) -> Result<(Source, Option<i64>), StageError> {
        let opts = &self.options;
        let index_dir = opts.cache_dir.as_ref().map(|d| d.join("indexes"));
        if let Some(dir) = &index_dir {
            let _ = std::fs::create_dir_all(dir);
        }
        let open = |paths: &[PathBuf]| {
            AdvisoryDb::open(paths, index_dir.as_deref()).map_err(|e| {
                StageError::with_source(format!("cannot open the advisory database: {e}"), e)
            })
        };
        if !opts.advisory_db.is_empty() {
            let db = open(&opts.advisory_db)?;
            report.notify(note(format!(
                "advisories from {} ({} advisories)",
                opts.advisory_db
                    .iter()
                    .map(|p| shown_path(p, ctx.root()))
                    .collect::<Vec<_>>()
                    .join(", "),
                db.advisory_count()
            )));
            self.report_unreadable(&db, report);
            return Ok((Source::Local(db), None));
        }
        let cached: Vec<(Ecosystem, PathBuf, cache::Meta)> = opts
            .cache_dir
            .as_deref()
            .map(|dir| {
                ecosystems
                    .iter()
                    .filter_map(|&e| cache::cached(dir, e).map(|(p, m)| (e, p, m)))
                    .collect()
            })
            .unwrap_or_default();
        let missing: Vec<&str> = ecosystems
            .iter()
            .filter(|e| !cached.iter().any(|c| c.0 == **e))
            .map(|e| e.osv_name())
            .collect();
        let age = cached
            .iter()
            .map(|c| cache::age_days(c.2.checked_at, ctx.today()))
            .max();
        let fresh = age.is_some_and(|a| a < cache::MAX_AGE_DAYS) && missing.is_empty();
        let use_cache = |report: &mut StageReport,
                         why: &str|
         -> Result<(Source, Option<i64>), StageError> {
            let paths: Vec<PathBuf> = cached.iter().map(|c| c.1.clone()).collect();
            let db = open(&paths)?;
            report.notify(note(format!(
                "advisories from the cached OSV database ({} advisories, {} day(s) old){why}",
                db.advisory_count(),
                age.unwrap_or(0)
            )));
            if !missing.is_empty() {
                report.notify(
                    Notification::warning(
                        "advisory-db-incomplete",
                        format!(
                            "no cached advisories for {}; those packages were not checked (hint: run `tollgate db update`)",
                            missing.join(", ")
                        ),
                    )
                    .stage(STAGE),
                );
            }
            self.report_unreadable(&db, report);
            let stale = age.filter(|a| *a >= cache::MAX_AGE_DAYS);
            Ok((Source::Local(db), stale))
        };
        if fresh {
            return use_cache(report, "");
        }
        if api_failed {
            if cached.is_empty() {
                return Err(StageError::new("the OSV API could not be reached and there is no cached advisory database (hint: run `tollgate db update`)"));
            }
            return use_cache(report, "; the OSV API could not be reached");
        }
        if opts.offline {
            if cached.is_empty() {
                let e = DbError::Missing {
                    what: ecosystems
                        .iter()
                        .map(|e| e.osv_name())
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                return Err(StageError::new(format!("--offline: {e}")));
            }
            return use_cache(report, "; --offline, so it was not refreshed");
        }
        report.notify(note(format!(
            "advisories from the OSV API at {}{}",
            opts.online_base_url,
            match age {
                Some(a) => format!(" (the cached database is {a} day(s) old or incomplete)"),
                None => " (no cached database; `tollgate db update` makes one)".to_string(),
            }
        )));
        let mut client = OnlineClient::new(&opts.online_base_url, opts.online_timeout);
        if let Some(dir) = &opts.cache_dir {
            client = client.with_cache(dir.join("online"));
        }
        Ok((Source::Online(client), None))
    }

    fn report_unreadable(&self, db: &AdvisoryDb, report: &mut StageReport) {
        let bad = db.unreadable();
        if let Some(first) = bad.first() {
            report.notify(
                Notification::warning(
                    "advisory-unreadable",
                    format!(
                        "{} advisories could not be read as OSV JSON, e.g. {first}",
                        bad.len()
                    ),
                )
                .stage(STAGE),
            );
        }
    }

    /// The affecting advisories of every distinct (ecosystem, name, version). Advisories the
    /// API listed but could not deliver are reported, with the packages left unchecked.
    fn lookup(
        &self,
        source: &Source,
        queries: &[Query],
        report: &mut StageReport,
    ) -> Result<Lookup, DbError> {
        let mut out = Lookup::default();
        match source {
            Source::Local(db) => {
                for q in queries {
                    let name = q.ecosystem.normalize_name(&q.name);
                    out.hits
                        .insert(q.clone(), db.affecting(q.ecosystem, &name, &q.version)?);
                }
            }
            Source::Online(client) => {
                let found = client.query(queries)?;
                report.notify(note(format!(
                    "{} advisories fetched from the OSV API, {} unchanged ones reused from the cache",
                    found.fetched, found.cached
                )));
                for failure in &found.failed {
                    report.notify(fetch_failed(failure, queries));
                    out.incomplete.extend(
                        failure
                            .queries
                            .iter()
                            .filter_map(|&i| queries.get(i).cloned()),
                    );
                }
                for (q, hits) in queries.iter().zip(found.hits) {
                    out.hits.insert(q.clone(), hits);
                }
            }
        }
        Ok(out)
    }
}

/// What the advisory source said about each package.
#[derive(Default)]
struct Lookup {
    /// The advisories affecting each package.
    hits: HashMap<Query, Vec<Arc<Advisory>>>,
    /// Packages some advisory was listed for but could not be fetched: not fully checked.
    incomplete: HashSet<Query>,
}

/// An advisory listed by the API but not fetched: the packages it was listed for were not
/// fully checked, which must not pass as clean.
fn fetch_failed(failure: &FetchFailure, queries: &[Query]) -> Notification {
    const SHOWN: usize = 5;
    let names: Vec<String> = failure
        .queries
        .iter()
        .take(SHOWN)
        .map(|&i| format!("{}@{}", queries[i].name, queries[i].version))
        .collect();
    let more = failure.queries.len().saturating_sub(SHOWN);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Notification::error(
        "advisory-fetch-failed",
        format!(
            "advisory {} could not be fetched ({}); not checked against it: {}{more}",
            failure.id,
            failure.error,
            names.join(", ")
        ),
    )
    .stage(STAGE)
}

/// TG3003 where people see it: at the `cache-dir` line of a config file inside the scanned
/// tree, else as a run-level notification, since code scanning does not show a result that
/// has no location.
fn report_stale(ctx: &ScanContext, days: i64, report: &mut StageReport) {
    let message = format!(
        "The advisory database is {days} days old (older than {} days); advisories published since were not checked. Refresh it with `tollgate db update` (e.g. in a scheduled CI job), or let the scan query the OSV API.",
        cache::MAX_AGE_DAYS
    );
    match cache_dir_line(ctx) {
        Some((path, line)) => report.push(
            Finding::new(
                rules::STALE_DB,
                Severity::Low,
                message,
                Location::at(path, tollgate_core::Span::line(line)),
            )
            .resource("advisory-database"),
        ),
        None => report.notify(
            Notification::warning(
                "stale-advisory-database",
                format!("{}: {message}", rules::STALE_DB),
            )
            .stage(STAGE),
        ),
    }
}

/// The config file (relative to the scanned root) and the line of its `cache-dir`, when the
/// config names the cache and lives inside the root.
fn cache_dir_line(ctx: &ScanContext) -> Option<(String, u32)> {
    let config = ctx.config();
    let line = config.stage.deps.cache_dir_line?;
    let path = shown_path(std::path::Path::new(config.path.as_deref()?), ctx.root());
    let outside = path == ".." || path.starts_with("../") || path.starts_with('/');
    (!outside && ctx.root().join(&path).is_file()).then_some((path, line))
}

fn query_of(p: &Package) -> Query {
    Query {
        ecosystem: p.ecosystem,
        name: p.ecosystem.normalize_name(&p.name),
        version: p.version.clone(),
    }
}

impl Stage for DepsStage {
    fn name(&self) -> &str {
        STAGE
    }

    fn reads_documents(&self) -> bool {
        false
    }

    fn rules(&self) -> Vec<Rule> {
        rules::static_rules()
    }

    fn run(&self, ctx: &ScanContext) -> Result<StageReport, StageError> {
        self.run_until(ctx, &|| ctx.is_cancelled())
    }
}

impl DepsStage {
    /// The stage's run, reporting packages until `stop` says the scan is past its timeout
    /// (a test stops it part way).
    fn run_until(
        &self,
        ctx: &ScanContext,
        stop: &dyn Fn() -> bool,
    ) -> Result<StageReport, StageError> {
        let mut report = StageReport::default();
        let (locks, _) = self.read_locks(ctx, &mut report);
        let mut unpinned_seen: HashSet<(&str, u32)> = HashSet::new();
        for lock in &locks {
            for u in &lock.parsed.unpinned {
                if !unpinned_seen.insert((u.path.as_str(), u.line)) {
                    continue;
                }
                let spec = if u.spec.is_empty() {
                    "no version".to_string()
                } else {
                    format!("`{}`", u.spec)
                };
                let message = match &u.reason {
                    Some(why) => format!("{}: {why}. Its version is unresolved, so it is not checked against advisories.", u.name),
                    None => format!("{} is required with {spec}, not pinned with `==`; it is not checked against advisories.", u.name),
                };
                // Not checked against the advisories: the check's verdict on it is unknown.
                report.evaluations.push(Evaluation::new(
                    rules::VULNERABLE,
                    format!("{}#{}", u.path, u.name),
                    Location::at(u.path.clone(), tollgate_core::Span::line(u.line)),
                    Verdict::Unknown,
                ));
                report.push(
                    Finding::new(
                        rules::UNPINNED,
                        Severity::Medium,
                        message,
                        Location::at(u.path.clone(), tollgate_core::Span::line(u.line)),
                    )
                    .resource(format!("{}#{}", u.path, u.name))
                    .resource_line(u.line)
                    .evidence(format!("{}{}", u.name, u.spec)),
                );
            }
        }
        // `[stage.deps] include-dev` in tollgate.toml wins over the built-in default.
        let include_dev = ctx
            .config()
            .stage
            .deps
            .include_dev
            .unwrap_or(self.options.include_dev);
        let wanted = |p: &&Package| include_dev || !p.dev;
        let mut queries: Vec<Query> = Vec::new();
        let mut seen = HashSet::new();
        for p in locks
            .iter()
            .flat_map(|l| l.parsed.packages.iter())
            .filter(wanted)
        {
            let q = query_of(p);
            if seen.insert(q.clone()) {
                queries.push(q);
            }
        }
        if queries.is_empty() {
            return Ok(report);
        }
        let ecosystems: BTreeSet<Ecosystem> = queries.iter().map(|q| q.ecosystem).collect();
        let (source, mut stale) = self.source(ctx, &ecosystems, &mut report, false)?;
        let lookup = match self.lookup(&source, &queries, &mut report) {
            Ok(h) => h,
            Err(e) if matches!(source, Source::Online(_)) => {
                report.notify(
                    Notification::warning("advisory-source", format!("OSV API query failed: {e}"))
                        .stage(STAGE),
                );
                let (cached, age) = self.source(ctx, &ecosystems, &mut report, true)?;
                stale = age;
                self.lookup(&cached, &queries, &mut report).map_err(|e| {
                    StageError::with_source(format!("advisory lookup failed: {e}"), e)
                })?
            }
            Err(e) => {
                return Err(StageError::with_source(
                    format!("advisory lookup failed: {e}"),
                    e,
                ))
            }
        };
        if let Some(days) = stale {
            report_stale(ctx, days, &mut report);
        }
        report_packages(ctx, &locks, &lookup, &wanted, &mut report, stop);
        Ok(report)
    }
}

/// The most findings one lockfile gives. Real lockfiles hold a few thousand packages; a file
/// of the same vulnerable pin repeated on every line (5 MiB make 300,000 findings, about
/// 0.5 GB) would otherwise turn a pull request's bytes into a hundred times their size in
/// memory. Past it the file's other vulnerable entries are counted in a warning.
pub const MAX_FINDINGS_PER_LOCKFILE: usize = 10_000;

/// Each wanted package of `locks` judged against `lookup`: a finding per advisory group, an
/// evaluation per clean package. Past `stop` (the stage timeout), the lockfile at hand and
/// the ones after it are left out and listed in [`StageReport::not_checked`]: a lockfile of
/// hundreds of thousands of vulnerable entries takes seconds to report, and a stage that does
/// not stop when asked loses every finding, those of the other lockfiles included.
fn report_packages(
    ctx: &ScanContext,
    locks: &[Lock],
    lookup: &Lookup,
    wanted: &dyn Fn(&&Package) -> bool,
    report: &mut StageReport,
    stop: &dyn Fn() -> bool,
) {
    let mut rules_seen: HashSet<String> = HashSet::new();
    // A requirements file both scanned and included by another yields its packages twice.
    let mut reported: HashSet<(String, u32, String, String)> = HashSet::new();
    let mut judged: HashSet<(String, u32, String)> = HashSet::new();
    for (i, lock) in locks.iter().enumerate() {
        // Line starts, so each finding's line is found without rescanning the lockfile.
        let lines = crate::lockfile::text::LineIndex::new(&lock.text);
        let before = (
            report.findings.len(),
            report.evaluations.len(),
            report.dynamic_rules.len(),
        );
        let mut packages = lock.parsed.packages.iter().filter(wanted);
        while let Some(p) = packages.next() {
            if report.findings.len() - before.0 >= MAX_FINDINGS_PER_LOCKFILE {
                let affected =
                    |p: &Package| lookup.hits.get(&query_of(p)).is_some_and(|h| !h.is_empty());
                let more = std::iter::once(p)
                    .chain(packages)
                    .filter(|p| affected(p))
                    .count();
                report.notify(
                    Notification::warning(
                        "findings-capped",
                        format!(
                            "{}: {more} more entries with advisories not reported; tollgate reports at most {MAX_FINDINGS_PER_LOCKFILE} findings per lockfile",
                            lock.path
                        ),
                    )
                    .at(Location::file(lock.path.clone()))
                    .stage(STAGE),
                );
                break;
            }
            if stop() {
                // A lockfile is reported whole or not at all.
                report.findings.truncate(before.0);
                report.evaluations.truncate(before.1);
                report.dynamic_rules.truncate(before.2);
                report
                    .not_checked
                    .extend(locks[i..].iter().map(|l| l.path.clone()));
                return;
            }
            let query = query_of(p);
            let path = p.declared_in.as_deref().unwrap_or(&lock.path);
            let Some(advisories) = lookup.hits.get(&query).filter(|h| !h.is_empty()) else {
                // Found clean, or not fully checked. An affected package is judged by its
                // advisories' own rules, cases of this one, at the same resource.
                let verdict = if lookup.incomplete.contains(&query) {
                    Verdict::Unknown
                } else {
                    Verdict::Pass
                };
                if judged.insert((path.to_string(), p.line, p.name.clone())) {
                    report.evaluations.push(Evaluation::new(
                        rules::VULNERABLE,
                        report::resource(path, p),
                        Location::at(path, tollgate_core::Span::line(p.line)),
                        verdict,
                    ));
                }
                continue;
            };
            let text = match &p.declared_in {
                Some(other) => ctx.file(other).and_then(|f| ctx.text(f).ok()),
                None => Some(lock.text.clone()),
            };
            let line_text = match (text.as_deref(), &p.declared_in) {
                (Some(_), None) => lines.line_text(p.line),
                (Some(t), Some(_)) => t.lines().nth((p.line as usize).saturating_sub(1)),
                (None, _) => None,
            }
            .unwrap_or("");
            let groups = report::group(advisories, p.ecosystem);
            let refs: Vec<&report::Group> = groups.iter().collect();
            for g in &groups {
                let key = (
                    path.to_string(),
                    p.line,
                    p.name.clone(),
                    g.primary.id.clone(),
                );
                if !reported.insert(key) {
                    continue;
                }
                if rules_seen.insert(g.primary.id.clone()) {
                    report.dynamic_rules.push(report::rule(g, p.ecosystem));
                }
                report.push(report::finding(path, line_text, p, g, &refs));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shown_path;
    use std::cell::Cell;
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use tollgate_core::{walk, Config, ScanContext, WalkOptions};

    use super::{DepsOptions, DepsStage};

    /// Stopped at every point of the reporting in turn, the stage reports each lockfile whole
    /// or lists it as not checked, with the ones after it: no finding is lost unsaid.
    #[test]
    fn stopped_while_reporting_each_lockfile_is_reported_whole_or_listed() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let root = fixtures.join("repo");
        let cache = tempfile::tempdir().expect("temp dir");
        let stage = DepsStage::new(DepsOptions {
            advisory_db: vec![fixtures.join("osv")],
            offline: true,
            cache_dir: Some(cache.path().to_path_buf()),
            ..DepsOptions::default()
        });
        let ctx = ScanContext::new(
            root.clone(),
            walk(&root, &WalkOptions::default()).files,
            Arc::new(Config::default()),
            time::macros::date!(2026 - 11 - 28),
        );
        let asked = Cell::new(0usize);
        let full = stage
            .run_until(&ctx, &|| {
                asked.set(asked.get() + 1);
                false
            })
            .expect("full run");
        assert!(full.not_checked.is_empty());
        let paths = |r: &tollgate_core::StageReport| -> BTreeSet<String> {
            r.findings.iter().map(|f| f.location.path.clone()).collect()
        };
        assert!(paths(&full).len() >= 3, "{:?}", paths(&full));
        let mut partial_runs = 0;
        for at in 0..asked.get() {
            let calls = Cell::new(0usize);
            let part = stage
                .run_until(&ctx, &|| {
                    calls.set(calls.get() + 1);
                    calls.get() > at
                })
                .expect("stopped run");
            assert!(!part.not_checked.is_empty(), "stopped after {at}");
            for path in paths(&full) {
                let of = |r: &tollgate_core::StageReport| {
                    r.findings
                        .iter()
                        .filter(|f| f.location.path == path)
                        .cloned()
                        .collect::<Vec<_>>()
                };
                if part.not_checked.contains(&path) {
                    // A file another one includes (`-r`) may have been reported through it.
                    assert!(
                        of(&part).iter().all(|f| of(&full).contains(f)),
                        "{path} after {at}"
                    );
                } else {
                    assert_eq!(of(&part), of(&full), "{path} after {at}");
                }
            }
            if !part.findings.is_empty() {
                partial_runs += 1;
            }
        }
        assert!(partial_runs > 0, "no stop fell between two lockfiles");
    }

    #[test]
    fn database_paths_are_shown_relative_to_the_root() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("app");
        let db = dir.path().join("advisories");
        let inside = root.join("osv");
        for d in [&root, &db, &inside] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        assert_eq!(shown_path(&db, &root), "../advisories");
        assert_eq!(shown_path(&inside, &root), "osv");
        assert_eq!(shown_path(&root, &root), ".");
    }
}
