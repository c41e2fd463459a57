//! The `policy` stage: the repository's own Rego policies over every resource, deployment
//! unit and IAM identity of the scan, and its CloudFormation Guard rules over every
//! CloudFormation and SAM template.

use std::time::Duration;

use tollgate_core::{Notification, Rule, ScanContext, Stage, StageError, StageReport};

use crate::evaluate::{evaluate, Budgets, Inputs, STAGE};
use crate::guard::RuleFile;
use crate::model_json::{Keep, ModelIndex};
use crate::rego::projection::Need;
use crate::rego::{load_policies, PolicySet};
use crate::{identities, resources};

/// Default milliseconds one policy may spend on one input document.
pub const DEFAULT_EVAL_TIMEOUT_MS: u64 = 1000;

/// Default bytes one policy may hold while it evaluates one input document.
pub const DEFAULT_EVAL_MEMORY_BYTES: usize = crate::rego::engine::MAX_HELD_PER_EVALUATION;

/// Policy directories used when `[stage.policy] paths` is not set, in order; the first present
/// one is read.
pub const DEFAULT_PATHS: [&str; 2] = ["policies", ".tollgate/policies"];

/// The policy stage (`policy`).
#[derive(Debug, Default, Clone, Copy)]
pub struct PolicyStage;

impl PolicyStage {
    pub const NAME: &'static str = STAGE;

    pub fn new() -> Self {
        Self
    }
}

impl Stage for PolicyStage {
    fn name(&self) -> &str {
        Self::NAME
    }

    /// Policies' rules are known only once the repository's policies are read: they come as
    /// the report's dynamic rules.
    fn rules(&self) -> Vec<Rule> {
        Vec::new()
    }

    fn run(&self, ctx: &ScanContext) -> Result<StageReport, StageError> {
        let mut report = StageReport::default();
        let (set, guard) = load_from_scan(ctx, &mut report);
        let namespaces = namespaces(ctx);
        if set.policies(&namespaces).next().is_none() && guard.is_empty() {
            return Ok(report);
        }
        let mut inputs = inputs_for(ctx, &set);
        let budgets = Budgets {
            document: budget(ctx),
            policy: policy_budget(ctx),
        };
        evaluate(ctx, &set, &namespaces, budgets, &inputs, &mut report);
        // The Guard rules are the last to read the resources' properties: their templates
        // take them.
        crate::guard::stage::evaluate_all_taking(ctx, &guard, &mut inputs, budgets, &mut report);
        Ok(report)
    }
}

/// The rules the repository's policies define, as findings and SARIF name them: one per entry
/// rule of every Rego policy (its METADATA `custom.code`, else its derived `TG9` code) and one
/// per Guard rule; sorted by code, each code once. A result that names its own `code` is known
/// only once evaluated. Policies that do not load are `report`'s notifications.
pub fn policy_rules(ctx: &ScanContext, report: &mut StageReport) -> Vec<Rule> {
    let (set, guard) = load_from_scan(ctx, report);
    let namespaces = namespaces(ctx);
    let mut rules: std::collections::BTreeMap<String, Rule> = Default::default();
    for policy in set.policies(&namespaces) {
        for (rule, metadata) in &policy.entries {
            let code = crate::evaluate::default_code(policy, rule, metadata);
            let severity = metadata
                .severity
                .as_deref()
                .and_then(|s| s.parse::<tollgate_core::Severity>().ok())
                .unwrap_or_else(|| crate::evaluate::default_severity(rule));
            rules.entry(code.clone()).or_insert_with(|| {
                crate::evaluate::describe(policy, rule, metadata, &code, severity)
            });
        }
    }
    for file in &guard {
        for rule in &file.rules {
            let described = crate::guard::stage::describe(file, rule);
            rules.entry(described.code.clone()).or_insert(described);
        }
    }
    rules.into_values().collect()
}

/// The packages whose entry rules report.
pub fn namespaces(ctx: &ScanContext) -> Vec<String> {
    let configured = &ctx.config().stage.policy.namespaces;
    if configured.is_empty() {
        vec!["main".to_string()]
    } else {
        configured.clone()
    }
}

/// Default seconds one policy may spend on every document of the scan together.
pub const DEFAULT_POLICY_TIMEOUT_SECONDS: u64 = 60;

/// The time one policy may spend on the whole scan.
pub fn policy_budget(ctx: &ScanContext) -> Duration {
    Duration::from_secs(
        ctx.config()
            .stage
            .policy
            .policy_timeout_seconds
            .unwrap_or(DEFAULT_POLICY_TIMEOUT_SECONDS)
            .max(1),
    )
}

/// The time one policy may spend on one document.
pub fn budget(ctx: &ScanContext) -> Duration {
    Duration::from_millis(
        ctx.config()
            .stage
            .policy
            .eval_timeout_ms
            .unwrap_or(DEFAULT_EVAL_TIMEOUT_MS)
            .max(1),
    )
}

/// The bytes one policy may hold while it evaluates one document.
pub fn memory_budget(ctx: &ScanContext) -> usize {
    ctx.config()
        .stage
        .policy
        .eval_memory_mib
        .map_or(DEFAULT_EVAL_MEMORY_BYTES, |mib| {
            usize::try_from(mib.max(1).saturating_mul(1 << 20)).unwrap_or(usize::MAX)
        })
}

/// Every input document of the scan, whole (as `tollgate policy eval` prints them).
pub fn inputs(ctx: &ScanContext) -> Inputs {
    let (resources, identities) = scanned(ctx, &Keep::All);
    Inputs::new(resources, identities)
}

/// Every input document of the scan with only what the policies of `set` can observe of
/// them (see [`crate::rego::projection`]); whole when one of them may read anything.
pub fn inputs_for(ctx: &ScanContext, set: &PolicySet) -> Inputs {
    match set.needs() {
        Some(need) => {
            let (resources, identities) = scanned(ctx, &model_keep(&need));
            Inputs::projected(resources, identities, &need)
        }
        None => {
            let (resources, identities) = scanned(ctx, &Keep::All);
            Inputs::new(resources, identities)
        }
    }
}

/// The fields of `input.resource.model` the documents built with `need` keep: a resource's
/// value is shared by its own document and its unit's (`input.resources[_]`), as
/// [`Inputs::projected`] builds it. A field left out here would be left out there; building
/// it was about a tenth of building the documents.
fn model_keep(need: &Need) -> Keep {
    let mut keys = std::collections::BTreeSet::new();
    let parts = [
        need.child("resource"),
        need.child("resources").and_then(Need::element),
    ];
    for model in parts.into_iter().flatten().filter_map(|r| r.child("model")) {
        if model.whole || model.each.is_some() {
            return Keep::All;
        }
        keys.extend(model.keys.keys().map(|k| k.to_string()));
    }
    Keep::Only(keys)
}

fn scanned(
    ctx: &ScanContext,
    keep: &Keep,
) -> (
    Vec<resources::ScannedResource>,
    Vec<crate::input::IdentityDoc>,
) {
    let model = tollgate_iac::model(ctx);
    let mut index = ModelIndex::build_kept(&model, keep);
    let resources = resources::collect(ctx, &model, &mut index);
    // The permissions stage's analysis, made once per scan.
    let identities = identities::identities(tollgate_perms::analysis(ctx).get());
    (resources, identities)
}

/// The policy directories of the scan: the configured ones, else the first default present.
pub fn policy_dirs(ctx: &ScanContext) -> Vec<String> {
    let configured = &ctx.config().stage.policy.paths;
    if !configured.is_empty() {
        return configured
            .iter()
            .map(|p| p.trim_start_matches("./").trim_end_matches('/').to_string())
            .collect();
    }
    DEFAULT_PATHS
        .iter()
        .find(|dir| {
            let prefix = format!("{dir}/");
            ctx.files().iter().any(|f| f.path.starts_with(&prefix))
        })
        .map(|d| vec![d.to_string()])
        .unwrap_or_default()
}

/// Whether `path` (repository-relative) is under one of `dirs` (or is one of them).
pub fn under(path: &str, dirs: &[String]) -> bool {
    dirs.iter()
        .any(|d| d.is_empty() || d == "." || path == d || path.starts_with(&format!("{d}/")))
}

/// Read and load the `.rego` and `.guard` files of the scan's policy directories (test files
/// excluded); unreadable files and load errors become notifications.
pub fn load_from_scan(ctx: &ScanContext, report: &mut StageReport) -> (PolicySet, Vec<RuleFile>) {
    let dirs = policy_dirs(ctx);
    if dirs.is_empty() {
        return (PolicySet::default(), Vec::new());
    }
    let mut sources = Vec::new();
    let mut guard_sources = Vec::new();
    for file in ctx.files() {
        if file.path.ends_with(".guard") && under(&file.path, &dirs) {
            match ctx.text(file) {
                Ok(text) => guard_sources.push((file.path.clone(), text.to_string())),
                Err(err) => report.notify(
                    Notification::error("policy-error", format!("{}: {err}", file.path))
                        .at(tollgate_core::Location::file(file.path.clone()))
                        .stage(STAGE),
                ),
            }
            continue;
        }
        if !file.path.ends_with(".rego")
            || file.path.ends_with("_test.rego")
            || !under(&file.path, &dirs)
        {
            continue;
        }
        match ctx.text(file) {
            Ok(text) => sources.push((file.path.clone(), text.to_string())),
            Err(err) => report.notify(
                Notification::error("policy-error", format!("{}: {err}", file.path))
                    .at(tollgate_core::Location::file(file.path.clone()))
                    .stage(STAGE),
            ),
        }
    }
    // A configured path that holds no policy is a mistake worth saying (a typo, a directory
    // excluded from the scan), not an empty policy set.
    for dir in &ctx.config().stage.policy.paths {
        let dir = dir
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_string();
        let holds_one = sources
            .iter()
            .chain(&guard_sources)
            .any(|(path, _)| under(path, std::slice::from_ref(&dir)));
        if !holds_one {
            report.notify(
                Notification::warning(
                    "policy-path-empty",
                    format!(
                        "[stage.policy] paths names `{dir}`, which holds no .rego policy or .guard rule file in the scanned files"
                    ),
                )
                .stage(STAGE),
            );
        }
    }
    let set = load_policies(sources);
    for err in &set.errors {
        report.notify(
            Notification::error("policy-error", err.to_string())
                .at(tollgate_core::Location::at(
                    err.file.clone(),
                    crate::evaluate::point(err.line, err.col),
                ))
                .stage(STAGE),
        );
    }
    (set, crate::guard::stage::load(guard_sources, report))
}
