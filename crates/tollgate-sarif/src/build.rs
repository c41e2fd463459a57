//! Building tollgate's own run and the log around it.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Run, RunAutomationDetails, Sarif, Tool, ToolComponent,
};
use tollgate_core::{Finding, Notification, Rule};

use crate::notification::notification;
use crate::result::result;
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
    // Rules deduplicated by code, first declaration wins, order kept.
    let mut rules: Vec<Rule> = Vec::with_capacity(input.rules.len());
    let mut index: HashMap<&str, usize> = HashMap::new();
    for rule in input.rules {
        if !index.contains_key(rule.code.as_str()) {
            index.insert(&rule.code, rules.len());
            rules.push(rule.clone());
        }
    }
    let taxonomies = Taxonomies::of(&rules);
    let mut descriptors: Vec<_> = rules.iter().map(|r| descriptor(r, &taxonomies)).collect();

    let mut results = Vec::with_capacity(input.findings.len());
    for finding in input.findings {
        let rule_index = match index.get(finding.rule.as_str()) {
            Some(&i) => i,
            None => {
                let i = descriptors.len();
                descriptors.push(undeclared(&finding.rule));
                index.insert(&finding.rule, i);
                i
            }
        };
        results.push(result(finding, rule_index));
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
