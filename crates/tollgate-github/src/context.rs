//! Where the results go: repository, pull request, head and base revisions, API URL, and whether
//! the pull request comes from a fork. Read from the GitHub Actions environment and its event
//! payload, every part overridable by flags for other CI systems and local dry runs.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Event payloads larger than this are refused: the runner writes small files, anything
/// bigger is not what we expect.
const MAX_EVENT_BYTES: u64 = 25 * 1024 * 1024;

pub const DEFAULT_API_URL: &str = "https://api.github.com";
pub const DEFAULT_SERVER_URL: &str = "https://github.com";

/// `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSlug {
    pub owner: String,
    pub name: String,
}

impl RepoSlug {
    pub fn parse(text: &str) -> Result<RepoSlug, ContextError> {
        let (owner, name) = text
            .split_once('/')
            .ok_or_else(|| ContextError::BadRepo(text.to_string()))?;
        let ok = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if !ok(owner) || !ok(name) {
            return Err(ContextError::BadRepo(text.to_string()));
        }
        Ok(RepoSlug {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }

    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }
}

/// Values given on the command line; each wins over the environment.
#[derive(Debug, Clone, Default)]
pub struct ContextOverrides {
    /// `--repo owner/name`
    pub repo: Option<String>,
    /// `--pr N`
    pub pr: Option<u64>,
    /// `--sha` (the head commit results belong to)
    pub sha: Option<String>,
    /// `--base` (the base commit of the pull request)
    pub base: Option<String>,
    /// `--api-url` (GitHub Enterprise Server: `https://host/api/v3`)
    pub api_url: Option<String>,
    /// An event payload file other than `$GITHUB_EVENT_PATH`.
    pub event_path: Option<PathBuf>,
}

/// The pull request (or push) the results belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrContext {
    pub repo: RepoSlug,
    /// Absent for pushes: then only the check run, code scanning and workflow outputs apply.
    pub pr: Option<u64>,
    /// The head commit (`pull_request.head.sha`, not the merge commit in `GITHUB_SHA`).
    pub head_sha: String,
    pub base_sha: Option<String>,
    /// The git ref for code scanning (`refs/pull/N/head` for pull requests).
    pub git_ref: Option<String>,
    /// `pull_request`, `pull_request_target`, `push`, `workflow_run`, or `None` outside Actions.
    pub event_name: Option<String>,
    /// Head repository differs from the base repository: the token is likely read-only.
    pub is_fork: bool,
    /// REST API root without trailing slash.
    pub api_url: String,
    /// Web root for links (`https://github.com` or the GHES host).
    pub server_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("repository `{0}` is not of the form owner/name")]
    BadRepo(String),
    #[error("no repository: set GITHUB_REPOSITORY or pass --repo owner/name")]
    NoRepo,
    #[error("no head commit: set GITHUB_SHA, give an event payload, or pass --sha")]
    NoSha,
    #[error("`{0}` is not a commit id (expected 7 to 64 hex digits)")]
    BadSha(String),
    #[error("{path}: cannot read the event payload: {message}")]
    Event { path: String, message: String },
    #[error("`{0}` is not an http(s) URL")]
    BadUrl(String),
}

impl PrContext {
    /// Build the context from the process environment plus `overrides`.
    pub fn from_env(overrides: &ContextOverrides) -> Result<PrContext, ContextError> {
        Self::from_vars(|k| std::env::var(k).ok(), overrides)
    }

    /// As [`PrContext::from_env`], reading variables through `var` (tests pass a map).
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
        overrides: &ContextOverrides,
    ) -> Result<PrContext, ContextError> {
        let var = |k: &str| var(k).filter(|v| !v.trim().is_empty());
        let event_path = overrides
            .event_path
            .clone()
            .or_else(|| var("GITHUB_EVENT_PATH").map(PathBuf::from));
        let event = match &event_path {
            Some(path) => Some(read_event(path)?),
            None => None,
        };
        let event_name = var("GITHUB_EVENT_NAME").or_else(|| {
            event
                .as_ref()
                .and_then(infer_event_name)
                .map(str::to_string)
        });
        let facts = event
            .as_ref()
            .map(|e| EventFacts::of(e, event_name.as_deref()))
            .unwrap_or_default();

        let repo_text = overrides
            .repo
            .clone()
            .or_else(|| var("GITHUB_REPOSITORY"))
            .or(facts.repo.clone())
            .ok_or(ContextError::NoRepo)?;
        let repo = RepoSlug::parse(repo_text.trim())?;
        let head_sha = overrides
            .sha
            .clone()
            .or(facts.head_sha.clone())
            .or_else(|| var("GITHUB_SHA"))
            .ok_or(ContextError::NoSha)?;
        check_sha(&head_sha)?;
        let base_sha = overrides.base.clone().or(facts.base_sha.clone());
        if let Some(b) = &base_sha {
            check_sha(b)?;
        }
        let pr = overrides.pr.or(facts.pr);
        let git_ref = match pr {
            Some(n) => Some(format!("refs/pull/{n}/head")),
            None => var("GITHUB_REF").or(facts.git_ref.clone()),
        };
        let api_url = overrides
            .api_url
            .clone()
            .or_else(|| var("GITHUB_API_URL"))
            .unwrap_or_else(|| DEFAULT_API_URL.to_string());
        let api_url = check_url(api_url.trim().trim_end_matches('/'))?;
        let server_url = var("GITHUB_SERVER_URL")
            .map(|s| s.trim_end_matches('/').to_string())
            .unwrap_or_else(|| server_from_api(&api_url));
        Ok(PrContext {
            repo,
            pr,
            head_sha,
            base_sha,
            git_ref,
            event_name,
            is_fork: facts.is_fork,
            api_url,
            server_url,
        })
    }

    /// A link to `path` at `line` on the head commit, for summaries.
    pub fn blob_url(&self, path: &str, line: Option<u32>) -> String {
        let mut url = format!(
            "{}/{}/blob/{}/{}",
            self.server_url,
            self.repo.full_name(),
            self.head_sha,
            url_path(path)
        );
        if let Some(l) = line {
            url.push_str(&format!("#L{l}"));
        }
        url
    }
}

/// A repository path percent-encoded for a URL inside a markdown link: only unreserved
/// characters and `/` stay, so a file name with `)`, a space or `<` cannot end the link early
/// and start attacker-written markdown.
pub(crate) fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn check_sha(sha: &str) -> Result<(), ContextError> {
    if (7..=64).contains(&sha.len()) && sha.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ContextError::BadSha(sha.to_string()))
    }
}

fn check_url(url: &str) -> Result<String, ContextError> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(url.to_string())
    } else {
        Err(ContextError::BadUrl(url.to_string()))
    }
}

/// `https://api.github.com` -> `https://github.com`; GHES `https://host/api/v3` -> `https://host`.
fn server_from_api(api: &str) -> String {
    if api == DEFAULT_API_URL {
        return DEFAULT_SERVER_URL.to_string();
    }
    api.strip_suffix("/api/v3").unwrap_or(api).to_string()
}

fn read_event(path: &Path) -> Result<Value, ContextError> {
    let err = |message: String| ContextError::Event {
        path: path.display().to_string(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
    if meta.len() > MAX_EVENT_BYTES {
        return Err(err(format!(
            "{} bytes, more than the {MAX_EVENT_BYTES} allowed",
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| {
        err(format!(
            "line {}:{}: expected a JSON object: {e}",
            e.line(),
            e.column()
        ))
    })
}

fn infer_event_name(event: &Value) -> Option<&'static str> {
    if event.get("pull_request").is_some() {
        Some("pull_request")
    } else if event.get("workflow_run").is_some() {
        Some("workflow_run")
    } else if event.get("after").is_some() && event.get("ref").is_some() {
        Some("push")
    } else {
        None
    }
}

/// What an event payload tells about the revision under test.
#[derive(Debug, Default)]
struct EventFacts {
    repo: Option<String>,
    pr: Option<u64>,
    head_sha: Option<String>,
    base_sha: Option<String>,
    git_ref: Option<String>,
    is_fork: bool,
}

impl EventFacts {
    fn of(event: &Value, name: Option<&str>) -> EventFacts {
        let s = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        let repo = s(event, "/repository/full_name");
        match name {
            Some("pull_request" | "pull_request_target") | None
                if event.get("pull_request").is_some() =>
            {
                let pr = &event["pull_request"];
                let head_repo = s(pr, "/head/repo/full_name");
                let base_repo = s(pr, "/base/repo/full_name");
                EventFacts {
                    repo,
                    pr: pr
                        .get("number")
                        .and_then(Value::as_u64)
                        .or_else(|| event.get("number").and_then(Value::as_u64)),
                    head_sha: s(pr, "/head/sha"),
                    base_sha: s(pr, "/base/sha"),
                    git_ref: None,
                    // A deleted fork has no head repo: treat it as foreign too.
                    is_fork: head_repo != base_repo,
                }
            }
            Some("workflow_run") => {
                let run = &event["workflow_run"];
                let first_pr = run.pointer("/pull_requests/0");
                EventFacts {
                    repo: repo.clone(),
                    pr: first_pr
                        .and_then(|p| p.get("number"))
                        .and_then(Value::as_u64),
                    head_sha: s(run, "/head_sha"),
                    base_sha: first_pr.and_then(|p| s(p, "/base/sha")),
                    git_ref: s(run, "/head_branch").map(|b| format!("refs/heads/{b}")),
                    is_fork: s(run, "/head_repository/full_name") != repo,
                }
            }
            _ => {
                // push: `before` is all zeros for a new branch, which is no base.
                let before = s(event, "/before").filter(|b| b.chars().any(|c| c != '0'));
                EventFacts {
                    repo,
                    pr: None,
                    head_sha: s(event, "/after"),
                    base_sha: before,
                    git_ref: s(event, "/ref"),
                    is_fork: false,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ghes_server_url_from_api_url() {
        assert_eq!(
            server_from_api("https://ghe.example.com/api/v3"),
            "https://ghe.example.com"
        );
        assert_eq!(server_from_api(DEFAULT_API_URL), DEFAULT_SERVER_URL);
    }

    #[test]
    fn overrides_win_and_bad_values_are_named() {
        let o = ContextOverrides {
            repo: Some("acme/app".into()),
            sha: Some("abcdef1".into()),
            pr: Some(7),
            ..Default::default()
        };
        let ctx = PrContext::from_vars(|_| None, &o).unwrap();
        assert_eq!(ctx.repo.full_name(), "acme/app");
        assert_eq!(ctx.git_ref.as_deref(), Some("refs/pull/7/head"));
        assert_eq!(ctx.api_url, DEFAULT_API_URL);
        let bad = ContextOverrides {
            repo: Some("acme".into()),
            ..o.clone()
        };
        assert!(matches!(
            PrContext::from_vars(|_| None, &bad),
            Err(ContextError::BadRepo(_))
        ));
        let bad_sha = ContextOverrides {
            sha: Some("not-a-sha".into()),
            ..o
        };
        assert!(PrContext::from_vars(|_| None, &bad_sha).is_err());
    }
}
