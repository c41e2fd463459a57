//! The on-disk index of one advisory source. For every package it keeps the advisories that
//! name it, each with what matching needs (id, withdrawn, the `versions` and `ranges` of its
//! `affected` entries for that package) and where its full text lies (zip data offset, sizes,
//! CRC, or file number). A scan judges versions from the index alone and reads and parses the
//! full advisory only for those that match.
//!
//! File format (little-endian), opened with one read and searched in place:
//! ```text
//! "tollgate-osv-index 2\n"
//! u64 payload length, u64 checksum of the payload       (a damaged file is rebuilt, never trusted)
//! payload:
//!   str32 fingerprint, u64 advisories,
//!   u32 n, n × (str32 entry, str32 reason)              unreadable entries
//!   u32 n, n × str32                                    directory sources: file of each entry
//!   u32 table length, table:
//!     u32 n, n × (u32 key offset, u32 records offset)   sorted by key bytes, binary searched
//!     key:     str16 "<ecosystem>\0<normalised name>"
//!     records: u32 count, count × record
//!     record:  u32 entry, u8 location (0 entry, 1 zip + u64 data start, u64 compressed size,
//!              u64 size, u16 method, u32 crc32), str16 id, u8 withdrawn,
//!              u16 n × (u16 n × str16 version, u16 n × (str16 range type,
//!                                                      u16 n × (u8 event kind, str16 version)))
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Deserialize;

use super::codec::{checksum, fits16, Reader, Writer};
use super::DbError;
use crate::osv::{Affected, AffectedPackage, Event, Range};
use crate::Ecosystem;

const MAGIC: &[u8] = b"tollgate-osv-index 2\n";

/// What the index needs from an advisory; deserialising only this is much faster than the
/// whole document. The field types are the full model's, so whatever [`crate::osv::Advisory`]
/// accepts here, this accepts too.
#[derive(Deserialize)]
pub(crate) struct Slim {
    pub id: String,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub affected: Vec<SlimAffected>,
}

#[derive(Deserialize)]
pub(crate) struct SlimAffected {
    pub package: Option<AffectedPackage>,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default)]
    pub versions: Vec<String>,
}

/// Where an advisory's full text lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// By entry number: the directory source's file, or a zip entry read through the archive.
    Entry,
    /// A zip entry stored (method 0) or deflated (8), read directly at its data offset.
    Zip {
        data_start: u64,
        compressed: u64,
        size: u64,
        method: u16,
        crc32: u32,
    },
}

/// One advisory of one package, as the index keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<'a> {
    pub entry: u32,
    pub location: Location,
    pub id: &'a str,
    pub withdrawn: bool,
    /// The advisory's `affected` entries for this package: versions and ranges only.
    pub affected: Vec<Affected>,
}

/// Index of one source.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SourceIndex {
    pub fingerprint: String,
    /// Directory sources: the advisory files, relative to the directory.
    pub files: Vec<String>,
    /// Entries that could not be read as OSV JSON (entry name, reason).
    pub unreadable: Vec<(String, String)>,
    pub advisories: usize,
    /// Package key to (record count, encoded records), while building.
    pending: BTreeMap<String, (u32, Vec<u8>)>,
    /// The searchable table (see the module docs), once built or loaded.
    table: Vec<u8>,
}

fn key(eco: Ecosystem, name: &str) -> String {
    let mut k = String::with_capacity(eco.osv_name().len() + 1 + name.len());
    k.push_str(eco.osv_name());
    k.push('\0');
    k.push_str(name);
    k
}

/// Event kinds as stored; one OSV event object may carry several.
const INTRODUCED: u8 = 0;
const FIXED: u8 = 1;
const LAST_AFFECTED: u8 = 2;
const LIMIT: u8 = 3;

/// Encode the matching part of one `affected` entry; `None` when a string is too long to keep.
fn encode_affected(w: &mut Writer, a: &SlimAffected) -> Option<()> {
    let strings = a.versions.iter().chain(a.ranges.iter().flat_map(|r| {
        std::iter::once(&r.kind).chain(r.events.iter().flat_map(|e| {
            [&e.introduced, &e.fixed, &e.last_affected, &e.limit]
                .into_iter()
                .flatten()
        }))
    }));
    let counts_fit = a.versions.len() <= u16::MAX as usize
        && a.ranges.len() <= u16::MAX as usize
        && a.ranges
            .iter()
            .all(|r| r.events.len() * 4 <= u16::MAX as usize);
    if !counts_fit || !strings.into_iter().all(|s| fits16(s)) {
        return None;
    }
    w.u16(a.versions.len() as u16);
    for v in &a.versions {
        w.str16(v);
    }
    w.u16(a.ranges.len() as u16);
    for r in &a.ranges {
        w.str16(&r.kind);
        let events: Vec<(u8, &str)> = r
            .events
            .iter()
            .flat_map(|e| {
                [
                    (INTRODUCED, &e.introduced),
                    (FIXED, &e.fixed),
                    (LAST_AFFECTED, &e.last_affected),
                    (LIMIT, &e.limit),
                ]
                .into_iter()
                .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
            })
            .collect();
        w.u16(events.len() as u16);
        for (k, v) in events {
            w.u8(k);
            w.str16(v);
        }
    }
    Some(())
}

fn decode_affected(r: &mut Reader<'_>) -> Option<Affected> {
    let mut a = Affected::default();
    for _ in 0..r.u16()? {
        a.versions.push(r.str16()?.to_string());
    }
    for _ in 0..r.u16()? {
        let mut range = Range {
            kind: r.str16()?.to_string(),
            events: Vec::new(),
        };
        for _ in 0..r.u16()? {
            let kind = r.u8()?;
            let v = Some(r.str16()?.to_string());
            let mut e = Event::default();
            match kind {
                INTRODUCED => e.introduced = v,
                FIXED => e.fixed = v,
                LAST_AFFECTED => e.last_affected = v,
                LIMIT => e.limit = v,
                _ => return None,
            }
            range.events.push(e);
        }
        a.ranges.push(range);
    }
    Some(a)
}

fn decode_record<'a>(r: &mut Reader<'a>) -> Option<Record<'a>> {
    let entry = r.u32()?;
    let location = match r.u8()? {
        0 => Location::Entry,
        1 => Location::Zip {
            data_start: r.u64()?,
            compressed: r.u64()?,
            size: r.u64()?,
            method: r.u16()?,
            crc32: r.u32()?,
        },
        _ => return None,
    };
    let id = r.str16()?;
    let withdrawn = r.u8()? != 0;
    let blocks = r.u16()?;
    let mut affected = Vec::with_capacity(blocks as usize);
    for _ in 0..blocks {
        affected.push(decode_affected(r)?);
    }
    Some(Record {
        entry,
        location,
        id,
        withdrawn,
        affected,
    })
}

/// Why a saved index was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// Missing or unreadable file.
    Missing,
    /// Another format, a wrong checksum, a truncated or garbled file.
    Corrupt(String),
    /// A sound index of other data (the source changed since).
    Stale,
}

impl SourceIndex {
    /// An empty index of the data with `fingerprint`, to [`add`](Self::add) entries to.
    pub fn new(fingerprint: String) -> Self {
        SourceIndex {
            fingerprint,
            ..SourceIndex::default()
        }
    }

    /// Record the packages of entry `entry` given its JSON text, to be read by entry number.
    pub(crate) fn add(&mut self, entry: u32, name: &str, text: &[u8]) {
        self.add_at(entry, Location::Entry, name, text);
    }

    /// Record the packages of entry `entry`, whose text lies at `location`.
    pub(crate) fn add_at(&mut self, entry: u32, location: Location, name: &str, text: &[u8]) {
        // Building happens before the one `finish`; a finished table is not extended.
        debug_assert!(self.table.is_empty(), "index extended after finish");
        let slim = match serde_json::from_slice::<Slim>(text) {
            Ok(slim) => slim,
            Err(e) => {
                self.unreadable.push((name.to_string(), e.to_string()));
                return;
            }
        };
        if !fits16(&slim.id) {
            self.unreadable
                .push((name.to_string(), "id longer than 65535 bytes".to_string()));
            return;
        }
        // Each package's `affected` entries, grouped, in document order.
        let mut per_package: BTreeMap<String, Vec<&SlimAffected>> = BTreeMap::new();
        for a in &slim.affected {
            let Some(p) = &a.package else { continue };
            let Some(eco) = Ecosystem::from_osv(&p.ecosystem) else {
                continue;
            };
            per_package
                .entry(key(eco, &eco.normalize_name(&p.name)))
                .or_default()
                .push(a);
        }
        if per_package.keys().any(|k| !fits16(k)) {
            self.unreadable.push((
                name.to_string(),
                "package name longer than 65535 bytes".to_string(),
            ));
            return;
        }
        let mut encoded = Vec::with_capacity(per_package.len());
        for (k, blocks) in per_package {
            let mut w = Writer::default();
            w.u32(entry);
            match location {
                Location::Entry => w.u8(0),
                Location::Zip {
                    data_start,
                    compressed,
                    size,
                    method,
                    crc32,
                } => {
                    w.u8(1);
                    w.u64(data_start);
                    w.u64(compressed);
                    w.u64(size);
                    w.u16(method);
                    w.u32(crc32);
                }
            }
            w.str16(&slim.id);
            w.u8(u8::from(slim.withdrawn.is_some()));
            if blocks.len() > u16::MAX as usize {
                self.unreadable
                    .push((name.to_string(), "too many affected entries".to_string()));
                return;
            }
            w.u16(blocks.len() as u16);
            for b in blocks {
                if encode_affected(&mut w, b).is_none() {
                    self.unreadable.push((
                        name.to_string(),
                        "a version longer than 65535 bytes or too many ranges".to_string(),
                    ));
                    return;
                }
            }
            encoded.push((k, w.buf));
        }
        self.advisories += 1;
        for (k, bytes) in encoded {
            let slot = self.pending.entry(k).or_default();
            slot.0 += 1;
            slot.1.extend_from_slice(&bytes);
        }
    }

    /// Turn what [`add`](Self::add) collected into the searchable table. Idempotent.
    pub(crate) fn finish(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let all = std::mem::take(&mut self.pending);
        let size: usize = 4 + all
            .iter()
            .map(|(k, (_, b))| 8 + 2 + k.len() + 4 + b.len())
            .sum::<usize>();
        if u32::try_from(size).is_err() {
            // Offsets are 32-bit; a database this large is refused rather than mis-indexed.
            self.unreadable.push((
                "(index)".to_string(),
                "the advisories' matching data exceeds 4 GiB; none were indexed".to_string(),
            ));
            self.advisories = 0;
            return;
        }
        let n = all.len();
        let mut w = Writer::default();
        w.buf.reserve(size);
        w.u32(n as u32);
        let slots_at = w.len();
        w.buf.resize(slots_at + n * 8, 0);
        for (i, (k, (count, bytes))) in all.iter().enumerate() {
            let key_off = w.len() as u32;
            w.str16(k);
            let rec_off = w.len() as u32;
            w.u32(*count);
            w.buf.extend_from_slice(bytes);
            let slot = slots_at + i * 8;
            w.buf[slot..slot + 4].copy_from_slice(&key_off.to_le_bytes());
            w.buf[slot + 4..slot + 8].copy_from_slice(&rec_off.to_le_bytes());
        }
        self.table = w.buf;
    }

    /// Number of package names indexed.
    pub fn package_count(&self) -> usize {
        Reader::new(&self.table).u32().unwrap_or(0) as usize
    }

    /// The records of `name` (normalised) in `ecosystem`; `None` when the table is damaged
    /// (which a checksummed load rules out).
    pub fn records(&self, ecosystem: Ecosystem, name: &str) -> Option<Vec<Record<'_>>> {
        let Some(rec_off) = find(&self.table, key(ecosystem, name).as_bytes())? else {
            return Some(Vec::new());
        };
        let mut r = Reader::at(&self.table, rec_off);
        let count = r.u32()?;
        let mut out = Vec::with_capacity(count.min(1024) as usize);
        for _ in 0..count {
            out.push(decode_record(&mut r)?);
        }
        Some(out)
    }

    /// Entry numbers of the advisories naming `name` (normalised) in `ecosystem`.
    pub fn lookup(&self, ecosystem: Ecosystem, name: &str) -> Vec<u32> {
        self.records(ecosystem, name)
            .unwrap_or_default()
            .iter()
            .map(|r| r.entry)
            .collect()
    }

    /// Write atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), DbError> {
        let mut index = self.clone();
        index.finish();
        let mut p = Writer::default();
        p.str32(&index.fingerprint);
        p.u64(index.advisories as u64);
        p.u32(index.unreadable.len() as u32);
        for (n, r) in &index.unreadable {
            p.str32(n);
            p.str32(r);
        }
        p.u32(index.files.len() as u32);
        for f in &index.files {
            p.str32(f);
        }
        p.u32(index.table.len() as u32);
        p.buf.extend_from_slice(&index.table);
        let mut out = Vec::with_capacity(MAGIC.len() + 16 + p.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(p.len() as u64).to_le_bytes());
        out.extend_from_slice(&checksum(&p.buf).to_le_bytes());
        out.extend_from_slice(&p.buf);
        write_atomic(path, &out)
    }

    /// Read an index; `None` when it is missing, damaged or for another fingerprint (the
    /// caller rebuilds it).
    pub fn load(path: &Path, fingerprint: &str) -> Option<SourceIndex> {
        Self::read(path, fingerprint).ok()
    }

    /// Read an index and say why it cannot be used.
    pub fn read(path: &Path, fingerprint: &str) -> Result<SourceIndex, LoadError> {
        let bytes = std::fs::read(path).map_err(|_| LoadError::Missing)?;
        let corrupt = |what: &str| LoadError::Corrupt(format!("{}: {what}", path.display()));
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| corrupt("not a tollgate advisory index of this version"))?;
        let mut r = Reader::new(rest);
        let (len, sum) = match (r.u64(), r.u64()) {
            (Some(l), Some(s)) => (l, s),
            _ => return Err(corrupt("truncated header")),
        };
        let payload = r
            .take(usize::try_from(len).map_err(|_| corrupt("length out of range"))?)
            .ok_or_else(|| corrupt("truncated"))?;
        if !r.is_empty() {
            return Err(corrupt("trailing bytes"));
        }
        if checksum(payload) != sum {
            return Err(corrupt("checksum mismatch"));
        }
        let index = Self::decode(payload).ok_or_else(|| corrupt("garbled payload"))?;
        if index.fingerprint != fingerprint {
            return Err(LoadError::Stale);
        }
        Ok(index)
    }

    fn decode(payload: &[u8]) -> Option<SourceIndex> {
        let mut r = Reader::new(payload);
        let fingerprint = r.str32()?.to_string();
        let advisories = usize::try_from(r.u64()?).ok()?;
        let mut unreadable = Vec::new();
        for _ in 0..r.u32()? {
            unreadable.push((r.str32()?.to_string(), r.str32()?.to_string()));
        }
        let mut files = Vec::new();
        for _ in 0..r.u32()? {
            files.push(r.str32()?.to_string());
        }
        let table = r.take(r.clone().u32()? as usize + 4)?;
        let table = table[4..].to_vec();
        if !r.is_empty() || !table_is_sound(&table) {
            return None;
        }
        Some(SourceIndex {
            fingerprint,
            files,
            unreadable,
            advisories,
            pending: BTreeMap::new(),
            table,
        })
    }
}

/// The slot table's offsets point inside the table and its keys are sorted, so a binary
/// search is meaningful; the records themselves are checked as they are decoded.
fn table_is_sound(table: &[u8]) -> bool {
    if table.is_empty() {
        return true;
    }
    let mut prev: Option<&[u8]> = None;
    let n = match Reader::new(table).u32() {
        Some(n) => n as usize,
        None => return false,
    };
    for i in 0..n {
        match slot(table, i) {
            Some((k, rec_off)) if rec_off < table.len() => {
                if prev.is_some_and(|p| p >= k) {
                    return false;
                }
                prev = Some(k);
            }
            _ => return false,
        }
    }
    true
}

/// Key bytes and records offset of slot `i`.
fn slot(table: &[u8], i: usize) -> Option<(&[u8], usize)> {
    let mut r = Reader::at(table, 4 + i.checked_mul(8)?);
    let (key_off, rec_off) = (r.u32()? as usize, r.u32()? as usize);
    let mut k = Reader::at(table, key_off);
    let len = k.u16()? as usize;
    Some((k.take(len)?, rec_off))
}

/// Binary search for `key`: `Some(None)` when absent, `None` when the table is damaged.
fn find(table: &[u8], key: &[u8]) -> Option<Option<usize>> {
    if table.is_empty() {
        return Some(None);
    }
    let n = Reader::new(table).u32()? as usize;
    let (mut lo, mut hi) = (0usize, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let (k, rec_off) = slot(table, mid)?;
        match k.cmp(key) {
            std::cmp::Ordering::Equal => return Some(Some(rec_off)),
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
        }
    }
    Some(None)
}

/// Write `bytes` to `path` through a temporary file in the same directory and a rename, so a
/// reader never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DbError> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        DbError::io(path, e)
    })
}
