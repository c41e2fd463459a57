//! The local advisory database: any number of sources, each a directory of OSV JSON files
//! (searched recursively, symlinks not followed) or an OSV `all.zip`, each with an index of
//! which entries concern which package. Advisories are parsed only when a scanned package
//! needs them, and then once.

mod codec;
mod error;
pub mod index;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub use error::DbError;
pub use index::{LoadError, Location, Record, SourceIndex};

use crate::osv::Advisory;
use crate::Ecosystem;

/// Largest advisory accepted (one JSON file or zip entry), against zip bombs.
pub const MAX_ADVISORY_BYTES: u64 = 16 * 1024 * 1024;
/// Deepest directory level searched for advisories.
const MAX_DIR_DEPTH: usize = 32;

type ZipReader = zip::ZipArchive<BufReader<File>>;

/// An open zip: the file read directly at the data offsets the index keeps (with one reused
/// inflater), and the archive itself, opened only when an entry must be found by number.
struct ZipSource {
    direct: Mutex<(File, flate2::Decompress)>,
    archive: OnceLock<Result<Mutex<ZipReader>, String>>,
}

enum Reader {
    Dir,
    Zip(Box<ZipSource>),
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

/// Read zip entry `i` fully (which checks its CRC) within the size cap; also says where its
/// data lies, for direct reads later.
fn read_zip_entry(
    zip: &mut ZipReader,
    path: &Path,
    i: usize,
) -> Result<(String, Vec<u8>, Location), DbError> {
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
    let method = match entry.compression() {
        zip::CompressionMethod::Stored => Some(0),
        zip::CompressionMethod::Deflated => Some(8),
        _ => None,
    };
    let location = match (entry.data_start(), method) {
        (Some(data_start), Some(method)) => Location::Zip {
            data_start,
            compressed: entry.compressed_size(),
            size: entry.size(),
            method,
            crc32: entry.crc32(),
        },
        _ => Location::Entry,
    };
    Ok((name, buf, location))
}

/// Read a zip entry at the data offset the index recorded, inflate it and check its size and
/// CRC: no central directory to parse, which is most of opening a 50,000-entry archive.
fn read_direct(
    file: &mut File,
    inflater: &mut flate2::Decompress,
    path: &Path,
    location: Location,
) -> Result<Vec<u8>, String> {
    let Location::Zip {
        data_start,
        compressed,
        size,
        method,
        crc32,
    } = location
    else {
        return Err("no data offset".to_string());
    };
    if size > MAX_ADVISORY_BYTES || compressed > MAX_ADVISORY_BYTES {
        return Err(format!("entry larger than {MAX_ADVISORY_BYTES} bytes"));
    }
    let mut raw = vec![0u8; compressed as usize];
    file.seek(SeekFrom::Start(data_start))
        .and_then(|_| file.read_exact(&mut raw))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let data = match method {
        0 => raw,
        8 => {
            let mut out = Vec::with_capacity(size as usize);
            inflater.reset(false);
            let status = inflater
                .decompress_vec(&raw, &mut out, flate2::FlushDecompress::Finish)
                .map_err(|e| e.to_string())?;
            if status != flate2::Status::StreamEnd {
                return Err("deflate stream longer than the recorded size".to_string());
            }
            out
        }
        other => return Err(format!("compression method {other}")),
    };
    let mut crc = flate2::Crc::new();
    crc.update(&data);
    if data.len() as u64 != size || crc.sum() != crc32 {
        return Err("size or CRC differs from the index".to_string());
    }
    Ok(data)
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
    let mut index = SourceIndex::new(fingerprint);
    for i in 0..zip.len() {
        let (name, bytes, location) = read_zip_entry(zip, path, i)?;
        if name.ends_with(".json") {
            index.add_at(i as u32, location, &name, &bytes);
        }
    }
    index.finish();
    Ok(index)
}

fn index_directory(
    root: &Path,
    files: Vec<String>,
    fingerprint: String,
) -> Result<SourceIndex, DbError> {
    let mut index = SourceIndex::new(fingerprint);
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
    index.finish();
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

/// The saved index at `saved` if it is sound and for this fingerprint; a damaged one is said
/// in the log and rebuilt by the caller, never trusted.
fn load_saved(saved: Option<&Path>, fingerprint: &str) -> Option<SourceIndex> {
    let path = saved?;
    match SourceIndex::read(path, fingerprint) {
        Ok(index) => Some(index),
        Err(LoadError::Corrupt(why)) => {
            tracing::warn!("advisory index is damaged, rebuilding it: {why}");
            None
        }
        Err(LoadError::Stale) => {
            tracing::debug!("advisory index {} is for older data", path.display());
            None
        }
        Err(LoadError::Missing) => None,
    }
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
                let index = match load_saved(saved.as_deref(), &fp) {
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
                let fp = fingerprint(path, None)?;
                let archive = OnceLock::new();
                let index = match load_saved(saved.as_deref(), &fp) {
                    Some(index) => index,
                    None => {
                        let mut zip = open_zip(path)?;
                        let index = index_zip(&mut zip, path, fp)?;
                        if let Some(p) = &saved {
                            let _ = index.save(p);
                        }
                        let _ = archive.set(Ok(Mutex::new(zip)));
                        index
                    }
                };
                let file = File::open(path).map_err(|e| DbError::io(path, e))?;
                Source {
                    path: path.clone(),
                    reader: Reader::Zip(Box::new(ZipSource {
                        direct: Mutex::new((file, flate2::Decompress::new(false))),
                        archive,
                    })),
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

    fn read_entry(
        &self,
        source: &Source,
        entry: u32,
        location: Location,
    ) -> Result<Vec<u8>, DbError> {
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
                if matches!(location, Location::Zip { .. }) {
                    let mut direct = zip.direct.lock().unwrap_or_else(|e| e.into_inner());
                    let (file, inflater) = &mut *direct;
                    match read_direct(file, inflater, &source.path, location) {
                        Ok(bytes) => return Ok(bytes),
                        // The archive is read the slow way below, which says what is wrong.
                        Err(why) => tracing::debug!(
                            "{}: entry {entry} not read directly ({why})",
                            source.path.display()
                        ),
                    }
                }
                let archive = zip
                    .archive
                    .get_or_init(|| {
                        open_zip(&source.path)
                            .map(Mutex::new)
                            .map_err(|e| e.to_string())
                    })
                    .as_ref()
                    .map_err(|message| DbError::Invalid {
                        path: source.path.clone(),
                        message: message.clone(),
                    })?;
                let mut archive = archive.lock().unwrap_or_else(|e| e.into_inner());
                read_zip_entry(&mut archive, &source.path, entry as usize).map(|(_, b, _)| b)
            }
        }
    }

    /// The records of `name` in one source, or an error naming the damaged index.
    fn records<'a>(
        source: &'a Source,
        ecosystem: Ecosystem,
        name: &str,
    ) -> Result<Vec<Record<'a>>, DbError> {
        source
            .index
            .records(ecosystem, name)
            .ok_or_else(|| DbError::Invalid {
                path: source.path.clone(),
                message: "the advisory index is damaged; delete it to rebuild".to_string(),
            })
    }

    /// The full advisory of a record, read and parsed once; `None` if it does not parse.
    fn advisory(
        &self,
        si: usize,
        source: &Source,
        record: &Record<'_>,
    ) -> Result<Option<Arc<Advisory>>, DbError> {
        let key = (si, record.entry);
        if let Some(a) = self
            .parsed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(a.clone());
        }
        let bytes = self.read_entry(source, record.entry, record.location)?;
        // The index already recorded unreadable entries; a changed file is skipped.
        let a = serde_json::from_slice::<Advisory>(&bytes)
            .ok()
            .map(Arc::new);
        self.parsed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, a.clone());
        Ok(a)
    }

    /// The advisory whose id or one of whose aliases is `id` (ASCII case ignored), from the
    /// first source that has it (for `tollgate explain GHSA-...`). The index is by package,
    /// so every entry is looked at; one whose text does not hold the id is not parsed.
    pub fn find(&self, id: &str) -> Result<Option<Arc<Advisory>>, DbError> {
        let id = id.trim();
        if id.is_empty() {
            return Ok(None);
        }
        let needle = id.as_bytes();
        for source in &self.sources {
            let entries = match &source.reader {
                Reader::Dir => source.index.files.len(),
                Reader::Zip(_) => open_zip(&source.path)?.len(),
            };
            for entry in 0..entries {
                // An entry that cannot be read was reported when the index was built.
                let Ok(bytes) = self.read_entry(source, entry as u32, Location::Entry) else {
                    continue;
                };
                if !bytes
                    .windows(needle.len())
                    .any(|w| w.eq_ignore_ascii_case(needle))
                {
                    continue;
                }
                let Ok(advisory) = serde_json::from_slice::<Advisory>(&bytes) else {
                    continue;
                };
                if advisory.ids().any(|i| i.eq_ignore_ascii_case(id)) {
                    return Ok(Some(Arc::new(advisory)));
                }
            }
        }
        Ok(None)
    }

    /// The advisories that name `name` (normalised) in `ecosystem`, whatever the version.
    pub fn advisories_for(
        &self,
        ecosystem: Ecosystem,
        name: &str,
    ) -> Result<Vec<Arc<Advisory>>, DbError> {
        let mut out: Vec<Arc<Advisory>> = Vec::new();
        for (si, source) in self.sources.iter().enumerate() {
            for record in Self::records(source, ecosystem, name)? {
                // The same advisory may sit in two sources (a directory and a zip): keep one.
                if let Some(a) = self.advisory(si, source, &record)? {
                    if !out.iter().any(|o| o.id == a.id) {
                        out.push(a);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The advisories that affect `name` (normalised) at `version` in `ecosystem`. Versions are
    /// judged from the index; only the advisories that match are read and parsed, and then
    /// judged again on their full text (which is what the findings are made from).
    pub fn affecting(
        &self,
        ecosystem: Ecosystem,
        name: &str,
        version: &str,
    ) -> Result<Vec<Arc<Advisory>>, DbError> {
        let mut out: Vec<Arc<Advisory>> = Vec::new();
        // Ids met so far: an advisory in two sources is judged by its first copy only.
        let mut seen: Vec<String> = Vec::new();
        for (si, source) in self.sources.iter().enumerate() {
            for record in Self::records(source, ecosystem, name)? {
                if seen.iter().any(|s| s == record.id) {
                    continue;
                }
                seen.push(record.id.to_string());
                let hit = !record.withdrawn
                    && record
                        .affected
                        .iter()
                        .any(|a| crate::matcher::affected_contains(a, ecosystem, version));
                if !hit {
                    continue;
                }
                if let Some(a) = self.advisory(si, source, &record)? {
                    if crate::matcher::affects(&a, ecosystem, name, version)
                        && !out.iter().any(|o| o.id == a.id)
                    {
                        out.push(a);
                    }
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
