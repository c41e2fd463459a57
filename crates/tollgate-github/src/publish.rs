//! The entry point: publish one run's findings to GitHub with every reporter that applies,
//! degrading to workflow commands and the step summary when the token cannot write.

use std::collections::BTreeSet;
use std::path::PathBuf;

use tollgate_core::{BaselineState, Finding, Framework, Notification, Rule, Severity};

use crate::check_run::{self, CheckRunInput, CheckRunOutcome};
use crate::code_scanning::{self, PollPolicy, UploadError, UploadOutcome};
use crate::context::PrContext;
use crate::diff::{DiffError, DiffMap};
use crate::filter::{in_scope, FilterMode};
use crate::http::{Client, HttpError, RequestRecord, RetryPolicy};
use crate::repo_paths;
use crate::report::{self, Counts};
use crate::review::{self, ReviewInput, ReviewOutcome};
use crate::secret::Secret;
use crate::summary::{self, SummaryOutcome};
use crate::workflow;
use tollgate_proxy::ProxyEnv;

/// The gate's decision, made by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// The tool itself failed (exit code 2).
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
        }
    }
}

/// What to publish.
#[derive(Debug, Clone)]
pub struct PublishInput {
    /// Post-processed findings (suppressions and baseline states set). Findings marked
    /// `absent` count as fixed.
    pub findings: Vec<Finding>,
    pub rules: Vec<Rule>,
    /// What the run said about itself: files not checked, failed stages. The summaries list
    /// the ones that left the scan incomplete.
    pub notifications: Vec<Notification>,
    /// The SARIF log for the code-scanning upload, written through
    /// [`code_scanning::UploadEdit::new`] of [`PublishOptions::path_prefix`] into an
    /// [`code_scanning::Encoder`]; `None`: nothing to upload.
    pub code_scanning_sarif: Option<code_scanning::EncodedSarif>,
    /// Where that log was written, for `$GITHUB_OUTPUT`.
    pub sarif_path: Option<PathBuf>,
    pub verdict: Verdict,
    /// The changed lines, relative to the scanned directory as [`DiffMap::from_git`] gives
    /// them; `None` to ask the pull request files API.
    pub diff: Option<DiffMap>,
    /// Whether baseline states were computed (adds new/fixed counts to the summary).
    pub has_baseline: bool,
}

/// How to publish.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    pub context: PrContext,
    pub token: Option<Secret>,
    pub dry_run: bool,
    pub filter_mode_comments: FilterMode,
    pub filter_mode_gate: FilterMode,
    pub max_inline_comments: usize,
    pub check_run: bool,
    pub review_comments: bool,
    pub summary_comment: bool,
    pub upload_code_scanning: bool,
    pub check_name: String,
    pub retry: RetryPolicy,
    pub poll: PollPolicy,
    /// `$GITHUB_STEP_SUMMARY`
    pub step_summary_path: Option<PathBuf>,
    /// `$GITHUB_OUTPUT`
    pub output_path: Option<PathBuf>,
    /// Where the scanned directory sits in the repository (`services/api/`; empty at the
    /// root, see [`crate::subdirectory_in_repo`]). Findings are relative to the scanned
    /// directory; everything sent to GitHub is made relative to the repository's root.
    pub path_prefix: String,
    /// Proxy settings (default: from `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`).
    pub proxies: ProxyEnv,
    /// Frameworks whose failing controls the summary lists, one line each (none: no lines).
    pub compliance_frameworks: Vec<Framework>,
    /// Where the full compliance report can be read (the uploaded HTML artifact); the
    /// summary links to it.
    pub compliance_report_url: Option<String>,
}

impl PublishOptions {
    /// Defaults: every reporter on, comments on added lines, the gate on changed files, 30
    /// inline comments, step summary and outputs where Actions provides them.
    pub fn new(context: PrContext, token: Option<Secret>) -> Self {
        let path = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Self {
            context,
            token,
            dry_run: false,
            filter_mode_comments: FilterMode::Added,
            filter_mode_gate: FilterMode::File,
            max_inline_comments: 30,
            check_run: true,
            review_comments: true,
            summary_comment: true,
            upload_code_scanning: true,
            check_name: "tollgate".to_string(),
            retry: RetryPolicy::default(),
            poll: PollPolicy::default(),
            step_summary_path: path("GITHUB_STEP_SUMMARY"),
            output_path: path("GITHUB_OUTPUT"),
            path_prefix: String::new(),
            proxies: ProxyEnv::from_env(),
            compliance_frameworks: Vec::new(),
            compliance_report_url: None,
        }
    }
}

/// A finding GitHub refused (422), skipped so the rest could go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub what: String,
    pub rule: String,
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
}

impl Rejected {
    pub fn of(f: &Finding, what: &str, e: &HttpError) -> Self {
        Self {
            what: what.to_string(),
            rule: f.rule.clone(),
            path: f.location.path.clone(),
            line: f.location.start_line(),
            message: e.to_string(),
        }
    }
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} for {} at {}", self.what, self.rule, self.path)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        write!(f, " skipped: {}", self.message)
    }
}

/// What happened.
#[derive(Debug, Default)]
pub struct PublishSummary {
    /// Every request made, or in a dry run every request that would be made.
    pub requests: Vec<RequestRecord>,
    pub check_run: Option<CheckRunOutcome>,
    pub review: Option<ReviewOutcome>,
    pub summary_comment: Option<SummaryOutcome>,
    pub code_scanning: Option<UploadOutcome>,
    /// The token could not write: results went to workflow commands and the step summary.
    pub degraded: bool,
    /// Lines for the caller to print on stdout (Actions reads workflow commands there).
    pub workflow_commands: Vec<String>,
    /// Things the user should know (stderr).
    pub notes: Vec<String>,
    /// Reporters that failed for reasons other than permissions (GitHub down, limits).
    pub errors: Vec<String>,
    pub rejected: Vec<Rejected>,
    /// Findings that count toward the gate under `filter_mode_gate`.
    pub gate_findings: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("no GitHub token; hint: set GITHUB_TOKEN, name another variable with --token-env NAME, or use --dry-run")]
    NoToken,
    #[error(transparent)]
    Diff(#[from] DiffError),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    /// `publish_blocking` could not run: no runtime could be started, or it was called from
    /// inside one.
    #[error("{0}")]
    Runtime(String),
}

pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

/// Publish for a caller without a tokio runtime: runs [`publish`] on a current-thread runtime
/// of its own. Must not be called from inside a runtime (use [`publish`] there).
pub fn publish_blocking(
    input: PublishInput,
    opts: PublishOptions,
) -> Result<PublishSummary, PublishError> {
    // Blocking on a runtime from inside another one panics; say what to do instead.
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(PublishError::Runtime(
            "publish_blocking was called inside an async runtime; hint: call `publish(..).await` there".to_string(),
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PublishError::Runtime(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(publish(input, opts))
}

/// Publish with every reporter that applies. Permission problems (403 on a fork) degrade to
/// workflow commands; other API failures are collected in `errors` and never abort the
/// remaining reporters. The future is `Send`: it can be spawned on a multi-thread runtime.
pub async fn publish(
    mut input: PublishInput,
    opts: PublishOptions,
) -> Result<PublishSummary, PublishError> {
    if !opts.dry_run && opts.token.is_none() {
        return Err(PublishError::NoToken);
    }
    // From here on every path is the one GitHub knows: relative to the repository's root.
    let prefix = repo_paths::normalize_prefix(&opts.path_prefix);
    for f in &mut input.findings {
        repo_paths::rebase_finding(f, &prefix);
    }
    for n in &mut input.notifications {
        repo_paths::rebase_notification(n, &prefix);
    }
    input.diff = input.diff.map(|d| repo_paths::rebase_diff(d, &prefix));
    let ctx = &opts.context;
    let token = if opts.dry_run {
        None
    } else {
        opts.token.clone()
    };
    let mut client = Client::new(&ctx.api_url, token, opts.dry_run, opts.retry.clone())
        .with_proxies(opts.proxies.clone());
    let mut out = PublishSummary::default();
    let repo = format!("/repos/{}/{}", ctx.repo.owner, ctx.repo.name);

    let diff = match (&input.diff, ctx.pr) {
        (Some(d), _) => d.clone(),
        (None, Some(pr)) => match client
            .get_all(&format!("{repo}/pulls/{pr}/files"), 30)
            .await
        {
            Ok(files) => DiffMap::from_pr_files(&serde_json::Value::Array(files))?,
            Err(e) => {
                out.errors.push(format!("changed files: {e}"));
                DiffMap::default()
            }
        },
        (None, None) => DiffMap::default(),
    };
    // Outside a pull request there is no diff to filter by.
    let scope = |mode: FilterMode| {
        if ctx.pr.is_some() {
            mode
        } else {
            FilterMode::NoFilter
        }
    };
    let present: Vec<&Finding> = input
        .findings
        .iter()
        .filter(|f| f.baseline_state != Some(BaselineState::Absent))
        .collect();
    let active: Vec<&Finding> = present.iter().copied().filter(|f| f.is_active()).collect();
    let comment_scope: Vec<&Finding> = active
        .iter()
        .copied()
        .filter(|f| in_scope(f, &diff, scope(opts.filter_mode_comments)))
        .collect();
    out.gate_findings = active
        .iter()
        .filter(|f| in_scope(f, &diff, scope(opts.filter_mode_gate)))
        .count();

    let mut report_md = report::render(
        &input.findings,
        &input.rules,
        &input.notifications,
        input.verdict,
        Some(ctx),
        input.has_baseline,
    );
    report_md.push_str(&report::compliance(
        &input.findings,
        &input.rules,
        &opts.compliance_frameworks,
        opts.compliance_report_url.as_deref(),
    ));
    let rule = |code: &str| input.rules.iter().find(|r| r.code == code);
    let rule_title = |code: &str| rule(code).map(|r| r.title.clone());
    let describe = |code: &str| {
        (
            rule(code).map(|r| r.title.clone()),
            rule(code).map(|r| r.remediation.clone()),
        )
    };

    let forbidden = |out: &mut PublishSummary, what: &str, e: &HttpError| {
        if !out.degraded {
            out.notes.push(format!(
                "the token cannot write to {} ({e}); this is expected for pull requests from forks. \
                 Results go to workflow annotations and the step summary instead. \
                 hint: grant `checks: write` and `pull-requests: write`, or post from a trusted `workflow_run` job with `tollgate post`",
                ctx.repo.full_name()
            ));
        }
        tracing::debug!("{what}: write refused");
        out.degraded = true;
    };

    if opts.check_run {
        let counts = Counts::of(&input.findings, &input.rules);
        let title = format!(
            "{}: {} finding{}",
            input.verdict.as_str(),
            counts.active,
            if counts.active == 1 { "" } else { "s" }
        );
        let cr = CheckRunInput {
            name: &opts.check_name,
            head_sha: &ctx.head_sha,
            title,
            summary: &report_md,
            findings: sorted(&active),
            rule_title: &rule_title,
            verdict: input.verdict,
        };
        let done = match check_run::create(&mut client, &repo, &cr).await {
            Ok(id) => check_run::finish(&mut client, &repo, id, &cr).await,
            Err(e) => Err(e),
        };
        match done {
            Ok(o) => {
                out.rejected.extend(o.rejected.iter().cloned());
                out.check_run = Some(o);
            }
            Err(e) if e.is_forbidden() => forbidden(&mut out, "check run", &e),
            Err(e) => out.errors.push(format!("check run: {e}")),
        }
    }

    if let (Some(pr), false) = (ctx.pr, out.degraded) {
        if opts.review_comments {
            let review_input = ReviewInput {
                pulls: format!("{repo}/pulls/{pr}"),
                head_sha: &ctx.head_sha,
                candidates: comment_scope.clone(),
                // A suppressed finding is no longer reported: its comment is marked fixed.
                present: present
                    .iter()
                    .filter(|f| f.suppression.is_none())
                    .map(|f| review::key(f))
                    .collect::<BTreeSet<_>>(),
                diff: &diff,
                max_inline: opts.max_inline_comments,
                describe: &describe,
            };
            match review::publish(&mut client, &review_input).await {
                Ok(o) => {
                    out.rejected.extend(o.rejected.iter().cloned());
                    out.review = Some(o);
                }
                Err(e) if e.is_forbidden() => forbidden(&mut out, "review", &e),
                Err(e) => out.errors.push(format!("review comments: {e}")),
            }
        }
        if opts.summary_comment && !out.degraded {
            match summary::publish(&mut client, &format!("{repo}/issues"), pr, &report_md).await {
                Ok(o) => out.summary_comment = Some(o),
                Err(e) if e.is_forbidden() => forbidden(&mut out, "summary comment", &e),
                Err(e) => out.errors.push(format!("summary comment: {e}")),
            }
        }
    }

    let upload = input.code_scanning_sarif.take();
    if let (Some(sarif), true, false) = (upload, opts.upload_code_scanning, out.degraded) {
        let git_ref = ctx
            .git_ref
            .clone()
            .unwrap_or_else(|| "refs/heads/main".to_string());
        match code_scanning::upload(&mut client, &repo, sarif, &ctx.head_sha, &git_ref, &opts.poll).await {
            Ok(o) => {
                if o.status == "failed" {
                    out.errors.push(format!("code scanning rejected the upload: {}", o.errors.join("; ")));
                }
                out.code_scanning = Some(o);
            }
            // Code scanning needs its own permission and GitHub Advanced Security on private
            // repositories: say so, but it does not make the other reporters read-only.
            Err(UploadError::Http(e)) if e.is_forbidden() => out.notes.push(format!(
                "code-scanning upload refused ({e}); hint: grant `security-events: write` or pass --no-code-scanning"
            )),
            Err(e) => out.errors.push(format!("code scanning: {e}")),
        }
    }

    if out.degraded {
        out.workflow_commands = workflow::commands(&comment_scope);
    }
    for r in &out.rejected {
        out.notes.push(r.to_string());
    }
    if let Some(p) = &opts.step_summary_path {
        workflow::write_step_summary(p, &report_md).map_err(|e| io_err(p, e))?;
    }
    if let Some(p) = &opts.output_path {
        let counts = Counts::of(&input.findings, &input.rules);
        let mut pairs = vec![
            ("verdict", input.verdict.as_str().to_string()),
            ("findings", counts.active.to_string()),
            ("new", counts.new.to_string()),
            ("fixed", counts.fixed.to_string()),
        ];
        for s in Severity::ALL {
            pairs.push((
                s.as_str(),
                counts.by_severity.get(&s).copied().unwrap_or(0).to_string(),
            ));
        }
        if let Some(sp) = &input.sarif_path {
            pairs.push(("sarif", sp.display().to_string()));
        }
        workflow::write_outputs(p, &pairs).map_err(|e| io_err(p, e))?;
    }
    out.requests = client.requests().to_vec();
    Ok(out)
}

fn sorted<'a>(findings: &[&'a Finding]) -> Vec<&'a Finding> {
    let mut v = findings.to_vec();
    v.sort_by_key(|f| std::cmp::Reverse(f.severity));
    v
}

fn io_err(p: &std::path::Path, e: std::io::Error) -> PublishError {
    PublishError::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    }
}
