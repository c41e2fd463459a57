//! Building tollgate's own run and the log around it.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Run, RunAutomationDetails, Sarif, Tool, ToolComponent,
};
use tollgate_core::{Evaluation, Finding, Notification, Rule};

use crate::limits::{enforce_limits_after, ResultCut};
use crate::notification::notification;
use crate::result::{evaluation_result, result};
use crate::rules::{descriptor, undeclared, Taxonomies};

/// `$schema` of every log tollgate writes.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The `uriBaseId` every repo-relative URI is relative to.
pub const SRCROOT: &str = "%SRCROOT%";

/// Everything one run is made of. [`RunInput::new`] fills in tollgate's own tool facts.
#[derive(Debug, Clone)]
pub struct RunInput<'a> {
    pub tool_name: String,
    pub tool_version: String,
    /// Empty to leave `informationUri` out.
    pub information_uri: String,
    /// `automationDetails.id`: `tollgate/` for the built-in stages, `tollgate/ext/<name>/` for
    /// an external one. Everything up to the last `/` is the category GitHub keys analyses by.
    pub automation_id: String,
    /// Every rule that fired or was configured. Rules findings use but that are missing here
    /// get a minimal descriptor so every result still points at a rule.
    pub rules: &'a [Rule],
    pub findings: &'a [Finding],
    /// Evaluations to write as results of kind `pass`, `notApplicable` and `open` after the
    /// findings' results (`--include-passes`); failing ones are skipped, their findings say
    /// it. Empty by default. They do not count toward GitHub's result limit: they are taken
    /// out again before any upload.
    pub evaluations: &'a [Evaluation],
    pub notifications: &'a [Notification],
    /// RFC 3339 UTC times.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub execution_successful: bool,
    /// `file:///abs/root/` for `originalUriBaseIds`; a missing final `/` is added. `None` keeps
    /// absolute paths out of the log entirely.
    pub root_uri: Option<String>,
}

impl<'a> RunInput<'a> {
    /// tollgate's own run: tool `tollgate` at this crate's version, automation id `tollgate/`,
    /// execution successful, no times, no root URI.
    pub fn new(
        rules: &'a [Rule],
        findings: &'a [Finding],
        notifications: &'a [Notification],
    ) -> Self {
        Self {
            tool_name: "tollgate".to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            information_uri: env!("CARGO_PKG_REPOSITORY").to_string(),
            automation_id: "tollgate/".to_string(),
            rules,
            findings,
            evaluations: &[],
            notifications,
            start_time: None,
            end_time: None,
            execution_successful: true,
            root_uri: None,
        }
    }
}

/// One SARIF run following the project's conventions (see DESIGN.md, "SARIF conventions").
pub fn build_run(input: &RunInput) -> Run {
    build_run_keeping(input, None)
}

/// [`build_run`] followed by [`crate::enforce_limits`], with the same run and notification as
/// a result, but results GitHub's limit would drop are never built: a scan with 80,000
/// findings builds 25,000 SARIF results instead of building 80,000 and dropping 55,000.
pub fn build_run_within_limits(input: &RunInput) -> (Run, Option<Notification>) {
    // The kept results are chosen as `enforce_limits` chooses them from the built results:
    // a built result's severity is its finding's (the `tollgate/severity` property), and it
    // counts toward the gate exactly when the finding is active, and its file and rule are the
    // finding's.
    let cut = result_cut(input.findings);
    let (keep, said) = match cut {
        Some(ResultCut { keep, said }) => (Some(keep), Some(said)),
        None => (None, None),
    };
    let mut run = build_run_keeping(input, keep.as_deref());
    let note = enforce_limits_after(&mut run, said);
    (run, note)
}

/// Which findings' results fit GitHub's limit, decided from the findings alone.
pub(crate) fn result_cut(findings: &[Finding]) -> Option<ResultCut> {
    ResultCut::of(findings.iter().map(|f| {
        (
            f.is_active(),
            f.severity,
            f.location.path.as_str(),
            f.rule.as_str(),
        )
    }))
}

/// The run of `input`, with results only for the findings `keep` flags (all when `None`). Rules
/// are declared for every finding either way, so the rule table and indices do not depend on
/// which results were kept.
fn build_run_keeping<'a>(input: &RunInput<'a>, keep: Option<&[bool]>) -> Run {
    // Rules deduplicated by code, first declaration wins, order kept.
    let mut rules: Vec<Rule> = Vec::with_capacity(input.rules.len());
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    for rule in input.rules {
        if !index.contains_key(rule.code.as_str()) {
            index.insert(&rule.code, rules.len());
            rules.push(rule.clone());
        }
    }
    let taxonomies = Taxonomies::of(&rules);
    let mut descriptors: Vec<_> = rules.iter().map(|r| descriptor(r, &taxonomies)).collect();

    // A rule results use but `input.rules` lacks gets a minimal descriptor, once.
    let mut rule_index = |code: &'a str| match index.get(code) {
        Some(&i) => i,
        None => {
            let i = descriptors.len();
            descriptors.push(undeclared(code));
            index.insert(code, i);
            i
        }
    };
    // Rule indices in finding order (an undeclared rule's descriptor is added at its first
    // finding, kept or not); the results themselves are then built on all cores, in order.
    let mut kept =
        Vec::with_capacity(keep.map_or(input.findings.len(), |k| k.iter().filter(|k| **k).count()));
    for (i, finding) in input.findings.iter().enumerate() {
        let rule_index = rule_index(&finding.rule);
        if keep.is_none_or(|k| k.get(i).copied().unwrap_or(false)) {
            kept.push((finding, rule_index));
        }
    }
    let mut results: Vec<_> = {
        use rayon::prelude::*;
        kept.into_par_iter()
            .map(|(finding, rule_index)| result(finding, rule_index))
            .collect()
    };
    for evaluation in input.evaluations {
        let rule_index = rule_index(&evaluation.rule_id);
        results.extend(evaluation_result(evaluation, rule_index));
    }

    let mut driver = ToolComponent::builder()
        .name(input.tool_name.clone())
        .version(input.tool_version.clone())
        .rules(descriptors)
        .build();
    if !input.information_uri.is_empty() {
        driver.information_uri = Some(input.information_uri.clone());
    }
    if looks_semantic(&input.tool_version) {
        driver.semantic_version = Some(input.tool_version.clone());
    }
    if !taxonomies.is_empty() {
        driver.supported_taxonomies = Some(taxonomies.references());
    }

    let mut invocation = Invocation::builder()
        .execution_successful(input.execution_successful)
        .build();
    invocation.start_time_utc = input.start_time.clone();
    invocation.end_time_utc = input.end_time.clone();
    if !input.notifications.is_empty() {
        invocation.tool_execution_notifications =
            Some(input.notifications.iter().map(notification).collect());
    }

    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(Value::String("unicodeCodePoints".to_string()))
        .automation_details(
            RunAutomationDetails::builder()
                .id(input.automation_id.clone())
                .build(),
        )
        .invocations(vec![invocation])
        .build();
    if !taxonomies.is_empty() {
        run.taxonomies = Some(taxonomies.components());
    }
    if let Some(root) = &input.root_uri {
        set_root_uri(&mut run, root);
    }
    run
}

fn looks_semantic(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A log holding `runs`, with `$schema` and `version: "2.1.0"`.
pub fn build_log(runs: Vec<Run>) -> Sarif {
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(Value::String("2.1.0".to_string()))
        .runs(runs)
        .build()
}

/// The log as pretty JSON with a final newline.
pub fn to_json_pretty(log: &Sarif) -> String {
    // The SARIF types hold only strings, numbers, booleans and string-keyed maps, which
    // serde_json always serialises; an error here would be a bug in those types.
    let mut text = serde_json::to_string_pretty(log).expect("SARIF types always serialise");
    text.push('\n');
    text
}

/// The same text as [`to_json_pretty`], written into `out` as it is produced, so a large log is
/// never held in memory a second time as one string. `out` should be buffered.
pub fn write_json_pretty(log: &Sarif, mut out: impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, log).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

/// Point `%SRCROOT%` in `run.originalUriBaseIds` at `root_uri` (a `file:///abs/root/` URI; a
/// missing final `/` is added, as SARIF requires), keeping any other base ids.
pub fn set_root_uri(run: &mut Run, root_uri: &str) {
    let mut uri = root_uri.to_string();
    if !uri.ends_with('/') {
        uri.push('/');
    }
    run.original_uri_base_ids
        .get_or_insert_with(BTreeMap::new)
        .insert(
            SRCROOT.to_string(),
            ArtifactLocation::builder().uri(uri).build(),
        );
}
