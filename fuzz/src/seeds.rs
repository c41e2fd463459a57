//! Seeds from the repository itself: the examples and the test fixtures are real-shaped files
//! of every format tollgate reads.

use std::path::{Path, PathBuf};

use crate::runner::{repo_root, Seed};

/// Files under `dir` (recursively, in name order) whose path `keep` accepts.
pub fn files_under(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && keep(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Seeds from repository-relative `dirs`, keeping files whose name `keep` accepts and that
/// are UTF-8 and at most `max_len` bytes.
pub fn seeds(dirs: &[&str], max_len: usize, keep: &dyn Fn(&str) -> bool) -> Vec<Seed> {
    let root = repo_root();
    let mut out = Vec::new();
    for dir in dirs {
        let accept = |p: &Path| p.file_name().and_then(|n| n.to_str()).is_some_and(keep);
        for path in files_under(&root.join(dir), &accept) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if text.len() <= max_len {
                let name = path
                    .strip_prefix(&root)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                out.push(Seed { name, text });
            }
        }
    }
    out
}

/// Whether a file name ends with one of `exts` (without the dot).
pub fn has_ext(name: &str, exts: &[&str]) -> bool {
    exts.iter().any(|e| {
        name.len() > e.len() + 1
            && name.ends_with(e)
            && name.as_bytes()[name.len() - e.len() - 1] == b'.'
    })
}
