//! The on-disk index of one advisory source: which entries (zip entries or files) concern which
//! package, so a scan reads only the advisories of the packages it has instead of parsing the
//! whole database every run.
//!
//! Format (UTF-8 text, one record per line, tab-separated; compact and dependency-free):
//! ```text
//! tollgate-osv-index 1
//! fingerprint <source fingerprint>
//! file <relative path>                 (directory sources: entry number = order of these)
//! pkg <ecosystem> <name> <entry> <entry> ...
//! ```

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::Deserialize;

use super::DbError;
use crate::Ecosystem;

const MAGIC: &str = "tollgate-osv-index 1";

/// What the index needs from an advisory; deserialising only this is much faster than the
/// whole document.
#[derive(Deserialize)]
pub(crate) struct Slim {
    #[serde(default)]
    pub affected: Vec<SlimAffected>,
}

#[derive(Deserialize)]
pub(crate) struct SlimAffected {
    pub package: Option<SlimPackage>,
}

#[derive(Deserialize)]
pub(crate) struct SlimPackage {
    pub ecosystem: String,
    pub name: String,
}

/// Index of one source.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SourceIndex {
    pub fingerprint: String,
    /// Directory sources: the advisory files, relative to the directory.
    pub files: Vec<String>,
    /// `(ecosystem, normalised name)` to entry numbers.
    pub packages: HashMap<(Ecosystem, String), Vec<u32>>,
    /// Entries that could not be read as OSV JSON (entry name, reason).
    pub unreadable: Vec<(String, String)>,
    pub advisories: usize,
}

impl SourceIndex {
    /// Record the packages of entry `entry` given its JSON text.
    pub(crate) fn add(&mut self, entry: u32, name: &str, text: &[u8]) {
        match serde_json::from_slice::<Slim>(text) {
            Ok(slim) => {
                self.advisories += 1;
                for a in slim.affected {
                    let Some(p) = a.package else { continue };
                    let Some(eco) = Ecosystem::from_osv(&p.ecosystem) else {
                        continue;
                    };
                    let list = self
                        .packages
                        .entry((eco, eco.normalize_name(&p.name)))
                        .or_default();
                    if list.last() != Some(&entry) {
                        list.push(entry);
                    }
                }
            }
            Err(e) => self.unreadable.push((name.to_string(), e.to_string())),
        }
    }

    pub fn lookup(&self, ecosystem: Ecosystem, name: &str) -> &[u32] {
        self.packages
            .get(&(ecosystem, name.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Write atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<(), DbError> {
        let mut out = String::with_capacity(64 + self.packages.len() * 48);
        out.push_str(MAGIC);
        out.push('\n');
        out.push_str("fingerprint\t");
        out.push_str(&self.fingerprint);
        out.push('\n');
        for f in &self.files {
            out.push_str("file\t");
            out.push_str(f);
            out.push('\n');
        }
        let mut keys: Vec<_> = self.packages.keys().collect();
        keys.sort();
        for key in keys {
            out.push_str("pkg\t");
            out.push_str(key.0.osv_name());
            out.push('\t');
            out.push_str(&key.1);
            for e in &self.packages[key] {
                out.push('\t');
                out.push_str(&e.to_string());
            }
            out.push('\n');
        }
        write_atomic(path, out.as_bytes())
    }

    /// Read an index; `None` when it is missing, of another format or for another fingerprint
    /// (the caller rebuilds it).
    pub fn load(path: &Path, fingerprint: &str) -> Option<SourceIndex> {
        let text = std::fs::read_to_string(path).ok()?;
        let mut lines = text.lines();
        if lines.next()? != MAGIC {
            return None;
        }
        let fp = lines.next()?.strip_prefix("fingerprint\t")?;
        if fp != fingerprint {
            return None;
        }
        let mut index = SourceIndex {
            fingerprint: fp.to_string(),
            ..SourceIndex::default()
        };
        for line in lines {
            let mut parts = line.split('\t');
            match parts.next()? {
                "file" => index.files.push(parts.next()?.to_string()),
                "pkg" => {
                    let eco = Ecosystem::from_osv(parts.next()?)?;
                    let name = parts.next()?.to_string();
                    let entries = parts
                        .map(|p| p.parse().ok())
                        .collect::<Option<Vec<u32>>>()?;
                    index.advisories = index
                        .advisories
                        .max(entries.iter().max().map_or(0, |m| *m as usize + 1));
                    index.packages.insert((eco, name), entries);
                }
                _ => return None,
            }
        }
        Some(index)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_fingerprint_check() {
        let dir = tempfile::tempdir().unwrap();
        let mut idx = SourceIndex {
            fingerprint: "zip:1:2".into(),
            ..SourceIndex::default()
        };
        idx.add(
            0,
            "a.json",
            br#"{"id":"A","affected":[{"package":{"ecosystem":"PyPI","name":"Jinja2"}},{"package":{"ecosystem":"Debian:11","name":"x"}}]}"#,
        );
        idx.add(
            1,
            "b.json",
            br#"{"id":"B","affected":[{"package":{"ecosystem":"PyPI","name":"jinja2"}}]}"#,
        );
        idx.add(2, "c.json", b"{not json");
        assert_eq!(idx.lookup(Ecosystem::PyPi, "jinja2"), &[0, 1]);
        assert_eq!(idx.unreadable.len(), 1);
        let path = dir.path().join("all.idx");
        idx.save(&path).unwrap();
        let loaded = SourceIndex::load(&path, "zip:1:2").unwrap();
        assert_eq!(loaded.lookup(Ecosystem::PyPi, "jinja2"), &[0, 1]);
        assert!(SourceIndex::load(&path, "zip:1:3").is_none());
    }
}
