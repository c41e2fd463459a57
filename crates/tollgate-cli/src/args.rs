//! Command-line arguments. Flags given here override the config file.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tollgate_core::config::FailOn;
use tollgate_github::FilterMode;

#[derive(Debug, Parser)]
#[command(
    name = "tollgate",
    version,
    about = "Security stages for serverless repositories, one SARIF log, one gate"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size of the `run` variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a directory, write the report and gate on severity.
    Run(RunArgs),
    /// Merge SARIF logs into one.
    Merge(MergeArgs),
    /// Write a commented default tollgate.toml.
    Init(InitArgs),
    /// List every rule of every registered stage.
    Rules(RulesArgs),
    /// Explain one rule.
    Explain(ExplainArgs),
    /// Manage the advisory database of the deps stage.
    #[command(subcommand)]
    Db(DbCommand),
    /// Publish a SARIF log written by an earlier job to GitHub and gate on it.
    Post(PostArgs),
    /// Work on the repository's own Rego policies (the `policy` stage).
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Compliance report: per framework and control, what passed and failed, and the data
    /// inventory (HTML, markdown or JSON).
    Report(crate::commands::report::ReportArgs),
    /// Print a shell completion script (e.g. `tollgate completions bash > /etc/bash_completion.d/tollgate`).
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run the `test_*` rules of the `*_test.rego` files under DIR, as `opa test` does.
    Test(PolicyTestArgs),
    /// Print the input document a policy sees for one resource, deployment unit or identity.
    Eval(PolicyEvalArgs),
}

#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    /// Directory of policies and their tests.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct PolicyEvalArgs {
    /// Directory to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The resource's address: logical id (`OrdersTable`) or Terraform address
    /// (`aws_lambda_function.charge`).
    #[arg(long, value_name = "ADDRESS", conflicts_with_all = ["identity", "unit"])]
    pub resource: Option<String>,
    /// An IAM identity's address: what the permissions stage concluded about it.
    #[arg(long, value_name = "ADDRESS", conflicts_with = "unit")]
    pub identity: Option<String>,
    /// A deployment unit: a template's path or a Terraform root module's directory.
    #[arg(long, value_name = "NAME")]
    pub unit: Option<String>,
    /// Config file (default: tollgate.toml or .tollgate.toml in PATH).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download the OSV advisories of each ecosystem into the cache.
    Update(DbUpdateArgs),
}

#[derive(Debug, Args)]
pub struct DbUpdateArgs {
    /// Ecosystems to update, by OSV name (default: all): crates.io, npm, PyPI, Go, RubyGems,
    /// Packagist, Maven.
    #[arg(long, value_delimiter = ',', value_name = "a,b")]
    pub ecosystems: Vec<String>,
    /// Where the per-ecosystem `all.zip` files are served from.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Cache directory (default: the user's cache directory).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Code frames for people at a terminal.
    Text,
    /// One line per finding: `path:line:col: severity RULE message`.
    Compact,
    /// The report as JSON (see the README for its shape).
    Json,
    /// The merged SARIF 2.1.0 log.
    Sarif,
    /// A summary table and list, for a pull-request comment or a step summary.
    Markdown,
    /// JUnit XML: a test suite per rule, a test case per finding (Jenkins, GitLab, Azure).
    Junit,
    /// A GitLab Code Quality report (`artifacts:reports:codequality`).
    Gitlab,
}

/// When the text and compact reports use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal or in GitHub Actions, unless `NO_COLOR` is set; `CLICOLOR_FORCE` forces it.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Directory or single file to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Config file (default: tollgate.toml or .tollgate.toml in PATH, else in the nearest
    /// directory above it up to the repository's root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Stages to run, comma-separated (default: all).
    #[arg(long, value_delimiter = ',', value_name = "a,b")]
    pub stages: Option<Vec<String>>,
    /// Run the `[[stage.external]]` commands of a config found inside the scanned directory.
    /// Without it they are skipped with a warning: a pull request controls that file. A config
    /// given with --config from outside the scanned directory is trusted without it.
    #[arg(long, env = "TOLLGATE_ALLOW_PLUGINS")]
    pub allow_plugins: bool,
    /// Fail closed: a file that could not be read or parsed, a skipped stage or plugin, or
    /// any error makes the run a tool failure (exit code 2). Config: `strict = true`.
    #[arg(long)]
    pub strict: bool,
    /// Report format on stdout (or in --output).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Write the report to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Colour in the text and compact reports.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Run only these rules, comma-separated: codes (TG1001), names, Checkov ids (CKV_AWS_116)
    /// or advisory ids. Findings of other rules are dropped.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub check: Vec<String>,
    /// Skip these rules (same forms as --check); their findings are dropped.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub skip_check: Vec<String>,
    /// Show only findings of these severities in the report, comma-separated (e.g.
    /// critical,high). The gate (--fail-on) and the SARIF log still see every finding.
    #[arg(long, value_delimiter = ',', value_name = "LEVELS", value_parser = parse_severity)]
    pub severity: Vec<tollgate_core::Severity>,
    /// Also write the merged SARIF log to FILE.
    #[arg(long, value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Also record in the SARIF log every resource a rule checked and passed, found not
    /// applicable, or could not decide (results of kind pass, notApplicable, open), as audit
    /// evidence. They never fail the build and are not posted or uploaded to GitHub.
    #[arg(long)]
    pub include_passes: bool,
    /// Also write a small JSON summary (verdict, counts by severity, new findings) to FILE.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Lowest severity that fails the build [default: high].
    #[arg(long, value_name = "LEVEL", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// Earlier SARIF log: findings already in it do not fail the build.
    #[arg(long, value_name = "OLD.sarif")]
    pub baseline: Option<PathBuf>,
    /// Advisory database for the deps stage: a directory of OSV JSON files or an OSV
    /// `all.zip` (repeatable). With one, the network is never used.
    #[arg(long = "advisory-db", value_name = "PATH")]
    pub advisory_db: Vec<PathBuf>,
    /// Never use the network (the deps stage then needs a database).
    #[arg(long)]
    pub offline: bool,
    /// Scan only shard K of N (1-based), for parallel CI jobs.
    #[arg(long, value_name = "K/N", value_parser = tollgate_core::inventory::parse_shard)]
    pub shard: Option<(u32, u32)>,
    /// Date the scan judges against, YYYY-MM-DD (for tests).
    #[arg(long, hide = true, value_parser = parse_date)]
    pub today: Option<time::Date>,
    /// More logs on stderr (-v debug, -vv trace).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only errors on stderr; no progress.
    #[arg(short, long)]
    pub quiet: bool,
    /// Never show a progress spinner.
    #[arg(long)]
    pub no_progress: bool,
    /// Scan this git revision too (read from the object store into a temporary directory,
    /// never checked out) and mark findings new, unchanged or absent; only new ones gate.
    /// Default when publishing to a pull request: its base commit.
    #[arg(long, value_name = "REF")]
    pub diff_base: Option<String>,
    #[command(flatten)]
    pub github: GithubArgs,
}

/// Where and how results are published to GitHub; shared by `run` and `post`.
#[derive(Debug, Clone, Args)]
pub struct GithubArgs {
    /// Publish to GitHub: check run, review comments, summary comment, code scanning.
    #[arg(long)]
    pub post: bool,
    /// Print every GitHub request that would be made (method, path, body summary) on stderr
    /// instead of making it; needs no token.
    #[arg(long)]
    pub dry_run: bool,
    /// Repository (default: $GITHUB_REPOSITORY or the event payload).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// Pull request number (default: from the event payload).
    #[arg(long, value_name = "N")]
    pub pr: Option<u64>,
    /// Commit the results belong to (default: the pull request's head, else $GITHUB_SHA).
    #[arg(long, value_name = "SHA")]
    pub sha: Option<String>,
    /// Base commit of the pull request (default: from the event payload).
    #[arg(long, value_name = "SHA")]
    pub base: Option<String>,
    /// Environment variable holding the token; the token itself is never a flag.
    #[arg(long, value_name = "NAME", default_value = "GITHUB_TOKEN")]
    pub token_env: String,
    /// REST API root (default: $GITHUB_API_URL or https://api.github.com; GitHub Enterprise
    /// Server: https://HOST/api/v3).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Which findings get review comments: added, diff_context, file, nofilter.
    #[arg(long, value_name = "MODE", default_value = "added", value_parser = parse_filter_mode)]
    pub filter_mode: FilterMode,
    /// Which findings can fail the build when the pull request's diff is known [default:
    /// file in a pull request, nofilter otherwise].
    #[arg(long, value_name = "MODE", value_parser = parse_filter_mode)]
    pub gate_filter_mode: Option<FilterMode>,
    /// Do not upload the SARIF log to code scanning.
    #[arg(long)]
    pub no_code_scanning: bool,
    /// Compliance frameworks the summary gives one line each, naming their failing controls
    /// (repeatable, or comma-separated; default for `run`: `[compliance] frameworks` of the
    /// config): hipaa, gdpr, pci-dss, soc2, cis-aws, nist-800-53.
    #[arg(long, value_delimiter = ',', value_name = "NAME", value_parser = parse_framework)]
    pub compliance: Vec<tollgate_core::Framework>,
    /// Where the full compliance report can be read, e.g. the URL of the uploaded HTML
    /// artifact; the summary's compliance lines link to it (http or https only).
    #[arg(long, value_name = "URL")]
    pub compliance_report_url: Option<String>,
}

impl GithubArgs {
    /// Whether any flag asks for the pull request context.
    pub fn wants_context(&self) -> bool {
        self.post
            || self.dry_run
            || self.repo.is_some()
            || self.pr.is_some()
            || self.sha.is_some()
            || self.base.is_some()
    }
}

#[derive(Debug, Args)]
pub struct PostArgs {
    /// SARIF log written by `tollgate run --sarif`.
    #[arg(value_name = "RESULTS.sarif")]
    pub sarif: PathBuf,
    /// Lowest severity that fails the build [default: high].
    #[arg(long, value_name = "LEVEL", value_parser = parse_fail_on)]
    pub fail_on: Option<FailOn>,
    /// Git checkout for the pull request's diff (default: the current directory; the files
    /// API is asked when it lacks the commits).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub checkout: PathBuf,
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(flatten)]
    pub github: GithubArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// SARIF logs to merge.
    #[arg(required = true, num_args = 1.., value_name = "LOG")]
    pub inputs: Vec<PathBuf>,
    /// Where to write the merged log (default: stdout).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory to write tollgate.toml into.
    #[arg(default_value = ".")]
    pub path: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// List a compliance framework's controls instead, each with the rules that check it, and
    /// the controls no rule checks (repeatable): hipaa, gdpr, pci-dss, soc2, cis-aws,
    /// nist-800-53.
    #[arg(long, value_name = "FRAMEWORK", value_parser = parse_framework)]
    pub framework: Vec<tollgate_core::Framework>,
    /// Also list the rules of the Rego policies and Guard rules of the repository at PATH (the
    /// policy stage's codes: `custom.code`, `# code:`, or derived `TG9xxxx`).
    #[arg(long, value_name = "PATH")]
    pub path: Option<PathBuf>,
}

pub(crate) fn parse_framework(text: &str) -> Result<tollgate_core::Framework, String> {
    text.trim()
        .parse()
        .map_err(|e: tollgate_core::UnknownFramework| e.to_string())
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule code (`TG0001`), name, Checkov id, or an advisory id or alias (GHSA-..., CVE-...).
    pub code: String,
    /// Advisory database to look advisories up in (repeatable; default: the config's
    /// `[stage.deps] advisory-db`, else the cache `tollgate db update` fills).
    #[arg(long = "advisory-db", value_name = "PATH")]
    pub advisory_db: Vec<PathBuf>,
    /// For permissions rules (TG2xxx): also show what the policies under PATH grant, with
    /// every wildcard expanded against the AWS action catalog. For the policy stage's codes
    /// (TG9xxxx or a policy's own code): the repository whose Rego policies and Guard rules
    /// define them.
    #[arg(long, value_name = "PATH")]
    pub path: Option<std::path::PathBuf>,
}

fn parse_fail_on(text: &str) -> Result<FailOn, String> {
    text.parse()
}

fn parse_severity(text: &str) -> Result<tollgate_core::Severity, String> {
    text.trim()
        .parse()
        .map_err(|e: tollgate_core::UnknownSeverity| e.to_string())
}

fn parse_filter_mode(text: &str) -> Result<FilterMode, String> {
    text.parse()
        .map_err(|e: tollgate_github::UnknownFilterMode| e.to_string())
}

pub(crate) fn parse_date(text: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format)
        .map_err(|_| format!("invalid date `{text}`, expected YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("tollgate").chain(args.iter().copied()))
    }

    #[test]
    fn run_defaults() {
        let Command::Run(run) = parse(&["run"]).unwrap().command else {
            panic!("expected run");
        };
        assert_eq!(run.path, PathBuf::from("."));
        assert_eq!(run.format, OutputFormat::Text);
        assert_eq!(run.fail_on, None);
        assert_eq!(run.stages, None);
        assert_eq!(run.verbose, 0);
    }

    #[test]
    fn run_flags() {
        let cli = parse(&[
            "run",
            "repo",
            "--stages",
            "iac,parse",
            "--format",
            "sarif",
            "--fail-on",
            "medium",
            "--shard",
            "2/3",
            "--today",
            "2027-01-31",
            "-vv",
            "--no-progress",
        ])
        .unwrap();
        let Command::Run(run) = cli.command else {
            panic!("expected run");
        };
        assert_eq!(run.stages.unwrap(), vec!["iac", "parse"]);
        assert_eq!(run.format, OutputFormat::Sarif);
        assert_eq!(run.fail_on, Some(FailOn::Medium));
        assert_eq!(run.shard, Some((2, 3)));
        assert_eq!(run.today.unwrap().to_string(), "2027-01-31");
        assert_eq!(run.verbose, 2);
        assert!(run.no_progress);
        let Command::Run(run) = parse(&[
            "run",
            "--check",
            "TG1001,CKV_AWS_116",
            "--skip-check",
            "lambda-dlq",
            "--severity",
            "critical,high",
            "--color",
            "always",
            "--format",
            "compact",
        ])
        .unwrap()
        .command
        else {
            panic!("expected run");
        };
        assert_eq!(run.check, ["TG1001", "CKV_AWS_116"]);
        assert_eq!(run.skip_check, ["lambda-dlq"]);
        assert_eq!(
            run.severity,
            [
                tollgate_core::Severity::Critical,
                tollgate_core::Severity::High
            ]
        );
        assert_eq!(run.color, ColorChoice::Always);
        assert_eq!(run.format, OutputFormat::Compact);
        for format in ["junit", "gitlab"] {
            assert!(parse(&["run", "--format", format]).is_ok());
        }
        assert!(matches!(
            parse(&["completions", "bash"]).unwrap().command,
            Command::Completions(_)
        ));
        let Command::Merge(merge) = parse(&["merge", "a.sarif"]).unwrap().command else {
            panic!("expected merge");
        };
        assert_eq!(merge.output, None);
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(parse(&["run", "--fail-on", "severe"]).is_err());
        assert!(parse(&["run", "--shard", "0/3"]).is_err());
        assert!(parse(&["run", "--shard", "4/3"]).is_err());
        assert!(parse(&["run", "--shard", "x"]).is_err());
        assert!(parse(&["run", "--format", "xml"]).is_err());
        assert!(parse(&["run", "--today", "31/01/2027"]).is_err());
        assert!(parse(&["merge", "-o", "out.sarif"]).is_err());
        assert!(parse(&["run", "--severity", "severe"]).is_err());
        assert!(parse(&["run", "--color", "sometimes"]).is_err());
        assert!(parse(&["completions", "tcsh"]).is_err());
    }

    #[test]
    fn github_flags() {
        let Command::Run(run) = parse(&[
            "run",
            "--post",
            "--repo",
            "acme/app",
            "--pr",
            "3",
            "--filter-mode",
            "diff_context",
            "--gate-filter-mode",
            "added",
            "--diff-base",
            "origin/main",
            "--no-code-scanning",
        ])
        .unwrap()
        .command
        else {
            panic!("expected run");
        };
        assert!(run.github.post && run.github.no_code_scanning);
        assert_eq!(run.github.token_env, "GITHUB_TOKEN");
        assert_eq!(run.github.filter_mode, FilterMode::DiffContext);
        assert_eq!(run.github.gate_filter_mode, Some(FilterMode::Added));
        assert_eq!(run.diff_base.as_deref(), Some("origin/main"));
        assert!(run.github.wants_context());
        let Command::Run(plain) = parse(&["run"]).unwrap().command else {
            panic!("expected run");
        };
        assert!(!plain.github.wants_context());
        assert_eq!(plain.github.filter_mode, FilterMode::Added);
        let Command::Post(post) = parse(&["post", "r.sarif", "--dry-run", "--token-env", "T"])
            .unwrap()
            .command
        else {
            panic!("expected post");
        };
        assert_eq!(post.sarif, PathBuf::from("r.sarif"));
        assert!(post.github.dry_run);
        assert_eq!(post.github.token_env, "T");
        assert!(parse(&["run", "--filter-mode", "nearby"]).is_err());
        assert!(parse(&["post"]).is_err());
    }

    #[test]
    fn other_commands() {
        let Command::Merge(m) = parse(&["merge", "a.sarif", "b.sarif", "-o", "c.sarif"])
            .unwrap()
            .command
        else {
            panic!("expected merge");
        };
        assert_eq!(m.inputs.len(), 2);
        assert!(matches!(
            parse(&["rules", "--format", "json"]).unwrap().command,
            Command::Rules(RulesArgs {
                format: RulesFormat::Json,
                ..
            })
        ));
        assert!(matches!(
            parse(&["explain", "TG0001"]).unwrap().command,
            Command::Explain(_)
        ));
        assert!(matches!(
            parse(&["init"]).unwrap().command,
            Command::Init(_)
        ));
        let Command::Db(DbCommand::Update(db)) =
            parse(&["db", "update", "--ecosystems", "npm,PyPI"])
                .unwrap()
                .command
        else {
            panic!("expected db update");
        };
        assert_eq!(db.ecosystems, vec!["npm", "PyPI"]);
        let Command::Run(run) = parse(&[
            "run",
            "--advisory-db",
            "a",
            "--advisory-db",
            "b.zip",
            "--offline",
        ])
        .unwrap()
        .command
        else {
            panic!("expected run");
        };
        assert_eq!(run.advisory_db.len(), 2);
        assert!(run.offline);
    }
}
