//! `tollgate db update`: download the OSV advisories the deps stage reads offline.

use tollgate_deps::{default_cache_dir, update_db, Ecosystem, UpdateOptions, UpdateOutcome};

use crate::args::{DbCommand, DbUpdateArgs};

pub fn run(command: &DbCommand) -> anyhow::Result<u8> {
    match command {
        DbCommand::Update(args) => update(args),
    }
}

fn update(args: &DbUpdateArgs) -> anyhow::Result<u8> {
    let Some(cache_dir) = args.cache_dir.clone().or_else(default_cache_dir) else {
        eprintln!("error: no cache directory is known for this user\nhint: pass --cache-dir DIR");
        return Ok(2);
    };
    let mut options = UpdateOptions::new(cache_dir);
    if !args.ecosystems.is_empty() {
        match parse_ecosystems(&args.ecosystems) {
            Ok(ecosystems) => options.ecosystems = ecosystems,
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(2);
            }
        }
    }
    if let Some(url) = &args.base_url {
        options.base_url = url.clone();
    }
    match update_db(&options) {
        Ok(summary) => {
            let mut text = String::new();
            for update in &summary.updated {
                let what = match &update.outcome {
                    UpdateOutcome::Downloaded { bytes, advisories } => {
                        format!("downloaded {advisories} advisories ({bytes} bytes)")
                    }
                    UpdateOutcome::NotModified => "already up to date".to_string(),
                };
                text.push_str(&format!(
                    "{}: {what} -> {}\n",
                    update.ecosystem.osv_name(),
                    update.path.display()
                ));
            }
            crate::output::print_stdout(&text);
            Ok(0)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(2)
        }
    }
}

/// OSV ecosystem names, case-insensitive; an unknown one is an error listing the known ones.
fn parse_ecosystems(names: &[String]) -> Result<Vec<Ecosystem>, String> {
    names
        .iter()
        .map(|name| {
            Ecosystem::from_osv(name.trim()).ok_or_else(|| {
                let known: Vec<&str> = Ecosystem::ALL.iter().map(|e| e.osv_name()).collect();
                format!(
                    "unknown ecosystem `{name}`, expected one of {}",
                    known.join(", ")
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_by_osv_name() {
        let parsed = parse_ecosystems(&["npm".into(), "pypi".into()]).unwrap();
        assert_eq!(parsed, vec![Ecosystem::Npm, Ecosystem::PyPi]);
        let err = parse_ecosystems(&["cocoapods".into()]).unwrap_err();
        assert!(
            err.contains("unknown ecosystem `cocoapods`, expected one of crates.io, npm"),
            "{err}"
        );
    }
}
