//! Rule indexing skips (policy, document) pairs that cannot produce a result; it must never
//! skip one that could. Results are reused between documents that hold the same values where
//! a policy reads; a reused result must be the one evaluation would give. These tests evaluate the example policies and policies of every shape
//! the analysis reads, with and without the index, over the example repositories and the IaC
//! stage's fixtures, and require the same findings, notifications and evaluations.

mod common;

use std::path::Path;

use common::repo;
use std::time::Duration;

use tollgate_core::{Config, ScanContext, StageReport};
use tollgate_policy::evaluate::{evaluate, Budgets};
use tollgate_policy::rego::{load_policies, PolicySet};

fn context(dir: &Path) -> ScanContext {
    common::context(dir, Config::default())
}

/// Policies written to exercise the analysis: equality on the type, membership on the model's
/// kind, v0 partial sets, a boolean helper rule, several bodies, `else`, `default`, `with`,
/// unit and identity documents, references only inside comprehensions, and references indexed
/// by a local that takes constant keys (`some k in ["Timeout", "timeout"]`).
const SHAPES: &[(&str, &str)] = &[
    (
        "shapes/types.rego",
        "package main\nimport rego.v1\n\ndeny contains \"bucket without encryption\" if {\n  input.resource.type in {\"AWS::S3::Bucket\", \"aws_s3_bucket\"}\n  not input.resource.model.sse_algorithm\n}\n\ndeny contains \"table\" if {\n  \"dynamodb-table\" == input.resource.model.kind\n  not input.resource.model.point_in_time_recovery\n}\n\nwarn contains msg if {\n  input.resource.format == \"terraform\"\n  msg := sprintf(\"%s is terraform\", [input.resource.address])\n}\n",
    ),
    (
        "shapes/v0.rego",
        "package main\n\ndeny[msg] {\n  input.resource.model.kind = \"lambda-function\"\n  input.resource.model.runtime != \"python3.12\"\n  msg := \"runtime\"\n}\n\nviolation[msg] {\n  input.kind = \"identity\"\n  count(input.identity.effective_actions) > 0\n  msg := input.identity.address\n}\n",
    ),
    (
        "shapes/helper.rego",
        "package main\nimport rego.v1\n\nis_function if input.resource.model.kind == \"lambda-function\"\n\nis_function if input.resource.type == \"AWS::Serverless::Function\"\n\nphi if input.resource.classification == \"PHI\"\n\ndeny contains \"phi function\" if {\n  is_function\n  phi\n}\n",
    ),
    (
        "shapes/unsure.rego",
        "package main\nimport rego.v1\n\ndefault allow := false\n\nallow if input.resource.model.kind == \"kms-key\"\n\nwarn contains \"not allowed\" if not allow\n\nwarn contains \"everything\" if { true }\n\ndeny contains \"with\" if {\n  data.main.allow with input as {\"resource\": {\"model\": {\"kind\": \"kms-key\"}}}\n  input.resource.type == \"AWS::KMS::Key\"\n}\n",
    ),
    (
        "shapes/else.rego",
        "package main\nimport rego.v1\n\nlabel := \"key\" if {\n  input.resource.model.kind == \"kms-key\"\n} else := \"other\"\n\nwarn contains label if input.resource\n",
    ),
    (
        "shapes/units.rego",
        "package main\nimport rego.v1\n\ndeny contains {\"msg\": \"function without tags\", \"resource\": r.address} if {\n  input.kind == \"deployment-unit\"\n  some r in input.resources\n  r.model.kind == \"lambda-function\"\n  count(r.tags) == 0\n}\n\nwarn contains \"no resources\" if {\n  count([r | some r in input.resources]) == 0\n}\n\nwarn contains \"comprehension only\" if {\n  [x | x := input.identity.address] == []\n}\n",
    ),
    (
        "shapes/keys.rego",
        "package main\nimport rego.v1\n\ndeny contains {\"msg\": \"timeout\", \"path\": [\"properties\", k]} if {\n  some k in [\"Timeout\", \"timeout\"]\n  input.resource.properties[k] > 300\n}\n\nwarn contains \"env\" if {\n  some k in {\"Environment\", \"environment\"}\n  some name, _ in input.resource.properties[k].Variables\n  startswith(name, \"SECRET\")\n}\n\nwarn contains \"rebound\" if {\n  some k in [\"Runtime\", \"runtime\"]\n  k = input.resource.model.kind\n  input.resource.properties[k]\n}\n\nwarn contains \"negated\" if {\n  some k in [\"MemorySize\", \"memory_size\"]\n  not input.resource.properties[k]\n}\n",
    ),
];

fn example_policies() -> Vec<(String, String)> {
    let mut out = common::example_policies();
    for (path, text) in SHAPES {
        out.push((path.to_string(), text.to_string()));
    }
    out
}

fn run(ctx: &ScanContext, set: &PolicySet) -> serde_json::Value {
    let namespaces = vec!["main".to_string()];
    let inputs = tollgate_policy::inputs(ctx);
    let mut report = StageReport::default();
    let budgets = budgets();
    evaluate(ctx, set, &namespaces, budgets, &inputs, &mut report);
    serde_json::json!({
        "findings": report.findings,
        "notifications": report.notifications,
        "evaluations": report.evaluations,
    })
}

/// Budgets no test document comes near.
fn budgets() -> Budgets {
    Budgets {
        document: Duration::from_secs(10),
        policy: Duration::from_secs(600),
    }
}

/// What rule `code` concluded on `resource`.
fn verdict(report: &StageReport, code: &str, resource: &str) -> Option<tollgate_core::Verdict> {
    report
        .evaluations
        .iter()
        .find(|e| e.rule_id == code && e.resource == resource)
        .map(|e| e.verdict)
}

#[test]
fn indexed_and_unindexed_evaluation_agree() {
    let set = load_policies(example_policies());
    assert!(set.errors.is_empty(), "{:?}", set.errors);
    // The analysis narrows most of these policies; otherwise this test compares nothing.
    let indexed = set
        .files
        .iter()
        .flat_map(|f| f.index.values())
        .filter(|a| a.is_indexed())
        .count();
    assert!(indexed >= 10, "only {indexed} entry rules indexed");
    // Results are reused between documents for most of them too (what they read is known).
    let reusable = set.files.iter().filter(|f| f.reads.is_some()).count();
    assert!(reusable >= 8, "only {reusable} policy files reuse results");
    let unindexed = set.clone().unindexed();
    let mut compared = 0;
    for dir in common::CORPUS {
        let ctx = context(&repo().join(dir));
        let with_index = run(&ctx, &set);
        let without = run(&ctx, &unindexed);
        assert_eq!(with_index["findings"], without["findings"], "{dir}");
        assert_eq!(
            with_index["notifications"], without["notifications"],
            "{dir}"
        );
        compared += with_index["findings"].as_array().map_or(0, Vec::len);
    }
    assert!(compared > 100, "only {compared} findings compared");
}

/// Every policy records what it concluded on each resource it evaluated: a finding's resource
/// fails, one it evaluated without a result passes, one the index skipped is not applicable.
#[test]
fn policies_record_fail_pass_and_not_applicable() {
    use tollgate_core::{Evaluation, Verdict};
    let set = load_policies(example_policies());
    let ctx = context(&repo().join("examples/policies/cloudformation"));
    let inputs = tollgate_policy::inputs(&ctx);
    let mut report = StageReport::default();
    let budgets = budgets();
    evaluate(
        &ctx,
        &set,
        &["main".to_string()],
        budgets,
        &inputs,
        &mut report,
    );
    let verdict = |code: &str, resource: &str| verdict(&report, code, resource);
    // TG9001, approved runtimes: BadFunction runs python3.8, GoodFunction an approved one,
    // and the table has no runtime, so the rule cannot apply to it.
    assert_eq!(verdict("TG9001", "BadFunction"), Some(Verdict::Fail));
    assert_eq!(verdict("TG9001", "GoodFunction"), Some(Verdict::Pass));
    assert_eq!(
        verdict("TG9001", "PatientsTable"),
        Some(Verdict::NotApplicable)
    );
    // Each finding matches a failing evaluation.
    assert!(!report.findings.is_empty());
    for f in &report.findings {
        let Some(resource) = &f.resource else {
            continue;
        };
        let i = Evaluation::matching(&report.evaluations, f)
            .unwrap_or_else(|| panic!("{} on {resource} has no evaluation", f.rule));
        assert_eq!(report.evaluations[i].verdict, Verdict::Fail, "{f:?}");
    }
    // The rules of evaluations that only passed are described too.
    for e in &report.evaluations {
        assert!(
            report.dynamic_rules.iter().any(|r| r.code == e.rule_id),
            "{} has no rule",
            e.rule_id
        );
    }
    // Without the index, the skipped resources are evaluated and pass instead.
    let mut plain = StageReport::default();
    evaluate(
        &ctx,
        &set.clone().unindexed(),
        &["main".to_string()],
        budgets,
        &inputs,
        &mut plain,
    );
    let failing = |r: &StageReport| {
        let mut v: Vec<_> = r
            .evaluations
            .iter()
            .filter(|e| e.verdict == Verdict::Fail)
            .map(|e| (e.rule_id.clone(), e.resource.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(failing(&report), failing(&plain));
    assert!(plain
        .evaluations
        .iter()
        .all(|e| e.verdict != Verdict::NotApplicable));
}

/// Guard rules record their verdict on each resource they looked at, as Rego policies do.
#[test]
fn guard_rules_record_fail_and_pass() {
    use tollgate_core::{Evaluation, Verdict};
    let dir = repo().join("examples/policies/policies");
    let sources: Vec<(String, String)> = ["allowed_runtimes.guard", "function_limits.guard"]
        .iter()
        .map(|n| {
            (
                format!("policies/{n}"),
                std::fs::read_to_string(dir.join(n)).unwrap(),
            )
        })
        .collect();
    let mut report = StageReport::default();
    let files = tollgate_policy::guard::stage::load(sources, &mut report);
    let ctx = context(&repo().join("examples/policies/cloudformation"));
    let inputs = tollgate_policy::inputs(&ctx);
    let budgets = budgets();
    tollgate_policy::guard::stage::evaluate_all(&ctx, &files, &inputs, budgets, &mut report);
    // The stage's own path, whose templates take the resources' properties instead of
    // copying them, reports the same.
    let mut taken = StageReport::default();
    let mut owned = tollgate_policy::inputs(&ctx);
    tollgate_policy::guard::stage::evaluate_all_taking(
        &ctx, &files, &mut owned, budgets, &mut taken,
    );
    assert_eq!(
        serde_json::to_string(&taken).unwrap(),
        serde_json::to_string(&report).unwrap()
    );
    let verdict = |code: &str, resource: &str| verdict(&report, code, resource);
    assert_eq!(verdict("TG9011", "BadFunction"), Some(Verdict::Fail));
    assert_eq!(verdict("TG9011", "GoodFunction"), Some(Verdict::Pass));
    // Not a function: the rule never looked at it.
    assert_eq!(verdict("TG9011", "PatientsTable"), None);
    assert!(!report.findings.is_empty());
    for f in &report.findings {
        let i = Evaluation::matching(&report.evaluations, f)
            .unwrap_or_else(|| panic!("{} on {:?} has no evaluation", f.rule, f.resource));
        assert_eq!(report.evaluations[i].verdict, Verdict::Fail, "{f:?}");
    }
    for e in &report.evaluations {
        assert!(report.dynamic_rules.iter().any(|r| r.code == e.rule_id));
    }
}

/// A Guard rule whose `when` does not hold on a resource SKIPs there: not applicable, never
/// unknown; two rules of one file judging the same resources keep their own codes.
#[test]
fn guard_skips_are_not_applicable_under_each_rules_code() {
    use tollgate_core::Verdict;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "Resources:\n  Short:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: 30\n  Long:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: 900\n  Unset:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n",
    )
    .unwrap();
    let rules = "# code: ACME-1\nrule timeout_bounded {\n  AWS::Lambda::Function when Properties.Timeout exists {\n    Properties.Timeout <= 300\n  }\n}\n\n# code: ACME-2\nrule runtime_set {\n  AWS::Lambda::Function {\n    Properties.Runtime exists\n  }\n}\n";
    let mut report = StageReport::default();
    let files = tollgate_policy::guard::stage::load(
        vec![("policies/functions.guard".to_string(), rules.to_string())],
        &mut report,
    );
    let ctx = context(dir.path());
    let inputs = tollgate_policy::inputs(&ctx);
    tollgate_policy::guard::stage::evaluate_all(&ctx, &files, &inputs, budgets(), &mut report);
    let verdict = |code: &str, resource: &str| verdict(&report, code, resource);
    assert_eq!(verdict("ACME-1", "Short"), Some(Verdict::Pass));
    assert_eq!(verdict("ACME-1", "Long"), Some(Verdict::Fail));
    assert_eq!(verdict("ACME-1", "Unset"), Some(Verdict::NotApplicable));
    assert_eq!(verdict("ACME-2", "Short"), Some(Verdict::Fail));
    assert_eq!(verdict("ACME-2", "Unset"), Some(Verdict::Pass));
    assert!(
        report
            .evaluations
            .iter()
            .all(|e| e.verdict != Verdict::Unknown
                && (e.rule_id == "ACME-1" || e.rule_id == "ACME-2"))
    );
    assert_eq!(report.evaluations.len(), 6, "{:#?}", report.evaluations);
}
