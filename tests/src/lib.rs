//! Helpers shared by the end-to-end tests.
//!
//! # Finding the `tollgate` binary
//!
//! The binary belongs to the `tollgate-cli` package, so neither `assert_cmd`'s `cargo_bin` nor
//! `env!("CARGO_BIN_EXE_tollgate")` can see it from this package, and a dev-dependency on a
//! binary-only package is ignored by cargo. [`tollgate_bin`] therefore:
//!
//! 1. uses `$TOLLGATE_BIN` when set (to test an installed or release binary);
//! 2. otherwise runs `cargo build -p tollgate-cli --bin tollgate` once per test process (a no-op
//!    when it is up to date, so the binary is never stale), with the same profile as the test
//!    executable, and returns `<target dir>/<profile>/tollgate`. The target directory is the
//!    one the test executable itself lives in (`<target>/<profile>/deps/<test>`), which also
//!    covers `CARGO_TARGET_DIR` and `--target-dir`.
//!
//! Use it with `assert_cmd::Command::new(tollgate_e2e::tollgate_bin())`.
//!
//! # Schemas
//!
//! [`schemas_dir`] is `tests/schemas/`, the public schemas vendored in the repository.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The path of an up-to-date `tollgate` binary; see the module docs.
pub fn tollgate_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("TOLLGATE_BIN") {
            return PathBuf::from(bin);
        }
        let exe = std::env::current_exe().expect("the test executable has a path");
        // <target>/<profile>/deps/<test-exe>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("test executables live in <target>/<profile>/deps");
        let target_dir = profile_dir.parent().expect("<target>/<profile>");
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .current_dir(workspace_root())
            .args([
                "build",
                "--quiet",
                "-p",
                "tollgate-cli",
                "--bin",
                "tollgate",
            ])
            .arg("--target-dir")
            .arg(target_dir);
        if release {
            build.arg("--release");
        }
        // Cargo gives this test process the variables of the package under test. Build scripts
        // that track one of them (ring's tracks `CARGO_MANIFEST_DIR`) would see a change and
        // rebuild ring, rustls and everything above them here, and again in the next plain
        // `cargo build`: the nested build must see the environment a plain build sees.
        for (key, _) in std::env::vars_os() {
            if package_variable(&key.to_string_lossy()) {
                build.env_remove(key);
            }
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "building the tollgate binary failed");
        let bin = profile_dir.join(format!("tollgate{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "{} was not built", bin.display());
        bin
    })
    .clone()
}

/// Variables Cargo sets for a package's build or test run only, never for a plain
/// `cargo build` started from a shell.
fn package_variable(key: &str) -> bool {
    key == "OUT_DIR"
        || key.starts_with("CARGO_PKG_")
        || key.starts_with("CARGO_BIN_")
        || matches!(
            key,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_MANIFEST_LINKS"
                | "CARGO_CRATE_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_TARGET_TMPDIR"
                | "CARGO_RUSTC_CURRENT_DIR"
        )
}

/// The public JSON schemas vendored under `tests/schemas/` (see the README there). They are
/// part of the repository, so a missing file is a broken checkout and fails the test.
pub fn schemas_dir() -> PathBuf {
    let dir = workspace_root().join("tests/schemas");
    assert!(
        dir.join("sarif-schema-2.1.0.json").is_file(),
        "{} has no sarif-schema-2.1.0.json: the vendored schemas are missing from the checkout",
        dir.display()
    );
    dir
}

/// The examples shipped under `examples/` with expected results, scanned by the e2e tests.
pub const EXAMPLES: [&str; 8] = [
    "sam-orders",
    "sam-orders-hardened",
    "sam-clinic",
    "serverless-payments",
    "serverless-payments-hardened",
    "terraform-ledger",
    "terraform-ledger-hardened",
    "plugins/todo-scanner",
];

/// The day example scans pretend it is, so runtime deprecation dates give stable results.
pub const EXAMPLES_TODAY: &str = "2026-11-28";

/// Assert that `log` validates against the OASIS SARIF 2.1.0 schema of `tests/schemas/`.
pub fn assert_valid_sarif(log: &serde_json::Value) {
    let text = std::fs::read_to_string(schemas_dir().join("sarif-schema-2.1.0.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Assert that `text`, something tollgate printed, holds no raw control character but line
/// breaks: escape sequences, carriage returns and bells from scanned files are shown escaped
/// in every output. `what` names the output in the failure message.
pub fn assert_no_raw_control(text: &str, what: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(raw.is_empty(), "{what}: raw {raw:?} in {text:?}");
}

/// `examples/<name>` in the workspace.
pub fn example_dir(name: &str) -> PathBuf {
    workspace_root().join("examples").join(name)
}

/// A `tollgate` command with a clean environment for reproducible output: no colour, no log
/// filter from the caller, no progress.
pub fn tollgate_cmd() -> Command {
    let mut cmd = Command::new(tollgate_bin());
    cmd.env_remove("RUST_LOG")
        .env_remove("GITHUB_TOKEN")
        .env_remove("TOLLGATE_ALLOW_PLUGINS")
        .env("NO_COLOR", "1");
    cmd
}

/// The binary run in `dir`, without the GitHub Actions and proxy variables of the environment
/// running the tests: the fake GitHub is local, and only what a test sets names the context.
pub fn tollgate_against_fake_github(dir: &Path) -> Command {
    let mut cmd = Command::new(tollgate_bin());
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG");
    for (key, _) in std::env::vars_os() {
        let name = key.to_string_lossy().to_ascii_lowercase();
        if name.starts_with("github_") || name.ends_with("_proxy") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Whether `python3` runs here (the example plugin needs it). Missing in CI is a failure, not a
/// reason to skip.
pub fn python3_available() -> bool {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found || std::env::var_os("CI").is_none(),
        "python3 is required in CI"
    );
    found
}

/// A static file server on 127.0.0.1 for tests of download code: `GET /path` answers the bytes
/// stored under `path` (200) or 404. Returns the base URL and a counter of requests served.
pub fn serve_files(
    files: std::collections::HashMap<String, Vec<u8>>,
) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("local address"));
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Ok(read_half) = stream.try_clone() else {
                continue;
            };
            let mut reader = BufReader::new(read_half);
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
            }
            counter.fetch_add(1, Ordering::SeqCst);
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let (status, body): (&str, &[u8]) = match files.get(path.trim_start_matches('/')) {
                Some(body) => ("200 OK", body),
                None => ("404 Not Found", b"not found"),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        }
    });
    (base, hits)
}

/// Run `git ARGS` in `dir` with a throwaway identity; panics when it fails. Returns stdout,
/// trimmed (a commit id for `rev-parse`).
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
