//! Parse-only throughput per format over a directory of templates (the scan bench's generated
//! corpus, for instance), on one thread:
//!
//! ```text
//! cargo bench -p tollgate-iac --bench scan --profile dev -- --generate-only /tmp/c5000
//! cargo bench -p tollgate-syntax --bench parse -- /tmp/c5000 [--rounds N]
//! ```
//!
//! Files ending in `.yaml`/`.yml` are YAML, `.json` JSON and `.tf` HCL. Each format is parsed
//! `--rounds` times (default 3) and the best round is reported, in MB/s of input per second of
//! the thread's CPU time (`/proc/thread-self/schedstat` on Linux, wall time elsewhere). YAML
//! is reported twice: as `parse` runs it (fast path, then events for what it leaves), and
//! through the event path alone; HCL likewise, as `parse` runs it (fast path, then `hcl-edit`
//! for what it leaves) and through `hcl-edit` alone. Every YAML and HCL file is also checked
//! to give the same document both ways, and the share each fast path takes is printed.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tollgate_syntax::{
    parse, parse_hcl_edit, parse_hcl_fast, parse_yaml_events, parse_yaml_fast, Format, Limits,
};

fn main() {
    let mut dir = None;
    let mut rounds = 3;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--rounds takes a number")
            }
            "--bench" => {}
            other if !other.starts_with('-') => dir = Some(PathBuf::from(other)),
            other => panic!("unknown argument {other}"),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: cargo bench -p tollgate-syntax --bench parse -- DIR [--rounds N]");
        std::process::exit(2);
    };
    let files = read_all(&dir);
    let limits = Limits::default();
    let of = |format: Format| -> Vec<&str> {
        files
            .iter()
            .filter(|(f, _)| *f == format)
            .map(|(_, t)| t.as_str())
            .collect()
    };
    let (yaml, json, hcl) = (of(Format::Yaml), of(Format::Json), of(Format::Hcl));

    let mut taken = 0;
    for text in &yaml {
        if let Some(fast) = parse_yaml_fast(text, &limits) {
            taken += 1;
            let events = parse_yaml_events(text, &limits);
            assert!(
                events.as_ref() == Ok(&fast),
                "the fast path and the event path disagree on a file of {} bytes",
                text.len()
            );
        }
    }
    println!(
        "yaml fast path: took {taken} of {} files, each the same document as the event path",
        yaml.len()
    );
    let mut taken = 0;
    for text in &hcl {
        if let Some(fast) = parse_hcl_fast(text, &limits) {
            taken += 1;
            let edit = parse_hcl_edit(text, &limits);
            assert!(
                edit.as_ref() == Ok(&fast),
                "the HCL fast path and hcl-edit disagree on a file of {} bytes",
                text.len()
            );
        }
    }
    println!(
        "hcl fast path: took {taken} of {} files, each the same document as hcl-edit's",
        hcl.len()
    );

    report("yaml", &yaml, rounds, |t| {
        parse(t, Format::Yaml, &limits).is_ok()
    });
    report("yaml (event path only)", &yaml, rounds, |t| {
        parse_yaml_events(t, &limits).is_ok()
    });
    report("json", &json, rounds, |t| {
        parse(t, Format::Json, &limits).is_ok()
    });
    report("hcl", &hcl, rounds, |t| {
        parse(t, Format::Hcl, &limits).is_ok()
    });
    report("hcl (hcl-edit only)", &hcl, rounds, |t| {
        parse_hcl_edit(t, &limits).is_ok()
    });
}

fn report(name: &str, texts: &[&str], rounds: usize, parse_one: impl Fn(&str) -> bool) {
    if texts.is_empty() {
        return;
    }
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    let mut best = Duration::MAX;
    let mut failed = 0;
    for _ in 0..rounds.max(1) {
        let clock = Clock::start();
        failed = texts.iter().filter(|t| !parse_one(t)).count();
        best = best.min(clock.elapsed());
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "{name:<24} {:>5} files {mb:>7.2} MB  {:>7.1} ms  {:>6.1} MB/s{}",
        texts.len(),
        best.as_secs_f64() * 1e3,
        mb / best.as_secs_f64(),
        if failed > 0 {
            format!("  ({failed} failed to parse)")
        } else {
            String::new()
        }
    );
}

/// CPU time of this thread where Linux tells it, wall time otherwise.
enum Clock {
    Cpu(Duration),
    Wall(Instant),
}

impl Clock {
    fn start() -> Self {
        thread_cpu().map_or_else(|| Clock::Wall(Instant::now()), Clock::Cpu)
    }

    fn elapsed(&self) -> Duration {
        match self {
            Clock::Cpu(start) => thread_cpu().map_or(Duration::ZERO, |now| now - *start),
            Clock::Wall(start) => start.elapsed(),
        }
    }
}

/// The first field of `/proc/thread-self/schedstat`: nanoseconds this thread ran on a CPU.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn read_all(dir: &Path) -> Vec<(Format, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let format = match path.extension().and_then(|e| e.to_str()) {
                Some("yaml" | "yml") => Format::Yaml,
                Some("json") => Format::Json,
                Some("tf") => Format::Hcl,
                _ => continue,
            };
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((format, text));
            }
        }
    }
    out
}
