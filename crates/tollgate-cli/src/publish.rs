//! The glue between a finished run and GitHub: the pull request context from flags and the
//! environment, the changed lines, the gate's scope, and publishing once the outputs are on
//! disk. Publishing problems are printed and never change the exit code, except a missing
//! token with `--post` (exit 2 with a hint): a run that was asked to post and could not must
//! not look green.
//!
//! Workflow commands (the fallback when a fork's token cannot write) go to stderr, and only
//! when `GITHUB_ACTIONS` is set: the runner reads `::error ...` lines from both output
//! streams of a step, and stdout is the report, which must stay parseable (`--format sarif`).

use std::path::{Path, PathBuf};

use tollgate_core::{Finding, Notification, Rule};
use tollgate_github::code_scanning::{EncodedSarif, Encoder, UploadEdit};
use tollgate_github::{
    in_scope, publish_blocking, ContextOverrides, DiffMap, FilterMode, PrContext, PublishError,
    PublishInput, PublishOptions, Secret, Verdict as GhVerdict,
};

use crate::args::GithubArgs;
use crate::gate::Verdict;

/// Where a run's results belong on GitHub and what is known about the change.
pub struct GithubRun {
    pub args: GithubArgs,
    pub context: PrContext,
    /// Changed lines from the local checkout; `None` when it lacks the commits (shallow clone),
    /// then the gate cannot use a diff and publishing asks the pull request files API.
    pub diff: Option<DiffMap>,
    /// Whether findings were marked new/unchanged/absent against a base revision or log.
    pub has_baseline: bool,
    /// The scanned directory's place in the repository (`services/api/`, empty at the root):
    /// findings and `diff` are relative to the scanned directory, GitHub wants paths from the
    /// repository's root.
    pub path_prefix: String,
}

/// The pull request context when a flag asks for it (`--post`, `--dry-run`, `--repo`, `--pr`,
/// `--sha`, `--base`); `Ok(None)` otherwise, so a plain `tollgate run` never reads the Actions
/// environment.
pub fn context(args: &GithubArgs) -> Result<Option<PrContext>, String> {
    if !args.wants_context() {
        return Ok(None);
    }
    let overrides = ContextOverrides {
        repo: args.repo.clone(),
        pr: args.pr,
        sha: args.sha.clone(),
        base: args.base.clone(),
        api_url: args.api_url.clone(),
        event_path: None,
    };
    PrContext::from_env(&overrides)
        .map(Some)
        .map_err(|e| format!("GitHub context: {e}"))
}

/// The `base...head` changed lines from the git checkout at `checkout`, for a pull request
/// whose base is known. A checkout without the commits says why once and yields `None`.
pub fn local_diff(checkout: &Path, context: &PrContext) -> Option<DiffMap> {
    context.pr?;
    let base = context.base_sha.as_deref()?;
    match DiffMap::from_git(checkout, base, &context.head_sha) {
        Ok(diff) => Some(diff),
        Err(e) => {
            eprintln!(
                "note: changed lines not read from git ({e}); the gate does not filter by the diff"
            );
            None
        }
    }
}

impl GithubRun {
    /// Whether results are to be published (for real or as a dry run).
    pub fn publishing(&self) -> bool {
        self.args.post || self.args.dry_run
    }

    /// The gate's filter mode: `--gate-filter-mode`, else `file` in a pull request (a new
    /// finding anywhere in a changed file blocks, as reviewers expect) and `nofilter` outside.
    pub fn gate_mode(&self) -> FilterMode {
        self.args
            .gate_filter_mode
            .unwrap_or(if self.context.pr.is_some() {
                FilterMode::File
            } else {
                FilterMode::NoFilter
            })
    }

    /// The findings that may fail the build: all of them unless a diff is known, then those
    /// in scope under the gate's filter mode. Nothing is removed from the report, and nothing
    /// is copied: the gate only reads them.
    pub fn gate_scope<'f>(&self, findings: &'f [Finding]) -> Vec<&'f Finding> {
        match &self.diff {
            Some(diff) if self.context.pr.is_some() => {
                let mode = self.gate_mode();
                findings
                    .iter()
                    .filter(|f| in_scope(f, diff, mode))
                    .collect()
            }
            _ => findings.iter().collect(),
        }
    }

    /// The SARIF log as the code-scanning upload sends it, `write_log` writing it through the
    /// edit given into the encoder: gzipped and base64-encoded as it is written, so the log's
    /// text is never held. `None` when there is no upload.
    pub fn encode_sarif(
        &self,
        write_log: impl FnOnce(&ForUpload, &mut Encoder) -> std::io::Result<()>,
    ) -> Option<EncodedSarif> {
        if !self.publishing() || self.args.no_code_scanning {
            return None;
        }
        let edit = ForUpload(UploadEdit::new(&self.path_prefix));
        Some(Encoder::encode(|out| write_log(&edit, out)))
    }

    /// Publish after the outputs were written. Returns an exit code that overrides the
    /// gate's (only a missing token does).
    pub fn publish(&self, results: Results) -> Option<u8> {
        let args = &self.args;
        let token = Secret::from_env(&args.token_env);
        let mut opts = PublishOptions::new(self.context.clone(), token);
        opts.dry_run = args.dry_run;
        opts.filter_mode_comments = args.filter_mode;
        opts.filter_mode_gate = self.gate_mode();
        opts.upload_code_scanning = !args.no_code_scanning;
        opts.path_prefix = self.path_prefix.clone();
        opts.compliance_frameworks = args.compliance.clone();
        opts.compliance_report_url = args.compliance_report_url.clone();
        let input = PublishInput {
            findings: results.findings,
            rules: results.rules,
            notifications: results.notifications,
            code_scanning_sarif: results.code_scanning_sarif,
            sarif_path: results.sarif_path,
            verdict: match results.verdict {
                Verdict::Pass => GhVerdict::Pass,
                Verdict::Fail => GhVerdict::Fail,
                Verdict::Error => GhVerdict::Error,
            },
            diff: self.diff.clone(),
            has_baseline: self.has_baseline,
        };
        let summary = match publish_blocking(input, opts) {
            Ok(summary) => summary,
            Err(PublishError::NoToken) => {
                eprintln!(
                    "error: no GitHub token in ${}; hint: export it (in Actions: `env: {}: ${{{{ github.token }}}}`), name another variable with --token-env NAME, or use --dry-run",
                    args.token_env, args.token_env
                );
                return Some(2);
            }
            Err(e) => {
                eprintln!("error: publishing to GitHub: {e}");
                return None;
            }
        };
        if args.dry_run {
            eprintln!(
                "dry run: {} request{} would be made to {}",
                summary.requests.len(),
                if summary.requests.len() == 1 { "" } else { "s" },
                self.context.api_url
            );
            for request in &summary.requests {
                eprintln!("  {request}");
            }
        }
        for note in &summary.notes {
            eprintln!("note: {note}");
        }
        for error in &summary.errors {
            eprintln!("error: publishing to GitHub: {error}");
        }
        if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
            for line in &summary.workflow_commands {
                eprintln!("{line}");
            }
        }
        None
    }
}

/// What a log's runs and results become in the code-scanning upload (see [`UploadEdit`]), for
/// the SARIF writers.
pub struct ForUpload(UploadEdit);

impl tollgate_sarif::LogEdit for ForUpload {
    fn keeps(&self, kind: Option<&str>) -> bool {
        self.0.keeps(kind)
    }
    fn edits(&self) -> bool {
        self.0.edits()
    }
    fn edit_run(&self, run: &mut serde_json::Map<String, serde_json::Value>) {
        self.0.edit_run(run);
    }
    fn edit_result(&self, result: &mut serde_json::Value) {
        self.0.edit_result(result);
    }
}

/// What a run hands to [`GithubRun::publish`].
pub struct Results {
    pub findings: Vec<Finding>,
    pub rules: Vec<Rule>,
    pub notifications: Vec<Notification>,
    /// The log for the code-scanning upload (see [`GithubRun::encode_sarif`]).
    pub code_scanning_sarif: Option<EncodedSarif>,
    pub sarif_path: Option<PathBuf>,
    pub verdict: Verdict,
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::{Location, Pos, Severity, Span};
    use tollgate_github::diff::parse_patch;

    fn args(gate: Option<FilterMode>) -> GithubArgs {
        GithubArgs {
            post: false,
            dry_run: true,
            repo: Some("acme/app".into()),
            pr: Some(3),
            sha: Some("0123456789abcdef0123456789abcdef01234567".into()),
            base: None,
            token_env: "GITHUB_TOKEN".into(),
            api_url: None,
            filter_mode: FilterMode::Added,
            gate_filter_mode: gate,
            no_code_scanning: false,
            compliance: Vec::new(),
            compliance_report_url: None,
        }
    }

    fn run(gate: Option<FilterMode>, pr: Option<u64>, diff: Option<DiffMap>) -> GithubRun {
        let mut context = PrContext::from_vars(
            |_| None,
            &ContextOverrides {
                repo: Some("acme/app".into()),
                sha: Some("0123456789abcdef0123456789abcdef01234567".into()),
                ..ContextOverrides::default()
            },
        )
        .unwrap();
        context.pr = pr;
        GithubRun {
            args: args(gate),
            context,
            diff,
            has_baseline: false,
            path_prefix: String::new(),
        }
    }

    fn at(path: &str, line: u32) -> Finding {
        let pos = Pos::new(line, 1);
        Finding::new(
            "TG1001",
            Severity::High,
            "m",
            Location::at(path, Span::new(pos, pos)),
        )
    }

    fn diff() -> DiffMap {
        let mut diff = DiffMap::default();
        diff.files.insert(
            "a.yaml".into(),
            parse_patch("a.yaml", "@@ -1,2 +1,3 @@\n a\n+b\n c").unwrap(),
        );
        diff
    }

    #[test]
    fn gate_mode_defaults_to_file_in_a_pull_request() {
        assert_eq!(run(None, Some(3), None).gate_mode(), FilterMode::File);
        assert_eq!(run(None, None, None).gate_mode(), FilterMode::NoFilter);
        assert_eq!(
            run(Some(FilterMode::Added), Some(3), None).gate_mode(),
            FilterMode::Added
        );
    }

    #[test]
    fn gate_scope_filters_only_with_a_known_diff() {
        let findings = [at("a.yaml", 2), at("a.yaml", 40), at("b.yaml", 1)];
        assert_eq!(run(None, Some(3), None).gate_scope(&findings).len(), 3);
        assert_eq!(
            run(None, Some(3), Some(diff())).gate_scope(&findings).len(),
            2
        );
        let added = run(Some(FilterMode::Added), Some(3), Some(diff())).gate_scope(&findings);
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].location.start_line(), Some(2));
        // Outside a pull request there is no diff to judge by.
        assert_eq!(run(None, None, Some(diff())).gate_scope(&findings).len(), 3);
    }
}
