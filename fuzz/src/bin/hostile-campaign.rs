//! The hostile-input campaign: mutates real-shaped files of every format tollgate reads and
//! runs the real binary on each, under a timeout and an address-space limit, then reports
//! runs, panics, hangs, exit codes outside 0/1/2, peak memory over 1 GiB, invalid SARIF and
//! lost findings (findings of the untouched good files that disappear).
//!
//! ```sh
//! cargo build --release -p tollgate-cli && cargo build -p tollgate-fuzz
//! target/debug/hostile-campaign --runs 2000
//! ```
//!
//! Each run adds one mutated file under `fuzzed/` to a copy of the example repositories (or a
//! mutated or hostile Rego or Guard policy under `policies/`, or replaces the root
//! `tollgate.toml`, or feeds a mutated SARIF log to `merge`, `--baseline` or
//! `post --dry-run`). Needs `/usr/bin/time`, `prlimit` and `timeout` (util-linux, coreutils).
//! Inputs behind every problem are kept under `target/campaign/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use tollgate_fuzz::mutate::{mutate_deep, Rng};
use tollgate_fuzz::policies::{hostile_guard, hostile_rego};
use tollgate_fuzz::runner::repo_root;
use tollgate_fuzz::seeds::{has_ext, seeds};
use tollgate_fuzz::Seed;

const EXAMPLES: &[&str] = &["sam-orders", "serverless-payments", "terraform-ledger"];
const MAX_LEN: usize = 256 * 1024;
/// A file this large or larger is grown from a seed by repeating one of its lines: the shape
/// of the resource bombs (many resources, long lists) that size caps alone do not stop.
const BOMB_BYTES: usize = 2 * 1024 * 1024;

/// Where a mutated file goes and how tollgate is run on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `fuzzed/<name>` beside the good repositories; `tollgate run`.
    File(&'static str),
    /// `policies/<name>`, where the policy stage looks by default; `tollgate run`. One run in
    /// three writes a hostile policy ([`tollgate_fuzz::policies`]) instead of a mutant.
    Policy(&'static str),
    /// The root `tollgate.toml`; `tollgate run`.
    Config,
    /// `tollgate merge good.sarif fuzzed.sarif -o out.sarif`.
    Merge,
    /// `tollgate run --baseline fuzzed.sarif`.
    Baseline,
    /// `tollgate post fuzzed.sarif --dry-run`.
    Post,
}

struct Format {
    name: &'static str,
    mode: Mode,
    seeds: Vec<Seed>,
}

/// A directory name holding an escape sequence, a bell, a carriage return followed by a GitHub
/// workflow command and a bidirectional override (a Unix file name may hold any byte but `/`
/// and NUL).
const HOSTILE_DIR_NAME: &str = "esc\u{1b}[2J\u{1b}]0;t\u{7}\r::error::forged\u{202e}";

#[derive(Debug, Default)]
struct Tally {
    runs: u64,
    panics: Vec<String>,
    hangs: Vec<String>,
    bad_exit: Vec<String>,
    over_1gib: Vec<String>,
    invalid_sarif: Vec<String>,
    lost_findings: Vec<String>,
    raw_control: Vec<String>,
    exit_codes: BTreeMap<i32, u64>,
    per_format: BTreeMap<&'static str, u64>,
    peak_kib: u64,
}

struct Options {
    tollgate: PathBuf,
    runs: u64,
    seed: u64,
    timeout_secs: u64,
    address_space_mib: u64,
    schema: PathBuf,
    /// Formats to run (`--only rego,guard`); all when empty.
    only: Vec<String>,
}

fn options() -> Options {
    let root = repo_root();
    let mut o = Options {
        tollgate: root.join("target/release/tollgate"),
        runs: 3000,
        seed: 0x7011_6a7e,
        timeout_secs: own_bound_secs(),
        address_space_mib: 4096,
        schema: root.join("tests/schemas/sarif-schema-2.1.0.json"),
        only: Vec::new(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        let number = || value.parse::<u64>().unwrap_or_else(|_| usage(&args[i]));
        match args[i].as_str() {
            "--tollgate" => o.tollgate = PathBuf::from(&value),
            "--runs" => o.runs = number(),
            "--seed" => o.seed = number(),
            "--timeout" => o.timeout_secs = number(),
            "--address-space-mib" => o.address_space_mib = number(),
            "--schema" => o.schema = PathBuf::from(&value),
            "--only" => o.only = value.split(',').map(str::to_owned).collect(),
            other => usage(other),
        }
        i += 2;
    }
    o
}

fn usage(bad: &str) -> ! {
    eprintln!(
        "hostile-campaign: bad argument {bad:?}\nusage: hostile-campaign [--tollgate PATH] [--runs N] [--seed N] [--timeout SECS] [--address-space-mib N] [--schema PATH] [--only FORMAT,...]"
    );
    std::process::exit(2);
}

fn formats() -> Vec<Format> {
    let fixtures = &[
        "examples",
        "crates/tollgate-iac/tests",
        "crates/tollgate-perms/tests",
        "crates/tollgate-deps/tests",
        "crates/tollgate-policy/tests",
        "crates/tollgate-code/tests",
        "fuzz/seeds",
    ];
    let named = |name: &'static str, mode: Mode, keep: &dyn Fn(&str, &str) -> bool| {
        let all = seeds(fixtures, MAX_LEN, &|_| true);
        Format {
            name,
            mode,
            seeds: all.into_iter().filter(|s| keep(&s.name, &s.text)).collect(),
        }
    };
    let base = |p: &str| p.rsplit('/').next().unwrap_or(p).to_owned();
    let serverless = |p: &str| matches!(base(p).as_str(), "serverless.yml" | "serverless.yaml");
    let mut out = vec![
        named(
            "cloudformation-yaml",
            Mode::File("template.yaml"),
            &|p, t| has_ext(p, &["yaml", "yml"]) && !serverless(p) && t.contains("Resources"),
        ),
        named("sam-yaml", Mode::File("template.yaml"), &|p, t| {
            has_ext(p, &["yaml", "yml"]) && t.contains("AWS::Serverless")
        }),
        named(
            "cloudformation-json",
            Mode::File("template.json"),
            &|p, t| has_ext(p, &["json"]) && t.contains("\"Resources\""),
        ),
        named("serverless", Mode::File("serverless.yml"), &|p, _| {
            serverless(p)
        }),
        named("terraform", Mode::File("main.tf"), &|p, _| {
            has_ext(p, &["tf"])
        }),
        named("terraform-plan", Mode::File("plan.json"), &|p, t| {
            has_ext(p, &["json"]) && t.contains("planned_values")
        }),
        // The config may name commands ([[stage.external]]); those sections are cut from the
        // seeds so that a mutant never runs a program.
        named("tollgate.toml", Mode::Config, &|p, _| {
            matches!(base(p).as_str(), "tollgate.toml" | "tollgate.sample.toml")
        }),
        named("rego", Mode::Policy("fuzzed.rego"), &|p, _| {
            has_ext(p, &["rego"])
        }),
        named("guard", Mode::Policy("fuzzed.guard"), &|p, _| {
            has_ext(p, &["guard"])
        }),
        // Handler code: a file of its own in `fuzzed/`, traced as a conventionally named handler
        // (`handler`, `lambda_handler`) when it defines one.
        named("python-handler", Mode::File("app.py"), &|p, _| {
            has_ext(p, &["py"])
        }),
        named("js-handler", Mode::File("index.js"), &|p, _| {
            has_ext(p, &["js", "mjs", "cjs", "ts"])
        }),
        named("sarif-merge", Mode::Merge, &|p, _| has_ext(p, &["sarif"])),
        named("sarif-baseline", Mode::Baseline, &|p, _| {
            has_ext(p, &["sarif"])
        }),
        named("sarif-post", Mode::Post, &|p, _| has_ext(p, &["sarif"])),
    ];
    for f in &mut out {
        if f.mode == Mode::Config {
            for s in &mut f.seeds {
                s.text = without_external_stages(&s.text);
            }
        }
    }
    for lock in [
        "Cargo.lock",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "requirements.txt",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "pdm.lock",
        "go.mod",
        "go.sum",
        "Gemfile.lock",
        "composer.lock",
        "gradle.lockfile",
        "pom.xml",
    ] {
        let kind = tollgate_deps::LockfileKind::detect(lock);
        out.push(named(lock, Mode::File(lock), &|p, _| {
            tollgate_deps::LockfileKind::detect(&base(p)) == kind
        }));
    }
    out.retain(|f| {
        if f.seeds.is_empty() {
            eprintln!("note: no seeds for {}", f.name);
        }
        !f.seeds.is_empty()
    });
    out
}

fn without_external_stages(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('[') {
            skipping = t.starts_with("[[stage.external]]");
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The good repository: the examples side by side, one root config pointing at the shared
/// advisory directory outside the scanned root, so the deps stage runs offline.
fn good_repo(dir: &Path) -> PathBuf {
    let root = repo_root();
    let repo = dir.join("repo");
    for example in EXAMPLES {
        copy_tree(&root.join("examples").join(example), &repo.join(example));
    }
    copy_tree(&root.join("examples/advisories"), &dir.join("advisories"));
    std::fs::write(repo.join("tollgate.toml"), good_config()).expect("write config");
    repo
}

/// A head commit for `post --dry-run`, which needs one to describe its requests.
const HEAD_SHA: &str = "0123456789abcdef0123456789abcdef01234567";

/// The scratch repository's `stage-timeout`: every stage of a run stops within it, or within
/// the grace the pipeline gives a stage past it to hand in what it finished.
const STAGE_TIMEOUT_SECS: u64 = 10;

/// The scratch repository's `[stage.policy] policy-timeout-seconds`: the time one policy file
/// may spend on all the documents of a run. The default, 60 s, is past the whole run's bound
/// here: a slow but bounded policy would stop at the stage timeout instead of its own budget.
/// Its last evaluation may run past it by at most its own time budget (`eval-timeout-ms`, 1 s)
/// and the step in progress (the big-integer squarings take 2.4 s in a release build), which
/// still ends within the stage timeout.
const POLICY_BUDGET_SECS: u64 = 5;

/// What a run may take besides its stages: starting, walking the repository, merging the
/// stages' results and writing the outputs (a log of 100,000 results among them).
const OUTSIDE_STAGES_SECS: u64 = 8;

/// How long a run may take by tollgate's own bounds: the stage timeout, the grace the pipeline
/// gives a stage past it (a fifth of it, between 1 s and 60 s: `grace` in
/// `crates/tollgate-cli/src/pipeline.rs`) and the work outside the stages. The campaign's
/// default timeout, so that a hang it reports is a run that went past tollgate's own bound.
fn own_bound_secs() -> u64 {
    STAGE_TIMEOUT_SECS + (STAGE_TIMEOUT_SECS / 5).clamp(1, 60) + OUTSIDE_STAGES_SECS
}

/// The good repository's `tollgate.toml`: the advisories offline, and the time bounds above.
fn good_config() -> String {
    format!(
        "stage-timeout = {STAGE_TIMEOUT_SECS}\n\n[stage.deps]\nadvisory-db = [\"../advisories\"]\noffline = true\n\n[stage.policy]\npolicy-timeout-seconds = {POLICY_BUDGET_SECS}\n"
    )
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("read example").flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "tollgate.toml" {
            continue;
        }
        if path.is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).expect("copy example file");
        }
    }
}

/// What one run of the binary gave.
struct Outcome {
    /// Exit status, or 128 + signal.
    code: i32,
    max_rss_kib: u64,
    /// The report (text, the default format) and the log.
    stdout: String,
    stderr: String,
}

fn run_tollgate(o: &Options, args: &[&str], cwd: &Path, mem_file: &Path) -> Outcome {
    let bytes = o.address_space_mib * 1024 * 1024;
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(mem_file)
        .arg("prlimit")
        .arg(format!("--as={bytes}"))
        .arg("--")
        .arg("timeout")
        .arg("-k")
        .arg("5")
        .arg(o.timeout_secs.to_string())
        .arg(&o.tollgate)
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run /usr/bin/time");
    let code = out.status.code().unwrap_or(-1);
    let max_rss_kib = std::fs::read_to_string(mem_file)
        .ok()
        .and_then(|t| t.lines().rev().find_map(|l| l.trim().parse::<u64>().ok()))
        .unwrap_or(0);
    // `time` prints "Command exited with non-zero status N" or "Command terminated by signal
    // N" in its output file; its own exit status is the command's, or 128+N for a signal.
    let text = std::fs::read_to_string(mem_file).unwrap_or_default();
    let code = match text
        .lines()
        .find_map(|l| l.strip_prefix("Command terminated by signal "))
    {
        Some(sig) => 128 + sig.trim().parse::<i32>().unwrap_or(0),
        None => code,
    };
    Outcome {
        code,
        max_rss_kib,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

type Key = (String, String, i64, i64);

/// (rule, uri, line, column) of every result of every run of a SARIF log.
fn findings(log: &serde_json::Value) -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for run in log["runs"].as_array().into_iter().flatten() {
        for r in run["results"].as_array().into_iter().flatten() {
            let loc = &r["locations"][0]["physicalLocation"];
            out.insert((
                r["ruleId"].as_str().unwrap_or_default().to_owned(),
                loc["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                loc["region"]["startLine"].as_i64().unwrap_or(0),
                loc["region"]["startColumn"].as_i64().unwrap_or(0),
            ));
        }
    }
    out
}

/// The (id, text) of every tool execution notification of a SARIF log.
fn notifications(log: &serde_json::Value) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    for run in log["runs"].as_array().into_iter().flatten() {
        for inv in run["invocations"].as_array().into_iter().flatten() {
            for n in inv["toolExecutionNotifications"]
                .as_array()
                .into_iter()
                .flatten()
            {
                out.push((
                    n["descriptor"]["id"].as_str().unwrap_or_default(),
                    n["message"]["text"].as_str().unwrap_or_default(),
                ));
            }
        }
    }
    out
}

/// Notifications that say a panic was caught.
fn caught_panics(log: &serde_json::Value) -> Vec<String> {
    notifications(log)
        .into_iter()
        .filter(|(id, text)| {
            matches!(*id, "parser-failed" | "adapter-failed")
                || (*id == "stage-failed" && text.contains("panic"))
        })
        .map(|(id, text)| format!("{id}: {text}"))
        .collect()
}

/// Notifications that say a stage ran into the run's `stage-timeout`: in a run whose only
/// new file is a policy, whose budget ([`POLICY_BUDGET_SECS`]) ends well within that timeout,
/// the policy went past its own bound.
fn stage_timeouts(log: &serde_json::Value) -> Vec<String> {
    notifications(log)
        .into_iter()
        .filter(|(id, _)| *id == "stage-timeout")
        .map(|(id, text)| format!("{id}: {text}"))
        .collect()
}

/// A mutant of `seed`: the usual edits, or (one run in 25) one line repeated until the file
/// is about `BOMB_BYTES` long.
fn mutant(rng: &mut Rng, seed: &str, other: &str) -> String {
    if rng.one_in(25) {
        let lines: Vec<&str> = seed.split_inclusive('\n').collect();
        if lines.is_empty() {
            return seed.to_owned();
        }
        let at = rng.below(lines.len());
        let line = lines[at];
        let times = BOMB_BYTES / line.len().max(1);
        let mut out = String::with_capacity(seed.len() + BOMB_BYTES);
        for (i, l) in lines.iter().enumerate() {
            out.push_str(l);
            if i == at {
                for _ in 0..times {
                    out.push_str(line);
                }
            }
        }
        return out;
    }
    mutate_deep(rng, seed, other, &[], MAX_LEN)
}

fn main() {
    let o = options();
    assert!(
        o.tollgate.is_file(),
        "no tollgate binary at {} (cargo build --release -p tollgate-cli)",
        o.tollgate.display()
    );
    let schema_text = std::fs::read_to_string(&o.schema)
        .unwrap_or_else(|e| panic!("SARIF schema {}: {e}", o.schema.display()));
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");

    let work = tempfile::tempdir().expect("scratch directory");
    let repo = good_repo(work.path());
    let keep = repo_root().join("target/campaign");
    std::fs::create_dir_all(&keep).expect("create target/campaign");
    let out_sarif = work.path().join("out.sarif");
    let mem_file = work.path().join("mem");

    // The good repository's own findings: what every run must still report for it.
    let good = run_tollgate(
        &o,
        &[
            "run",
            ".",
            "--sarif",
            out_sarif.to_str().unwrap_or_default(),
        ],
        &repo,
        &mem_file,
    );
    assert!(
        matches!(good.code, 0 | 1),
        "the good repository does not scan cleanly (exit {}):\n{}",
        good.code,
        good.stderr
    );
    let good_text = std::fs::read_to_string(&out_sarif).expect("good SARIF written");
    let good_log: serde_json::Value = serde_json::from_str(&good_text).expect("good SARIF");
    let good_findings = findings(&good_log);
    let good_sarif = work.path().join("good.sarif");
    std::fs::write(&good_sarif, &good_text).expect("keep good SARIF");
    eprintln!(
        "good repository: {} findings, exit {}, {} MiB",
        good_findings.len(),
        good.code,
        good.max_rss_kib / 1024
    );

    let mut formats = formats();
    if !o.only.is_empty() {
        formats.retain(|f| o.only.iter().any(|name| name == f.name));
        assert!(
            !formats.is_empty(),
            "no format named in --only {:?}",
            o.only
        );
    }
    let mut rng = Rng::new(o.seed);
    let mut tally = Tally::default();
    let started = Instant::now();
    for i in 0..o.runs {
        let format = &formats[(i as usize) % formats.len()];
        let seed = rng.pick(&format.seeds).text.clone();
        let other = rng.pick(&format.seeds).text.clone();
        let text = match format.mode {
            Mode::Policy(name) if rng.one_in(3) => {
                if name.ends_with(".rego") {
                    hostile_rego(&mut rng)
                } else {
                    hostile_guard(&mut rng)
                }
            }
            _ => mutant(&mut rng, &seed, &other),
        };
        let fuzzed_dir = repo.join("fuzzed");
        let _ = std::fs::remove_dir_all(&fuzzed_dir);
        // One file in ten sits in a directory whose name no output may show raw.
        let file_dir = if rng.one_in(10) {
            fuzzed_dir.join(HOSTILE_DIR_NAME)
        } else {
            fuzzed_dir.clone()
        };
        let policies_dir = repo.join("policies");
        let _ = std::fs::remove_dir_all(&policies_dir);
        let _ = std::fs::remove_file(&out_sarif);
        let input = work.path().join("fuzzed.sarif");
        let out_arg = out_sarif.to_str().unwrap_or_default().to_owned();
        let input_arg = input.to_str().unwrap_or_default().to_owned();
        let good_arg = good_sarif.to_str().unwrap_or_default().to_owned();
        let args: Vec<&str> = match format.mode {
            Mode::File(name) => {
                std::fs::create_dir_all(&file_dir).expect("create fuzzed/");
                std::fs::write(file_dir.join(name), &text).expect("write mutant");
                vec!["run", ".", "--sarif", &out_arg]
            }
            Mode::Policy(name) => {
                std::fs::create_dir_all(&policies_dir).expect("create policies/");
                std::fs::write(policies_dir.join(name), &text).expect("write policy");
                vec!["run", ".", "--sarif", &out_arg]
            }
            Mode::Config => {
                std::fs::write(repo.join("tollgate.toml"), &text).expect("write config");
                vec!["run", ".", "--sarif", &out_arg]
            }
            Mode::Merge => {
                std::fs::write(&input, &text).expect("write mutant");
                vec!["merge", &good_arg, &input_arg, "-o", &out_arg]
            }
            Mode::Baseline => {
                std::fs::write(&input, &text).expect("write mutant");
                vec!["run", ".", "--sarif", &out_arg, "--baseline", &input_arg]
            }
            Mode::Post => {
                std::fs::write(&input, &text).expect("write mutant");
                vec![
                    "post",
                    &input_arg,
                    "--dry-run",
                    "--repo",
                    "o/r",
                    "--pr",
                    "1",
                    "--sha",
                    HEAD_SHA,
                ]
            }
        };
        let outcome = run_tollgate(&o, &args, &repo, &mem_file);
        if format.mode == Mode::Config {
            std::fs::write(repo.join("tollgate.toml"), good_config()).expect("restore config");
        }
        tally.runs += 1;
        *tally.per_format.entry(format.name).or_default() += 1;
        *tally.exit_codes.entry(outcome.code).or_default() += 1;
        tally.peak_kib = tally.peak_kib.max(outcome.max_rss_kib);

        let mut problems: Vec<(&str, String)> = Vec::new();
        // tollgate's own panic hook writes `internal error (panic) at ...`; Rust's default one,
        // which a panic before the hook is installed would meet, `panicked at`.
        let is_panic = |l: &str| l.contains("panicked at") || l.contains("internal error (panic)");
        if outcome.stderr.lines().any(is_panic) {
            let line = outcome
                .stderr
                .lines()
                .find(|l| is_panic(l))
                .unwrap_or_default();
            problems.push(("panic", line.to_owned()));
        }
        // What tollgate prints reaches a terminal or a CI log: a raw escape sequence there
        // rewrites the screen, a raw carriage return forges the start of a line.
        for (stream, text) in [("stdout", &outcome.stdout), ("stderr", &outcome.stderr)] {
            if let Some(line) = text
                .lines()
                .find(|l| l.chars().any(tollgate_core::display::is_unsafe))
            {
                let shown = tollgate_core::display::visible_line(line);
                let shown: String = shown.chars().take(200).collect();
                problems.push(("control", format!("{stream}: {shown}")));
            }
        }
        if outcome.code == 124 || outcome.code == 128 + 9 {
            problems.push(("hang", format!("no exit within {}s", o.timeout_secs)));
        } else if !matches!(outcome.code, 0..=2) {
            problems.push(("exit", format!("exit code {}", outcome.code)));
        }
        if outcome.max_rss_kib > 1024 * 1024 {
            problems.push(("memory", format!("{} MiB", outcome.max_rss_kib / 1024)));
        }
        if format.mode != Mode::Post && matches!(outcome.code, 0..=2) {
            match std::fs::read_to_string(&out_sarif)
                .ok()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            {
                // `merge` refuses a log it cannot read (exit 2) and writes nothing; `run`
                // writes its log in every case.
                None if format.mode == Mode::Merge && outcome.code == 2 => {}
                None => problems.push(("sarif", "no SARIF log written".to_owned())),
                Some(log) => {
                    if let Some(e) = validator.iter_errors(&log).next() {
                        problems.push(("sarif", format!("{e} at {}", e.instance_path)));
                    }
                    for p in caught_panics(&log) {
                        problems.push(("panic", p));
                    }
                    if matches!(format.mode, Mode::Policy(_)) {
                        for t in stage_timeouts(&log) {
                            problems.push(("hang", t));
                        }
                    }
                    // A mutated config may legitimately change what is reported.
                    if format.mode != Mode::Config {
                        let now = findings(&log);
                        let lost: Vec<_> = good_findings.difference(&now).collect();
                        if !lost.is_empty() {
                            problems.push((
                                "lost",
                                format!(
                                    "{} findings of the good files lost, e.g. {:?}",
                                    lost.len(),
                                    lost[0]
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if !problems.is_empty() {
            let kept = keep.join(format!("{i:05}-{}", format.name.replace('/', "_")));
            let _ = std::fs::write(&kept, &text);
            for (kind, what) in problems {
                let line = format!("run {i} {} ({}): {what}", format.name, kept.display());
                eprintln!("{kind}: {line}");
                match kind {
                    "panic" => tally.panics.push(line),
                    "hang" => tally.hangs.push(line),
                    "exit" => tally.bad_exit.push(line),
                    "memory" => tally.over_1gib.push(line),
                    "sarif" => tally.invalid_sarif.push(line),
                    "control" => tally.raw_control.push(line),
                    _ => tally.lost_findings.push(line),
                }
            }
        }
        if (i + 1) % 250 == 0 {
            eprintln!("{} runs in {:.0?}", i + 1, started.elapsed());
        }
    }

    println!(
        "hostile-input campaign: seed {:#x}, {} runs in {:.0?}",
        o.seed,
        tally.runs,
        started.elapsed()
    );
    println!("  binary: {}", o.tollgate.display());
    println!(
        "  limits: {}s timeout, {} MiB address space; tollgate.toml: stage-timeout {STAGE_TIMEOUT_SECS} s, policy-timeout-seconds {POLICY_BUDGET_SECS} s (own bound {} s)",
        o.timeout_secs,
        o.address_space_mib,
        own_bound_secs()
    );
    println!("  runs per format: {:?}", tally.per_format);
    println!("  exit codes: {:?}", tally.exit_codes);
    println!("  peak memory of any run: {} MiB", tally.peak_kib / 1024);
    for (name, list) in [
        ("panics", &tally.panics),
        ("hangs", &tally.hangs),
        ("exit codes outside 0/1/2", &tally.bad_exit),
        ("peak memory over 1 GiB", &tally.over_1gib),
        ("invalid SARIF", &tally.invalid_sarif),
        ("lost findings", &tally.lost_findings),
        (
            "raw control characters in the report or log",
            &tally.raw_control,
        ),
    ] {
        println!("  {name}: {}", list.len());
        for line in list.iter().take(20) {
            println!("    {line}");
        }
    }
}
