//! The seeded mutation runner: replays the committed regression inputs and the seeds, then
//! mutates the seeds for a bounded number of iterations, checking each input under
//! `catch_unwind` and a panic hook (so a panic that the code under test catches itself, as the
//! IaC stage does per template, still counts).
//!
//! Environment:
//! - `TOLLGATE_FUZZ_ITERS`: iterations per target (default: the target's own, a few seconds).
//! - `TOLLGATE_FUZZ_SECS`: run each target for this many seconds instead.
//! - `TOLLGATE_FUZZ_SEED`: the generator's seed (default fixed, so `cargo test` is repeatable).
//! - `TOLLGATE_FUZZ_SLOW_MS`: inputs slower than this are listed (default 2000); they do not
//!   fail the run, since test machines are shared and timing is not a test assertion.
//!
//! Failing and slow inputs are written under `target/fuzz/<target>/`; a failing input becomes
//! a regression case by copying it into `fuzz/regressions/<target>/`.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use crate::mutate::{mutate, Rng};

/// One starting input.
#[derive(Debug, Clone)]
pub struct Seed {
    pub name: String,
    pub text: String,
}

/// A fuzz target: its name (the folder of its regression cases), seeds and extra tokens.
#[derive(Debug)]
pub struct Target {
    pub name: &'static str,
    pub seeds: Vec<Seed>,
    pub tokens: &'static [&'static str],
    /// Iterations of a plain `cargo test` run.
    pub default_iters: u64,
    /// Largest mutant, in bytes.
    pub max_len: usize,
}

/// What one run did, for the summary line and for callers that want the numbers.
#[derive(Debug, Default)]
pub struct Outcome {
    pub inputs: u64,
    pub elapsed: Duration,
    /// Distinct failures (by panic location or violated invariant): message and saved input.
    pub failures: BTreeMap<String, PathBuf>,
    pub slow: Vec<(Duration, PathBuf)>,
}

static PANICS: AtomicUsize = AtomicUsize::new(0);
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);
static HOOK: Once = Once::new();
/// Set while an input is being checked: panics then are the runner's to report.
static CHECKING: AtomicBool = AtomicBool::new(false);

/// Counts every panic in the process while an input is checked, caught or not, and keeps the
/// last one's location and message; those the runner reports itself. Other panics (the test's
/// own assertions) go to the previous hook.
fn install_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CHECKING.load(Ordering::SeqCst) {
                return previous(info);
            }
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            PANICS.fetch_add(1, Ordering::SeqCst);
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = Some(format!("panic at {location}: {payload}"));
            }
        }));
    });
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

/// The workspace root (the fuzz crate sits one level below it).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("fuzz crate is inside the workspace")
        .to_path_buf()
}

fn out_dir(target: &str) -> PathBuf {
    repo_root().join("target/fuzz").join(target)
}

/// The committed regression inputs of `target`, in name order.
pub fn regressions(target: &str) -> Vec<Seed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target);
    let mut seeds = Vec::new();
    for path in crate::seeds::files_under(&dir, &|_| true) {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("regression case {}: {e}", path.display()));
        seeds.push(Seed {
            name: path.display().to_string(),
            text,
        });
    }
    seeds
}

fn save(target: &str, kind: &str, text: &str) -> PathBuf {
    // FNV-1a names the file after its content, so a re-found input overwrites itself.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    let dir = out_dir(target).join(kind);
    let path = dir.join(format!("{hash:016x}"));
    if std::fs::create_dir_all(&dir).is_ok() {
        // Best effort: the failure is reported with its message even if this write fails.
        let _ = std::fs::write(&path, text);
    }
    path
}

/// Runs `check` on every regression case and seed of `target`, then on mutants of the seeds.
/// `check` returns `Err` when an invariant does not hold; a panic is a failure too.
pub fn run(target: &Target, check: impl Fn(&str) -> Result<(), String>) -> Outcome {
    install_hook();
    assert!(!target.seeds.is_empty(), "{}: no seeds", target.name);
    let seed = env_u64("TOLLGATE_FUZZ_SEED").unwrap_or(0x7011_6a7e);
    let budget = env_u64("TOLLGATE_FUZZ_SECS").map(Duration::from_secs);
    let iters = env_u64("TOLLGATE_FUZZ_ITERS").unwrap_or(target.default_iters);
    let slow_after = Duration::from_millis(env_u64("TOLLGATE_FUZZ_SLOW_MS").unwrap_or(2000));
    // A long run records the input in flight, so that a stack overflow (which aborts the
    // process and cannot be caught) still leaves the input behind.
    let record_current = budget.is_some() || std::env::var_os("TOLLGATE_FUZZ_ITERS").is_some();

    let mut outcome = Outcome::default();
    let started = Instant::now();
    let one = |text: &str, outcome: &mut Outcome| {
        if record_current {
            let dir = out_dir(target.name);
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join("current"), text);
        }
        let before = PANICS.load(Ordering::SeqCst);
        let t = Instant::now();
        CHECKING.store(true, Ordering::SeqCst);
        let result = catch_unwind(AssertUnwindSafe(|| check(text)));
        CHECKING.store(false, Ordering::SeqCst);
        let took = t.elapsed();
        let panicked = PANICS.load(Ordering::SeqCst) != before;
        let failure = match result {
            _ if panicked => Some(
                LAST_PANIC
                    .lock()
                    .ok()
                    .and_then(|p| p.clone())
                    .unwrap_or_else(|| "panic".to_owned()),
            ),
            Ok(Ok(())) => None,
            Ok(Err(violation)) => Some(violation),
            Err(_) => Some("panic".to_owned()),
        };
        if let Some(message) = failure {
            // One saved input per distinct failure; the shortest input wins.
            // A panic is one failure per place; numbers (lines, columns, sizes) do not make
            // a failure distinct.
            let key: String = message
                .split_once(": ")
                .filter(|_| message.starts_with("panic at "))
                .map_or(message.as_str(), |(at, _)| at)
                .chars()
                .take(160)
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect();
            let keep = match outcome.failures.get(&key) {
                Some(saved) => std::fs::metadata(saved)
                    .map(|m| text.len() < m.len() as usize)
                    .unwrap_or(true),
                None => true,
            };
            if keep {
                outcome
                    .failures
                    .insert(key, save(target.name, "failures", text));
            }
        }
        if took > slow_after {
            outcome.slow.push((took, save(target.name, "slow", text)));
        }
        outcome.inputs += 1;
    };

    for case in regressions(target.name).iter().chain(&target.seeds) {
        one(&case.text, &mut outcome);
    }
    let mut rng = Rng::new(seed ^ fnv(target.name));
    let mut i = 0u64;
    loop {
        let done = match budget {
            Some(b) => started.elapsed() >= b,
            None => i >= iters,
        };
        if done {
            break;
        }
        let base = rng.pick(&target.seeds).text.clone();
        let other = rng.pick(&target.seeds).text.clone();
        let text = mutate(&mut rng, &base, &other, target.tokens, target.max_len);
        one(&text, &mut outcome);
        i += 1;
    }
    outcome.elapsed = started.elapsed();
    eprintln!(
        "fuzz {}: {} inputs ({} mutants, seed {seed:#x}) in {:.1?}, {} failures, {} slow",
        target.name,
        outcome.inputs,
        i,
        outcome.elapsed,
        outcome.failures.len(),
        outcome.slow.len()
    );
    for (took, path) in &outcome.slow {
        eprintln!("  slow ({took:.1?}): {}", path.display());
    }
    outcome
}

/// [`run`], then fail the test with every distinct failure and its saved input.
pub fn run_and_assert(target: &Target, check: impl Fn(&str) -> Result<(), String>) {
    let outcome = run(target, check);
    let list: Vec<String> = outcome
        .failures
        .iter()
        .map(|(message, path)| format!("{message}\n    input: {}", path.display()))
        .collect();
    assert!(
        list.is_empty(),
        "{}: {} failures:\n{}",
        target.name,
        list.len(),
        list.join("\n")
    );
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}
