//! Building tollgate's own run and the log around it.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Result as SarifResult, Run, RunAutomationDetails, Sarif, Tool,
    ToolComponent,
};
use tollgate_core::{Evaluation, Finding, Notification, Rule, Verdict};

use crate::limit_notes::location_and_flow_cuts;
use crate::limits::{
    add_note, cut_locations_of, cut_rules, cut_thread_flows_of, renumber_rule, truncate_extensions,
    truncate_tags, truncated_note, ResultCut, RuleRenumbering,
};
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
    let (mut run, results) = plan_run(input, None);
    run.results = Some(results.build_all());
    run
}

/// [`build_run`] followed by [`crate::enforce_limits`], with the same run and notification as
/// a result, but results GitHub's limit would drop are never built: a scan with 80,000
/// findings builds 25,000 SARIF results instead of building 80,000 and dropping 55,000.
pub fn build_run_within_limits(input: &RunInput) -> (Run, Option<Notification>) {
    let (mut run, results, note) = plan_run_within_limits(input);
    run.results = Some(results.build_all());
    (run, note)
}

/// The run [`build_run_within_limits`] builds, without its results (an empty list), what
/// those results are to be built from, and the run's `truncated` notification, already added
/// to the run's invocation. Every cut is decided here: which findings get a result, which rules
/// stay in the table; a result's own cuts (locations, flow steps) are made as it is built.
pub(crate) fn plan_run_within_limits<'a>(
    input: &RunInput<'a>,
) -> (Run, PlannedResults<'a>, Option<Notification>) {
    // The kept results are chosen as `enforce_limits` chooses them from the built results:
    // a built result's severity is its finding's (the `tollgate/severity` property), and it
    // counts toward the gate exactly when the finding is active, and its file and rule are the
    // finding's.
    let (keep, results_said) = match result_cut(input.findings) {
        Some(ResultCut { keep, said }) => (Some(keep), Some(said)),
        None => (None, None),
    };
    let (mut run, mut results) = plan_run(input, keep.as_deref());
    drop(keep);
    results.within_limits = true;
    // What `enforce_limits` says, in its order: results, rules, locations, flow steps, tags,
    // extensions.
    let mut said: Vec<String> = results_said.into_iter().collect();
    if let Some(rules) = run.tool.driver.rules.as_mut() {
        let mut used = vec![false; rules.len()];
        for item in &results.items {
            if let Some(u) = used.get_mut(item.rule_index()) {
                *u = true;
            }
        }
        if let Some((text, renumbering)) = cut_rules(rules, &used) {
            said.push(text);
            results.renumbering = Some(renumbering);
        }
    }
    let kept_findings = results.items.iter().filter_map(|item| match *item {
        Planned::Finding(i, _) => Some(&input.findings[i]),
        Planned::Evaluation(..) => None,
    });
    said.extend(location_and_flow_cuts(kept_findings).into_iter().flatten());
    said.extend(truncate_tags(&mut run));
    said.extend(truncate_extensions(&mut run));
    let note = truncated_note(&said);
    if let Some(note) = &note {
        add_note(&mut run, note);
    }
    (run, results, note)
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

/// One result still to be built: from the finding or evaluation at a position in the input,
/// for the rule at a position in the run's rule table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Planned {
    Finding(usize, usize),
    Evaluation(usize, usize),
}

impl Planned {
    fn rule_index(self) -> usize {
        match self {
            Self::Finding(_, rule) | Self::Evaluation(_, rule) => rule,
        }
    }
}

/// A run's results before they are built: each is built when it is needed (all at once for a
/// [`Run`], a few at a time when the log is written, see [`crate::StreamedLog`]), so a large
/// scan's results never all exist as SARIF structures next to its findings.
#[derive(Debug)]
pub(crate) struct PlannedResults<'a> {
    findings: &'a [Finding],
    evaluations: &'a [Evaluation],
    pub(crate) items: Vec<Planned>,
    /// Whether results get a run within GitHub's limits' cuts.
    within_limits: bool,
    /// Where the rules cut moved each rule, when it cut any.
    renumbering: Option<RuleRenumbering>,
}

impl PlannedResults<'_> {
    /// The result of `item`, with the cuts a result of a run within GitHub's limits gets when
    /// planned for one.
    pub(crate) fn build(&self, item: Planned) -> Option<SarifResult> {
        let mut out = match item {
            Planned::Finding(i, rule) => result(&self.findings[i], rule),
            Planned::Evaluation(i, rule) => evaluation_result(&self.evaluations[i], rule)?,
        };
        if let Some(renumbering) = &self.renumbering {
            renumber_rule(&mut out, renumbering);
        }
        if self.within_limits {
            cut_locations_of(&mut out);
            cut_thread_flows_of(&mut out);
        }
        Some(out)
    }

    /// Every result, in order, built on all cores.
    pub(crate) fn build_all(&self) -> Vec<SarifResult> {
        use rayon::prelude::*;
        self.items
            .par_iter()
            .filter_map(|item| self.build(*item))
            .collect()
    }
}

/// The run of `input` without its results, and the results planned: one for each finding
/// `keep` flags (all when `None`), then one for each evaluation that is not a failure. Rules
/// are declared for every finding either way, so the rule table and indices do not depend on
/// which results were kept.
fn plan_run<'a>(input: &RunInput<'a>, keep: Option<&[bool]>) -> (Run, PlannedResults<'a>) {
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
    // finding, kept or not).
    let mut items =
        Vec::with_capacity(keep.map_or(input.findings.len(), |k| k.iter().filter(|k| **k).count()));
    for (i, finding) in input.findings.iter().enumerate() {
        let rule_index = rule_index(&finding.rule);
        if keep.is_none_or(|k| k.get(i).copied().unwrap_or(false)) {
            items.push(Planned::Finding(i, rule_index));
        }
    }
    // A failing evaluation has no result (its findings say it), but its rule is declared.
    for (i, evaluation) in input.evaluations.iter().enumerate() {
        let rule_index = rule_index(&evaluation.rule_id);
        if !matches!(evaluation.verdict, Verdict::Fail) {
            items.push(Planned::Evaluation(i, rule_index));
        }
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
        .results(Vec::new())
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
    let results = PlannedResults {
        findings: input.findings,
        evaluations: input.evaluations,
        items,
        within_limits: false,
        renumbering: None,
    };
    (run, results)
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
