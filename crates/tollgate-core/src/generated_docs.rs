//! Files generated from rule metadata (`docs/rules/*.md`) are committed, and each stage crate has
//! a test that keeps its pages current. This is the one comparison those tests share: every
//! wanted file must hold exactly its text, and no file the generator owns may be left over.
//! When an update is asked for (`UPDATE_DOCS=1`), the files are rewritten and left-overs removed.

use std::collections::BTreeMap;
use std::path::Path;

/// Whether the environment asks for generated files to be rewritten (`UPDATE_DOCS=1`).
pub fn update_requested() -> bool {
    std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1")
}

/// Compare the files of `dir` with `wanted` (file name to text), or rewrite them when `update`.
/// `owns` says which existing file names the caller generates, so pages of removed rules are
/// found. Returns the stale names (empty when all is current, and always empty after an update).
pub fn sync(
    dir: &Path,
    wanted: &BTreeMap<String, String>,
    owns: impl Fn(&str) -> bool,
    update: bool,
) -> std::io::Result<Vec<String>> {
    let mut stale = Vec::new();
    for (name, text) in wanted {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if update {
                std::fs::create_dir_all(dir)?;
                std::fs::write(&path, text)?;
            } else {
                stale.push(name.clone());
            }
        }
    }
    let mut existing: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| owns(n))
            .collect(),
        Err(_) => Vec::new(),
    };
    existing.sort();
    for name in existing.iter().filter(|n| !wanted.contains_key(*n)) {
        if update {
            std::fs::remove_file(dir.join(name))?;
        } else {
            stale.push(format!("{name} (no such rule)"));
        }
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_changed_missing_and_left_over_pages() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("TG1.md"), "old").unwrap();
        std::fs::write(dir.path().join("TG3.md"), "gone").unwrap();
        std::fs::write(dir.path().join("OTHER.md"), "not ours").unwrap();
        let wanted: BTreeMap<String, String> = [("TG1.md", "new"), ("TG2.md", "two")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let stale = sync(dir.path(), &wanted, |n| n.starts_with("TG"), false).unwrap();
        assert_eq!(stale, ["TG1.md", "TG2.md", "TG3.md (no such rule)"]);
    }
}
