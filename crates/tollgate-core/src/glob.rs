//! Path globs as the config writes them (`include`, `exclude`, `[[ignore]] paths`), matched
//! against repository-relative paths with forward slashes.
//!
//! Semantics, close to `.gitignore` so users need not learn a second dialect:
//! - `*` and `?` never cross a `/`; `**` spans any number of directories;
//! - a pattern with no `/` but a trailing one matches at any depth (`*.test.yaml` ==
//!   `**/*.test.yaml`); a leading `/` anchors it to the root;
//! - a pattern ending in `/` names a directory and everything under it (`legacy/`).

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

/// A pattern that is not a valid glob, with its index in the list it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid glob `{pattern}`: {reason}")]
pub struct GlobError {
    pub index: usize,
    pub pattern: String,
    pub reason: String,
}

/// A compiled list of globs. An empty list matches nothing; callers decide what "empty" means.
#[derive(Debug, Clone)]
pub struct PathGlobs {
    set: GlobSet,
    len: usize,
}

impl PathGlobs {
    pub fn new(patterns: &[String]) -> Result<Self, GlobError> {
        let mut builder = GlobSetBuilder::new();
        for (index, pattern) in patterns.iter().enumerate() {
            for expanded in expand(pattern) {
                builder.add(compile(&expanded).map_err(|e| GlobError {
                    index,
                    pattern: pattern.clone(),
                    reason: e.kind().to_string(),
                })?);
            }
        }
        let set = builder.build().map_err(|e| GlobError {
            index: 0,
            pattern: patterns.join(", "),
            reason: e.to_string(),
        })?;
        Ok(Self {
            set,
            len: patterns.len(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `path` (relative, forward slashes) or one of its parent directories matches
    /// any pattern: as in `.gitignore`, naming a directory names everything under it.
    pub fn is_match(&self, path: &str) -> bool {
        if self.set.is_match(path) {
            return true;
        }
        path.match_indices('/')
            .any(|(i, _)| self.set.is_match(&path[..i]))
    }
}

/// Check one pattern without keeping it (config validation).
pub fn validate(pattern: &str) -> Result<(), String> {
    for expanded in expand(pattern) {
        compile(&expanded).map_err(|e| e.kind().to_string())?;
    }
    Ok(())
}

fn compile(pattern: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// The globset patterns one config pattern stands for.
fn expand(pattern: &str) -> Vec<String> {
    let trimmed = pattern.trim().trim_start_matches("./");
    let mut base = trimmed.trim_start_matches('/').to_string();
    if base.is_empty() {
        return vec![String::new()];
    }
    if base.ends_with('/') {
        base.push_str("**");
    }
    // Matching a directory pattern also matches the directory itself, so the walker can prune it.
    let mut out = vec![base.clone()];
    if let Some(dir) = base.strip_suffix("/**") {
        out.push(dir.to_string());
    }
    let anchored = trimmed.starts_with('/') || base.trim_end_matches("/**").contains('/');
    if !anchored {
        let floating: Vec<String> = out.iter().map(|p| format!("**/{p}")).collect();
        out.extend(floating);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(patterns: &[&str]) -> PathGlobs {
        PathGlobs::new(&patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn star_stays_in_one_directory_and_double_star_crosses() {
        let g = globs(&["src/*.yaml"]);
        assert!(g.is_match("src/a.yaml"));
        assert!(!g.is_match("src/deep/a.yaml"));
        let g = globs(&["src/**/*.yaml"]);
        assert!(g.is_match("src/a.yaml"));
        assert!(g.is_match("src/deep/er/a.yaml"));
        assert!(!g.is_match("other/a.yaml"));
    }

    #[test]
    fn slashless_patterns_float_and_directories_cover_their_content() {
        let g = globs(&["*.test.yaml", "legacy/", "node_modules"]);
        assert!(g.is_match("a.test.yaml"));
        assert!(g.is_match("deep/b.test.yaml"));
        assert!(g.is_match("legacy"));
        assert!(g.is_match("legacy/x/y.tf"));
        assert!(g.is_match("app/legacy/x.tf"));
        assert!(g.is_match("web/node_modules"));
        assert!(g.is_match("web/node_modules/pkg/index.js"));
        let g = globs(&["/legacy/"]);
        assert!(g.is_match("legacy/x.tf"));
        assert!(!g.is_match("app/legacy/x.tf"));
        let g = globs(&["/top.yaml"]);
        assert!(g.is_match("top.yaml"));
        assert!(!g.is_match("sub/top.yaml"));
    }

    #[test]
    fn invalid_pattern_names_its_index() {
        let err = PathGlobs::new(&["ok/**".to_string(), "bad[".to_string()]).unwrap_err();
        assert_eq!(err.index, 1);
        assert!(validate("a/{b").is_err());
        assert!(validate("a/**/b").is_ok());
    }
}
