//! The evidence header's facts that come from the repository: which repository, which commit,
//! and whether the tree had uncommitted changes.

use std::path::Path;

use sha2::{Digest, Sha256};

/// What git says about the repository holding `root`; all `None` outside one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitFacts {
    pub repository: Option<String>,
    pub commit: Option<String>,
    pub dirty: Option<bool>,
}

/// Read the repository around `root` (searching upward). The `origin` remote names it, with
/// any credentials and query taken out; else the work tree's directory name.
pub fn git_facts(root: &Path) -> GitFacts {
    let Ok(repo) = git2::Repository::discover(root) else {
        return GitFacts::default();
    };
    let repository = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(without_credentials))
        .or_else(|| {
            repo.workdir()
                .and_then(|d| d.file_name())
                .map(|n| n.to_string_lossy().into_owned())
        });
    let commit = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .map(|c| c.id().to_string());
    let dirty = repo
        .statuses(Some(
            git2::StatusOptions::new()
                .include_untracked(false)
                .include_ignored(false),
        ))
        .ok()
        .map(|s| !s.is_empty());
    GitFacts {
        repository,
        commit,
        dirty,
    }
}

/// A remote URL without user, password or query: `https://github.com/o/r.git`,
/// `git@github.com:o/r.git` kept as written (its user is not a secret).
fn without_credentials(url: &str) -> String {
    let url: String = url.chars().filter(|c| !c.is_control()).collect();
    let url = url.split(['?', '#']).next().unwrap_or("").to_string();
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority.rsplit('@').next().unwrap_or("");
            if path.is_empty() {
                format!("{scheme}://{host}")
            } else {
                format!("{scheme}://{host}/{path}")
            }
        }
        None => url,
    }
}

/// SHA-256 of `bytes`, hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_lose_their_credentials() {
        assert_eq!(
            without_credentials("https://x-access-token:ghs_secret@github.com/o/r.git?a=b"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            without_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
    }
}
