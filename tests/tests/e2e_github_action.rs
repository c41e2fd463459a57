//! The GitHub Action and the workflows validate against SchemaStore's schemas, and the action
//! wires the publishing inputs the way the binary expects them (token only in the environment).

use std::path::Path;

use serde_json::{json, Map, Value};
use tollgate_e2e::{schemas_dir, workspace_root};
use tollgate_syntax::{parse, Format, Limits, Node};

/// YAML read with tollgate's own parser and turned into the JSON the schemas describe.
fn yaml_to_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = parse(&text, Format::Yaml, &Limits::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    to_json(doc.root().expect("one document"))
}

fn to_json(node: &Node) -> Value {
    use tollgate_syntax::Value as Y;
    match &node.value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(*b),
        Y::Number(n) => n
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| n.parse::<f64>().map(|f| json!(f)))
            .unwrap_or_else(|_| Value::String(n.clone())),
        Y::String(s) => Value::String(s.clone()),
        Y::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Y::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect::<Map<_, _>>(),
        ),
        other => panic!("not YAML: {other:?}"),
    }
}

fn validate(schema_file: &str, files: &[std::path::PathBuf]) {
    let dir = schemas_dir();
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(schema_file)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut problems = Vec::new();
    for file in files {
        let instance = yaml_to_json(file);
        for error in validator.iter_errors(&instance) {
            problems.push(format!(
                "{}: {} at {}",
                file.display(),
                error,
                error.instance_path
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn yml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"));
    files.sort();
    files
}

#[test]
fn action_validates_against_the_action_schema() {
    validate("github-action.json", &[workspace_root().join("action.yml")]);
}

#[test]
fn workflows_validate_against_the_workflow_schema() {
    let root = workspace_root();
    let mut files = yml_files(&root.join("workflows"));
    files.extend(yml_files(&root.join(".github/workflows")));
    assert!(files.len() >= 2, "expected workflows, found {files:?}");
    validate("github-workflow.json", &files);
}

#[test]
fn action_passes_the_token_in_the_environment_only() {
    let action = yaml_to_json(&workspace_root().join("action.yml"));
    let inputs = &action["inputs"];
    for input in ["post", "filter-mode", "fail-on", "code-scanning", "token"] {
        assert!(inputs.get(input).is_some(), "input `{input}` missing");
    }
    assert_eq!(inputs["token"]["default"], "${{ github.token }}");
    assert_eq!(inputs["code-scanning"]["default"], "true");
    assert_eq!(inputs["filter-mode"]["default"], "added");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let run = steps.iter().find(|s| s["id"] == "run").unwrap();
    assert_eq!(run["env"]["TOLLGATE_GITHUB_TOKEN"], "${{ inputs.token }}");
    let script = run["run"].as_str().unwrap();
    assert!(script.contains("--token-env TOLLGATE_GITHUB_TOKEN"));
    assert!(
        !script.contains("inputs.token"),
        "the token must not be on the command line"
    );
    for step in steps {
        let text = step["run"].as_str().unwrap_or_default();
        assert!(
            !text.contains("TOLLGATE_GITHUB_TOKEN\"") && !text.contains("$TOLLGATE_GITHUB_TOKEN")
        );
    }
}

#[test]
fn pull_request_workflow_grants_what_publishing_needs() {
    let workflow = yaml_to_json(&workspace_root().join("workflows/pull-request.yml"));
    let permissions = &workflow["permissions"];
    assert_eq!(permissions["contents"], "read");
    for scope in ["checks", "pull-requests", "security-events"] {
        assert_eq!(permissions[scope], "write", "{scope}");
    }
}
