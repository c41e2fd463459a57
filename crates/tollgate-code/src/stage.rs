//! The `code` stage: find the entry points, trace each, and turn what the rules matched into
//! findings ranked by how exposed the function is.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tollgate_core::{
    Evaluation, Finding, Location, Notification, Rule, ScanContext, Stage, StageError, StageReport,
    Verdict,
};
use tollgate_iac::model::CloudModel;

use crate::discover::{declared, is_vendored, EntryPoint, CONVENTIONAL};
use crate::engine::{parameters, CutShort, Engine, Hit, Modules};
use crate::exposure::{Exposure, Exposures};
use crate::lang::Lang;
use crate::module::{Module, ParseStop, Problem, MAX_TREE_DEPTH, PARSE_BUDGET, TRACE_STACK_BYTES};
use crate::paths::resolve_import;
use crate::rules::{all, STAGE};

#[derive(Debug, Default)]
pub struct CodeStage;

impl CodeStage {
    pub fn new() -> Self {
        Self
    }
}

/// Parsed modules of the scan, read only from the scanned files. A module a trace imports
/// stays for the rest of the scan, so every importer shares one parse; a handler file the
/// stage loads for its own handlers is dropped once they are traced ([`Loader::release`]), so
/// the syntax trees of a repository's handlers are not all held at once.
pub struct Loader<'c> {
    ctx: &'c ScanContext,
    cache: Mutex<HashMap<String, Cached>>,
    notes: Mutex<Vec<Notification>>,
    /// Files whose syntax errors were noted: a file parsed again after a release is noted once.
    noted: Mutex<HashSet<String>>,
}

/// A file's module (`None`: unreadable or not code), and whether a trace imported it.
struct Cached {
    module: Option<Arc<Module>>,
    imported: bool,
}

impl<'c> Loader<'c> {
    pub fn new(ctx: &'c ScanContext) -> Self {
        Self {
            ctx,
            cache: Mutex::new(HashMap::new()),
            notes: Mutex::new(Vec::new()),
            noted: Mutex::new(HashSet::new()),
        }
    }

    /// The module of a handler file, for tracing the handlers in it.
    fn entry(&self, path: &str) -> Option<Arc<Module>> {
        self.fetch(path, false)
    }

    /// Drop the cache's hold on a handler file's module, unless a trace imported it: the
    /// tree is freed as soon as the last trace using it ends.
    fn release(&self, path: &str) {
        let released = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            match cache.get(path) {
                Some(c) if !c.imported && c.module.is_some() => cache.remove(path),
                _ => None,
            }
        };
        // Freed outside the lock.
        drop(released);
    }

    fn fetch(&self, path: &str, imported: bool) -> Option<Arc<Module>> {
        if let Some(c) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(path)
        {
            c.imported |= imported;
            return c.module.clone();
        }
        let loaded = self.load(path);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let c = cache.entry(path.to_string()).or_insert(Cached {
            module: loaded.clone(),
            imported,
        });
        c.imported |= imported;
        loaded
    }

    fn load(&self, path: &str) -> Option<Arc<Module>> {
        let lang = Lang::of_path(path)?;
        let file = self.ctx.file(path)?;
        let text = match self.ctx.text(file) {
            Ok(t) => t,
            Err(e) => {
                self.note(
                    Notification::warning("file-skipped", format!("{path}: {e}"))
                        .at(Location::file(path)),
                );
                return None;
            }
        };
        let exists = |p: &str| self.ctx.file(p).is_some();
        let resolve =
            |from: &str, lang: Lang, spec: &str| resolve_import(from, lang, spec, &exists);
        let cancelled = || self.ctx.is_cancelled();
        let (module, problem) = match Module::parse(path, lang, text, &resolve, &cancelled) {
            Ok(parsed) => parsed,
            Err(ParseStop::OverBudget) => {
                self.note(
                    Notification::warning(
                        "parse-gave-up",
                        format!(
                            "{path}: {} code still not parsed after {} s (text that makes the parser's error recovery slow); this file's code is not traced",
                            lang.name(),
                            PARSE_BUDGET.as_secs()
                        ),
                    )
                    .at(Location::file(path)),
                );
                return None;
            }
            // A cancelled scan lists the file as not checked; a language without a parser has
            // no code to trace.
            Err(ParseStop::Cancelled | ParseStop::Unavailable) => return None,
        };
        let first = || {
            self.noted
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(path.to_string())
        };
        if let Some(p) = problem.filter(|_| first()) {
            let (line, col, message) = match p {
                Problem::Syntax { line, col } => (
                    line,
                    col,
                    format!(
                        "{path}:{line}:{col}: {} code does not parse here; the rest of the file is still checked",
                        lang.name()
                    ),
                ),
                Problem::TooDeep { line, col } => (
                    line,
                    col,
                    format!(
                        "{path}:{line}:{col}: {} code nested more than {MAX_TREE_DEPTH} levels deep; this file's code is not traced",
                        lang.name()
                    ),
                ),
            };
            let code = match p {
                Problem::Syntax { .. } => "parse-error",
                Problem::TooDeep { .. } => "nested-too-deep",
            };
            self.note(Notification::warning(code, message).at(Location::at(
                path,
                tollgate_core::Span::new(
                    tollgate_core::Pos::new(line, col),
                    tollgate_core::Pos::new(line, col.saturating_add(1)),
                ),
            )));
        }
        Some(Arc::new(module))
    }

    fn note(&self, n: Notification) {
        self.notes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(n.stage(STAGE));
    }

    pub fn into_notes(self) -> Vec<Notification> {
        self.notes.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Modules for Loader<'_> {
    fn get(&self, path: &str) -> Option<Arc<Module>> {
        self.fetch(path, true)
    }
}

impl Stage for CodeStage {
    fn name(&self) -> &str {
        STAGE
    }

    fn reads_documents(&self) -> bool {
        false
    }

    fn rules(&self) -> Vec<Rule> {
        all().iter().map(|r| r.meta()).collect()
    }

    fn run(&self, ctx: &ScanContext) -> Result<StageReport, StageError> {
        let model = tollgate_iac::model(ctx);
        // Shared with the permissions stage: one analysis per scan.
        let perms = tollgate_perms::outcome(ctx);
        Ok(scan(ctx, &model, &perms.findings))
    }
}

/// Everything the stage does, given the model and the permission findings.
pub fn scan(ctx: &ScanContext, model: &CloudModel, perms: &[Finding]) -> StageReport {
    let rules = all();
    let metas: Vec<Rule> = rules.iter().map(|r| r.meta()).collect();
    let mut report = StageReport::default();
    let loader = Loader::new(ctx);
    let mut notes = Vec::new();
    let mut entries = declared(ctx, model, &mut notes);
    let known: HashSet<(String, String)> = entries
        .iter()
        .map(|e| (e.file.clone(), e.function.clone()))
        .collect();
    // A model cut short by the stage timeout lacks the handlers of the templates it did not
    // map; those templates were not checked.
    report.not_checked.extend(model.not_checked.iter().cloned());

    // Entry points are traced on every core; each trace is independent (a module imported by
    // several handlers is parsed once and shared through the loader), and the results are put
    // back in entry order so the report does not depend on scheduling.
    let exposures = Exposures::new(model, perms);
    let trace = |entry: &EntryPoint, module: Option<&Arc<Module>>| {
        if ctx.is_cancelled() {
            return Traced::Cancelled;
        }
        let Some(module) = module else {
            // A parse given up at the cancel reads as no module.
            return if ctx.is_cancelled() {
                Traced::Cancelled
            } else {
                Traced::Skipped
            };
        };
        if module.too_deep {
            // Named by the `nested-too-deep` note when the file was read.
            return Traced::Skipped;
        }
        let Some(func) = module.functions.get(&entry.function).copied() else {
            return if module.built_at_run_time(&entry.function) {
                Traced::BuiltAtRunTime
            } else {
                Traced::NoFunction
            };
        };
        let lambda = entry.lambda.map(|i| &model.lambdas[i]);
        let exposure = lambda.map(|f| exposures.of(f)).unwrap_or_default();
        let triggers = if exposure.http {
            vec!["api"]
        } else {
            Vec::new()
        };
        let mut engine = Engine::new(&loader, rules, exposure.is_sensitive());
        engine.run_handler(module, func, triggers);
        Traced::Hits(exposure, engine.hits, engine.cut_short)
    };
    // The handlers templates declare are traced before the search for conventionally named
    // ones, which may read every code file of the repository: a stage timeout during that
    // search still leaves the declared handlers checked, and lists the files not searched.
    // Each declared handler file is parsed once, for all its handlers, and searched for
    // conventionally named ones while its tree is at hand; then the tree is released.
    let files = by_file(&entries);
    let per_file = parallel_map(&files, |(file, at)| {
        let module = if ctx.is_cancelled() {
            None
        } else {
            loader.entry(file)
        };
        let traced: Vec<Traced> = at
            .iter()
            .map(|&i| trace(&entries[i], module.as_ref()))
            .collect();
        // Conventionally named handlers of this file that no template names, traced now.
        let found: Option<Vec<(EntryPoint, Traced)>> = module.as_ref().map(|m| {
            conventional_in(file, m, &known)
                .into_iter()
                .map(|e| {
                    let t = trace(&e, Some(m));
                    (e, t)
                })
                .collect()
        });
        loader.release(file);
        (traced, found)
    });
    let mut traced: Vec<Option<Traced>> = entries.iter().map(|_| None).collect();
    let mut searched: HashMap<&str, Vec<EntryPoint>> = HashMap::new();
    let mut done: HashMap<(String, String), Traced> = HashMap::new();
    for ((file, at), (results, found)) in files.iter().zip(per_file) {
        for (&i, t) in at.iter().zip(results) {
            traced[i] = Some(t);
        }
        if let Some(found) = found {
            let list = searched.entry(file).or_default();
            for (e, t) in found {
                done.insert((e.file.clone(), e.function.clone()), t);
                list.push(e);
            }
        }
    }
    let mut traced: Vec<Traced> = traced
        .into_iter()
        .map(|t| t.unwrap_or(Traced::Skipped))
        .collect();
    // A file whose declared handlers were traced was checked, even if the search stops first.
    let checked: HashSet<&str> = entries
        .iter()
        .zip(&traced)
        .filter(|(_, t)| {
            matches!(
                t,
                Traced::Hits(..) | Traced::NoFunction | Traced::BuiltAtRunTime
            )
        })
        .map(|(e, _)| e.file.as_str())
        .collect();
    let (candidates, unsearched) = conventional(ctx, &checked, &searched);
    report.not_checked.extend(unsearched);
    // The other files that mention a conventional name are parsed, searched and their
    // handlers traced on every core, each file released once done.
    let unread: Vec<&str> = candidates
        .iter()
        .filter_map(|c| match c {
            Candidate::Unread(path) => Some(path.as_str()),
            Candidate::Searched(_) => None,
        })
        .collect();
    let mut read = parallel_map(&unread, |file| {
        if ctx.is_cancelled() {
            return Search::Cancelled;
        }
        let Some(module) = loader.entry(file) else {
            // A parse given up at the cancel reads as no module.
            return if ctx.is_cancelled() {
                Search::Cancelled
            } else {
                Search::Unreadable
            };
        };
        let found = conventional_in(file, &module, &known)
            .into_iter()
            .map(|e| {
                let t = trace(&e, Some(&module));
                (e, t)
            })
            .collect();
        drop(module);
        loader.release(file);
        Search::Found(found)
    })
    .into_iter();
    let key = |e: &EntryPoint| (e.file.clone(), e.function.clone());
    let mut found = Vec::new();
    for candidate in candidates {
        match candidate {
            Candidate::Searched(handlers) => {
                for e in handlers {
                    traced.push(done.remove(&key(&e)).unwrap_or(Traced::Skipped));
                    found.push(e);
                }
            }
            Candidate::Unread(path) => match read.next() {
                Some(Search::Found(handlers)) => {
                    for (e, t) in handlers {
                        traced.push(t);
                        found.push(e);
                    }
                }
                Some(Search::Cancelled) if !checked.contains(path.as_str()) => {
                    report.not_checked.push(path);
                }
                _ => {}
            },
        }
    }
    entries.extend(found);

    let mut seen = HashSet::new();
    let mut cancelled = HashSet::new();
    // Every rule judged every traced handler: it failed where a flow reached its sink, and
    // passed elsewhere. A handler named by several entries is judged once per rule.
    let mut judged: Vec<Evaluation> = Vec::new();
    // Where each resource's evaluations start: one per rule, in rule order.
    let mut judged_at: HashMap<String, usize> = HashMap::new();
    for (entry, traced) in entries.iter().zip(traced) {
        let (exposure, hits, cut_short) = match traced {
            Traced::Skipped => continue,
            Traced::Cancelled => {
                if cancelled.insert(entry.file.as_str()) {
                    report.not_checked.push(entry.file.clone());
                }
                continue;
            }
            Traced::NoFunction => {
                notes.push(
                    Notification::note(
                        "handler-not-found",
                        format!(
                            "{}: no function `{}` here, though a template names it as a handler",
                            entry.file, entry.function
                        ),
                    )
                    .at(Location::file(&entry.file))
                    .stage(STAGE),
                );
                continue;
            }
            Traced::BuiltAtRunTime => {
                notes.push(
                    Notification::note(
                        "handler-not-traced",
                        format!(
                            "{}: the handler `{}` is built at run time by a call that is given \
                             no function of this file, so its code is not traced",
                            entry.file, entry.function
                        ),
                    )
                    .at(Location::file(&entry.file))
                    .stage(STAGE),
                );
                continue;
            }
            Traced::Hits(exposure, hits, cut_short) => {
                if let Some(cut) = &cut_short {
                    notes.push(cut_short_note(entry, cut));
                }
                (exposure, hits, cut_short.is_some())
            }
        };
        let lambda = entry.lambda.map(|i| &model.lambdas[i]);
        let resource = resource_of(entry, lambda.map(|f| f.meta.address.as_str()));
        let verdict = |i: usize| {
            if hits.iter().any(|h| h.rule == i) {
                Verdict::Fail
            } else if cut_short {
                // What lies past the bound was not followed: no pass can be claimed.
                Verdict::Unknown
            } else {
                Verdict::Pass
            }
        };
        match judged_at.get(&resource) {
            Some(&first) => {
                for i in 0..metas.len() {
                    let at = first + i;
                    judged[at].verdict = judged[at].verdict.combine(verdict(i));
                }
            }
            None => {
                judged_at.insert(resource.clone(), judged.len());
                let location = Location::file(&entry.file);
                for (i, meta) in metas.iter().enumerate() {
                    judged.push(Evaluation::new(
                        meta.code.clone(),
                        resource.clone(),
                        location.clone(),
                        verdict(i),
                    ));
                }
            }
        }
        for hit in hits {
            if !seen.insert((hit.rule, hit.path.clone(), hit.span)) {
                continue;
            }
            report.push(finding(
                &metas[hit.rule],
                entry,
                lambda.map(|f| f.meta.address.as_str()),
                &exposure,
                hit,
            ));
        }
    }
    report.evaluations.extend(judged);
    let mut listed = HashSet::new();
    report
        .not_checked
        .retain(|path| listed.insert(path.clone()));
    notes.extend(loader.into_notes());
    // In file order, so a run split into shards reports them as one run would.
    notes.sort_by(|a, b| {
        let path = |n: &Notification| n.location.as_ref().map(|l| l.path.clone());
        path(a)
            .cmp(&path(b))
            .then_with(|| a.message.cmp(&b.message))
    });
    report.notifications.extend(notes);
    report
}

/// The note for a trace stopped at a bound: where, which bound, and what it means for the
/// handler's verdicts.
fn cut_short_note(entry: &EntryPoint, cut: &CutShort) -> Notification {
    let line = cut.span.start.line;
    let col = cut.span.start.col;
    Notification::warning(
        "trace-cut-short",
        format!(
            "{}:{line}:{col}: the trace of handler `{}` ({}) stopped here, {}; flows past this \
             point are not followed, so rules that found nothing here say unknown, not pass",
            cut.path,
            entry.function,
            entry.file,
            cut.limit.describe()
        ),
    )
    .at(Location::at(cut.path.clone(), cut.span))
    .stage(STAGE)
}

/// What tracing one entry point gave.
enum Traced {
    /// Not traced: the file could not be read.
    Skipped,
    /// Not traced: the scan was cancelled first.
    Cancelled,
    /// The file has no function of the handler's name.
    NoFunction,
    /// The handler's name is bound to a call's result that no function of the file is given
    /// to (a builder, `serverless(app)`): it exists, but there is no code of it to trace.
    BuiltAtRunTime,
    /// What the rules found, and where the trace stopped at a bound if it did.
    Hits(Exposure, Vec<Hit>, Option<CutShort>),
}

/// `f` over `items` on every available core, results in the order of `items`. Always on
/// threads of its own with [`TRACE_STACK_BYTES`] of stack, since `f` walks syntax trees
/// recursively (as deep as [`MAX_TREE_DEPTH`]).
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len());
    if threads == 0 {
        return Vec::new();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let work = || {
            let mut out = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                out.push((i, f(item)));
            }
            out
        };
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                std::thread::Builder::new()
                    .name("tollgate-code".into())
                    .stack_size(TRACE_STACK_BYTES)
                    .spawn_scoped(scope, work)
                    // As `std::thread::scope`'s own `spawn` does: no thread, no stage (the
                    // pipeline reports the stage as failed).
                    .expect("a thread for the code stage")
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(out) => out,
                // A panic in a trace is the stage's failure, reported as such by the pipeline.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Where handlers no template names may be: `lambda_handler(event, context)` /
/// `handler(event, context)` in Python, an exported or top-level `handler` in JavaScript and
/// TypeScript. The code files that may define them, in file order (those searched with their
/// declared handlers, and those that mention a conventional name), and the code files not
/// searched because the scan was cancelled, apart from those `checked` already (their declared
/// handlers traced).
fn conventional(
    ctx: &ScanContext,
    checked: &HashSet<&str>,
    searched: &HashMap<&str, Vec<EntryPoint>>,
) -> (Vec<Candidate>, Vec<String>) {
    let mut out = Vec::new();
    let mut unsearched = Vec::new();
    for file in ctx.files() {
        if Lang::of_path(&file.path).is_none() || is_vendored(&file.path) {
            continue;
        }
        // Searched with its declared handlers.
        if let Some(found) = searched.get(file.path.as_str()) {
            out.push(Candidate::Searched(found.clone()));
            continue;
        }
        // Listed without being read: past the cancel the stage stops promptly.
        if ctx.is_cancelled() {
            if !checked.contains(file.path.as_str()) {
                unsearched.push(file.path.clone());
            }
            continue;
        }
        // Only a file that mentions a conventional name can define such a handler: the rest of
        // the repository's code (libraries, tests) is parsed only if a handler imports it.
        if ctx
            .text(file)
            .is_ok_and(|text| !CONVENTIONAL.iter().any(|name| text.contains(name)))
        {
            continue;
        }
        out.push(Candidate::Unread(file.path.clone()));
    }
    (out, unsearched)
}

/// A code file that may define conventionally named handlers, in file order.
enum Candidate {
    /// Searched with its declared handlers: what it defines.
    Searched(Vec<EntryPoint>),
    /// Mentions a conventional name: to be parsed and searched.
    Unread(String),
}

/// What searching one file for conventionally named handlers gave.
enum Search {
    /// Not searched: the scan was cancelled first.
    Cancelled,
    /// Not searched: the file could not be read.
    Unreadable,
    /// Its handlers, each traced.
    Found(Vec<(EntryPoint, Traced)>),
}

/// The conventionally named handlers of one module that no template names.
fn conventional_in(
    path: &str,
    module: &Module,
    known: &HashSet<(String, String)>,
) -> Vec<EntryPoint> {
    let mut out = Vec::new();
    for name in CONVENTIONAL {
        let Some(f) = module.functions.get(*name) else {
            continue;
        };
        if known.contains(&(path.to_string(), name.to_string())) {
            continue;
        }
        let takes_event = module
            .function(*f)
            .is_some_and(|n| !parameters(n).is_empty());
        if takes_event {
            out.push(EntryPoint {
                file: path.to_string(),
                function: name.to_string(),
                lambda: None,
            });
        }
    }
    out
}

/// Entry points grouped by file, in the order files first appear: each file's entry indices.
fn by_file(entries: &[EntryPoint]) -> Vec<(&str, Vec<usize>)> {
    let mut files: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let slot = *at.entry(e.file.as_str()).or_insert_with(|| {
            files.push((e.file.as_str(), Vec::new()));
            files.len() - 1
        });
        files[slot].1.push(i);
    }
    files
}

/// The resource code findings and evaluations name: the function the template declares, else
/// `file#handler`.
fn resource_of(entry: &EntryPoint, function: Option<&str>) -> String {
    function.map_or_else(
        || format!("{}#{}", entry.file, entry.function),
        str::to_string,
    )
}

fn finding(
    meta: &Rule,
    entry: &EntryPoint,
    function: Option<&str>,
    exposure: &Exposure,
    hit: Hit,
) -> Finding {
    let taint = &hit.matched.taint;
    let mut severity = meta.default_severity;
    if exposure.is_open() {
        severity = severity.raised();
        if exposure.is_sensitive() {
            severity = severity.raised();
        }
    }
    let helper = if hit.path != entry.file {
        format!(" in {}", hit.path)
    } else {
        String::new()
    };
    let mut message = format!(
        "{} reaches {}{helper}, from handler `{}`",
        taint.describe(),
        hit.matched.what,
        entry.function
    );
    let exposure_words = match (function, exposure.describe()) {
        (Some(f), Some(words)) if exposure.is_open() => format!("; `{f}` is {words}."),
        (Some(f), Some(words)) => format!("; `{f}`: {words}."),
        (Some(f), None) => format!(" (`{f}`: no unauthenticated route or URL in the templates)."),
        (None, _) => {
            " (no template declares this handler, so its exposure is unknown).".to_string()
        }
    };
    message.push_str(&exposure_words);
    let resource = resource_of(entry, function);
    let origin = &taint.origin;
    let mut f = Finding::new(
        meta.code.clone(),
        severity,
        message,
        Location::at(hit.path.clone(), hit.span),
    )
    .resource(resource)
    .evidence(format!("{} <- {}", hit.evidence, taint.describe()))
    .property(
        "tollgate/exposure",
        if exposure.is_open() {
            "internet"
        } else if function.is_some() {
            "internal"
        } else {
            "unknown"
        },
    )
    .flow_step(
        Location::at(origin.path.clone(), origin.span),
        format!("`{}` enters handler `{}`", origin.param, origin.handler),
    );
    for step in taint.steps() {
        f = f.flow_step(
            Location::at(step.path.to_string(), step.span),
            step.message.clone(),
        );
    }
    f = f.flow_step(
        Location::at(hit.path.clone(), hit.span),
        format!("reaches {}", hit.matched.what),
    );
    for fact in exposure
        .open
        .iter()
        .chain(&exposure.classified)
        .chain(&exposure.escalation)
    {
        f = f.related(fact.location.clone(), fact.words.clone());
    }
    f
}
