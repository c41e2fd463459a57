//! Input projection builds the documents with only what the loaded policies can observe of
//! them; a policy must never see a difference. These tests evaluate the example policies and
//! policies of every shape the analysis reads, each alone and all together, over the example
//! repositories and the IaC and permissions fixtures, on whole and on projected documents,
//! and require the same findings, notifications and evaluations.

mod common;

use std::time::Duration;

use tollgate_core::{Config, ScanContext, StageReport};
use tollgate_policy::evaluate::{evaluate, Budgets, Inputs};
use tollgate_policy::rego::{load_policies, PolicySet};

use common::repo;

/// Policies reading their documents in every way the analysis tells apart: paths of constant
/// keys, references alone, iteration and counting (over units' resources, identities'
/// grants, tags), locals bound to parts of the document and read in heads, computed keys,
/// functions, comprehensions, values used whole, numeric and string keys on arrays, `false`
/// values, `with`.
const SHAPES: &[(&str, &str)] = &[
    (
        "shapes/units.rego",
        "package main\nimport rego.v1\n\nwarn contains \"big unit\" if count(input.resources) > 3\n\nwarn contains {\"msg\": \"function without table\", \"resource\": f.address} if {\n  some f in input.resources\n  f.model.kind == \"lambda-function\"\n  not referenced(f.address)\n}\n\nreferenced(a) if {\n  some r in input.references\n  r.from == a\n}\n\ndeny contains {\"msg\": \"PHI exfiltration\", \"resource\": i.address} if {\n  phi := {r.address | some r in input.resources; r.classification == \"PHI\"}\n  some i in input.identities\n  some g in i.data_access\n  \"read\" in g.verbs\n  some t in g.targets\n  t in phi\n}\n\nwarn contains \"no key\" if {\n  input.kind == \"deployment-unit\"\n  count([r | some r in input.resources; r.model.kind == \"kms-key\"]) == 0\n}\n\nwarn contains sprintf(\"%d with a runtime, %d kinds\", [count([r.model.runtime | some r in input.resources]), count({r.model.kind | some r in input.resources})]) if input.kind == \"deployment-unit\"\n",
    ),
    (
        "shapes/identities.rego",
        "package main\nimport rego.v1\n\ndeny contains \"escalation\" if count(input.identity.escalation) > 0\n\ndeny contains \"public\" if input.identity.public\n\nwarn contains \"not cross-account\" if {\n  input.identity\n  not input.identity.cross_account\n}\n\nwarn contains sprintf(\"%s may %s\", [input.identity.address, v]) if {\n  some grant in input.identity.data_access\n  some v in grant.verbs\n  v == \"write\"\n  count(grant.targets) == 0\n}\n\nwarn contains p.class if {\n  some p in input.identity.trusted_by\n  p.class != \"service\"\n}\n",
    ),
    (
        "shapes/whole.rego",
        "package main\nimport rego.v1\n\nwarn contains json.marshal(input.resource.model) if input.resource.model.kind == \"kms-key\"\n\nwarn contains k if {\n  some k in object.keys(input.resource.properties)\n  startswith(k, \"Memory\")\n}\n\nwarn contains \"tags\" if {\n  t := input.resource.tags\n  is_object(t)\n  count(t) > 1\n}\n\nwarn contains sprintf(\"%v\", [x]) if {\n  some x in input.resources\n  x.type == \"AWS::KMS::Key\"\n  x == x\n}\n\nwarn contains object.get(input.resource, \"classification\", \"none\") if input.resource\n",
    ),
    (
        "shapes/computed.rego",
        "package main\nimport rego.v1\n\nwarn contains k if {\n  some k, v in input.resource.properties\n  is_number(v)\n  v > 100\n}\n\nwarn contains name if {\n  some name, _ in input.resource.properties.Environment.Variables\n}\n\nwarn contains \"first\" if input.resources[0].address == \"BadFunction\"\n\nwarn contains \"keyed array\" if input.resources.address\n\nwarn contains \"runtime-named\" if {\n  input.resource.properties[input.resource.model.runtime]\n}\n\nwarn contains \"vars\" if {\n  some k\n  input.resource.model.environment_variables[k] == \"TABLE\"\n}\n",
    ),
    (
        "shapes/functions.rego",
        "package main\nimport rego.v1\n\nkind(r) := r.model.kind\n\nhas_tag(r, t) if r.tags[t]\n\nwarn contains \"function\" if kind(input.resource) == \"lambda-function\"\n\nwarn contains \"tagged\" if has_tag(input.resource, \"DataClassification\")\n\nname := input.resource.address\n\nwarn contains name if endswith(name, \"Table\")\n\nwarn contains \"env\" if {\n  env := input.resource.model.environment_variables\n  some n in env\n  n == \"TABLE_NAME\"\n}\n\nwarn contains \"vpc\" if {\n  every s in input.resources { s.model.vpc }\n}\n",
    ),
    (
        "shapes/with.rego",
        "package main\nimport rego.v1\n\nis_key if input.resource.model.kind == \"kms-key\"\n\nwarn contains \"with part\" if {\n  is_key with input.resource.model as {\"kind\": \"kms-key\"}\n  input.resource.type == \"AWS::S3::Bucket\"\n}\n",
    ),
    (
        "shapes/v0.rego",
        "package main\n\ndeny[msg] {\n  r := input.resources[_]\n  r.model.kind = \"s3-bucket\"\n  not r.model.versioning\n  msg := sprintf(\"%s unversioned\", [r.address])\n}\n\nviolation[msg] {\n  input.identity.effective_actions[_] == \"*\"\n  msg := input.identity.address\n}\n",
    ),
];

/// Budgets no test document comes near.
fn budgets() -> Budgets {
    Budgets {
        document: Duration::from_secs(10),
        policy: Duration::from_secs(600),
    }
}

fn run(ctx: &ScanContext, set: &PolicySet, inputs: &Inputs) -> serde_json::Value {
    let mut report = StageReport::default();
    evaluate(
        ctx,
        set,
        &["main".to_string()],
        budgets(),
        inputs,
        &mut report,
    );
    serde_json::json!({
        "findings": report.findings,
        "notifications": report.notifications,
        "evaluations": report.evaluations,
    })
}

fn sources() -> Vec<(String, String)> {
    let mut out = common::example_policies();
    out.extend(SHAPES.iter().map(|(p, t)| (p.to_string(), t.to_string())));
    out
}

#[test]
fn projected_and_whole_documents_give_the_same_results() {
    let all = sources();
    // Each policy alone (its own projection, the narrowest) and all of them together.
    let mut sets: Vec<(String, PolicySet)> = all
        .iter()
        .map(|source| (source.0.clone(), load_policies(vec![source.clone()])))
        .collect();
    sets.push(("all".to_string(), load_policies(all)));
    let projected = sets.iter().filter(|(_, s)| s.needs().is_some()).count();
    // Every one of these can be projected but the one using `with input.resource as`, whose
    // analysis keeps the whole document when it cannot tell.
    assert!(projected + 1 >= sets.len(), "only {projected} projected");
    let mut compared = 0;
    for dir in common::CORPUS {
        let ctx = common::context(&repo().join(dir), Config::default());
        let whole = tollgate_policy::inputs(&ctx);
        for (name, set) in &sets {
            assert!(set.errors.is_empty(), "{name}: {:?}", set.errors);
            let narrow = tollgate_policy::inputs_for(&ctx, set);
            let expected = run(&ctx, set, &whole);
            let found = run(&ctx, set, &narrow);
            assert_eq!(found, expected, "{name} over {dir}");
            compared += expected["findings"].as_array().map_or(0, Vec::len);
        }
    }
    assert!(compared > 300, "only {compared} findings compared");
}

/// The projection leaves out what no policy reads, and `tollgate policy eval` (which builds
/// the documents without policies) still sees everything.
#[test]
fn documents_keep_only_what_policies_read() {
    let ctx = common::context(
        &repo().join("examples/policies/cloudformation"),
        Config::default(),
    );
    let set = load_policies(vec![(
        "p.rego".to_string(),
        "package main\nimport rego.v1\n\ndeny contains \"x\" if {\n  input.resource.model.kind == \"lambda-function\"\n  some k in [\"Timeout\", \"timeout\"]\n  input.resource.properties[k] > 300\n}\n".to_string(),
    )]);
    let narrow = tollgate_policy::inputs_for(&ctx, &set);
    let whole = tollgate_policy::inputs(&ctx);
    let function = |inputs: &Inputs| {
        let i = inputs
            .resources
            .iter()
            .position(|r| r.doc.address == "BadFunction")
            .unwrap();
        inputs.documents[i].0["resource"].clone()
    };
    let (narrow, whole) = (function(&narrow), function(&whole));
    let keys = |v: &regorus::Value| -> Vec<String> {
        v.as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_string().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys(&narrow), ["model", "properties"]);
    assert_eq!(keys(&narrow["model"]), ["kind"]);
    assert!(keys(&narrow["properties"]).len() <= 1);
    assert_eq!(narrow["model"]["kind"], whole["model"]["kind"]);
    assert!(keys(&whole).len() > 5, "{whole}");
    assert!(keys(&whole["properties"]).len() > 3, "{whole}");
}

/// A run whose outputs show no evaluations (`tollgate run` without `--include-passes`) records
/// none, and reports the same findings, notifications and rules (rules that only passed
/// included) as one that records them. (`examples/policies` is the one example holding
/// policies, Rego and Guard.)
#[test]
fn evaluations_are_recorded_only_when_wanted() {
    use tollgate_core::Stage;
    let dir = repo().join("examples/policies");
    let with = tollgate_policy::PolicyStage::new()
        .run(&common::context(&dir, Config::default()))
        .unwrap();
    let ctx = common::context(&dir, Config::default()).without_evaluations();
    let without = tollgate_policy::PolicyStage::new().run(&ctx).unwrap();
    assert!(without.evaluations.is_empty());
    assert!(with.evaluations.len() > 20, "{}", with.evaluations.len());
    assert!(with.dynamic_rules.len() > 5);
    let mut expected = with.clone();
    expected.evaluations.clear();
    assert_eq!(
        serde_json::to_value(&without).unwrap(),
        serde_json::to_value(&expected).unwrap()
    );
}
