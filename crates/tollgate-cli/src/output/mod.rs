//! Report formats and writing them. stdout carries the report only; files are written
//! atomically so a reader (an upload step, a later job) never sees half a file.

pub mod compact;
pub mod gitlab;
pub mod json;
pub mod junit;
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
///
/// Only a regular file (or a path that does not exist yet) is replaced that way. Anything else
/// is written through, as a shell redirection would: a FIFO another process reads, a device
/// such as `/dev/null`, and a symbolic link, whose target gets the contents (atomically when
/// it is a regular file) while the link itself stays.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match std::fs::canonicalize(path) {
            // The link stays; what it points at gets the contents by the same rules.
            Ok(target) if std::fs::metadata(&target).is_ok_and(|m| m.is_file()) => {
                replace_file(&target, path, write)
            }
            Ok(target) => write_through(&target, path, write, false),
            // A dangling link: its target is created, as `>` would.
            Err(_) => write_through(path, path, write, true),
        },
        Ok(meta) if !meta.is_file() => write_through(path, path, write, false),
        _ => replace_file(path, path, write),
    }
}

/// Open `target` for writing and stream into it. Used for FIFOs and devices, where a rename
/// would replace the special file by a regular one, and for a dangling link's target.
fn write_through(
    target: &Path,
    shown: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    create: bool,
) -> anyhow::Result<()> {
    if std::fs::metadata(target).is_ok_and(|m| m.is_dir()) {
        anyhow::bail!("cannot write {}: it is a directory", shown.display());
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(create)
        .truncate(create)
        .open(target)
        .with_context(|| format!("cannot write {}", shown.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    write(&mut out)
        .and_then(|()| out.flush())
        .with_context(|| format!("cannot write {}", shown.display()))
}

/// The temporary-file-and-rename replacement of the regular file (or new file) `path`.
fn replace_file(
    path: &Path,
    shown: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file path", shown.display()))?;
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
                return Err(e).with_context(|| format!("cannot write {}", shown.display()));
            }
        }
    }
    let (tmp_path, file) =
        tmp.with_context(|| format!("cannot create a temporary file next to {}", shown.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    let written = write(&mut out)
        .and_then(|()| out.into_inner().map_err(|e| e.into_error()))
        .and_then(|file| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp_path, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp_path);
        return Err(e).with_context(|| format!("cannot write {}", shown.display()));
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

    #[cfg(unix)]
    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// A FIFO (`--sarif >(gzip > x)`, a reader in another job) gets the contents, and stays a
    /// FIFO rather than being replaced by a regular file.
    #[cfg(unix)]
    #[test]
    fn fifo_targets_are_written_through() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("out.sarif");
        mkfifo(&fifo);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_atomic(&fifo, |out| out.write_all(b"through the pipe")).unwrap();
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "the FIFO was replaced: {kind:?}");
        assert_eq!(reader.join().unwrap(), "through the pipe");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// A symbolic link stays a link: a regular target is replaced atomically, a device target
    /// written through, a dangling link's target created.
    #[cfg(unix)]
    #[test]
    fn symlinks_keep_pointing_where_they_did() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.sarif");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.sarif");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, |out| out.write_all(b"new")).unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");

        let null = dir.path().join("null.sarif");
        std::os::unix::fs::symlink("/dev/null", &null).unwrap();
        write_atomic(&null, |out| out.write_all(b"discarded")).unwrap();
        assert!(std::fs::symlink_metadata(&null)
            .unwrap()
            .file_type()
            .is_symlink());

        let dangling = dir.path().join("dangling.sarif");
        std::os::unix::fs::symlink("created.sarif", &dangling).unwrap();
        write_atomic(&dangling, |out| out.write_all(b"made")).unwrap();
        assert!(std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("created.sarif")).unwrap(),
            "made"
        );
        // No temporary file is left next to any of them.
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "created.sarif",
                "dangling.sarif",
                "link.sarif",
                "null.sarif",
                "real.sarif"
            ]
        );
    }

    /// `/dev/null` itself is opened and written, never renamed over (as root a rename would
    /// succeed and leave a regular file there).
    #[cfg(unix)]
    #[test]
    fn devices_are_written_through() {
        use std::os::unix::fs::FileTypeExt;
        let dev_null = Path::new("/dev/null");
        write_atomic(dev_null, |out| out.write_all(b"discarded")).unwrap();
        let kind = std::fs::symlink_metadata(dev_null).unwrap().file_type();
        assert!(kind.is_char_device());
    }
}
