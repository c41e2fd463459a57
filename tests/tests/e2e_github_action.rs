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

/// Every composite action of the repository: the root one and each plugin folder's.
fn action_files() -> Vec<std::path::PathBuf> {
    let root = workspace_root();
    ["action.yml", "setup/action.yml", "post/action.yml"]
        .iter()
        .map(|p| root.join(p))
        .collect()
}

#[test]
fn actions_validate_against_the_action_schema() {
    let files = action_files();
    for file in &files {
        assert!(file.is_file(), "{} is missing", file.display());
    }
    validate("github-action.json", &files);
}

#[test]
fn workflows_validate_against_the_workflow_schema() {
    let root = workspace_root();
    let mut files = yml_files(&root.join("workflows"));
    files.extend(yml_files(&root.join(".github/workflows")));
    for name in [
        "workflows/scan.yml",
        "workflows/scan-untrusted.yml",
        "workflows/publish.yml",
        "workflows/sharded.yml",
        ".github/workflows/release.yml",
        ".github/workflows/self-test.yml",
    ] {
        assert!(files.contains(&root.join(name)), "{name} is missing");
    }
    validate("github-workflow.json", &files);
}

/// Every step of every action and workflow, with the file it is in.
fn all_steps() -> Vec<(String, Value)> {
    let root = workspace_root();
    let mut files = action_files();
    files.extend(yml_files(&root.join("workflows")));
    files.extend(yml_files(&root.join(".github/workflows")));
    let mut all = Vec::new();
    for file in files {
        let doc = yaml_to_json(&file);
        let mut steps: Vec<Value> = doc["runs"]["steps"].as_array().cloned().unwrap_or_default();
        for job in doc["jobs"].as_object().into_iter().flat_map(|j| j.values()) {
            steps.extend(job["steps"].as_array().cloned().unwrap_or_default());
        }
        all.extend(
            steps
                .into_iter()
                .map(|step| (file.display().to_string(), step)),
        );
    }
    all
}

/// Every `uses:` of a step, with its file.
fn uses_everywhere() -> Vec<(String, String)> {
    all_steps()
        .into_iter()
        .filter_map(|(file, step)| Some((file, step["uses"].as_str()?.to_string())))
        .collect()
}

#[test]
fn third_party_actions_are_pinned_by_commit() {
    let uses = uses_everywhere();
    assert!(uses.len() > 10, "{uses:?}");
    for (file, target) in uses {
        // Local actions, and this project's own actions (which follow the release of the
        // workflow that calls them), are not third-party.
        if target.starts_with("./") || target.starts_with("tollgate-dev/tollgate") {
            continue;
        }
        let (_, reference) = target
            .split_once('@')
            .unwrap_or_else(|| panic!("{file}: `{target}` has no ref"));
        assert!(
            reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()),
            "{file}: `{target}` is not pinned to a full commit SHA"
        );
    }
}

/// One action repository, one pin: the same commit (and the version comment that names it)
/// in every action and workflow, so an update cannot leave one file on an old commit.
#[test]
fn third_party_pins_agree_everywhere() {
    let root = workspace_root();
    let mut files = action_files();
    files.extend(yml_files(&root.join("workflows")));
    files.extend(yml_files(&root.join(".github/workflows")));
    // owner/repo -> (pin with its comment, first file seen)
    let mut pins: std::collections::BTreeMap<String, (String, String)> = Default::default();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let line = line.trim_start().trim_start_matches("- ").trim_start();
            let Some(target) = line.strip_prefix("uses:") else {
                continue;
            };
            let target = target.trim();
            if target.starts_with("./") || target.starts_with("tollgate-dev/tollgate") {
                continue;
            }
            let (action, pin) = target.split_once('@').unwrap();
            let (sha, comment) = pin.split_once(" # ").unwrap_or_else(|| {
                panic!("{}: `{target}` has no `# vX.Y.Z` comment", file.display())
            });
            assert!(
                comment.trim().starts_with('v'),
                "{}: `{target}`",
                file.display()
            );
            let repo: String = action.split('/').take(2).collect::<Vec<_>>().join("/");
            let pin = format!("{sha} # {}", comment.trim());
            let seen = pins
                .entry(repo.clone())
                .or_insert_with(|| (pin.clone(), file.display().to_string()));
            assert_eq!(
                seen.0,
                pin,
                "{repo} is pinned differently in {} and {}",
                seen.1,
                file.display()
            );
        }
    }
    assert!(pins.len() >= 5, "{pins:?}");
}

#[test]
fn inputs_reach_scripts_only_through_the_environment() {
    for (file, step) in all_steps() {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        assert!(
            !script.contains("${{"),
            "{file}: a `run:` script interpolates an expression; pass it through `env:`\n{script}"
        );
    }
}

#[test]
fn action_passes_the_token_in_the_environment_only() {
    let action = yaml_to_json(&workspace_root().join("action.yml"));
    let inputs = &action["inputs"];
    for input in [
        "path",
        "config",
        "stages",
        "fail-on",
        "baseline",
        "diff-base",
        "filter-mode",
        "gate-filter-mode",
        "shard",
        "format",
        "output",
        "code-scanning",
        "token",
        "args",
        "version",
        "use-installed",
        "post",
    ] {
        assert!(inputs.get(input).is_some(), "input `{input}` missing");
    }
    for output in [
        "verdict",
        "critical",
        "high",
        "medium",
        "low",
        "info",
        "new-findings",
        "sarif-file",
        "summary-file",
    ] {
        assert!(
            action["outputs"].get(output).is_some(),
            "output `{output}` missing"
        );
    }
    assert_eq!(inputs["token"]["default"], "${{ github.token }}");
    assert_eq!(inputs["code-scanning"]["default"], "true");
    assert_eq!(inputs["filter-mode"]["default"], "added");
    assert_eq!(inputs["use-installed"]["default"], "false");
    let steps = action["runs"]["steps"].as_array().unwrap();
    let run = steps.iter().find(|s| s["id"] == "run").unwrap();
    assert_eq!(run["env"]["TOLLGATE_GITHUB_TOKEN"], "${{ inputs.token }}");
    let script = std::fs::read_to_string(workspace_root().join("action/run.sh")).unwrap();
    assert!(script.contains("--token-env TOLLGATE_GITHUB_TOKEN"));
    assert!(
        !script.contains("$TOLLGATE_GITHUB_TOKEN") && !script.contains("${TOLLGATE_GITHUB_TOKEN")
    );
    assert!(
        !script.split_whitespace().any(|word| word == "eval"),
        "no eval of inputs"
    );
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
