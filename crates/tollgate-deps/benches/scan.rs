//! Bench (plain binary, `cargo bench -p tollgate-deps --bench scan`): a generated 3,000-package
//! `package-lock.json` against a generated OSV `all.zip` of 50,000 advisories. Prints the index
//! build time, the time to open with a saved index, the scan time and the peak memory.
//!
//! For profiling (`valgrind --tool=callgrind` counts instructions, stable on a loaded machine):
//! `--data DIR` keeps the generated data in DIR (reused when present) and `--scan-only` skips
//! the cold index build, so a run is exactly the warm path: open with the saved index and scan.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use tollgate_core::{Config, FileKind, ScanContext, SourceFile, Stage};
use tollgate_deps::{AdvisoryDb, DepsOptions, DepsStage};

const ADVISORIES: usize = 50_000;
const PACKAGES: usize = 3_000;
/// Advisories spread over this many package names (real databases have several per package).
const ADVISED_NAMES: usize = 20_000;

fn advisory(i: usize) -> String {
    let name = format!("pkg-{}", i % ADVISED_NAMES);
    let fixed_minor = i % 7 + 1;
    format!(
        r#"{{"schema_version":"1.6.0","id":"GHSA-bench-{i:05}","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2099-{i}"],"summary":"Generated advisory {i}","details":"Generated for the benchmark.","severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}}],"affected":[{{"package":{{"ecosystem":"npm","name":"{name}"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"1.{fixed_minor}.0"}}]}}]}}],"references":[{{"type":"ADVISORY","url":"https://example.org/{i}"}}]}}"#
    )
}

fn lockfile() -> String {
    let mut out = String::from("{\n  \"name\": \"bench\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\"name\": \"bench\"}");
    for i in 0..PACKAGES {
        // Every third package is one the advisories name.
        let name = if i % 3 == 0 {
            format!("pkg-{}", i * 5)
        } else {
            format!("other-{i}")
        };
        out.push_str(&format!(
            ",\n    \"node_modules/{name}\": {{\n      \"version\": \"1.{}.0\"\n    }}",
            i % 9
        ));
    }
    out.push_str("\n  }\n}\n");
    out
}

fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn generate(zip_path: &std::path::Path, lock: &std::path::Path) {
    {
        let file = std::fs::File::create(zip_path).expect("create zip");
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for i in 0..ADVISORIES {
            zip.start_file(format!("GHSA-bench-{i:05}.json"), opts)
                .expect("entry");
            zip.write_all(advisory(i).as_bytes()).expect("write");
        }
        zip.finish().expect("finish zip");
    }
    std::fs::create_dir_all(lock.parent().expect("repo dir")).expect("repo dir");
    std::fs::write(lock, lockfile()).expect("lockfile");
}

fn main() {
    // `cargo bench` passes `--bench`; `--data DIR` and `--scan-only` are for profiling.
    let args: Vec<String> = std::env::args().collect();
    let scan_only = args.iter().any(|a| a == "--scan-only");
    let kept = args
        .iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    let temp = tempfile::tempdir().expect("temporary directory");
    let dir = kept.unwrap_or_else(|| temp.path().to_path_buf());
    let zip_path = dir.join("all.zip");
    let repo = dir.join("repo");
    let lock = repo.join("package-lock.json");
    if !zip_path.is_file() || !lock.is_file() {
        std::fs::create_dir_all(&dir).expect("data dir");
        generate(&zip_path, &lock);
    }
    let zip_size = std::fs::metadata(&zip_path).map(|m| m.len()).unwrap_or(0);

    // Forget the generation's memory so VmHWM measures the scan (Linux >= 4.0).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();

    // The stage keeps indexes of `--advisory-db` paths under `<cache>/indexes`.
    let index_dir = dir.join("indexes");
    std::fs::create_dir_all(&index_dir).expect("index dir");
    let mut build = None;
    let mut reopen = None;
    if !scan_only {
        for entry in std::fs::read_dir(&index_dir).expect("index dir").flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
        let t = Instant::now();
        let db = AdvisoryDb::open(std::slice::from_ref(&zip_path), Some(&index_dir)).expect("open");
        build = Some(t.elapsed());
        assert_eq!(db.advisory_count(), ADVISORIES);
        drop(db);
        let t = Instant::now();
        let db =
            AdvisoryDb::open(std::slice::from_ref(&zip_path), Some(&index_dir)).expect("reopen");
        reopen = Some(t.elapsed());
        drop(db);
    }

    let files = vec![SourceFile {
        path: "package-lock.json".into(),
        abs: lock.clone(),
        kind: FileKind::Lockfile("package-lock.json".into()),
        size: std::fs::metadata(&lock).map(|m| m.len()).unwrap_or(0),
    }];
    let ctx = ScanContext::new(
        repo.clone(),
        files,
        Arc::new(Config::default()),
        time::macros::date!(2026 - 11 - 28),
    );
    let stage = DepsStage::new(DepsOptions {
        advisory_db: vec![zip_path.clone()],
        offline: true,
        cache_dir: Some(dir.clone()),
        ..DepsOptions::default()
    });
    let t = Instant::now();
    let report = stage.run(&ctx).expect("scan");
    let scan = t.elapsed();

    println!(
        "advisories:            {ADVISORIES} ({:.1} MiB zip)",
        zip_size as f64 / 1048576.0
    );
    println!("packages:              {PACKAGES}");
    if let (Some(build), Some(reopen)) = (build, reopen) {
        println!("index build (cold):    {:.2} s", build.as_secs_f64());
        println!("open with saved index: {:.3} s", reopen.as_secs_f64());
    }
    println!("scan (saved index):    {:.3} s", scan.as_secs_f64());
    println!("findings:              {}", report.findings.len());
    match peak_kib() {
        Some(kib) => println!(
            "peak memory (VmHWM):   {:.1} MiB{}",
            kib as f64 / 1024.0,
            if reset {
                ""
            } else {
                " (includes generating the data)"
            }
        ),
        None => println!("peak memory:           unavailable (/proc/self/status unreadable)"),
    }
}
