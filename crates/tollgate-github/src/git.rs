//! Reading the local checkout with git2: the merge-base diff of a pull request, and the base
//! revision's tree written into a directory so it can be scanned without a checkout.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use git2::{Delta, DiffOptions, ObjectType, Oid, Patch, Repository, Tree};

use crate::diff::{DiffMap, FileDiff};

mod indexed;

use indexed::IndexedBlobs;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{repo}: not a git repository: {message}")]
    Open { repo: String, message: String },
    #[error(
        "commit `{rev}` is not in the local repository{shallow}; hint: fetch it (e.g. `fetch-depth: 0`) or rely on the pull request files API"
    )]
    Missing { rev: String, shallow: &'static str },
    #[error("{repo}: git: {message}")]
    Git { repo: String, message: String },
    #[error("{path}: cannot write the base revision: {message}")]
    Write { path: String, message: String },
    #[error("{0}: the destination must be an empty directory")]
    NotEmpty(String),
}

fn git_err(repo: &Path) -> impl Fn(git2::Error) -> GitError + '_ {
    move |e| GitError::Git {
        repo: repo.display().to_string(),
        message: e.message().to_string(),
    }
}

/// The repository holding `path` (the directory itself or the nearest one above it with a
/// `.git`), and `path`'s place in its work tree: `""` at the top, else `"services/orders/"`.
/// A scan of a subdirectory compares that same subdirectory of other revisions.
fn open(path: &Path) -> Result<(Repository, String), GitError> {
    let repo = Repository::discover(path).map_err(|e| GitError::Open {
        repo: path.display().to_string(),
        message: e.message().to_string(),
    })?;
    let prefix = match repo.workdir() {
        Some(workdir) => {
            let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
            match canonical(path).strip_prefix(canonical(workdir)) {
                Ok(rel) => rel
                    .components()
                    .map(|c| format!("{}/", c.as_os_str().to_string_lossy()))
                    .collect(),
                Err(_) => String::new(),
            }
        }
        None => String::new(),
    };
    Ok((repo, prefix))
}

/// Where the directory `repo_path` sits inside its git work tree (`""` at the top, else with a
/// trailing `/`), or `None` outside a repository.
pub fn subdirectory_in_repo(path: &Path) -> Option<String> {
    open(path).ok().map(|(_, prefix)| prefix)
}

fn resolve(repo: &Repository, rev: &str) -> Result<Oid, GitError> {
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map(|c| c.id())
        .map_err(|_| GitError::Missing {
            rev: rev.to_string(),
            shallow: if repo.is_shallow() {
                " (the checkout is shallow)"
            } else {
                ""
            },
        })
}

impl DiffMap {
    /// The `base...head` diff of the checkout at `repo_path`: from the merge base of the two
    /// revisions to `head`, as GitHub shows a pull request. Fails with [`GitError::Missing`]
    /// when a revision is absent (shallow clone); callers then use the files API.
    ///
    /// When `repo_path` is a subdirectory of the work tree, only that subdirectory's files are
    /// kept, with paths relative to it (as a scan of it reports them).
    pub fn from_git(repo_path: &Path, base: &str, head: &str) -> Result<DiffMap, GitError> {
        let (repo, prefix) = open(repo_path)?;
        let e = git_err(repo_path);
        let base_id = resolve(&repo, base)?;
        let head_id = resolve(&repo, head)?;
        let merge_base = repo
            .merge_base(base_id, head_id)
            .map_err(|_| GitError::Missing {
                rev: format!("merge base of {base} and {head}"),
                shallow: if repo.is_shallow() {
                    " (the checkout is shallow)"
                } else {
                    ""
                },
            })?;
        let old = repo
            .find_commit(merge_base)
            .and_then(|c| c.tree())
            .map_err(&e)?;
        let new = repo
            .find_commit(head_id)
            .and_then(|c| c.tree())
            .map_err(&e)?;
        let mut opts = DiffOptions::new();
        opts.context_lines(3);
        let mut diff = repo
            .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut opts))
            .map_err(&e)?;
        diff.find_similar(None).map_err(&e)?;
        let mut map = DiffMap::default();
        for idx in 0..diff.deltas().len() {
            let Some(patch) = Patch::from_diff(&diff, idx).map_err(&e)? else {
                continue;
            };
            let delta = patch.delta();
            if delta.status() == Delta::Deleted {
                continue;
            }
            let Some(path) = delta.new_file().path().and_then(|p| p.to_str()) else {
                continue;
            };
            let Some(path) = path.strip_prefix(prefix.as_str()) else {
                continue;
            };
            let mut file = FileDiff {
                patch_missing: delta.flags().is_binary(),
                ..FileDiff::default()
            };
            for h in 0..patch.num_hunks() {
                let (hunk, lines) = patch.hunk(h).map_err(&e)?;
                if hunk.new_lines() > 0 {
                    file.hunks
                        .push((hunk.new_start(), hunk.new_start() + hunk.new_lines() - 1));
                }
                for l in 0..lines {
                    let line = patch.line_in_hunk(h, l).map_err(&e)?;
                    if line.origin() == '+' {
                        if let Some(n) = line.new_lineno() {
                            file.added.insert(n);
                        }
                    }
                }
            }
            // git always separates with `/`; a backslash belongs to the name.
            map.files.insert(path.to_string(), file);
        }
        Ok(map)
    }
}

/// Caps for [`base_tree_to_dir_with`]: the base revision is as untrusted as the head.
#[derive(Debug, Clone)]
pub struct TreeLimits {
    pub max_blob_bytes: u64,
    pub max_total_bytes: u64,
    pub max_entries: usize,
    pub max_depth: usize,
}

impl Default for TreeLimits {
    fn default() -> Self {
        Self {
            max_blob_bytes: 5 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
            max_entries: 200_000,
            max_depth: 64,
        }
    }
}

/// What [`base_tree_to_dir`] wrote and what it left out (path, reason).
#[derive(Debug, Clone, Default)]
pub struct BaseTree {
    pub commit: String,
    /// Files of the revision: written, or shared with the head.
    pub files: usize,
    pub bytes: u64,
    pub skipped: Vec<(String, String)>,
    /// Files not written because the head holds the same content at the same path, under the
    /// same ignore files (see [`base_tree_to_dir_sharing`]), in tree order.
    pub shared: Vec<String>,
}

/// The text the head's scan read for a file of its inventory at a path relative to the
/// scanned directory, when it is a regular file it could read; `None` otherwise.
pub type HeadText<'a> = dyn Fn(&str) -> Option<Arc<str>> + 'a;

/// Write the tree of revision `base` of the repository at `repo_path` into the empty (or
/// absent) directory `dest`, reading objects only: the work tree and index are untouched,
/// nothing is checked out or run. Symlinks and submodules are skipped (a link could point out
/// of `dest`), so are blobs over the size cap and names that are not plain path components.
pub fn base_tree_to_dir(repo_path: &Path, base: &str, dest: &Path) -> Result<BaseTree, GitError> {
    base_tree_to_dir_with(repo_path, base, dest, &TreeLimits::default())
}

pub fn base_tree_to_dir_with(
    repo_path: &Path,
    base: &str,
    dest: &Path,
    limits: &TreeLimits,
) -> Result<BaseTree, GitError> {
    base_tree_to(repo_path, base, dest, limits, None)
}

/// [`base_tree_to_dir_with`], leaving out the files the head (the work tree at `repo_path`, as
/// its scan read it through `head`) holds with the same git blob id at the same path: they are
/// listed in [`BaseTree::shared`] instead, for the base's scan to take the head's text and
/// parsed document rather than write, read and parse the same bytes again.
///
/// A file is shared only when a walk of `dest` would have kept it wherever the head's walk did:
/// every directory from the top down to it holds the same `.gitignore` and `.tollgateignore`
/// in both trees (or neither), and `dest` lies under no ignore file of its own. When the
/// writer stops at its entry or size cap, every shared file is written after all, so a
/// truncated base is the same as without sharing. Directories are made only for the files
/// written into them.
pub fn base_tree_to_dir_sharing(
    repo_path: &Path,
    base: &str,
    dest: &Path,
    limits: &TreeLimits,
    head: &HeadText<'_>,
) -> Result<BaseTree, GitError> {
    base_tree_to(repo_path, base, dest, limits, Some(head))
}

fn base_tree_to(
    repo_path: &Path,
    base: &str,
    dest: &Path,
    limits: &TreeLimits,
    head: Option<&HeadText<'_>>,
) -> Result<BaseTree, GitError> {
    let (repo, prefix) = open(repo_path)?;
    let id = resolve(&repo, base)?;
    let mut tree = repo
        .find_commit(id)
        .and_then(|c| c.tree())
        .map_err(git_err(repo_path))?;
    // A scan of a subdirectory compares the same subdirectory of the base; when the base has
    // no such directory, it is empty there and every finding is new.
    let mut absent = false;
    if !prefix.is_empty() {
        match tree.get_path(Path::new(prefix.trim_end_matches('/'))) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                tree = repo.find_tree(entry.id()).map_err(git_err(repo_path))?;
            }
            Ok(_) => absent = true,
            Err(e) if e.code() == git2::ErrorCode::NotFound => absent = true,
            Err(e) => return Err(git_err(repo_path)(e)),
        }
    }
    let werr = |path: &Path, e: std::io::Error| GitError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dest).map_err(|e| werr(dest, e))?;
    if std::fs::read_dir(dest)
        .map_err(|e| werr(dest, e))?
        .next()
        .is_some()
    {
        return Err(GitError::NotEmpty(dest.display().to_string()));
    }
    let mut out = BaseTree {
        commit: id.to_string(),
        ..BaseTree::default()
    };
    if absent {
        return Ok(out);
    }
    // An ignore file above `dest` would hide base files the head's walk kept.
    let share = head.is_some() && !under_ignore_file(dest);
    let indexed = share
        .then(|| IndexedBlobs::open(&repo, repo_path, &prefix))
        .flatten();
    let mut writer = TreeWriter {
        repo: &repo,
        repo_path,
        limits,
        out: &mut out,
        entries: 0,
        head,
        indexed,
        deferred: Vec::new(),
        truncated: false,
        made: std::collections::HashSet::new(),
    };
    writer.write(&tree, dest, "", 0, share)?;
    if writer.truncated {
        for (target, id) in std::mem::take(&mut writer.deferred) {
            writer.write_blob(&target, id)?;
        }
        out.shared.clear();
    }
    Ok(out)
}

/// The ignore files the inventory walk reads in every directory (`tollgate_core::inventory`).
const IGNORE_FILES: [&str; 2] = [".gitignore", tollgate_core::inventory::IGNORE_FILE];

/// Whether a directory above `dir` (or `dir` itself) holds an ignore file.
fn under_ignore_file(dir: &Path) -> bool {
    dir.ancestors().any(|d| {
        IGNORE_FILES
            .iter()
            .any(|name| std::fs::symlink_metadata(d.join(name)).is_ok())
    })
}

/// The git blob id of the regular file at `path` (at most `limit` bytes), `None` when there
/// is nothing there, and an error when it is something else or cannot be read.
fn disk_blob_id(path: &Path, limit: u64) -> Result<Option<Oid>, ()> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Ok(meta) if meta.is_file() && meta.len() <= limit => {
            let bytes = std::fs::read(path).map_err(|_| ())?;
            Oid::hash_object(ObjectType::Blob, &bytes)
                .map(Some)
                .map_err(|_| ())
        }
        _ => Err(()),
    }
}

struct TreeWriter<'a> {
    repo: &'a Repository,
    repo_path: &'a Path,
    limits: &'a TreeLimits,
    out: &'a mut BaseTree,
    entries: usize,
    /// The head's texts, when files the head holds unchanged are shared rather than written.
    head: Option<&'a HeadText<'a>>,
    /// The work tree's index, which spares hashing the head's texts of files it vouches for.
    indexed: Option<IndexedBlobs>,
    /// The shared files' destinations and blobs, written after all if the tree is truncated.
    deferred: Vec<(PathBuf, Oid)>,
    /// An entry or total size cap was reached.
    truncated: bool,
    /// Directories made so far, when they are made on demand (files are shared).
    made: std::collections::HashSet<PathBuf>,
}

impl TreeWriter<'_> {
    fn skip(&mut self, path: String, why: &str) {
        self.out.skipped.push((path, why.to_string()));
    }

    fn write_blob(&mut self, target: &Path, id: Oid) -> Result<(), GitError> {
        if self.head.is_some() {
            // Directories are made for the files written into them only: a directory whose
            // files are all shared would be an empty one the walk finds nothing in.
            if let Some(dir) = target.parent().filter(|d| !self.made.contains(*d)) {
                std::fs::create_dir_all(dir).map_err(|err| GitError::Write {
                    path: dir.display().to_string(),
                    message: err.to_string(),
                })?;
                self.made.insert(dir.to_path_buf());
            }
        }
        let blob = self.repo.find_blob(id).map_err(git_err(self.repo_path))?;
        std::fs::write(target, blob.content()).map_err(|err| GitError::Write {
            path: target.display().to_string(),
            message: err.to_string(),
        })
    }

    /// Whether the directory `prefix` holds the same ignore files in the base `tree` and in
    /// the head, each one a regular file the writer writes (or absent on both sides).
    fn same_ignore_files(&self, tree: &Tree<'_>, prefix: &str) -> bool {
        IGNORE_FILES.iter().all(|name| {
            let base = match tree.get_name(name) {
                None => None,
                Some(entry) => {
                    let regular = entry.kind() == Some(ObjectType::Blob)
                        && matches!(entry.filemode(), 0o100644 | 0o100755);
                    let size = self
                        .repo
                        .odb()
                        .and_then(|odb| odb.read_header(entry.id()))
                        .map(|(size, _)| size as u64);
                    if !regular || !size.is_ok_and(|s| s <= self.limits.max_blob_bytes) {
                        return false;
                    }
                    Some(entry.id())
                }
            };
            let head = self.repo_path.join(prefix).join(name);
            disk_blob_id(&head, self.limits.max_blob_bytes).is_ok_and(|head| head == base)
        })
    }

    /// Whether the head's scan read the same content as blob `id` (of `size` bytes) at `rel`:
    /// the index says so for a file unchanged since it was recorded, else the text's blob id.
    fn same_in_head(&self, rel: &str, id: Oid, size: u64) -> bool {
        let Some(text) = self.head.and_then(|head| head(rel)) else {
            return false;
        };
        if let Some(indexed) = &self.indexed {
            if indexed.vouches(rel, id, size, text.len()) {
                return true;
            }
        }
        Oid::hash_object(ObjectType::Blob, text.as_bytes()).ok() == Some(id)
    }

    fn write(
        &mut self,
        tree: &Tree<'_>,
        dir: &Path,
        prefix: &str,
        depth: usize,
        share: bool,
    ) -> Result<(), GitError> {
        let e = git_err(self.repo_path);
        let share = share && self.same_ignore_files(tree, prefix);
        for entry in tree.iter() {
            self.entries += 1;
            let raw = String::from_utf8_lossy(entry.name_bytes()).into_owned();
            let rel = format!("{prefix}{raw}");
            if self.entries > self.limits.max_entries {
                self.skip(rel, "entry limit reached");
                self.truncated = true;
                return Ok(());
            }
            let Some(name) = entry.name().ok().filter(|n| plain_component(n)) else {
                self.skip(rel, "name is not a plain path component");
                continue;
            };
            let target = dir.join(name);
            match (entry.kind(), entry.filemode()) {
                (Some(ObjectType::Tree), _) => {
                    if depth + 1 > self.limits.max_depth {
                        self.skip(rel, "directory nesting too deep");
                        continue;
                    }
                    let sub = self.repo.find_tree(entry.id()).map_err(&e)?;
                    if self.head.is_none() {
                        std::fs::create_dir(&target).map_err(|err| GitError::Write {
                            path: target.display().to_string(),
                            message: err.to_string(),
                        })?;
                    }
                    self.write(&sub, &target, &format!("{rel}/"), depth + 1, share)?;
                }
                (Some(ObjectType::Blob), 0o100644 | 0o100755) => {
                    let (size, _) = self
                        .repo
                        .odb()
                        .and_then(|odb| odb.read_header(entry.id()))
                        .map_err(&e)?;
                    let size = size as u64;
                    if size > self.limits.max_blob_bytes {
                        self.skip(rel, "file larger than the size cap");
                        continue;
                    }
                    if self.out.bytes + size > self.limits.max_total_bytes {
                        self.skip(rel, "total size cap reached");
                        self.truncated = true;
                        continue;
                    }
                    let ignore_file = IGNORE_FILES.contains(&name);
                    if share && !ignore_file && self.same_in_head(&rel, entry.id(), size) {
                        self.deferred.push((target, entry.id()));
                        self.out.shared.push(rel);
                    } else {
                        self.write_blob(&target, entry.id())?;
                    }
                    self.out.files += 1;
                    self.out.bytes += size;
                }
                (Some(ObjectType::Blob), _) => self.skip(rel, "symbolic link"),
                _ => self.skip(rel, "submodule"),
            }
        }
        Ok(())
    }
}

fn plain_component(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.eq_ignore_ascii_case(".git")
        && !name.contains(['/', '\\', '\0', ':'])
}
