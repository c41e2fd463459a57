//! Evaluating the loaded policies over the input documents and turning what they return into
//! findings. Each policy file has its own engine: an error or a timeout in one is reported
//! (file:line:col and the policy) and the others still run.

use std::collections::{BTreeMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tollgate_core::evaluation::Recorder;
use tollgate_core::{
    Finding, Location, Notification, Rule, ScanContext, Severity, Span, StageReport, Verdict,
};

use crate::code::{derived_code, rule_name, valid_code};
use crate::input::{IdentityDoc, PolicyInput};
use crate::locate::{locate, parse_path};
use crate::rego::metadata::Metadata;
use crate::rego::{EvalError, Evaluator, PolicyFile, PolicySet};
use crate::resources::ScannedResource;

/// The stage's name, on findings and notifications.
pub const STAGE: &str = "policy";

/// What an input document is about, to place its findings.
#[derive(Debug, Clone)]
pub enum Subject {
    Resource(usize),
    Unit { name: String },
    Identity(usize),
}

/// The documents of one scan, converted once for every policy.
pub struct Inputs {
    pub resources: Vec<ScannedResource>,
    pub identities: Vec<IdentityDoc>,
    pub documents: Vec<(regorus::Value, Subject)>,
}

impl std::fmt::Debug for Inputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inputs")
            .field("documents", &self.documents.len())
            .finish()
    }
}

impl Inputs {
    pub fn new(resources: Vec<ScannedResource>, identities: Vec<IdentityDoc>) -> Self {
        let mut documents = Vec::new();
        for (i, r) in resources.iter().enumerate() {
            let input = PolicyInput::Resource {
                resource: r.doc.clone(),
            };
            documents.push((to_value(&input), Subject::Resource(i)));
        }
        for (name, input) in crate::units::units(&resources, &identities) {
            documents.push((to_value(&input), Subject::Unit { name }));
        }
        for (i, identity) in identities.iter().enumerate() {
            let input = PolicyInput::Identity {
                identity: identity.clone(),
            };
            documents.push((to_value(&input), Subject::Identity(i)));
        }
        Self {
            resources,
            identities,
            documents,
        }
    }
}

pub fn to_value(input: &PolicyInput) -> regorus::Value {
    // Through JSON text: regorus's own parser interns object keys and builds its compact
    // frozen storage, which policies then read faster than a converted `serde_json::Value`.
    serde_json::to_string(input)
        .ok()
        .and_then(|text| regorus::Value::from_json_str(&text).ok())
        .unwrap_or(regorus::Value::Undefined)
}

/// How long a policy may run: on one document, and on all of them together.
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    pub document: Duration,
    pub policy: Duration,
}

/// Stack of each evaluation thread: regorus recurses over the input's nesting and the
/// policy's expressions.
const EVAL_STACK_BYTES: usize = 16 * 1024 * 1024;

/// What one policy produced.
#[derive(Default)]
struct PolicyOutput {
    report: StageReport,
    rules: BTreeMap<String, Rule>,
}

/// Evaluate every policy of `set` over `inputs` into `report`. Policies are spread over the
/// machine's cores, each evaluated by one thread with its own engine; their results are
/// merged in policy order, so the report does not depend on scheduling.
pub fn evaluate(
    ctx: &ScanContext,
    set: &PolicySet,
    namespaces: &[String],
    budgets: Budgets,
    inputs: &Inputs,
    report: &mut StageReport,
) {
    let policies: Vec<&PolicyFile> = set.policies(namespaces).collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(policies.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut outputs: Vec<(usize, PolicyOutput)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                std::thread::Builder::new()
                    .name("policy-eval".into())
                    .stack_size(EVAL_STACK_BYTES)
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(policy) = policies.get(i) else { break };
                            // A panic in the interpreter costs that policy only.
                            let output = std::panic::catch_unwind(AssertUnwindSafe(|| {
                                evaluate_policy(ctx, set, namespaces, budgets, inputs, policy)
                            }))
                            .unwrap_or_else(|_| panicked(policy));
                            done.push((i, output));
                        }
                        done
                    })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h {
                Ok(handle) => handle.join().unwrap_or_default(),
                Err(_) => Vec::new(),
            })
            .collect()
    });
    outputs.sort_by_key(|(i, _)| *i);
    if outputs.len() < policies.len() {
        report.notify(
            Notification::error(
                "stage-failed",
                "some policies could not be evaluated (an evaluation thread failed)",
            )
            .stage(STAGE),
        );
    }
    let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
    // Policy files sharing a package and rule name share a derived code: their verdicts on
    // one resource combine into one evaluation.
    let mut recorders: BTreeMap<String, Recorder> = BTreeMap::new();
    for (_, mut output) in outputs {
        for e in std::mem::take(&mut output.report.evaluations) {
            recorders.entry(e.rule_id.clone()).or_default().record(
                &e.rule_id,
                &e.resource,
                e.location,
                e.verdict,
            );
        }
        report.extend(output.report);
        for (code, rule) in output.rules {
            rules.entry(code).or_insert(rule);
        }
    }
    report
        .evaluations
        .extend(recorders.into_values().flat_map(Recorder::into_evaluations));
    report.dynamic_rules.extend(rules.into_values());
}

fn panicked(policy: &PolicyFile) -> PolicyOutput {
    let mut out = PolicyOutput::default();
    out.report.notify(
        Notification::error(
            "policy-error",
            format!(
                "{}: the policy interpreter failed on this policy, which was not evaluated; hint: please report it with the policy",
                policy.path
            ),
        )
        .at(Location::file(policy.path.clone()))
        .stage(STAGE),
    );
    out
}

/// One policy over every document.
fn evaluate_policy(
    ctx: &ScanContext,
    set: &PolicySet,
    namespaces: &[String],
    budgets: Budgets,
    inputs: &Inputs,
    policy: &PolicyFile,
) -> PolicyOutput {
    let mut out = PolicyOutput::default();
    let started = Instant::now();
    let mut evaluator = match Evaluator::new(policy, set.libraries(namespaces), budgets.document) {
        Ok(e) => e,
        Err(err) => {
            out.report.notify(eval_notification(&err, policy, None));
            return out;
        }
    };
    let mut reported: HashSet<String> = HashSet::new();
    // Cancelled before it started (the input documents may be cut short too) or part way
    // through: the policy is listed as not checked, and what it reported so far stays.
    if ctx.is_cancelled() {
        out.report.not_checked.push(policy.path.clone());
        return out;
    }
    // One recorder per code: a recorder keeps one evaluation per resource.
    let mut recorders: BTreeMap<String, Recorder> = BTreeMap::new();
    let mut record = |code: &str, address: &str, header: Location, verdict: Verdict| {
        recorders
            .entry(code.to_string())
            .or_default()
            .record(code, address, header, verdict);
    };
    // Codes of results that name none, once per entry rule (deriving one hashes its name).
    let default_codes: BTreeMap<&str, String> = policy
        .entries
        .iter()
        .map(|(rule, metadata)| (rule.as_str(), default_code(policy, rule, metadata)))
        .collect();
    'documents: for (done, (input, subject)) in inputs.documents.iter().enumerate() {
        if ctx.is_cancelled() {
            out.report.not_checked.push(policy.path.clone());
            break;
        }
        if started.elapsed() > budgets.policy {
            out.report.notify(
                Notification::error(
                    "policy-timeout",
                    format!(
                        "{}: policy file ran out of its {} s budget after {done} of {} documents and was stopped; results it reported before stay",
                        policy.path,
                        budgets.policy.as_secs(),
                        inputs.documents.len()
                    ),
                )
                .at(Location::file(policy.path.clone()))
                .stage(STAGE),
            );
            break;
        }
        let judged = judged(subject, inputs);
        for (rule, metadata) in &policy.entries {
            let default_code = &default_codes[rule.as_str()];
            if !policy.admits(rule, input) {
                // Rule indexing: this rule cannot produce a result on this document.
                if let Some((address, header)) = &judged {
                    record(
                        default_code,
                        address,
                        header.clone(),
                        Verdict::NotApplicable,
                    );
                }
                continue;
            }
            match evaluator.eval(rule, input) {
                Ok(value) => {
                    let mut failed = false;
                    for result in value.map(results).unwrap_or_default() {
                        let (finding, header) = finding(
                            ctx,
                            policy,
                            rule,
                            metadata,
                            &result,
                            subject,
                            inputs,
                            &mut out.rules,
                        );
                        if let (Some(address), Some(header)) = (&finding.resource, header) {
                            record(&finding.rule, address, header, Verdict::Fail);
                        }
                        failed |= judged.as_ref().is_some_and(|(address, _)| {
                            finding.resource.as_deref() == Some(address.as_str())
                        });
                        out.report.push(finding);
                    }
                    // A policy with no result on the resource it evaluated passes it.
                    if let (Some((address, header)), false) = (&judged, failed) {
                        record(default_code, address, header.clone(), Verdict::Pass);
                    }
                }
                Err(err) if err.timed_out => {
                    out.report
                        .notify(eval_notification(&err, policy, Some(rule)));
                    // A policy that ran out of time once would on every document: it stops
                    // here, and what it reported so far stays.
                    break 'documents;
                }
                Err(err) => {
                    if reported.insert(err.to_string()) {
                        out.report
                            .notify(eval_notification(&err, policy, Some(rule)));
                    }
                }
            }
        }
    }
    out.report.evaluations = recorders
        .into_values()
        .flat_map(Recorder::into_evaluations)
        .collect();
    // Rules that passed or did not apply everywhere still describe their evaluations.
    for e in &out.report.evaluations {
        if out.rules.contains_key(&e.rule_id) {
            continue;
        }
        if let Some((rule, metadata)) = policy
            .entries
            .iter()
            .find(|(rule, metadata)| default_code(policy, rule, metadata) == e.rule_id)
        {
            let severity = metadata
                .severity
                .as_deref()
                .and_then(|s| s.parse::<Severity>().ok())
                .unwrap_or_else(|| default_severity(rule));
            out.rules.insert(
                e.rule_id.clone(),
                describe(policy, rule, metadata, &e.rule_id, severity),
            );
        }
    }
    out
}

fn eval_notification(err: &EvalError, policy: &PolicyFile, rule: Option<&str>) -> Notification {
    let what = match rule {
        Some(rule) => format!("policy `data.{}.{rule}`", policy.package),
        None => format!("policy file `{}`", policy.path),
    };
    let (id, message) = if err.timed_out {
        (
            "policy-timeout",
            format!(
                "{}:{}:{}: {what} exceeded its time budget and was stopped; results it reported before stay",
                err.file, err.line, err.col
            ),
        )
    } else {
        (
            "policy-error",
            format!(
                "{}:{}:{}: {what}: {}",
                err.file, err.line, err.col, err.message
            ),
        )
    };
    Notification::error(id, message)
        .at(Location::at(err.file.clone(), point(err.line, err.col)))
        .stage(STAGE)
}

/// A one-character span at `line:col` (1-based), for notifications about a policy.
pub fn point(line: u32, col: u32) -> Span {
    let start = tollgate_core::Pos::new(line.max(1), col.max(1));
    Span::new(start, tollgate_core::Pos::new(start.line, start.col + 1))
}

/// A rule's value as a list of results: a set or array of them, or one.
fn results(value: serde_json::Value) -> Vec<serde_json::Value> {
    match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Bool(false) | serde_json::Value::Null => Vec::new(),
        other => vec![other],
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    ctx: &ScanContext,
    policy: &PolicyFile,
    rule: &str,
    metadata: &Metadata,
    result: &serde_json::Value,
    subject: &Subject,
    inputs: &Inputs,
    rules: &mut BTreeMap<String, Rule>,
) -> (Finding, Option<Location>) {
    let field = |key: &str| result.get(key).and_then(serde_json::Value::as_str);
    let code = field("code")
        .filter(|c| valid_code(c))
        .map(str::to_string)
        .unwrap_or_else(|| default_code(policy, rule, metadata));
    let severity = field("severity")
        .or(metadata.severity.as_deref())
        .and_then(|s| s.parse::<Severity>().ok())
        .unwrap_or_else(|| default_severity(rule));
    let policy_path = format!("data.{}.{rule}", policy.package);
    let message = match result {
        serde_json::Value::String(s) => s.clone(),
        _ => field("msg")
            .or(field("message"))
            .map(str::to_string)
            .or_else(|| metadata.title.clone())
            .unwrap_or_else(|| format!("`{policy_path}` reported this resource")),
    };
    rules
        .entry(code.clone())
        .or_insert_with(|| describe(policy, rule, metadata, &code, severity));
    let path = result.get("path").map(parse_path).unwrap_or_default();
    let named = field("resource");
    let (location, address, line, header) = match subject {
        Subject::Resource(i) => place(ctx, &inputs.resources[*i], &path),
        Subject::Unit { name } => {
            // A unit-level result names its resource with `resource` (an address).
            match named.and_then(|a| {
                inputs
                    .resources
                    .iter()
                    .find(|r| r.doc.unit == *name && r.doc.address == a)
            }) {
                Some(r) => place(ctx, r, &path),
                None => {
                    let first = inputs.resources.iter().find(|r| r.doc.unit == *name);
                    match first {
                        Some(r) => (
                            Location::at(r.doc.file.clone(), r.header),
                            None,
                            r.header.start.line,
                            None,
                        ),
                        None => (Location::file(name.clone()), None, 1, None),
                    }
                }
            }
        }
        Subject::Identity(i) => {
            let id = &inputs.identities[*i];
            match inputs
                .resources
                .iter()
                .find(|r| r.doc.unit == id.unit && r.doc.address == id.address)
            {
                Some(r) => place(ctx, r, &path),
                None => (
                    Location::at(id.file.clone(), Span::line(id.line)),
                    Some(id.address.clone()),
                    id.line,
                    Some(Location::at(id.file.clone(), Span::line(id.line))),
                ),
            }
        }
    };
    // One policy rule may report several things about one resource; what it says is what
    // tells them apart, so the message is the evidence the fingerprint is made from.
    let evidence = message.clone();
    let mut f = Finding::new(code, severity, message, location)
        .evidence(evidence)
        .property("policy", policy_path)
        .property("policy-file", policy.path.clone())
        .resource_line(line);
    if let Some(address) = address {
        f = f.resource(address);
    }
    (f, header)
}

/// Where a result about `resource` points: the path's place when it names one, else the
/// resource's header.
fn place(
    ctx: &ScanContext,
    resource: &ScannedResource,
    path: &[crate::locate::Step],
) -> (Location, Option<String>, u32, Option<Location>) {
    let span = if path.is_empty() {
        None
    } else {
        locate(ctx, resource, path)
    };
    (
        Location::at(resource.doc.file.clone(), span.unwrap_or(resource.header)),
        Some(resource.doc.address.clone()),
        resource.header.start.line,
        Some(Location::at(resource.doc.file.clone(), resource.header)),
    )
}

/// The resource a document is about, as evaluations name it: its address and header. A
/// deployment unit is about several, and its policies judge none in particular.
fn judged(subject: &Subject, inputs: &Inputs) -> Option<(String, Location)> {
    match subject {
        Subject::Resource(i) => {
            let r = &inputs.resources[*i];
            Some((
                r.doc.address.clone(),
                Location::at(r.doc.file.clone(), r.header),
            ))
        }
        Subject::Identity(i) => {
            let id = &inputs.identities[*i];
            Some(
                match inputs
                    .resources
                    .iter()
                    .find(|r| r.doc.unit == id.unit && r.doc.address == id.address)
                {
                    Some(r) => (
                        r.doc.address.clone(),
                        Location::at(r.doc.file.clone(), r.header),
                    ),
                    None => (
                        id.address.clone(),
                        Location::at(id.file.clone(), Span::line(id.line)),
                    ),
                },
            )
        }
        Subject::Unit { .. } => None,
    }
}

/// The code of an entry rule's results that name none: METADATA `custom.code`, else derived
/// from the package and rule name.
fn default_code(policy: &PolicyFile, rule: &str, metadata: &Metadata) -> String {
    metadata
        .code
        .clone()
        .filter(|c| valid_code(c))
        .unwrap_or_else(|| derived_code(&policy.package, rule))
}

/// conftest's convention: `warn` warns, `deny` and `violation` fail.
fn default_severity(rule: &str) -> Severity {
    if rule == "warn" {
        Severity::Low
    } else {
        Severity::High
    }
}

/// The SARIF rule of one entry rule's code.
fn describe(
    policy: &PolicyFile,
    rule: &str,
    metadata: &Metadata,
    code: &str,
    severity: Severity,
) -> Rule {
    let policy_path = format!("data.{}.{rule}", policy.package);
    let mut r = Rule::new(
        code.to_string(),
        rule_name(&policy.package, rule),
        STAGE,
        severity,
        metadata
            .title
            .clone()
            .unwrap_or_else(|| format!("Policy {policy_path}")),
    )
    .description(
        metadata
            .description
            .clone()
            .unwrap_or_else(|| format!("Reported by `{policy_path}` in `{}`.", policy.path)),
    )
    .tags(["security", "policy"]);
    if let Some(uri) = metadata.related_resources.first() {
        r = r.help_uri(uri.clone());
    }
    r
}
