//! Publishing tollgate results to GitHub: pull request context, the diff map and filter modes,
//! the base revision for baselines, and the reporters (check run with annotations, review
//! comments, sticky summary comment, code-scanning upload, workflow commands and step
//! summary) over a REST client that respects GitHub's rate limits.

pub mod check_run;
pub mod code_scanning;
pub mod context;
pub mod diff;
pub mod filter;
pub mod git;
pub mod http;
pub mod markdown;
mod publish;
pub mod report;
pub mod review;
mod secret;
pub mod summary;
pub mod workflow;

pub use code_scanning::PollPolicy;
pub use context::{ContextError, ContextOverrides, PrContext, RepoSlug};
pub use diff::{DiffError, DiffMap, FileDiff};
pub use filter::{filter, in_scope, FilterMode, UnknownFilterMode};
pub use git::{base_tree_to_dir, base_tree_to_dir_with, BaseTree, GitError, TreeLimits};
pub use http::{HttpError, RequestRecord, RetryPolicy};
pub use publish::{
    publish, publish_blocking, PublishError, PublishInput, PublishOptions, PublishSummary,
    Rejected, Verdict,
};
pub use secret::Secret;
