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
    write_stdout_with(|out| out.write_all(text.as_bytes()));
}

/// Let `write` stream a report into stdout through one buffer, so a large report is not built
/// as a string first. A closed pipe is ignored, as in [`print_stdout`].
pub fn write_stdout_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let _ = write(&mut out).and_then(|()| out.flush());
}

/// Write to `path` through a temporary file in the same directory and a rename, so the file is
/// either the old one or the complete new one. `write` streams the contents into a buffered
/// writer, so a large output (a SARIF log) never has to be built as one string first.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
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
    let (tmp_path, file) =
        tmp.with_context(|| format!("cannot create a temporary file next to {}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    let written = write(&mut out)
        .and_then(|()| out.into_inner().map_err(|e| e.into_error()))
        .and_then(|file| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp_path, path));
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
        write_atomic(&target, |out| out.write_all(b"new contents")).unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new contents");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "out.sarif")
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
        // A missing directory is an error naming the file, and the old file stays intact.
        let err =
            write_atomic(&dir.join("missing/out.sarif"), |out| out.write_all(b"x")).unwrap_err();
        assert!(format!("{err:#}").contains("out.sarif"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A writer that fails halfway (a serialiser error, a full disk) leaves the old file whole
    /// and no temporary file behind.
    #[test]
    fn failed_stream_keeps_the_old_file() {
        let dir = std::env::temp_dir().join(format!("tollgate-atomic-fail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.sarif");
        std::fs::write(&target, "old").unwrap();
        let err = write_atomic(&target, |out| {
            out.write_all(&[b'x'; 100_000])?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(format!("{err:#}").contains("disk full"), "{err:#}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
