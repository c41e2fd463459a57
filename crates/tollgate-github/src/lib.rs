//! Publishing tollgate results to GitHub: pull request context, the diff map and filter modes,
//! the base revision for baselines, and the reporters (check run with annotations, review
//! comments, sticky summary comment, code-scanning upload, workflow commands and step
//! summary) over a REST client that respects GitHub's rate limits.
//!
//! The client is [octocrab](https://docs.rs/octocrab) (raw `_get`/`_post`/`_patch` calls, since
//! the reporters need endpoints and answers it does not model), with our own retry layer in
//! [`http`] on top: octocrab's `retry` feature retries without reading `retry-after` or
//! `x-ratelimit-reset`, and GitHub asks integrations to honour both. [`publish`] is async and
//! its future is `Send`; [`publish_blocking`] runs it on a current-thread runtime of its own
//! for callers without one.
//!
//! ```no_run
//! use std::path::Path;
//! use tollgate_github::*;
//!
//! # async fn wire(findings: Vec<tollgate_core::Finding>, sarif_json: String) -> Result<(), Box<dyn std::error::Error>> {
//! let ctx = PrContext::from_env(&ContextOverrides::default())?;
//! // Changed lines from the checkout; a shallow clone lacks the base: ask the files API.
//! let diff = match &ctx.base_sha {
//!     Some(base) => DiffMap::from_git(Path::new("."), base, &ctx.head_sha).ok(),
//!     None => None,
//! };
//! let mut opts = PublishOptions::new(ctx, Secret::from_env("GITHUB_TOKEN"));
//! opts.dry_run = std::env::var_os("GITHUB_TOKEN").is_none();
//! let input = PublishInput {
//!     findings,
//!     rules: Vec::new(),
//!     notifications: Vec::new(),
//!     // The log as code scanning takes it, gzipped as it is written.
//!     code_scanning_sarif: Some(code_scanning::Encoder::encode(|out| {
//!         std::io::Write::write_all(out, sarif_json.as_bytes())
//!     })),
//!     sarif_path: None,
//!     verdict: Verdict::Pass,
//!     diff,
//!     has_baseline: false,
//! };
//! let summary = publish(input, opts).await?;
//! for line in &summary.workflow_commands {
//!     println!("{line}");
//! }
//! for request in &summary.requests {
//!     eprintln!("{request}");
//! }
//! # Ok(())
//! # }
//! ```

pub mod check_run;
pub mod code_scanning;
pub mod context;
pub mod diff;
pub mod filter;
pub mod git;
pub mod http;
pub mod markdown;
pub mod proxy;
mod publish;
pub mod repo_paths;
pub mod report;
pub mod review;
mod secret;
pub mod summary;
pub mod workflow;

pub use code_scanning::PollPolicy;
pub use context::{ContextError, ContextOverrides, PrContext, RepoSlug};
pub use diff::{DiffError, DiffMap, FileDiff};
pub use filter::{filter, in_scope, FilterMode, UnknownFilterMode};
pub use git::{
    base_tree_to_dir, base_tree_to_dir_sharing, base_tree_to_dir_with, subdirectory_in_repo,
    BaseTree, GitError, HeadText, TreeLimits,
};
pub use http::{HttpError, RequestRecord, RetryPolicy};
pub use publish::{
    publish, publish_blocking, PublishError, PublishInput, PublishOptions, PublishSummary,
    Rejected, Verdict,
};
pub use secret::Secret;
pub use tollgate_proxy::{ProxyEnv, ProxyError, ProxyUrl};
