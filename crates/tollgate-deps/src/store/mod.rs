//! The local advisory database: any number of sources, each a directory of OSV JSON files
//! (searched recursively, symlinks not followed) or an OSV `all.zip`, each with an index of
//! which entries concern which package. Advisories are parsed only when a scanned package
//! needs them, and then once.

mod error;
pub mod index;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use error::DbError;
pub use index::SourceIndex;

use crate::osv::Advisory;
use crate::Ecosystem;

/// Largest advisory accepted (one JSON file or zip entry), against zip bombs.
pub const MAX_ADVISORY_BYTES: u64 = 16 * 1024 * 1024;
/// Deepest directory level searched for advisories.
const MAX_DIR_DEPTH: usize = 32;

type ZipReader = zip::ZipArchive<BufReader<File>>;

enum Reader {
    Dir,
    Zip(Mutex<ZipReader>),
}

struct Source {
    path: PathBuf,
    reader: Reader,
    index: SourceIndex,
}

/// Advisories parsed so far, by (source, entry); `None` for an entry that did not parse.
type ParsedCache = HashMap<(usize, u32), Option<Arc<Advisory>>>;

/// One or more advisory sources with their indexes.
pub struct AdvisoryDb {
    sources: Vec<Source>,
    parsed: Mutex<ParsedCache>,
}

impl std::fmt::Debug for AdvisoryDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdvisoryDb")
            .field(
                "sources",
                &self.sources.iter().map(|s| &s.path).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

fn mtime_nanos(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

fn open_zip(path: &Path) -> Result<ZipReader, DbError> {
    let file = File::open(path).map_err(|e| DbError::io(path, e))?;
    zip::ZipArchive::new(BufReader::new(file)).map_err(|e| DbError::Zip {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Read zip entry `i` fully (which checks its CRC) within the size cap.
fn read_zip_entry(
    zip: &mut ZipReader,
    path: &Path,
    i: usize,
) -> Result<(String, Vec<u8>), DbError> {
    let zip_err = |message: String| DbError::Zip {
        path: path.to_path_buf(),
        message,
    };
    let mut entry = zip.by_index(i).map_err(|e| zip_err(e.to_string()))?;
    let name = entry.name().to_string();
    if entry.size() > MAX_ADVISORY_BYTES {
        return Err(zip_err(format!(
            "entry {name} is larger than {MAX_ADVISORY_BYTES} bytes"
        )));
    }
    let mut buf = Vec::with_capacity(entry.size() as usize);
    (&mut entry)
        .take(MAX_ADVISORY_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| zip_err(format!("entry {name}: {e}")))?;
    Ok((name, buf))
}

/// Every `*.json` under `root`, relative, sorted so entry numbers are stable.
fn json_files(root: &Path) -> Result<Vec<String>, DbError> {
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| DbError::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| DbError::io(&dir, e))?;
            let ty = entry
                .file_type()
                .map_err(|e| DbError::io(entry.path(), e))?;
            let path = entry.path();
            if ty.is_dir() && depth < MAX_DIR_DEPTH {
                stack.push((path, depth + 1));
            } else if ty.is_file() && path.extension().is_some_and(|e| e == "json") {
                if let Ok(rel) = path.strip_prefix(root) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Identifies a source's content cheaply, so a saved index is reused only for the same data.
fn fingerprint(path: &Path, files: Option<&[String]>) -> Result<String, DbError> {
    let meta = std::fs::metadata(path).map_err(|e| DbError::io(path, e))?;
    match files {
        None => Ok(format!("zip:{}:{}", meta.len(), mtime_nanos(&meta))),
        Some(files) => {
            let (mut size, mut newest) = (0u64, 0u128);
            for f in files {
                let m =
                    std::fs::metadata(path.join(f)).map_err(|e| DbError::io(path.join(f), e))?;
                size += m.len();
                newest = newest.max(mtime_nanos(&m));
            }
            Ok(format!("dir:{}:{size}:{newest}", files.len()))
        }
    }
}

/// The fingerprint a zip source's index is saved under.
pub(crate) fn zip_fingerprint(path: &Path) -> Result<String, DbError> {
    fingerprint(path, None)
}

/// Build the index of a zip by reading every entry; fails on any damaged entry, which is what
/// makes it the integrity check of a download.
pub(crate) fn index_zip(
    zip: &mut ZipReader,
    path: &Path,
    fingerprint: String,
) -> Result<SourceIndex, DbError> {
    let mut index = SourceIndex {
        fingerprint,
        ..SourceIndex::default()
    };
    for i in 0..zip.len() {
        let (name, bytes) = read_zip_entry(zip, path, i)?;
        if name.ends_with(".json") {
            index.add(i as u32, &name, &bytes);
        }
    }
    Ok(index)
}

fn index_directory(
    root: &Path,
    files: Vec<String>,
    fingerprint: String,
) -> Result<SourceIndex, DbError> {
    let mut index = SourceIndex {
        fingerprint,
        ..SourceIndex::default()
    };
    for (i, rel) in files.iter().enumerate() {
        let path = root.join(rel);
        let size = std::fs::metadata(&path)
            .map_err(|e| DbError::io(&path, e))?
            .len();
        if size > MAX_ADVISORY_BYTES {
            index.unreadable.push((
                rel.clone(),
                format!("larger than {MAX_ADVISORY_BYTES} bytes"),
            ));
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| DbError::io(&path, e))?;
        index.add(i as u32, rel, &bytes);
    }
    index.files = files;
    Ok(index)
}

/// Where the index of `source` is kept when it is not a cached download: a file named after a
/// hash of the source's path in `index_dir`.
fn index_path_for(source: &Path, index_dir: Option<&Path>) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    let dir = index_dir?;
    let canonical = source.canonicalize().ok()?;
    let mut h = std::hash::DefaultHasher::new();
    canonical.hash(&mut h);
    Some(dir.join(format!("{:016x}.idx", h.finish())))
}

impl AdvisoryDb {
    /// Open `paths` (directories of OSV JSON, or zip archives). Indexes are read from or saved
    /// to `index_dir` when given (a zip with an `<name>.idx` beside it uses that one), and
    /// built in memory otherwise.
    pub fn open(paths: &[PathBuf], index_dir: Option<&Path>) -> Result<AdvisoryDb, DbError> {
        let mut sources = Vec::with_capacity(paths.len());
        for path in paths {
            let meta = std::fs::metadata(path).map_err(|e| DbError::io(path, e))?;
            let beside = path.with_extension("idx");
            let saved = if meta.is_file() && beside.exists() {
                Some(beside)
            } else {
                index_path_for(path, index_dir)
            };
            let source = if meta.is_dir() {
                let files = json_files(path)?;
                let fp = fingerprint(path, Some(&files))?;
                let index = match saved.as_deref().and_then(|p| SourceIndex::load(p, &fp)) {
                    Some(index) => index,
                    None => {
                        let index = index_directory(path, files, fp)?;
                        if let Some(p) = &saved {
                            // A cache that cannot be written only costs time next run.
                            let _ = index.save(p);
                        }
                        index
                    }
                };
                Source {
                    path: path.clone(),
                    reader: Reader::Dir,
                    index,
                }
            } else {
                let mut zip = open_zip(path)?;
                let fp = fingerprint(path, None)?;
                let index = match saved.as_deref().and_then(|p| SourceIndex::load(p, &fp)) {
                    Some(index) => index,
                    None => {
                        let index = index_zip(&mut zip, path, fp)?;
                        if let Some(p) = &saved {
                            let _ = index.save(p);
                        }
                        index
                    }
                };
                Source {
                    path: path.clone(),
                    reader: Reader::Zip(Mutex::new(zip)),
                    index,
                }
            };
            sources.push(source);
        }
        Ok(AdvisoryDb {
            sources,
            parsed: Mutex::new(HashMap::new()),
        })
    }

    /// Number of advisories indexed across sources.
    pub fn advisory_count(&self) -> usize {
        self.sources.iter().map(|s| s.index.advisories).sum()
    }

    /// Entries that could not be read as OSV, as `source: entry: reason`.
    pub fn unreadable(&self) -> Vec<String> {
        self.sources
            .iter()
            .flat_map(|s| {
                s.index
                    .unreadable
                    .iter()
                    .map(move |(n, r)| format!("{}: {n}: {r}", s.path.display()))
            })
            .collect()
    }

    fn read_entry(&self, source: &Source, entry: u32) -> Result<Vec<u8>, DbError> {
        match &source.reader {
            Reader::Dir => {
                let rel =
                    source
                        .index
                        .files
                        .get(entry as usize)
                        .ok_or_else(|| DbError::Invalid {
                            path: source.path.clone(),
                            message: format!("index names entry {entry}, which does not exist"),
                        })?;
                let path = source.path.join(rel);
                let file = File::open(&path).map_err(|e| DbError::io(&path, e))?;
                let mut buf = Vec::new();
                file.take(MAX_ADVISORY_BYTES)
                    .read_to_end(&mut buf)
                    .map_err(|e| DbError::io(&path, e))?;
                Ok(buf)
            }
            Reader::Zip(zip) => {
                let mut zip = zip.lock().unwrap_or_else(|e| e.into_inner());
                read_zip_entry(&mut zip, &source.path, entry as usize).map(|(_, b)| b)
            }
        }
    }

    /// The advisories that name `name` (normalised) in `ecosystem`, whatever the version.
    pub fn advisories_for(
        &self,
        ecosystem: Ecosystem,
        name: &str,
    ) -> Result<Vec<Arc<Advisory>>, DbError> {
        let mut out: Vec<Arc<Advisory>> = Vec::new();
        for (si, source) in self.sources.iter().enumerate() {
            for &entry in source.index.lookup(ecosystem, name) {
                let cached = self
                    .parsed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&(si, entry))
                    .cloned();
                let advisory = match cached {
                    Some(a) => a,
                    None => {
                        let bytes = self.read_entry(source, entry)?;
                        // The index already recorded unreadable entries; a changed file is skipped.
                        let a = serde_json::from_slice::<Advisory>(&bytes)
                            .ok()
                            .map(Arc::new);
                        self.parsed
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert((si, entry), a.clone());
                        a
                    }
                };
                // The same advisory may sit in two sources (a directory and a zip): keep one.
                if let Some(a) = advisory {
                    if !out.iter().any(|o| o.id == a.id) {
                        out.push(a);
                    }
                }
            }
        }
        Ok(out)
    }
}
