//! IaC benchmark (plain binary): `cargo bench -p tollgate-iac --bench scan -- [OPTIONS]`.
//!
//! Writes a deterministic corpus of templates (CloudFormation YAML/JSON, SAM, Serverless
//! Framework, Terraform; see `generate/`) and scans it the way `tollgate run` does: one
//! inventory walk, one `ScanContext`, the `iac` stage. Prints the wall time of each phase,
//! files per second, the findings count and the peak resident memory (VmHWM).
//!
//! Options:
//!   -n, --templates N      how many templates (default 5000)
//!   --seed S               generator seed (default 1)
//!   --dir DIR              write the corpus to DIR (kept) instead of a temporary directory
//!   --keep                 keep the temporary directory and print its path
//!   --generate-only DIR    only write the corpus to DIR (for Checkov and the release binary)
//!   --scan-only DIR        only scan an existing DIR

mod generate;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tollgate_core::{Config, ScanContext, Stage, WalkOptions};
use tollgate_iac::IacStage;

const DEFAULT_TEMPLATES: usize = 5_000;
const DEFAULT_SEED: u64 = 1;

#[derive(Debug)]
enum Mode {
    /// Generate into a temporary directory (or `--dir`), then scan.
    Full {
        dir: Option<PathBuf>,
        keep: bool,
    },
    GenerateOnly(PathBuf),
    ScanOnly(PathBuf),
}

#[derive(Debug)]
struct Args {
    templates: usize,
    seed: u64,
    mode: Mode,
}

fn parse_args() -> Result<Args, String> {
    let mut templates = DEFAULT_TEMPLATES;
    let mut seed = DEFAULT_SEED;
    let mut dir = None;
    let mut keep = false;
    let mut generate_only = None;
    let mut scan_only = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} expects a value"));
        match arg.as_str() {
            // `cargo bench` passes `--bench`; libtest-style filters are not used here.
            "--bench" => {}
            "-n" | "--templates" => {
                let text = value(&arg)?;
                templates = text
                    .parse()
                    .map_err(|_| format!("{arg}: expected a number of templates, got `{text}`"))?;
            }
            "--seed" => {
                let text = value(&arg)?;
                seed = text
                    .parse()
                    .map_err(|_| format!("--seed: expected an unsigned integer, got `{text}`"))?;
            }
            "--dir" => dir = Some(PathBuf::from(value(&arg)?)),
            "--keep" => keep = true,
            "--generate-only" => generate_only = Some(PathBuf::from(value(&arg)?)),
            "--scan-only" => scan_only = Some(PathBuf::from(value(&arg)?)),
            other => {
                return Err(format!(
                    "unknown argument `{other}` (see the header of benches/corpus.rs)"
                ))
            }
        }
    }
    let mode = match (generate_only, scan_only) {
        (Some(_), Some(_)) => {
            return Err("--generate-only and --scan-only exclude each other".into())
        }
        (Some(dir), None) => Mode::GenerateOnly(dir),
        (None, Some(dir)) => Mode::ScanOnly(dir),
        (None, None) => Mode::Full { dir, keep },
    };
    Ok(Args {
        templates,
        seed,
        mode,
    })
}

/// Peak resident set size of this process in KiB (`VmHWM`), Linux only.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The generator refuses to mix its files into a directory that already holds something.
fn ensure_empty(dir: &Path) -> Result<(), String> {
    let occupied = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if occupied {
        return Err(format!(
            "{}: expected an empty or missing directory for the corpus",
            dir.display()
        ));
    }
    Ok(())
}

fn generate(dir: &Path, args: &Args) -> Result<(), String> {
    ensure_empty(dir)?;
    let t = Instant::now();
    let stats = generate::write_corpus(dir, args.templates, args.seed)
        .map_err(|e| format!("{}: cannot write the corpus: {e}", dir.display()))?;
    eprintln!(
        "corpus: {} templates, {:.1} MiB, seed {}, written in {:.2?} to {}",
        stats.templates,
        stats.bytes as f64 / (1024.0 * 1024.0),
        args.seed,
        t.elapsed(),
        dir.display()
    );
    for (flavour, count) in generate::Flavour::ALL.iter().zip(stats.per_flavour) {
        eprintln!("  {:<22} {count}", flavour.label());
    }
    Ok(())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn scan(dir: &Path) -> Result<(), String> {
    // Forget the generator's memory so VmHWM measures the scan (Linux >= 4.0).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let root = dir
        .canonicalize()
        .map_err(|e| format!("{}: cannot open the corpus: {e}", dir.display()))?;
    let config = Arc::new(Config::default());

    let start = Instant::now();
    let inventory = tollgate_core::walk(&root, &WalkOptions::from_config(&config));
    let walked = start.elapsed();
    let templates = inventory
        .files
        .iter()
        .filter(|f| f.kind.is_template())
        .count();
    let today = time::OffsetDateTime::now_utc().date();
    let ctx = ScanContext::new(root, inventory.files, config, today);
    let stage_start = Instant::now();
    let report = IacStage::new()
        .run(&ctx)
        .map_err(|e| format!("iac stage failed: {e}"))?;
    let staged = stage_start.elapsed();
    let total = start.elapsed();

    let parse_errors = report
        .notifications
        .iter()
        .filter(|n| n.id.contains("parse"))
        .count();
    println!("templates found     {templates}");
    println!("walk + classify     {:.3} s", secs(walked));
    println!("iac stage           {:.3} s", secs(staged));
    println!("total               {:.3} s", secs(total));
    println!(
        "files/s             {:.0}",
        templates as f64 / secs(total).max(1e-9)
    );
    println!("findings            {}", report.findings.len());
    println!(
        "notifications       {} ({parse_errors} parse errors)",
        report.notifications.len()
    );
    match peak_kib() {
        Some(kib) => println!(
            "peak memory         {:.1} MiB (VmHWM{})",
            kib as f64 / 1024.0,
            if reset {
                ", reset after generation"
            } else {
                ", whole process"
            }
        ),
        None => println!("peak memory         unavailable (no /proc/self/status)"),
    }
    // The generated corpus is meant to be valid: a parse error is a generator (or parser) bug
    // and would make the timing meaningless.
    if parse_errors > 0 {
        for n in report
            .notifications
            .iter()
            .filter(|n| n.id.contains("parse"))
            .take(5)
        {
            eprintln!("parse error: {}", n.message);
        }
        return Err(format!(
            "{parse_errors} templates of the corpus did not parse"
        ));
    }
    Ok(())
}

fn run(args: Args) -> Result<(), String> {
    match &args.mode {
        Mode::GenerateOnly(dir) => generate(dir, &args),
        Mode::ScanOnly(dir) => scan(dir),
        Mode::Full { dir: Some(dir), .. } => {
            generate(dir, &args)?;
            scan(dir)
        }
        Mode::Full { dir: None, keep } => {
            let tmp = tempfile::Builder::new()
                .prefix("tollgate-iac-bench-")
                .tempdir()
                .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
            generate(tmp.path(), &args)?;
            scan(tmp.path())?;
            if *keep {
                let kept = tmp.keep();
                eprintln!("corpus kept in {}", kept.display());
            }
            Ok(())
        }
    }
}

fn main() {
    let outcome = parse_args().and_then(run);
    if let Err(message) = outcome {
        eprintln!("error: {message}");
        std::process::exit(2);
    }
}
