//! The map of changed lines per file: which new-side lines were added, and which new-side
//! ranges each hunk covers. Built from git (see [`crate::git`]) or from the pull request files
//! API; both give the same map.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Changes to one file on the new side of the diff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileDiff {
    /// New-side line numbers of added lines.
    pub added: BTreeSet<u32>,
    /// New-side line ranges (inclusive) of each hunk, in order.
    pub hunks: Vec<(u32, u32)>,
    /// The API gave no patch (binary or very large file): only whole-file filtering applies.
    pub patch_missing: bool,
}

impl FileDiff {
    /// The hunk containing `line`, as its index.
    pub fn hunk_of(&self, line: u32) -> Option<usize> {
        self.hunks
            .iter()
            .position(|&(start, end)| start <= line && line <= end)
    }
}

/// Changed files (new-side paths, repository-relative) and their changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffMap {
    pub files: BTreeMap<String, FileDiff>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("pull request files: expected a JSON array of diff entries, got {0}")]
    NotAnArray(&'static str),
    #[error("pull request files entry {index}: {message}")]
    Entry { index: usize, message: String },
    #[error("{file}: hunk header `{header}` is malformed (expected `@@ -a,b +c,d @@`)")]
    Hunk { file: String, header: String },
}

impl DiffMap {
    pub fn file(&self, path: &str) -> Option<&FileDiff> {
        self.files.get(path)
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// From the `GET /repos/{owner}/{repo}/pulls/{n}/files` response (one page or all pages
    /// concatenated). Removed files are left out: nothing on their new side can be commented.
    pub fn from_pr_files(files: &Value) -> Result<DiffMap, DiffError> {
        let entries = files.as_array().ok_or(DiffError::NotAnArray(kind(files)))?;
        let mut map = DiffMap::default();
        for (index, entry) in entries.iter().enumerate() {
            let name = entry
                .get("filename")
                .and_then(Value::as_str)
                .ok_or_else(|| DiffError::Entry {
                    index,
                    message: "missing string field `filename`".into(),
                })?;
            if entry.get("status").and_then(Value::as_str) == Some("removed") {
                continue;
            }
            let file = match entry.get("patch").and_then(Value::as_str) {
                Some(patch) => parse_patch(name, patch)?,
                None => FileDiff {
                    patch_missing: true,
                    ..FileDiff::default()
                },
            };
            map.files.insert(name.to_string(), file);
        }
        Ok(map)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parse the hunks of one file's unified diff (the `patch` field of the files API).
pub fn parse_patch(file: &str, patch: &str) -> Result<FileDiff, DiffError> {
    let mut diff = FileDiff::default();
    let mut new_line: u32 = 0;
    let mut in_hunk = false;
    for line in patch.lines() {
        if line.starts_with("@@") {
            let (start, count) = parse_hunk_header(line).ok_or_else(|| DiffError::Hunk {
                file: file.to_string(),
                header: line.chars().take(80).collect(),
            })?;
            if count > 0 {
                diff.hunks.push((start, start + count - 1));
            }
            new_line = start;
            in_hunk = true;
            continue;
        }
        if !in_hunk {
            continue;
        }
        match line.as_bytes().first() {
            Some(b'+') => {
                diff.added.insert(new_line);
                new_line += 1;
            }
            Some(b'-') | Some(b'\\') => {}
            // Context lines (a leading space, or an empty line where a tool trimmed it).
            _ => new_line += 1,
        }
    }
    Ok(diff)
}

/// `@@ -a,b +c,d @@ ...` -> (c, d); a missing count means 1.
fn parse_hunk_header(line: &str) -> Option<(u32, u32)> {
    let rest = line.strip_prefix("@@ ")?;
    let plus = rest.split_whitespace().find(|p| p.starts_with('+'))?;
    let plus = &plus[1..];
    let (start, count) = match plus.split_once(',') {
        Some((s, c)) => (s.parse().ok()?, c.parse().ok()?),
        None => (plus.parse().ok()?, 1),
    };
    Some((start, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATCH: &str = "@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c\n@@ -10,2 +11,3 @@ fn x\n x\n+y\n z\n\\ No newline at end of file";

    #[test]
    fn patch_gives_added_lines_and_hunks() {
        let d = parse_patch("f", PATCH).unwrap();
        assert_eq!(d.added.iter().copied().collect::<Vec<_>>(), vec![2, 3, 12]);
        assert_eq!(d.hunks, vec![(1, 4), (11, 13)]);
        assert_eq!(d.hunk_of(12), Some(1));
        assert_eq!(d.hunk_of(7), None);
    }

    #[test]
    fn files_api_skips_removed_and_marks_missing_patches() {
        let files = serde_json::json!([
            {"filename": "a.yaml", "status": "modified", "patch": PATCH},
            {"filename": "gone.yaml", "status": "removed", "patch": "@@ -1 +0,0 @@\n-x"},
            {"filename": "big.json", "status": "added"}
        ]);
        let map = DiffMap::from_pr_files(&files).unwrap();
        assert!(map.file("gone.yaml").is_none());
        assert!(map.file("big.json").unwrap().patch_missing);
        assert!(map.file("a.yaml").unwrap().added.contains(&3));
        assert!(DiffMap::from_pr_files(&serde_json::json!({})).is_err());
    }

    #[test]
    fn bad_hunk_header_is_named() {
        let err = parse_patch("x.tf", "@@ nonsense @@\n+a").unwrap_err();
        assert!(err.to_string().contains("x.tf"));
    }
}
