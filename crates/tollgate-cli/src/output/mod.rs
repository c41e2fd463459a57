//! Report formats and writing them. stdout carries the report only; files are written
//! atomically so a reader (an upload step, a later job) never sees half a file.

pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

#[cfg(test)]
mod snapshot_tests;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

/// Looks a file's text up by repository-relative path (for code frames).
pub type SourceLookup<'a> = &'a dyn Fn(&str) -> Option<Arc<str>>;

/// Print a command's output on stdout. A closed pipe (`tollgate rules | head`) is the reader's
/// choice, not an error worth a panic.
pub fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// Write `bytes` to `path` through a temporary file in the same directory and a rename, so the
/// file is either the old one or the complete new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file path", path.display()))?;
    // A unique name in the same directory: rename is only atomic within one filesystem.
    let mut tmp = None;
    for attempt in 0..100u32 {
        let candidate = dir.join(format!(
            ".{}.{}.{attempt}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => {
                tmp = Some((candidate, file));
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot write {}", path.display()));
            }
        }
    }
    let (tmp_path, mut file) =
        tmp.with_context(|| format!("cannot create a temporary file next to {}", path.display()))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            std::fs::rename(&tmp_path, path)
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("tollgate-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.sarif");
        std::fs::write(&target, "old").unwrap();
        write_atomic(&target, b"new contents").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new contents");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "out.sarif")
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        // A missing directory is an error naming the file, and the old file stays intact.
        let err = write_atomic(&dir.join("missing/out.sarif"), b"x").unwrap_err();
        assert!(format!("{err:#}").contains("out.sarif"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
