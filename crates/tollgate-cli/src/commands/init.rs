//! `tollgate init [PATH]`: write the commented default `tollgate.toml`, never over an existing one.

use std::io::Write;

use anyhow::Context;
use tollgate_core::config::find_config;

use crate::args::InitArgs;
use crate::pipeline::default_config_text;

pub fn run(args: &InitArgs) -> anyhow::Result<u8> {
    if let Some(existing) = find_config(&args.path) {
        eprintln!(
            "error: {} already exists; refusing to overwrite it\nhint: remove it first, or edit it",
            existing.display()
        );
        return Ok(2);
    }
    let target = args.path.join("tollgate.toml");
    // `create_new` so a file appearing between the check and the write is not clobbered.
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: {} already exists; refusing to overwrite it",
                target.display()
            );
            return Ok(2);
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", target.display())),
    };
    file.write_all(default_config_text().as_bytes())
        .with_context(|| format!("cannot write {}", target.display()))?;
    eprintln!("wrote {}", target.display());
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_once_then_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let args = InitArgs {
            path: dir.path().to_path_buf(),
        };
        assert_eq!(run(&args).unwrap(), 0);
        let text = std::fs::read_to_string(dir.path().join("tollgate.toml")).unwrap();
        assert_eq!(text, default_config_text());
        std::fs::write(dir.path().join("tollgate.toml"), "# mine\n").unwrap();
        assert_eq!(run(&args).unwrap(), 2);
        let kept = std::fs::read_to_string(dir.path().join("tollgate.toml")).unwrap();
        assert_eq!(kept, "# mine\n");
    }
}
