use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tollgate_syntax::{Document, Format, Limits, SyntaxError};

use crate::config::Config;
use crate::inventory::{FileKind, SourceFile};

/// Why a file's text could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("cannot read file: {0}")]
    Io(String),
    #[error("file is {size} bytes, larger than the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("file looks binary (it contains a NUL byte)")]
    Binary,
    #[error("file is not valid UTF-8 (first bad byte at line {line}, column {col})")]
    NotUtf8 { line: u32, col: u32 },
    #[error(
        "not a regular file (a FIFO, socket, device or directory); only regular files are read"
    )]
    NotRegular,
}

/// Why a file could not be turned into a [`Document`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    #[error("{kind:?} files are not parsed into documents")]
    NotADocument { kind: FileKind },
    /// The parser itself failed (a bug tripped by this file): the file is not checked, every
    /// other file still is.
    #[error("the parser failed on this file, which was not checked; hint: please report it with the file")]
    ParserFailed,
}

/// The function that turns a file's text into a document.
type Parser = fn(&str, Format, &Limits) -> Result<Document, SyntaxError>;

#[derive(Default)]
struct FileSlot {
    text: OnceLock<Result<Arc<str>, FileError>>,
    document: OnceLock<Result<Arc<Document>, ParseError>>,
    /// The text was read for parsing and not kept, since it holds no suppression mark (see
    /// [`ScanContext::lets_texts_go`]).
    text_let_go: AtomicBool,
}

/// Everything a stage may look at: the inventory, the config, the date, and a cache that makes
/// sure each file is read and parsed once per run however many stages look at it.
pub struct ScanContext {
    root: PathBuf,
    files: Vec<SourceFile>,
    slots: Vec<FileSlot>,
    index: HashMap<String, usize>,
    config: Arc<Config>,
    today: time::Date,
    limits: Limits,
    cancelled: Arc<AtomicBool>,
    /// `tollgate_syntax::parse`; tests put a failing parser here.
    parser: Parser,
    memo: Mutex<HashMap<TypeId, MemoSlot>>,
    /// Another scan of the same repository (the head, when this one scans the base revision
    /// of a pull request) whose texts and documents this one reuses for files with the same
    /// path and the same content, instead of parsing them again.
    donor: Option<Arc<ScanContext>>,
    /// Whether parsed documents are kept for the next caller (see
    /// [`ScanContext::without_document_cache`]).
    cache_documents: bool,
    /// Whether a later scan reuses this one's results ([`ScanContext::kept_for_reuse`]).
    kept_for_reuse: bool,
    /// Whether stages record evaluations (see [`ScanContext::without_evaluations`]).
    evaluations: bool,
}

/// What [`ScanContext::take_parsed`] took out of a scan: dropping it frees them.
pub struct Parsed {
    _documents: Vec<Result<Arc<Document>, ParseError>>,
    _memo: HashMap<TypeId, MemoSlot>,
}

/// One memoized value, computed by the first caller while the others wait.
type MemoSlot = Arc<OnceLock<Arc<dyn Any + Send + Sync>>>;

impl std::fmt::Debug for ScanContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanContext")
            .field("root", &self.root)
            .field("files", &self.files.len())
            .field("today", &self.today)
            .finish_non_exhaustive()
    }
}

impl ScanContext {
    pub fn new(
        root: PathBuf,
        files: Vec<SourceFile>,
        config: Arc<Config>,
        today: time::Date,
    ) -> Self {
        let limits = Limits {
            max_bytes: usize::try_from(config.max_file_bytes()).unwrap_or(usize::MAX),
            ..Limits::default()
        };
        let index = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
        let slots = files.iter().map(|_| FileSlot::default()).collect();
        Self {
            root,
            files,
            slots,
            index,
            config,
            today,
            limits,
            cancelled: Arc::new(AtomicBool::new(false)),
            parser: tollgate_syntax::parse,
            memo: Mutex::new(HashMap::new()),
            donor: None,
            cache_documents: true,
            kept_for_reuse: false,
            evaluations: true,
        }
    }

    /// Ask stages not to record evaluations (what each rule concluded per resource, passes
    /// included): for runs whose outputs show none (no `--include-passes`, no audit report).
    /// Findings are the same either way.
    pub fn without_evaluations(mut self) -> Self {
        self.evaluations = false;
        self
    }

    /// Whether the run reads evaluations, so that stages record them.
    pub fn wants_evaluations(&self) -> bool {
        self.evaluations
    }

    /// Parse a document anew for each caller instead of keeping it: for runs in which only
    /// the cloud model reads documents, so each one is freed as soon as its file is mapped
    /// rather than all of them being held until the stages end (on a large repository the
    /// documents are most of the memory). Texts are still read once and kept; documents of a
    /// donor ([`ScanContext::reusing`]) are still reused; [`ScanContext::parse_all`] does
    /// nothing, since it would only parse what is then thrown away.
    pub fn without_document_cache(mut self) -> Self {
        self.cache_documents = false;
        self
    }

    /// Whether parsed documents are kept for later callers: false after
    /// [`ScanContext::without_document_cache`], when only the cloud model's builder reads
    /// documents. Work the builder alone needs (Terraform's evaluated modules) is then not
    /// kept past the model either.
    pub fn caches_documents(&self) -> bool {
        self.cache_documents
    }

    /// Reuse `donor`'s work for every file whose path and content are the same in both scans
    /// (the same git blob): the text it read and the document it parsed, errors included, are
    /// taken as they are instead of being parsed again. Content decides, never modification
    /// times: a file that differs by one byte is parsed anew. A pull request's base revision
    /// is scanned this way with the head as donor, since most files are the same in both.
    pub fn reusing(mut self, donor: Arc<ScanContext>) -> Self {
        self.donor = Some(donor);
        self
    }

    /// The donor's slot for `file`, when the donor has read a file at the same path with
    /// exactly `text` and would parse it with the same parser.
    fn donor_slot(&self, file: &SourceFile, text: &str) -> Option<&FileSlot> {
        let donor = self.donor.as_deref()?;
        let &j = donor.index.get(&file.path)?;
        if donor.files[j].kind.format() != file.kind.format()
            || !std::ptr::fn_addr_eq(donor.parser, self.parser)
        {
            return None;
        }
        let slot = &donor.slots[j];
        match slot.text.get()? {
            // The same allocation when this scan's text came from the donor already.
            Ok(theirs) if std::ptr::eq(theirs.as_ptr(), text.as_ptr()) || **theirs == *text => {
                Some(slot)
            }
            _ => None,
        }
    }

    /// The donor's text of `file` when `file` is the donor's own inventory entry (same path,
    /// same file on disk, same kind): a file of a pull request's base revision identical to
    /// the head's is not written out again but borrowed this way, and read once.
    fn donor_same_file(&self, file: &SourceFile) -> Option<Result<Arc<str>, FileError>> {
        let donor = self.donor.as_deref()?;
        let &j = donor.index.get(&file.path)?;
        if donor.files[j] != *file {
            return None;
        }
        Some(donor.text(&donor.files[j]))
    }

    /// The scanned directory (absolute). Locations never include it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn files(&self) -> &[SourceFile] {
        ReadLog::note_listing();
        &self.files
    }

    /// The inventory's files of the kinds `pred` accepts.
    pub fn files_where<'a>(
        &'a self,
        pred: impl Fn(&FileKind) -> bool + 'a,
    ) -> impl Iterator<Item = &'a SourceFile> + 'a {
        ReadLog::note_listing();
        self.files.iter().filter(move |f| pred(&f.kind))
    }

    pub fn file(&self, path: &str) -> Option<&SourceFile> {
        ReadLog::note(path);
        self.index.get(path).map(|&i| &self.files[i])
    }

    /// The scan whose texts and documents this one reuses ([`ScanContext::reusing`]).
    pub fn donor(&self) -> Option<&Arc<ScanContext>> {
        self.donor.as_ref()
    }

    /// Whether `path` stands for the same content here as in the donor: both scans hold the
    /// donor's very inventory entry there (a file of a pull request's base revision with the
    /// head's blob, borrowed rather than written out), or neither holds a file there. Without
    /// a donor, nothing is the same.
    pub fn same_in_donor(&self, path: &str) -> bool {
        let Some(donor) = self.donor.as_deref() else {
            return false;
        };
        match (self.index.get(path), donor.index.get(path)) {
            (None, None) => true,
            (Some(&i), Some(&j)) => self.files[i] == donor.files[j],
            _ => false,
        }
    }

    /// Whether this scan's inventory lists the same paths, of the same kinds, in the same
    /// order as the donor's: what a piece of work that walked the inventory
    /// ([`ReadLog::listed`]) saw is then the same in both.
    pub fn same_listing_as_donor(&self) -> bool {
        self.donor.as_deref().is_some_and(|donor| {
            self.files.len() == donor.files.len()
                && self
                    .files
                    .iter()
                    .zip(&donor.files)
                    .all(|(a, b)| a.path == b.path && a.kind == b.kind)
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The date the scan judges against (deprecations, ignore expiry). Overridable for tests.
    pub fn today(&self) -> time::Date {
        self.today
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The file's text, read once. A text equal to the donor's (see [`ScanContext::reusing`])
    /// shares the donor's copy.
    pub fn text(&self, file: &SourceFile) -> Result<Arc<str>, FileError> {
        ReadLog::note(&file.path);
        let Some(&i) = self.index.get(&file.path) else {
            return read_text(&file.abs, self.config.max_file_bytes()).map(Arc::from);
        };
        self.slots[i]
            .text
            .get_or_init(|| {
                if let Some(done) = self.donor_same_file(&self.files[i]) {
                    return done;
                }
                let text = read_text(&self.files[i].abs, self.config.max_file_bytes())?;
                let shared = self
                    .donor_slot(&self.files[i], &text)
                    .and_then(|slot| slot.text.get()?.as_ref().ok().cloned());
                Ok(shared.unwrap_or_else(|| Arc::from(text)))
            })
            .clone()
    }

    /// The file's text where suppression comments are looked for: `None` when the text was
    /// not kept after parsing because it holds no suppression mark, so that it would yield no
    /// directive (see [`ScanContext::lets_texts_go`]); otherwise [`ScanContext::text`].
    pub fn suppression_text(&self, file: &SourceFile) -> Option<Arc<str>> {
        if let Some(&i) = self.index.get(&file.path) {
            let slot = &self.slots[i];
            if slot.text.get().is_none() && slot.text_let_go.load(Ordering::Relaxed) {
                return None;
            }
        }
        self.text(file).ok()
    }

    /// Whether a text read only to be parsed is dropped with its document unless it holds a
    /// suppression mark: when documents are not kept ([`ScanContext::without_document_cache`])
    /// and no other scan shares this one's texts (no donor, not kept for reuse). On a large
    /// repository the texts are a tenth of the memory the stages hold at their peak, and after
    /// parsing only suppressions and code frames read them: a text without a mark yields no
    /// suppression ([`ScanContext::suppression_text`]), and [`ScanContext::text`] reads a file
    /// again from disk for a code frame.
    pub fn lets_texts_go(&self) -> bool {
        !self.cache_documents && self.donor.is_none() && !self.kept_for_reuse
    }

    /// The text of `file` for parsing it: [`ScanContext::text`], except that when the context
    /// [lets texts go](ScanContext::lets_texts_go) a text not read before is kept only if it
    /// holds a suppression mark.
    /// A text let go is parsed from the buffer it was read into, not copied into a shared one
    /// first: on a large scan that copy is a second allocation (and page faults) per file.
    fn text_to_parse(&self, file: &SourceFile) -> Result<TextToParse, FileError> {
        let Some(&i) = self.index.get(&file.path) else {
            return self.text(file).map(TextToParse::Shared);
        };
        let slot = &self.slots[i];
        if !self.lets_texts_go() || slot.text.get().is_some() {
            return self.text(file).map(TextToParse::Shared);
        }
        ReadLog::note(&file.path);
        let text = match read_text(&file.abs, self.config.max_file_bytes()) {
            Ok(text) => text,
            // Errors are small and said the same way to every caller: kept.
            Err(e) => {
                return slot
                    .text
                    .get_or_init(|| Err(e))
                    .clone()
                    .map(TextToParse::Shared)
            }
        };
        if crate::suppress::holds_mark(&text) {
            return slot
                .text
                .get_or_init(|| Ok(Arc::from(text)))
                .clone()
                .map(TextToParse::Shared);
        }
        slot.text_let_go.store(true, Ordering::Relaxed);
        Ok(TextToParse::Owned(text))
    }

    /// The file parsed into a spanned document, parsed once however many stages ask.
    pub fn document(&self, file: &SourceFile) -> Result<Arc<Document>, ParseError> {
        ReadLog::note(&file.path);
        let Some(format) = file.kind.format() else {
            return Err(ParseError::NotADocument {
                kind: file.kind.clone(),
            });
        };
        let parse = || -> Result<Arc<Document>, ParseError> {
            let text = self.text_to_parse(file)?;
            let text: &str = match &text {
                TextToParse::Shared(text) => text,
                TextToParse::Owned(text) => text,
            };
            if let Some(done) = self
                .donor_slot(file, text)
                .and_then(|slot| slot.document.get())
            {
                return done.clone();
            }
            // A panic in the parser costs this file only, not the stage and every other file.
            let (parser, limits) = (self.parser, &self.limits);
            let parsed = std::panic::catch_unwind(|| parser(text, format, limits))
                .map_err(|_| ParseError::ParserFailed)?;
            Ok(Arc::new(parsed?))
        };
        match self.index.get(&file.path) {
            Some(&i) if self.cache_documents => self.slots[i].document.get_or_init(parse).clone(),
            _ => parse(),
        }
    }

    /// Whether `file` has been parsed already (its outcome is cached). A cancelled scan still
    /// maps what it parsed before the cancel, since that costs little; it only stops parsing.
    pub fn is_parsed(&self, file: &SourceFile) -> bool {
        self.index
            .get(&file.path)
            .is_some_and(|&i| self.slots[i].document.get().is_some())
    }

    /// Read and parse every file of the kinds `pred` accepts into the cache, on all cores
    /// (rayon's pool), so that stages then walk their files one by one without waiting for the
    /// parser. Each file keeps its own outcome, errors and parser failures included, exactly as
    /// [`ScanContext::document`] would have produced it; a cancelled scan stops starting files.
    pub fn parse_all(&self, pred: impl Fn(&FileKind) -> bool + Sync) {
        use rayon::prelude::*;
        if !self.cache_documents {
            return;
        }
        let wanted: Vec<usize> = (0..self.files.len())
            .filter(|&i| pred(&self.files[i].kind) && self.files[i].kind.format().is_some())
            .collect();
        wanted.into_par_iter().for_each(|i| {
            if !self.is_cancelled() {
                let _ = self.document(&self.files[i]);
            }
        });
    }

    /// Parse with `parser` instead of `tollgate_syntax::parse`, to test what a failing parser
    /// costs.
    #[doc(hidden)]
    pub fn with_parser(mut self, parser: Parser) -> Self {
        self.parser = parser;
        self
    }

    /// A value computed once per run and shared by every stage that asks for the same type
    /// (the cloud model, for example). Concurrent callers wait for the first one's result.
    pub fn memo<T, F>(&self, init: F) -> Arc<T>
    where
        T: Any + Send + Sync,
        F: FnOnce(&ScanContext) -> T,
    {
        let cell = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry(TypeId::of::<T>()).or_default().clone()
        };
        let value = cell.get_or_init(|| Arc::new(init(self)) as Arc<dyn Any + Send + Sync>);
        value
            .clone()
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("memo slots are keyed by TypeId"))
    }

    /// The value [`ScanContext::memo`] holds for `T`, if one was computed (or adopted)
    /// already; computes nothing.
    pub fn memoized<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        let cell = {
            let memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.get(&TypeId::of::<T>())?.clone()
        };
        cell.get()?.clone().downcast::<T>().ok()
    }

    /// Hold `value` as this scan's memoized `T`, unless one is there already (then nothing
    /// changes and `false` is returned). Only for a value computed by another scan from inputs
    /// shown to be the same as this scan's, so that it is exactly what [`ScanContext::memo`]
    /// would compute here: a pull request's base revision adopts the head's rule results
    /// this way when both revisions have the same cloud model.
    pub fn adopt_memo<T: Any + Send + Sync>(&self, value: Arc<T>) -> bool {
        let cell = {
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            memo.entry(TypeId::of::<T>()).or_default().clone()
        };
        cell.set(value as Arc<dyn Any + Send + Sync>).is_ok()
    }

    /// Mark this scan as one a later scan reuses (the head of a pull request, whose base
    /// revision is scanned next): stages then keep in the memo what that scan may adopt.
    pub fn kept_for_reuse(mut self) -> Self {
        self.kept_for_reuse = true;
        self
    }

    /// Whether a later scan reuses this one's results ([`ScanContext::kept_for_reuse`]).
    pub fn is_kept_for_reuse(&self) -> bool {
        self.kept_for_reuse
    }

    /// Drop every parsed document and memoized value (the cloud model) once no stage needs
    /// them; file texts stay for suppressions and code frames. On a large scan the documents
    /// and the model are most of the memory, and the reports need neither.
    pub fn release_parsed(&mut self) {
        drop(self.take_parsed());
    }

    /// [`ScanContext::release_parsed`], handing the documents and memoized values to the
    /// caller instead of freeing them: freeing millions of nodes takes a tenth of a second on
    /// a large scan, which a caller may spend on a thread of its own.
    pub fn take_parsed(&mut self) -> Parsed {
        let documents = self
            .slots
            .iter_mut()
            .filter_map(|slot| slot.document.take())
            .collect();
        let memo = std::mem::take(self.memo.get_mut().unwrap_or_else(|e| e.into_inner()));
        Parsed {
            _documents: documents,
            _memo: memo,
        }
    }

    /// Ask stages to stop (set when a stage times out).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

thread_local! {
    /// The log of the work running on this thread, if it keeps one ([`ReadLog::record`]).
    static READ_LOG: std::cell::RefCell<Option<ReadLog>> = const { std::cell::RefCell::new(None) };
}

/// The files one piece of work looked up in a [`ScanContext`] (by path, found or not), and
/// whether it walked the inventory: what its result can depend on. A pull request's base
/// revision takes the head's result of a piece of work (one template mapped to the cloud
/// model) when every file it looked up is the same in both revisions.
///
/// Recording is per thread: work that hands files to other threads carries the log with it
/// ([`ReadLog::current`], then [`ReadLog::record`] there).
#[derive(Debug, Clone, Default)]
pub struct ReadLog(Arc<Mutex<ReadSet>>);

#[derive(Debug, Default)]
struct ReadSet {
    paths: std::collections::BTreeSet<String>,
    listed: bool,
}

impl ReadLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Run `work` with this log recording what it looks up on this thread; the log the thread
    /// kept before (if any) is restored afterwards, also when `work` unwinds.
    pub fn record<T>(&self, work: impl FnOnce() -> T) -> T {
        struct Restore(Option<ReadLog>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let before = self.0.take();
                READ_LOG.with(|log| *log.borrow_mut() = before);
            }
        }
        let _restore = Restore(READ_LOG.with(|log| log.borrow_mut().replace(self.clone())));
        work()
    }

    /// The log recording on this thread, to carry onto the threads the work continues on.
    pub fn current() -> Option<ReadLog> {
        READ_LOG.with(|log| log.borrow().clone())
    }

    /// Record that the work on this thread looked up `path` (nothing when no log records).
    pub fn note(path: &str) {
        READ_LOG.with(|log| {
            if let Some(log) = &*log.borrow() {
                let mut set = log.0.lock().unwrap_or_else(|e| e.into_inner());
                if !set.paths.contains(path) {
                    set.paths.insert(path.to_string());
                }
            }
        });
    }

    /// Record that the work on this thread walked the inventory.
    pub fn note_listing() {
        READ_LOG.with(|log| {
            if let Some(log) = &*log.borrow() {
                log.0.lock().unwrap_or_else(|e| e.into_inner()).listed = true;
            }
        });
    }

    /// The paths looked up, in order.
    pub fn paths(&self) -> Vec<String> {
        let set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        set.paths.iter().cloned().collect()
    }

    /// Whether the work walked the inventory, so that any file could have counted.
    pub fn listed(&self) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).listed
    }
}

/// A text to parse: the context's shared copy, or one read for this parse alone.
enum TextToParse {
    Shared(Arc<str>),
    Owned(String),
}

/// Read a file as UTF-8 text within `limit` bytes.
/// [`read_text`] of a regular file only (a link to one is fine): opening a FIFO blocks until
/// someone writes to it, and a device may never end. For files named by something the scanned
/// repository controls, such as its config.
pub fn read_regular_text(path: &Path, limit: u64) -> Result<String, FileError> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(FileError::NotRegular),
        // A missing file gets read_text's own error.
        _ => read_text(path, limit),
    }
}

pub fn read_text(path: &Path, limit: u64) -> Result<String, FileError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| FileError::Io(e.to_string()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limit {
        return Err(FileError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Read at most one byte past the limit, in case the file grew since the metadata call.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    if bytes.contains(&0) {
        return Err(FileError::Binary);
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = std::str::from_utf8(valid).unwrap_or_default();
        let line = text.matches('\n').count() as u32 + 1;
        let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
        FileError::NotUtf8 { line, col }
    })
}

impl FileKind {
    /// The parser for this kind of file, if it is a document tollgate parses.
    pub fn format(&self) -> Option<Format> {
        match self {
            FileKind::CloudFormation { json } | FileKind::Sam { json } => {
                Some(if *json { Format::Json } else { Format::Yaml })
            }
            FileKind::Serverless | FileKind::Workflow | FileKind::YamlOther => Some(Format::Yaml),
            FileKind::Terraform => Some(Format::Hcl),
            FileKind::TerraformJson | FileKind::TerraformPlan | FileKind::JsonOther => {
                Some(Format::Json)
            }
            FileKind::Lockfile(_) | FileKind::Other => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{walk, WalkOptions};

    /// A directory holding one template, and a fresh context over it per call.
    fn one_template() -> (tempfile::TempDir, impl Fn() -> ScanContext) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("template.yaml"),
            "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n",
        )
        .unwrap();
        let root = dir.path().to_path_buf();
        let files = walk(&root, &WalkOptions::default()).files;
        let context = move || {
            ScanContext::new(
                root.clone(),
                files.clone(),
                Arc::new(Config::default()),
                time::macros::date!(2027 - 01 - 01),
            )
        };
        (dir, context)
    }

    #[test]
    fn released_documents_and_memos_are_rebuilt_and_texts_kept() {
        let (_dir, context) = one_template();
        let mut ctx = context();
        let file = ctx.file("template.yaml").unwrap().clone();
        let text = ctx.text(&file).unwrap();
        let document = ctx.document(&file).unwrap();
        assert!(Arc::ptr_eq(&document, &ctx.document(&file).unwrap()));
        let memo = ctx.memo(|_| 7u32);

        ctx.release_parsed();
        // The caller's handles stay valid; the context no longer holds its own.
        assert_eq!(Arc::strong_count(&document), 1);
        assert_eq!(Arc::strong_count(&memo), 1);
        assert!(!Arc::ptr_eq(&document, &ctx.document(&file).unwrap()));
        assert_eq!(*ctx.memo(|_| 8u32), 8);
        assert!(Arc::ptr_eq(&text, &ctx.text(&file).unwrap()));
    }

    /// Without the document cache each caller gets a document of its own, equal to the cached
    /// one; `parse_all` parses nothing, a text asked for is kept once read, and a donor's
    /// documents are still reused.
    #[test]
    fn without_the_cache_documents_are_parsed_per_caller_and_dropped() {
        let (_dir, context) = one_template();
        let cached = context();
        let ctx = context().without_document_cache();
        let file = ctx.file("template.yaml").unwrap().clone();
        ctx.parse_all(|_| true);
        assert!(!ctx.is_parsed(&file));
        let first = ctx.document(&file).unwrap();
        let second = ctx.document(&file).unwrap();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(Arc::strong_count(&first), 1, "the context keeps no handle");
        assert_eq!(*first, *cached.document(&file).unwrap());
        assert!(Arc::ptr_eq(
            &ctx.text(&file).unwrap(),
            &ctx.text(&file).unwrap()
        ));

        let donor = Arc::new(cached);
        let reusing = context().reusing(donor.clone()).without_document_cache();
        assert!(Arc::ptr_eq(
            &reusing.document(&file).unwrap(),
            &donor.document(&file).unwrap()
        ));
    }

    /// Without the document cache, a text read only for parsing is kept when it holds a
    /// suppression mark and let go otherwise: suppressions then see no text for it (it would
    /// yield no directive), and anyone asking for the text gets it read again. With the cache,
    /// a donor, or a later scan reusing this one, every text is kept.
    #[test]
    fn texts_read_for_parsing_are_kept_only_with_a_suppression_mark() {
        let dir = tempfile::tempdir().unwrap();
        let plain = "Resources:\n  B:\n    Type: AWS::S3::Bucket # versioned elsewhere\n";
        let marked = "Resources:\n  B: # tollgate:ignore[TG1301] archive bucket\n    Type: AWS::S3::Bucket\n";
        let skipped = "Resources:\n  B: # checkov:skip=CKV_AWS_18\n    Type: AWS::S3::Bucket\n";
        for (name, text) in [
            ("plain.yaml", plain),
            ("marked.yaml", marked),
            ("skip.yaml", skipped),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        std::fs::write(dir.path().join("bad.yaml"), [b'a', b':', 0xff]).unwrap();
        let root = dir.path().to_path_buf();
        let files = walk(&root, &WalkOptions::default()).files;
        let context = || {
            ScanContext::new(
                root.clone(),
                files.clone(),
                Arc::new(Config::default()),
                time::macros::date!(2027 - 01 - 01),
            )
        };
        let ctx = context().without_document_cache();
        assert!(ctx.lets_texts_go());
        let file = |name: &str| ctx.file(name).unwrap().clone();
        for name in ["plain.yaml", "marked.yaml", "skip.yaml", "bad.yaml"] {
            let _ = ctx.document(&file(name));
        }
        assert_eq!(ctx.suppression_text(&file("plain.yaml")), None);
        assert_eq!(
            ctx.suppression_text(&file("marked.yaml")).as_deref(),
            Some(marked)
        );
        assert_eq!(
            ctx.suppression_text(&file("skip.yaml")).as_deref(),
            Some(skipped)
        );
        assert_eq!(ctx.suppression_text(&file("bad.yaml")), None);
        assert!(matches!(
            ctx.text(&file("bad.yaml")),
            Err(FileError::NotUtf8 { .. })
        ));
        // Read again when asked, then kept.
        let again = ctx.text(&file("plain.yaml")).unwrap();
        assert_eq!(&*again, plain);
        assert!(Arc::ptr_eq(&again, &ctx.text(&file("plain.yaml")).unwrap()));
        assert_eq!(
            ctx.suppression_text(&file("plain.yaml")).as_deref(),
            Some(plain)
        );
        // A text asked for before parsing is kept.
        let ctx = context().without_document_cache();
        let early = ctx.text(&file("plain.yaml")).unwrap();
        let _ = ctx.document(&file("plain.yaml"));
        assert!(Arc::ptr_eq(
            &early,
            &ctx.suppression_text(&file("plain.yaml")).unwrap()
        ));

        let donor = Arc::new(context());
        for kept in [
            context(),
            context().without_document_cache().kept_for_reuse(),
            context().without_document_cache().reusing(donor),
        ] {
            assert!(!kept.lets_texts_go());
            let _ = kept.document(&file("plain.yaml"));
            assert_eq!(
                kept.suppression_text(&file("plain.yaml")).as_deref(),
                Some(plain)
            );
        }
    }

    /// `parse_all` parses each wanted file once, keeps every outcome (errors and parser
    /// failures too) for the stages, and leaves the files `pred` refuses alone.
    #[test]
    fn parse_all_caches_each_wanted_files_own_outcome() {
        use std::sync::atomic::AtomicUsize;
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        fn parser(text: &str, format: Format, limits: &Limits) -> Result<Document, SyntaxError> {
            CALLS.fetch_add(1, Ordering::SeqCst);
            if text.contains("boom") {
                panic!("parser bug");
            }
            tollgate_syntax::parse(text, format, limits)
        }
        let dir = tempfile::tempdir().unwrap();
        for i in 0..20 {
            std::fs::write(dir.path().join(format!("ok{i}.json")), "{\"a\": 1}").unwrap();
        }
        std::fs::write(dir.path().join("bad.json"), "{\"a\": ").unwrap();
        std::fs::write(dir.path().join("boom.json"), "{\"boom\": 1}").unwrap();
        std::fs::write(dir.path().join("skip.yaml"), "a: 1\n").unwrap();
        let files = walk(dir.path(), &WalkOptions::default()).files;
        let ctx = ScanContext::new(
            dir.path().to_path_buf(),
            files,
            Arc::new(Config::default()),
            time::macros::date!(2027 - 01 - 01),
        )
        .with_parser(parser);
        ctx.parse_all(|kind| kind.format() == Some(Format::Json));
        assert_eq!(
            CALLS.load(Ordering::SeqCst),
            22,
            "each JSON file parsed once"
        );

        let file = |name: &str| ctx.file(name).unwrap().clone();
        assert!(ctx.document(&file("ok7.json")).is_ok());
        assert!(matches!(
            ctx.document(&file("bad.json")),
            Err(ParseError::Syntax(_))
        ));
        assert_eq!(
            ctx.document(&file("boom.json")).unwrap_err(),
            ParseError::ParserFailed
        );
        assert_eq!(
            CALLS.load(Ordering::SeqCst),
            22,
            "outcomes come from the cache"
        );
        assert!(ctx.document(&file("skip.yaml")).is_ok());
        assert_eq!(
            CALLS.load(Ordering::SeqCst),
            23,
            "refused kinds are parsed on demand"
        );
    }

    /// A parser that panics on one file costs that file only: the error says so, the other
    /// files parse.
    #[test]
    fn a_panicking_parser_costs_that_file_only() {
        fn parser(text: &str, format: Format, limits: &Limits) -> Result<Document, SyntaxError> {
            if text.contains("boom") {
                panic!("parser bug");
            }
            tollgate_syntax::parse(text, format, limits)
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), "{\"boom\": 1}").unwrap();
        std::fs::write(dir.path().join("b.json"), "{\"fine\": 1}").unwrap();
        let files = walk(dir.path(), &WalkOptions::default()).files;
        let ctx = ScanContext::new(
            dir.path().to_path_buf(),
            files,
            Arc::new(Config::default()),
            time::macros::date!(2027 - 01 - 01),
        )
        .with_parser(parser);
        let a = ctx.file("a.json").unwrap().clone();
        let b = ctx.file("b.json").unwrap().clone();
        assert_eq!(ctx.document(&a).unwrap_err(), ParseError::ParserFailed);
        assert!(ctx.document(&b).is_ok());
    }
}
