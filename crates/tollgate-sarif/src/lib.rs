//! SARIF 2.1.0 for tollgate, on `serde-sarif` types.
//!
//! - Building: [`build_run`] turns rules, findings and notifications into one run that follows
//!   the project's SARIF conventions; [`build_log`] wraps runs into a log; [`to_json_pretty`],
//!   or [`write_json_pretty`] to stream the same text into a writer.
//! - GitHub limits: [`build_run_within_limits`] builds only the results that fit;
//!   [`StreamedLog`] writes the same log as it builds those results, a few at a time;
//!   [`enforce_limits`] truncates a run to what code scanning accepts, keeping the
//!   most severe results and saying so in a notification; [`truncation_note`] says what
//!   [`build_run_within_limits`] would cut without building anything. The 10 MB gzipped cap is left to the
//!   publisher, which gzips the log anyway to upload it.
//! - Reading: [`parse_log`] validates a log written by another tool, [`rebase_uris`] makes its
//!   URIs repo-relative, [`merge`] combines logs into one with at most [`MAX_RUNS`] runs.
//! - Baselines: [`Baseline`], [`fingerprints_of`], [`mark_baseline`], and
//!   [`findings_from_run`] to turn a SARIF run back into core findings.
//!
//! ```
//! use tollgate_core::{Finding, Location, Rule, Severity};
//! use tollgate_sarif::{build_log, build_run, findings_from_run, parse_log, to_json_pretty, RunInput};
//!
//! let rules = [Rule::new("TG1001", "lambda-without-dlq", "iac", Severity::Medium, "No DLQ")];
//! let findings = [Finding::new("TG1001", Severity::Medium, "no DLQ", Location::file("template.yaml"))];
//! let mut input = RunInput::new(&rules, &findings, &[]);
//! input.root_uri = Some("file:///src/app/".into());
//! let text = to_json_pretty(&build_log(vec![build_run(&input)]));
//!
//! let log = parse_log(&text, "tollgate.sarif")?;
//! let back = findings_from_run(&log.runs[0]);
//! assert_eq!(back[0].rule, "TG1001");
//! assert_eq!(back[0].location.path, "template.yaml");
//! # Ok::<(), tollgate_sarif::SarifError>(())
//! ```

mod access;
mod baseline;
mod build;
mod edit;
mod error;
mod indexed;
mod limit_notes;
mod limits;
mod locate;
mod merge;
mod notification;
mod parse;
mod patterns;
pub mod pretty;
mod read;
mod rebase;
mod result;
mod rules;
mod safe_text;
mod severity;
mod stream;
mod text;
pub mod uri;
mod visit;

pub use baseline::{fingerprints_of, mark_baseline, mark_baseline_except, Baseline};
pub use build::{
    build_log, build_run, build_run_within_limits, set_root_uri, to_json_pretty, write_json_pretty,
    RunInput, SCHEMA_URI, SRCROOT,
};
pub use edit::{write_log_text_edited, LogEdit};
pub use error::SarifError;
pub use limit_notes::truncation_note;
pub use limits::{
    enforce_limits, MAX_EXTENSIONS_PER_RUN, MAX_LOCATIONS_PER_RESULT, MAX_RESULTS_PER_RUN,
    MAX_RULES_PER_RUN, MAX_RUNS, MAX_TAGS_PER_RULE, MAX_THREAD_FLOW_LOCATIONS_PER_RESULT,
};
pub use merge::{merge, MergedLog, Merger};
pub use parse::{parse_log, read_log_lazily, LazyLog, MAX_LOG_BYTES};
pub use read::{findings_from_run, instance_rules_of_run, notifications_from_run};
pub use rebase::rebase_uris;
pub use result::{is_evaluation, RESOURCE_PROPERTY, VERDICT_PROPERTY};
pub use rules::INSTANCE_OF_PROPERTY;
pub use safe_text::{escape_control_characters, Repairs};
pub use severity::result_severity;
pub use stream::StreamedLog;

/// Re-exported so callers name the same SARIF types without depending on `serde-sarif` directly.
pub use serde_sarif::sarif;
