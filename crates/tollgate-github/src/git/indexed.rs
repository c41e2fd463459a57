//! Blob ids that git's index vouches for, so that the files of the work tree need not be hashed
//! to learn which ones a revision holds unchanged.
//!
//! The index records, for each file it tracks, the blob id of its content with the file's stat
//! data at the time (size, modification and change times to the nanosecond, inode, mode,
//! owner). A file whose stat data is still the recorded one holds that blob, as
//! `git status` assumes, unless it was changed within the same instant the index was written
//! ("racily clean": git hashes such entries again, and so does this), or a filter (a clean or
//! smudge driver of the config, end-of-line conversion, `ident`) makes the work tree's bytes
//! differ from the blob's. Filter drivers are ruled out by the config having none; the built-in
//! conversions change a file's size, so the size the head read must also be the blob's size.
//! Where the index does not vouch, the caller hashes the text as before.

use std::path::{Path, PathBuf};

use git2::{IndexEntryExtendedFlag, Oid, Repository};

/// The work tree's index, read once.
pub(super) struct IndexedBlobs {
    index: git2::Index,
    /// The scanned directory's place in the work tree (`""` or `"sub/dir/"`).
    prefix: String,
    /// The scanned directory.
    dir: PathBuf,
    /// When the index file was last written, as (seconds, nanoseconds).
    written: (u32, u32),
}

impl IndexedBlobs {
    /// The index of `repo`'s work tree, `None` when it has none, it cannot be read, or the
    /// config names a filter driver (whose output the size says nothing about).
    pub(super) fn open(repo: &Repository, dir: &Path, prefix: &str) -> Option<Self> {
        repo.workdir()?;
        let config = repo.config().ok()?;
        if config.entries(Some("filter\\..*")).ok()?.next().is_some() {
            return None;
        }
        let index = repo.index().ok()?;
        let written = modified(&std::fs::metadata(index.path()?).ok()?);
        Some(Self {
            index,
            prefix: prefix.to_string(),
            dir: dir.to_path_buf(),
            written,
        })
    }

    /// Whether the file at `rel` (relative to the scanned directory), read as `len` bytes, is
    /// by the index blob `id` of `size` bytes, unchanged since the index recorded it.
    pub(super) fn vouches(&self, rel: &str, id: Oid, size: u64, len: usize) -> bool {
        if len as u64 != size {
            return false;
        }
        let path = format!("{}{rel}", self.prefix);
        let Some(entry) = self.index.get_path(Path::new(&path), 0) else {
            return false;
        };
        let flags = IndexEntryExtendedFlag::from_bits_truncate(entry.flags_extended);
        if entry.id != id
            || u64::from(entry.file_size) != size
            || flags.is_intent_to_add()
            || flags.is_skip_worktree()
        {
            return false;
        }
        let Ok(meta) = std::fs::symlink_metadata(self.dir.join(rel)) else {
            return false;
        };
        let recorded = (entry.mtime.seconds() as u32, entry.mtime.nanoseconds());
        // Racily clean: a change in the same instant as the index write leaves the stat data
        // as recorded.
        if recorded >= self.written {
            return false;
        }
        same_stat(&meta, &entry, recorded)
    }
}

/// A file's modification time as (seconds, nanoseconds), in the 32 bits of each the index
/// keeps.
fn modified(meta: &std::fs::Metadata) -> (u32, u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.mtime() as u32, meta.mtime_nsec() as u32)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (0, 0)
    }
}

/// Whether `meta` is the stat data the index recorded for the file: a regular file with the
/// same size, times, inode, mode and owner (in the 32 bits the index keeps of each). The device
/// is left out as git leaves it out (libgit2 records none).
#[cfg(unix)]
fn same_stat(meta: &std::fs::Metadata, entry: &git2::IndexEntry, mtime: (u32, u32)) -> bool {
    use std::os::unix::fs::MetadataExt;
    let executable = meta.mode() & 0o100 != 0;
    let mode = if executable { 0o100755 } else { 0o100644 };
    meta.file_type().is_file()
        && modified(meta) == mtime
        && (meta.ctime() as u32, meta.ctime_nsec() as u32)
            == (entry.ctime.seconds() as u32, entry.ctime.nanoseconds())
        && meta.size() == u64::from(entry.file_size)
        && meta.ino() as u32 == entry.ino
        && meta.uid() == entry.uid
        && meta.gid() == entry.gid
        && entry.mode == mode
}

/// Elsewhere the stat data is not compared: the index vouches for nothing.
#[cfg(not(unix))]
fn same_stat(_: &std::fs::Metadata, _: &git2::IndexEntry, _: (u32, u32)) -> bool {
    false
}
