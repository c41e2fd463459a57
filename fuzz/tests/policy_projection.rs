//! Differential target for the policy stage's input projection: the stage builds each input
//! document with only what the loaded policies can observe of it, and no policy may ever see
//! a difference. Mutants of the example policies and of policies that read their documents
//! in many ways (paths, iteration, counting, locals, computed keys, functions, values used
//! whole) are loaded one file at a time; each that loads and can be projected is evaluated
//! over the example repositories and the IaC and permissions fixtures on whole and on
//! projected documents, and the findings, notifications and evaluations must be the same.
//!
//! Random edits reach shapes nobody thought to write by hand: a path cut short, a key turned
//! into a variable, a local rebound, a reference moved into a function call.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tollgate_core::{Config, ScanContext, StageReport, WalkOptions};
use tollgate_fuzz::runner::repo_root;
use tollgate_fuzz::{run_and_assert, Seed, Target};
use tollgate_policy::evaluate::{evaluate, Budgets, Inputs};
use tollgate_policy::rego::load_policies;

/// Rego fragments that change how a policy reads its input.
const TOKENS: &[&str] = &[
    "input",
    "input.resource",
    "input.resources",
    "input.identity",
    "input.resource.model",
    "input.resource.properties",
    ".properties",
    ".model",
    ".tags",
    ".kind",
    ".address",
    "[_]",
    "[k]",
    "[0]",
    "[\"Timeout\"]",
    "some k, v in ",
    "some x in ",
    "x := ",
    "x.",
    "k",
    "count(",
    "object.keys(",
    "json.marshal(",
    "is_object(",
    "walk(",
    "object.get(",
    " with input as {}",
    " == ",
    " != ",
    "not ",
    "every y in ",
    "{r | some r in ",
    "\n  ",
    "(",
    ")",
];

/// Policies that read their documents in shapes the example policies do not, as seeds.
const SHAPES: &[&str] = &[
    "package main\nimport rego.v1\n\nwarn contains msg if {\n  r := input.resource\n  r.model.kind == \"lambda-function\"\n  some k, v in r.properties\n  is_number(v)\n  msg := sprintf(\"%s %s\", [r.address, k])\n}\n",
    "package main\nimport rego.v1\n\ndeny contains f.address if {\n  some f in input.resources\n  f.model.kind == \"s3-bucket\"\n  not f.model.versioning\n}\n\nwarn contains \"many\" if count(input.resources) > 4\n",
    "package main\nimport rego.v1\n\nkind(r) := r.model.kind\n\nwarn contains \"fn\" if kind(input.resource) == \"lambda-function\"\n\nwarn contains t if {\n  some t, _ in input.resource.tags\n  startswith(t, \"Data\")\n}\n",
    "package main\nimport rego.v1\n\ndeny contains i.address if {\n  i := input.identity\n  some g in i.data_access\n  \"write\" in g.verbs\n  count(g.targets) > 0\n}\n\nwarn contains \"esc\" if count(input.identity.escalation) > 0\n",
    "package main\n\ndeny[msg] {\n  input.resource.properties.Environment.Variables[name]\n  contains(lower(name), \"secret\")\n  msg := name\n}\n\nwarn[msg] {\n  some k\n  input.resource.model.environment_variables[k]\n  msg := k\n}\n",
];

/// Budgets no evaluation of a mutant over these small repositories comes near; a mutant
/// that still hits one is left out of the comparison, since where it stopped depends on the
/// machine's speed.
fn budgets() -> Budgets {
    Budgets {
        document: Duration::from_secs(5),
        policy: Duration::from_secs(60),
    }
}

/// The example repositories and fixtures the policies are evaluated over.
const CORPUS: &[&str] = &[
    "examples/policies",
    "examples/sam-orders",
    "examples/serverless-payments",
    "examples/terraform-ledger",
    "examples/sam-clinic",
    "crates/tollgate-iac/tests/fixtures",
    "crates/tollgate-perms/tests/fixtures",
];

fn context(dir: &Path) -> ScanContext {
    let config = Config::default();
    let files = tollgate_core::walk(dir, &WalkOptions::from_config(&config)).files;
    ScanContext::new(
        dir.to_path_buf(),
        files,
        Arc::new(config),
        time::macros::date!(2026 - 12 - 01),
    )
}

fn seeds() -> Vec<Seed> {
    let dir = repo_root().join("examples/policies/policies");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("example policies")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".rego") && !name.ends_with("_test.rego")
        })
        .collect();
    names.sort();
    let mut seeds: Vec<Seed> = names
        .iter()
        .map(|p| Seed {
            name: p.file_name().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(p).expect("example policy"),
        })
        .collect();
    seeds.extend(SHAPES.iter().enumerate().map(|(i, text)| Seed {
        name: format!("shape-{i}"),
        text: (*text).to_string(),
    }));
    seeds
}

fn run(ctx: &ScanContext, set: &tollgate_policy::rego::PolicySet, inputs: &Inputs) -> StageReport {
    let mut report = StageReport::default();
    evaluate(
        ctx,
        set,
        &["main".to_string()],
        budgets(),
        inputs,
        &mut report,
    );
    report
}

/// Whether a run stopped on a budget (time, memory or results), which the comparison cannot
/// judge: a projected document is smaller and faster to go through.
fn stopped(report: &StageReport) -> bool {
    report.notifications.iter().any(|n| match n.id.as_str() {
        "policy-timeout" | "policy-limit" => true,
        "policy-error" => n.message.contains("MiB"),
        _ => false,
    })
}

#[test]
fn projected_documents_give_every_mutant_the_same_results() {
    let corpus: Vec<(&str, ScanContext, Inputs)> = CORPUS
        .iter()
        .map(|dir| {
            let ctx = context(&repo_root().join(dir));
            let whole = tollgate_policy::inputs(&ctx);
            (*dir, ctx, whole)
        })
        .collect();
    // How many mutants loaded and could be projected, out of all the runner made.
    let compared = AtomicUsize::new(0);
    let target = Target {
        name: "policy-projection",
        seeds: seeds(),
        tokens: TOKENS,
        default_iters: 150,
        max_len: 8 * 1024,
    };
    run_and_assert(&target, |text| {
        let set = load_policies(vec![("policies/mutant.rego".to_string(), text.to_string())]);
        if !set.errors.is_empty() || set.needs().is_none() {
            return Ok(());
        }
        compared.fetch_add(1, Ordering::Relaxed);
        for (dir, ctx, whole) in &corpus {
            let narrow = tollgate_policy::inputs_for(ctx, &set);
            let expected = run(ctx, &set, whole);
            let found = run(ctx, &set, &narrow);
            if stopped(&expected) || stopped(&found) {
                continue;
            }
            let as_json = |r: &StageReport| {
                serde_json::json!({
                    "findings": r.findings,
                    "notifications": r.notifications,
                    "evaluations": r.evaluations,
                })
            };
            let (expected, found) = (as_json(&expected), as_json(&found));
            if expected != found {
                // The runner names a failure by its first characters; the whole of both goes
                // to the log.
                eprintln!("whole: {expected}\nprojected: {found}");
                return Err(format!(
                    "projected documents change the results over {dir}:\n whole: {}\n projected: {}",
                    truncated(&expected),
                    truncated(&found)
                ));
            }
        }
        Ok(())
    });
    let compared = compared.into_inner();
    eprintln!("policy-projection: {compared} policies evaluated on whole and projected documents");
    assert!(
        compared > 0,
        "no mutant loaded: the seeds or the loader changed"
    );
}

fn truncated(v: &serde_json::Value) -> String {
    let text = v.to_string();
    text.chars().take(2000).collect()
}
