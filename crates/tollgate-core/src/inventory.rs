//! The file inventory: one walk of the scanned directory, each file classified once.
//!
//! The walk honours `.gitignore` (with or without a git repository) and `.tollgateignore`, sees
//! hidden directories such as `.github/` but never `.git/`, applies the config's include and
//! exclude globs, and never follows a symbolic link out of the root. Every file it passes over
//! for a reason a user may care about becomes a `file-skipped` notification.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::classify::{self, BINARY_PROBE_BYTES, HEAD_BYTES};
use crate::config::{Config, DEFAULT_MAX_FILE_BYTES};
use crate::glob::PathGlobs;
use crate::{Location, Notification};

/// Name of tollgate's own ignore file, read like `.gitignore` in every directory.
pub const IGNORE_FILE: &str = ".tollgateignore";

/// What to walk and what to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkOptions {
    /// Globs a file must match to be kept; empty keeps all.
    pub include: Vec<String>,
    /// Globs of files and directories never scanned.
    pub exclude: Vec<String>,
    /// Larger files are skipped with a notification.
    pub max_file_bytes: u64,
    /// `(K, N)` with 1 <= K <= N: keep only shard K of N, partitioned by directory (see
    /// [`shard_key`]).
    pub shard: Option<(u32, u32)>,
}

impl Default for WalkOptions {
    fn default() -> Self {
        Self {
            include: Vec::new(),
            exclude: Vec::new(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            shard: None,
        }
    }
}

impl WalkOptions {
    /// The walk the config asks for (no shard: that comes from the command line).
    pub fn from_config(config: &Config) -> Self {
        Self {
            include: config.include.clone(),
            exclude: config.exclude.clone(),
            max_file_bytes: config.max_file_bytes(),
            shard: None,
        }
    }
}

/// The result of a walk: the kept files sorted by path, and what was skipped and why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub files: Vec<SourceFile>,
    pub notifications: Vec<Notification>,
}

/// What a file is, decided once during the walk.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum FileKind {
    /// A CloudFormation template (has `AWSTemplateFormatVersion` or `Resources` of `AWS::` types).
    CloudFormation { json: bool },
    /// An AWS SAM template (`Transform: AWS::Serverless-2016-10-31`).
    Sam { json: bool },
    /// `serverless.yml` / `serverless.yaml` / `serverless.json`.
    Serverless,
    /// `*.tf`.
    Terraform,
    /// `*.tf.json`.
    TerraformJson,
    /// `terraform show -json` output (has `format_version` and `planned_values` or `resource_changes`).
    TerraformPlan,
    /// A dependency lockfile or manifest, by file name (`Cargo.lock`, `package-lock.json`...).
    Lockfile(String),
    /// `.github/workflows/*.yml`.
    Workflow,
    /// Other YAML files (kept for user policies).
    YamlOther,
    /// Other JSON files (kept for user policies).
    JsonOther,
    /// Anything else: listed for suppressions and external tools, never parsed.
    Other,
}

impl FileKind {
    /// Infrastructure-as-code templates the IaC stage reads.
    pub fn is_template(&self) -> bool {
        matches!(
            self,
            FileKind::CloudFormation { .. }
                | FileKind::Sam { .. }
                | FileKind::Serverless
                | FileKind::Terraform
                | FileKind::TerraformJson
                | FileKind::TerraformPlan
        )
    }
}

/// One file of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Repository-relative, forward slashes, no leading `./`.
    pub path: String,
    /// Absolute path on disk (inside the root; never reported).
    #[serde(skip)]
    pub abs: PathBuf,
    pub kind: FileKind,
    pub size: u64,
}

/// Walk `root` and classify every kept file. Never fails as a whole: a root that cannot be
/// read yields an empty inventory with an error notification.
pub fn walk(root: &Path, opts: &WalkOptions) -> Inventory {
    let mut inv = Inventory::default();
    let canonical_root = match root.canonicalize() {
        Ok(path) if path.is_dir() => path,
        Ok(_) => {
            inv.notifications.push(Notification::error(
                "root-unreadable",
                format!("`{}` is not a directory", root.display()),
            ));
            return inv;
        }
        Err(e) => {
            inv.notifications.push(Notification::error(
                "root-unreadable",
                format!("cannot read `{}`: {e}", root.display()),
            ));
            return inv;
        }
    };
    // The `ignore` crate opens every ignore file it finds and would block for ever on a FIFO
    // (or read a device); it reads those of the root's ancestors and of the root first.
    for dir in canonical_root.ancestors() {
        if let Some(why) = special_ignore_file(dir, &canonical_root) {
            inv.notifications.push(Notification::error(
                "root-unreadable",
                format!("the scan did not start: {why}"),
            ));
            return inv;
        }
    }
    let include = compile_globs("include", &opts.include, &mut inv.notifications);
    let exclude = compile_globs("exclude", &opts.exclude, &mut inv.notifications).map(Arc::new);

    let mut builder = ignore::WalkBuilder::new(&canonical_root);
    builder
        .hidden(false)
        .require_git(false)
        .git_ignore(true)
        // `.git/info/exclude` is never part of a pull request, and finding it means following
        // a `.git` file's `gitdir:` line wherever it points (a FIFO there would hang the walk).
        .git_exclude(false)
        // The machine's global gitignore would make results depend on who runs the scan.
        .git_global(false)
        // `.ignore` belongs to ripgrep and friends; tollgate reads `.tollgateignore`.
        .ignore(false)
        .parents(true)
        .follow_links(false)
        .add_custom_ignore_filename(IGNORE_FILE);
    let refused_dirs: Arc<std::sync::Mutex<Vec<Notification>>> = Arc::default();
    {
        let root = canonical_root.clone();
        let exclude = exclude.clone();
        let refused_dirs = refused_dirs.clone();
        builder.filter_entry(move |entry| {
            if entry.file_name() == ".git" {
                return false;
            }
            if entry.file_type().is_some_and(|t| t.is_dir()) {
                // Decided before the walker enters the directory and opens its ignore files.
                if let Some(why) = special_ignore_file(entry.path(), &root) {
                    let rel = relative(&root, entry.path()).unwrap_or_default();
                    if let Ok(mut refused) = refused_dirs.lock() {
                        refused.push(
                            Notification::warning(
                                "file-skipped",
                                format!("skipped the directory `{rel}`: {why}"),
                            )
                            .at(Location::file(&rel)),
                        );
                    }
                    return false;
                }
                if let (Some(exclude), Some(rel)) = (&exclude, relative(&root, entry.path())) {
                    return rel.is_empty() || !exclude.is_match(&rel);
                }
            }
            true
        });
    }

    // On every core: opening and probing thousands of files is most of a large inventory's
    // time, and the stages wait for it. The order is restored below.
    let found: std::sync::Mutex<Inventory> = std::sync::Mutex::default();
    let max_file_bytes = opts.max_file_bytes;
    builder.build_parallel().run(|| {
        let (found, root, include, exclude) = (&found, &canonical_root, &include, &exclude);
        Box::new(move |entry| {
            if let Some(outcome) = visit(
                entry,
                root,
                include.as_ref(),
                exclude.as_deref(),
                max_file_bytes,
            ) {
                let mut found = found
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match outcome {
                    Visited::File(file) => found.files.push(file),
                    Visited::Skipped(note) => found.notifications.push(note),
                }
            }
            ignore::WalkState::Continue
        })
    });
    let found = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    inv.files = found.files;
    inv.notifications.extend(found.notifications);

    if let Ok(mut refused) = refused_dirs.lock() {
        inv.notifications.append(&mut refused);
    }
    // Directory order differs between file systems; reports must not.
    inv.files.sort_by(|a, b| a.path.cmp(&b.path));
    inv.notifications.sort_by(|a, b| {
        let path = |n: &Notification| n.location.as_ref().map(|l| l.path.clone());
        path(a)
            .cmp(&path(b))
            .then_with(|| a.message.cmp(&b.message))
            .then_with(|| a.id.cmp(&b.id))
    });
    if let Some(shard) = opts.shard {
        match check_shard(shard) {
            Ok((k, n)) => {
                let template_dirs: std::collections::BTreeSet<&str> = inv
                    .files
                    .iter()
                    .filter(|f| f.kind.is_template())
                    .map(|f| shard_key(&f.path))
                    .collect();
                let template_dirs: std::collections::BTreeSet<String> =
                    template_dirs.into_iter().map(str::to_string).collect();
                let mine = |path: &str| shard_of(code_shard_key(path, &template_dirs), n) == k - 1;
                // Policy sources are rules, not scanned content: every shard judges its own
                // resources with all of them (identical policy notifications are merged once).
                inv.files
                    .retain(|f| mine(&f.path) || is_policy_source(&f.path));
                // A skipped file is reported by the shard it belongs to, so merged shard
                // reports say it once.
                inv.notifications
                    .retain(|note| note.location.as_ref().is_none_or(|l| mine(&l.path)));
            }
            Err(message) => inv
                .notifications
                .push(Notification::error("invalid-shard", message)),
        }
    }
    inv
}

/// What the walk keeps of one entry.
enum Visited {
    /// A file to scan.
    File(SourceFile),
    /// A file or directory left out, or an error of the walk, said as a warning.
    Skipped(Notification),
}

/// What the walk keeps of one entry, if anything (not directories, files outside `include` or
/// inside `exclude`, binary files of no interest).
fn visit(
    entry: Result<ignore::DirEntry, ignore::Error>,
    root: &Path,
    include: Option<&PathGlobs>,
    exclude: Option<&PathGlobs>,
    max_file_bytes: u64,
) -> Option<Visited> {
    let entry = match entry {
        Ok(entry) => entry,
        Err(e) => {
            // Unreadable directories, bad ignore-file lines: the walk goes on without them.
            return Some(Visited::Skipped(Notification::warning(
                "walk-error",
                format!(
                    "while walking the scanned directory: {}",
                    redact_root(&e.to_string(), root)
                ),
            )));
        }
    };
    let file_type = entry.file_type()?;
    if file_type.is_dir() {
        return None;
    }
    let rel = relative(root, entry.path())?;
    if exclude.is_some_and(|g| g.is_match(&rel)) {
        return None;
    }
    if include.is_some_and(|g| !g.is_empty() && !g.is_match(&rel)) {
        return None;
    }
    let abs = if file_type.is_symlink() {
        match resolve_link(root, entry.path()) {
            Ok(Some(target)) => target,
            Ok(None) => return None,
            Err(why) => {
                return Some(Visited::Skipped(skipped(
                    &rel,
                    &format!("symbolic link {why}"),
                )))
            }
        }
    } else if file_type.is_file() {
        entry.path().to_path_buf()
    } else {
        // Sockets, FIFOs, devices: reading them could block or has no meaning. One with a
        // name tollgate would read is said, so it cannot pass for a checked file.
        return classify::is_interesting_name(&rel).then(|| {
            Visited::Skipped(skipped(
                &rel,
                "it is not a regular file (a FIFO, socket or device)",
            ))
        });
    };
    match inspect(&abs, &rel, max_file_bytes) {
        Ok(file) => file.map(Visited::File),
        Err(why) => Some(Visited::Skipped(skipped(&rel, &why))),
    }
}

/// Whether `path` is a user policy (Rego or CloudFormation Guard), which every shard needs.
fn is_policy_source(path: &str) -> bool {
    path.ends_with(".rego") || path.ends_with(".guard")
}

/// The inventory of one file named on the command line (`tollgate run template.yaml`, as
/// `checkov -f` scans one file): `root` is the directory holding it and `name` its file name
/// there. The user named it, so ignore files and include/exclude globs do not apply; the size
/// cap and the binary check do, and a file that is skipped says why.
pub fn walk_file(root: &Path, name: &str, opts: &WalkOptions) -> Inventory {
    let mut inv = Inventory::default();
    let abs = root.join(name);
    match std::fs::symlink_metadata(&abs) {
        Ok(meta) if meta.is_file() => match inspect(&abs, name, opts.max_file_bytes) {
            Ok(Some(file)) => inv.files.push(file),
            Ok(None) => inv.notifications.push(skipped(name, "it looks binary")),
            Err(why) => inv.notifications.push(skipped(name, &why)),
        },
        Ok(_) => inv.notifications.push(Notification::error(
            "root-unreadable",
            format!("`{name}` is not a regular file"),
        )),
        Err(e) => inv.notifications.push(Notification::error(
            "root-unreadable",
            format!("cannot read `{name}`: {e}"),
        )),
    }
    inv
}

fn compile_globs(
    what: &str,
    patterns: &[String],
    notifications: &mut Vec<Notification>,
) -> Option<PathGlobs> {
    if patterns.is_empty() {
        return None;
    }
    match PathGlobs::new(patterns) {
        Ok(globs) => Some(globs),
        Err(e) => {
            // Dropping a bad exclude would widen the scan silently; say so loudly instead.
            notifications.push(Notification::error(
                "invalid-glob",
                format!("{what}: {e}; the {what} list is not applied"),
            ));
            None
        }
    }
}

/// The repository-relative form of `path`: forward slashes, no leading `./`.
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// Walk errors name absolute paths; reports only ever show repository-relative ones.
fn redact_root(message: &str, root: &Path) -> String {
    let root = root.display().to_string();
    message.replace(&format!("{root}/"), "").replace(&root, ".")
}

/// A `file-skipped` warning about `rel`.
fn skipped(rel: &str, why: &str) -> Notification {
    Notification::warning("file-skipped", format!("skipped `{rel}`: {why}")).at(Location::file(rel))
}

/// Why `dir`'s `.gitignore` or `.tollgateignore` cannot be read safely, if it cannot: it is a
/// FIFO, socket or device (opening it could block for ever), or a link that does
/// not lead to a regular file inside `root`. Directories inside the root are `dir`; the root's
/// ancestors are checked by the same rule except for where their links lead.
fn special_ignore_file(dir: &Path, root: &Path) -> Option<String> {
    for name in [".gitignore", IGNORE_FILE] {
        let path = dir.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let rel = relative(root, &path).unwrap_or_else(|| name.to_string());
        let kind = meta.file_type();
        // A directory by that name cannot block: opening it fails and the walk says so.
        if kind.is_file() || kind.is_dir() {
            continue;
        }
        if kind.is_symlink() {
            match path.canonicalize() {
                Ok(target)
                    if target.is_file() && (target.starts_with(root) || !path.starts_with(root)) =>
                {
                    continue
                }
                _ => {
                    return Some(format!(
                        "its ignore file `{rel}` is a link that does not lead to a regular file inside the scanned directory"
                    ))
                }
            }
        }
        return Some(format!(
            "its ignore file `{rel}` is not a regular file (a FIFO, socket or device), and only regular files are read"
        ));
    }
    None
}

/// Where a symbolic link leads, if it is a file inside the root. Links to directories are not
/// followed (their content inside the root is walked anyway); links that leave the root or
/// cannot be resolved are reported with the reason.
fn resolve_link(root: &Path, link: &Path) -> Result<Option<PathBuf>, String> {
    let target = link
        .canonicalize()
        .map_err(|e| format!("that cannot be resolved ({e})"))?;
    if !target.starts_with(root) {
        return Err("that points outside the scanned directory".into());
    }
    // Directories are walked where they really are; FIFOs and devices could block a read.
    if !target.is_file() {
        return Ok(None);
    }
    Ok(Some(target))
}

/// Size, binary check and classification of one file. `Ok(None)` skips it silently; `Err`
/// says why it is skipped.
fn inspect(abs: &Path, rel: &str, max_file_bytes: u64) -> Result<Option<SourceFile>, String> {
    let unreadable = |e: std::io::Error| format!("cannot read it ({e})");
    let file = std::fs::File::open(abs).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    if size > max_file_bytes {
        return Err(format!(
            "it is {size} bytes, larger than the limit of {max_file_bytes} bytes (max-file-bytes)"
        ));
    }
    let probe = if classify::needs_content(rel) {
        HEAD_BYTES
    } else {
        BINARY_PROBE_BYTES
    };
    let mut head = Vec::with_capacity(probe.min(usize::try_from(size).unwrap_or(probe)));
    file.take(probe as u64)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    if head[..head.len().min(BINARY_PROBE_BYTES)].contains(&0) {
        if classify::is_interesting_name(rel) {
            return Err("it looks binary (it contains a NUL byte)".into());
        }
        return Ok(None);
    }
    Ok(Some(SourceFile {
        path: rel.to_string(),
        abs: abs.to_path_buf(),
        kind: classify::classify(rel, &head),
        size,
    }))
}

/// Parse `K/N` as given to `--shard`.
pub fn parse_shard(text: &str) -> Result<(u32, u32), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("invalid shard `{text}`, expected K/N such as 1/4"))?;
    let k = k.trim().parse::<u32>();
    let n = n.trim().parse::<u32>();
    match (k, n) {
        (Ok(k), Ok(n)) => check_shard((k, n)),
        _ => Err(format!("invalid shard `{text}`, expected K/N such as 1/4")),
    }
}

fn check_shard((k, n): (u32, u32)) -> Result<(u32, u32), String> {
    if n == 0 || k == 0 || k > n {
        return Err(format!("invalid shard {k}/{n}: expected 1 <= K <= N"));
    }
    Ok((k, n))
}

/// What `--shard` partitions by: the file's directory (repo-relative, `""` at the root), not
/// the file itself. A Terraform configuration is every `.tf`/`.tfvars` file of one directory,
/// and a Serverless or SAM template sits next to the lockfiles and code it names; splitting
/// such a directory across shards would evaluate half a configuration in each (missing
/// variables, dangling references) and the merged shard logs would differ from one run over
/// everything. Modules referenced from another directory are still read through the
/// inventory of the shard that holds their caller, so a module directory in another shard is
/// seen as missing there: shard a repository of such modules by its top directories instead.
pub fn shard_key(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// [`shard_key`], except that function code (`.py`, `.js`, `.ts`...) goes with the nearest
/// directory above it that holds a template: the code stage reads a handler together with the
/// template that declares it (its routes, its role), so both must be in the same shard.
pub fn code_shard_key<'a>(
    path: &'a str,
    template_dirs: &std::collections::BTreeSet<String>,
) -> &'a str {
    let dir = shard_key(path);
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    if !matches!(ext, "py" | "js" | "mjs" | "cjs" | "ts" | "mts" | "cts") {
        return dir;
    }
    let mut candidate = dir;
    loop {
        if template_dirs.contains(candidate) {
            return candidate;
        }
        if candidate.is_empty() {
            return dir;
        }
        candidate = candidate.rsplit_once('/').map_or("", |(up, _)| up);
    }
}

/// The 0-based shard of `path` among `n`: FNV-1a of the relative path, the same on every
/// machine and every run (unlike Rust's randomized hasher), so parallel CI jobs agree.
pub fn shard_of(path: &str, n: u32) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in path.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % u64::from(n.max(1))) as u32
}
