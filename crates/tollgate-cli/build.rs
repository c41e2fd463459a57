//! Records the commit and target triple for `tollgate --version`.
//!
//! Never fails: a build from a crates tarball or a source archive has no `.git` and maybe no
//! `git`; the commit is then `unknown`. `TOLLGATE_COMMIT` (set by the release workflow) wins.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=TOLLGATE_COMMIT");
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    let commit = std::env::var("TOLLGATE_COMMIT")
        .ok()
        .filter(|c| is_commit(c))
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=TOLLGATE_BUILD_TARGET={target}");
    println!("cargo:rustc-env=TOLLGATE_BUILD_COMMIT={commit}");
}

/// A hex object id; anything else (an injected string) is ignored.
fn is_commit(text: &str) -> bool {
    (7..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn git(args: &[&str]) -> Option<String> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.trim().to_string())
}

fn git_commit() -> Option<String> {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).filter(|c| is_commit(c))?;
    // Rebuild when HEAD moves: HEAD itself (a branch switch), the branch it points at, and
    // packed-refs. Only files that exist: cargo reruns on every build for a missing one.
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch]));
    }
    watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    for path in watched.into_iter().flatten() {
        let path = Path::new(&manifest_dir).join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    Some(commit)
}
