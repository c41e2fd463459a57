//! The index format (round trip, damage, staleness) and the database's lazy reads against the
//! plain way: parse every advisory of a package and match it.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::index::Slim;
use super::*;

fn fixture_osv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_osv())
        .unwrap()
        .flat_map(|eco| std::fs::read_dir(eco.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    files
}

/// `docs` packed as a zip; entries alternate stored and deflated so both direct reads run.
fn write_zip(path: &Path, docs: &[(String, Vec<u8>)]) {
    let file = File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    for (i, (name, bytes)) in docs.iter().enumerate() {
        let method = if i % 2 == 0 {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let opts = zip::write::SimpleFileOptions::default().compression_method(method);
        zip.start_file(name.as_str(), opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

fn fixture_docs() -> Vec<(String, Vec<u8>)> {
    fixture_files()
        .iter()
        .map(|f| {
            (
                f.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(f).unwrap(),
            )
        })
        .collect()
}

fn advisory(id: &str, name: &str, fixed: &str) -> (String, Vec<u8>) {
    let doc = format!(
        r#"{{"id":"{id}","summary":"s","affected":[{{"package":{{"ecosystem":"npm","name":"{name}"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
    );
    (format!("{id}.json"), doc.into_bytes())
}

fn ids(list: &[Arc<Advisory>]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|a| a.id.clone()).collect();
    v.sort();
    v
}

fn sample_index() -> SourceIndex {
    let mut idx = SourceIndex::new("zip:1:2".into());
    idx.add(
        0,
        "a.json",
        br#"{"id":"A","affected":[{"package":{"ecosystem":"PyPI","name":"Jinja2"},"versions":["2.0"],"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.11.3","limit":"3"}]},{"type":"GIT","events":[{"introduced":"abc"}]}]},{"package":{"ecosystem":"Debian:11","name":"x"}}]}"#,
    );
    idx.add_at(
        1,
        Location::Zip {
            data_start: 77,
            compressed: 10,
            size: 20,
            method: 8,
            crc32: 0xdead_beef,
        },
        "b.json",
        br#"{"id":"B","withdrawn":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"jinja2"}}]}"#,
    );
    idx.add(2, "c.json", b"{not json");
    idx.finish();
    idx
}

#[test]
fn index_round_trip_keeps_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let idx = sample_index();
    assert_eq!(idx.lookup(Ecosystem::PyPi, "jinja2"), vec![0, 1]);
    assert_eq!(idx.advisories, 2);
    assert_eq!(idx.unreadable.len(), 1);
    let path = dir.path().join("all.idx");
    idx.save(&path).unwrap();
    let loaded = SourceIndex::read(&path, "zip:1:2").unwrap();
    assert_eq!(loaded, idx);
    let records = loaded.records(Ecosystem::PyPi, "jinja2").unwrap();
    assert_eq!(records.len(), 2);
    let a = &records[0];
    assert_eq!((a.id, a.entry, a.withdrawn), ("A", 0, false));
    assert_eq!(a.location, Location::Entry);
    assert_eq!(a.affected.len(), 1);
    assert_eq!(a.affected[0].versions, vec!["2.0"]);
    let ranges = &a.affected[0].ranges;
    assert_eq!(ranges.len(), 2);
    assert_eq!(ranges[0].kind, "ECOSYSTEM");
    assert_eq!(ranges[0].events.len(), 3);
    assert_eq!(ranges[0].events[1].fixed.as_deref(), Some("2.11.3"));
    assert_eq!(ranges[0].events[2].limit.as_deref(), Some("3"));
    assert_eq!(ranges[1].kind, "GIT");
    let b = &records[1];
    assert!(b.withdrawn);
    assert!(matches!(
        b.location,
        Location::Zip {
            data_start: 77,
            crc32: 0xdead_beef,
            ..
        }
    ));
    assert!(loaded.records(Ecosystem::Npm, "jinja2").unwrap().is_empty());
    assert!(loaded.records(Ecosystem::PyPi, "nope").unwrap().is_empty());
}

#[test]
fn stale_fingerprint_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.idx");
    sample_index().save(&path).unwrap();
    assert_eq!(SourceIndex::read(&path, "zip:1:3"), Err(LoadError::Stale));
    assert_eq!(
        SourceIndex::read(&dir.path().join("none.idx"), "zip:1:2"),
        Err(LoadError::Missing)
    );
}

#[test]
fn truncated_garbled_or_old_indexes_are_corrupt_never_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.idx");
    sample_index().save(&path).unwrap();
    let good = std::fs::read(&path).unwrap();
    let bad = dir.path().join("bad.idx");
    let corrupt = |bytes: &[u8]| {
        std::fs::write(&bad, bytes).unwrap();
        matches!(
            SourceIndex::read(&bad, "zip:1:2"),
            Err(LoadError::Corrupt(_))
        )
    };
    for len in 0..good.len() {
        assert!(corrupt(&good[..len]), "truncated to {len} bytes");
    }
    for i in 0..good.len() {
        let mut garbled = good.clone();
        garbled[i] ^= 0x5a;
        assert!(corrupt(&garbled), "byte {i} changed");
    }
    let mut longer = good.clone();
    longer.push(0);
    assert!(corrupt(&longer));
    assert!(corrupt(
        b"tollgate-osv-index 1\nfingerprint\tzip:1:2\npkg\tPyPI\tjinja2\t0\n"
    ));
}

#[test]
fn damaged_saved_index_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("all.zip");
    write_zip(&zip, &[advisory("GHSA-1", "left-pad", "1.3.0")]);
    let saved = zip.with_extension("idx");
    drop(AdvisoryDb::open(std::slice::from_ref(&zip), None).unwrap());
    assert!(
        !saved.exists(),
        "no index dir and no index beside: kept in memory"
    );
    let indexes = dir.path().join("indexes");
    std::fs::create_dir_all(&indexes).unwrap();
    drop(AdvisoryDb::open(std::slice::from_ref(&zip), Some(&indexes)).unwrap());
    let saved = std::fs::read_dir(&indexes)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let good = std::fs::read(&saved).unwrap();
    let mut garbled = good.clone();
    let mid = garbled.len() / 2;
    garbled[mid] ^= 0xff;
    std::fs::write(&saved, &garbled).unwrap();
    let db = AdvisoryDb::open(std::slice::from_ref(&zip), Some(&indexes)).unwrap();
    assert_eq!(
        ids(&db.affecting(Ecosystem::Npm, "left-pad", "1.2.0").unwrap()),
        vec!["GHSA-1"]
    );
    assert_eq!(std::fs::read(&saved).unwrap(), good, "rewritten sound");
    std::fs::write(&saved, &good[..good.len() / 3]).unwrap();
    let db = AdvisoryDb::open(std::slice::from_ref(&zip), Some(&indexes)).unwrap();
    assert_eq!(db.advisory_count(), 1);
    assert_eq!(std::fs::read(&saved).unwrap(), good);
}

#[test]
fn stale_index_is_rebuilt_when_the_database_changes() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("all.zip");
    write_zip(&zip, &[advisory("GHSA-1", "left-pad", "1.3.0")]);
    // An index beside the zip is the cached download's layout.
    let db = AdvisoryDb::open(std::slice::from_ref(&zip), None).unwrap();
    let idx = &db.sources[0].index;
    idx.save(&zip.with_extension("idx")).unwrap();
    drop(db);
    write_zip(
        &zip,
        &[
            advisory("GHSA-1", "left-pad", "1.3.0"),
            advisory("GHSA-2", "left-pad", "2.0.0"),
        ],
    );
    let db = AdvisoryDb::open(std::slice::from_ref(&zip), None).unwrap();
    assert_eq!(db.advisory_count(), 2);
    assert_eq!(
        ids(&db.affecting(Ecosystem::Npm, "left-pad", "1.5.0").unwrap()),
        vec!["GHSA-2"]
    );
    let fp = fingerprint(&zip, None).unwrap();
    assert!(SourceIndex::read(&zip.with_extension("idx"), &fp).is_ok());

    // A directory source: a new advisory file changes the fingerprint.
    let osv = dir.path().join("osv");
    std::fs::create_dir_all(&osv).unwrap();
    let (name, bytes) = advisory("GHSA-3", "is-odd", "3.0.0");
    std::fs::write(osv.join(&name), bytes).unwrap();
    let indexes = dir.path().join("indexes");
    std::fs::create_dir_all(&indexes).unwrap();
    let db = AdvisoryDb::open(std::slice::from_ref(&osv), Some(&indexes)).unwrap();
    assert_eq!(db.advisory_count(), 1);
    let (name, bytes) = advisory("GHSA-4", "is-odd", "4.0.0");
    std::fs::write(osv.join(&name), bytes).unwrap();
    let db = AdvisoryDb::open(std::slice::from_ref(&osv), Some(&indexes)).unwrap();
    assert_eq!(
        ids(&db.affecting(Ecosystem::Npm, "is-odd", "3.5.0").unwrap()),
        vec!["GHSA-4"]
    );
}

/// Every version an advisory names, plus neighbours, for each package of each fixture.
fn cases() -> Vec<(Ecosystem, String, String)> {
    let mut out = Vec::new();
    for f in fixture_files() {
        let slim: Slim = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        for a in &slim.affected {
            let Some(p) = &a.package else { continue };
            let Some(eco) = Ecosystem::from_osv(&p.ecosystem) else {
                continue;
            };
            let name = eco.normalize_name(&p.name);
            let mut versions: Vec<String> = a.versions.clone();
            for r in &a.ranges {
                for e in &r.events {
                    for v in [&e.introduced, &e.fixed, &e.last_affected, &e.limit]
                        .into_iter()
                        .flatten()
                    {
                        versions.push(v.clone());
                        versions.push(format!("{v}.1"));
                        versions.push(format!("{v}-rc1"));
                    }
                }
            }
            versions.extend(["0.0.1", "1.0.0", "99.0"].map(String::from));
            for v in versions {
                out.push((eco, name.clone(), v));
            }
        }
    }
    out
}

#[test]
fn judging_from_the_index_agrees_with_parsing_every_advisory() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("all.zip");
    write_zip(&zip, &fixture_docs());
    let indexes = dir.path().join("indexes");
    std::fs::create_dir_all(&indexes).unwrap();
    let cases = cases();
    assert!(cases.len() > 100);
    let mut hits = 0;
    for paths in [
        vec![fixture_osv()],
        vec![zip.clone()],
        vec![zip, fixture_osv()],
    ] {
        // Fresh (index built) and warm (index loaded) give the same answers.
        for _ in 0..2 {
            let db = AdvisoryDb::open(&paths, Some(&indexes)).unwrap();
            for (eco, name, version) in &cases {
                let plain: Vec<Arc<Advisory>> = db
                    .advisories_for(*eco, name)
                    .unwrap()
                    .into_iter()
                    .filter(|a| crate::matcher::affects(a, *eco, name, version))
                    .collect();
                let lazy = db.affecting(*eco, name, version).unwrap();
                assert_eq!(ids(&lazy), ids(&plain), "{eco:?} {name} {version}");
                hits += lazy.len();
            }
        }
    }
    assert!(hits > 0);
}

#[test]
fn direct_zip_reads_give_the_archive_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("all.zip");
    let docs = fixture_docs();
    write_zip(&zip, &docs);
    let db = AdvisoryDb::open(std::slice::from_ref(&zip), None).unwrap();
    let source = &db.sources[0];
    let Reader::Zip(z) = &source.reader else {
        panic!("a zip source")
    };
    let mut direct = z.direct.lock().unwrap();
    let (file, inflater) = &mut *direct;
    let mut seen = 0;
    for (eco, name, _) in cases() {
        for r in source.index.records(eco, &name).unwrap() {
            let bytes = read_direct(file, inflater, &zip, r.location).unwrap();
            assert_eq!(bytes, docs[r.entry as usize].1, "{}", r.id);
            seen += 1;
            // A record pointing at the wrong bytes fails its CRC check instead of misleading.
            if let Location::Zip {
                data_start,
                compressed,
                size,
                method,
                crc32,
            } = r.location
            {
                let wrong = Location::Zip {
                    data_start,
                    compressed,
                    size,
                    method,
                    crc32: !crc32,
                };
                assert!(read_direct(file, inflater, &zip, wrong).is_err());
            }
        }
    }
    assert!(seen > 0);
}

#[test]
fn oversized_strings_are_unreadable_not_mis_encoded() {
    let long = "x".repeat(70_000);
    let mut idx = SourceIndex::new("fp".into());
    idx.add(
        0,
        "long-name.json",
        format!(r#"{{"id":"A","affected":[{{"package":{{"ecosystem":"npm","name":"{long}"}}}}]}}"#)
            .as_bytes(),
    );
    idx.add(
        1,
        "long-version.json",
        format!(r#"{{"id":"B","affected":[{{"package":{{"ecosystem":"npm","name":"a"}},"versions":["{long}"]}}]}}"#)
            .as_bytes(),
    );
    idx.add(
        2,
        "ok.json",
        br#"{"id":"C","affected":[{"package":{"ecosystem":"npm","name":"a"},"versions":["1.0.0"]}]}"#,
    );
    idx.finish();
    assert_eq!(idx.unreadable.len(), 2);
    assert_eq!(idx.advisories, 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.idx");
    idx.save(&path).unwrap();
    let loaded = SourceIndex::read(&path, "fp").unwrap();
    let records = loaded.records(Ecosystem::Npm, "a").unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].id, "C");
}

/// `find` answers to an advisory's id and to each alias, in a directory and in a zip.
#[test]
fn an_advisory_is_found_by_id_or_alias() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("all.zip");
    let docs = fixture_docs();
    write_zip(&zip_path, &docs);
    // An advisory with an alias, whichever fixture it is.
    let (id, alias) = docs
        .iter()
        .filter_map(|(_, bytes)| serde_json::from_slice::<Advisory>(bytes).ok())
        .find_map(|a| a.aliases.first().map(|alias| (a.id.clone(), alias.clone())))
        .expect("a fixture advisory with an alias");
    for source in [fixture_osv(), zip_path] {
        let db = AdvisoryDb::open(std::slice::from_ref(&source), None).unwrap();
        for name in [id.clone(), alias.clone(), id.to_ascii_lowercase()] {
            let found = db.find(&name).unwrap();
            assert_eq!(
                found.map(|a| a.id.clone()),
                Some(id.clone()),
                "{name} in {source:?}"
            );
        }
        assert!(db.find("GHSA-0000-0000-0000").unwrap().is_none());
        assert!(db.find("  ").unwrap().is_none());
    }
}
