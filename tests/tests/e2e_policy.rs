//! End-to-end: the `policy` stage and `tollgate policy test|eval` through the real binary.
//! Policies are data from the scanned repository: broken, endless and hostile ones must cost
//! themselves only.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use tollgate_e2e::{assert_no_raw_control, example_dir, tollgate_cmd};

/// `tollgate run DIR --stages policy --format FORMAT` and its parsed stdout and exit code.
fn run(dir: &Path, format: &str) -> (Value, i32) {
    let out = tollgate_cmd()
        .args([
            "run",
            ".",
            "--no-progress",
            "--stages",
            "policy",
            "--format",
            format,
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (json, out.status.code().unwrap_or(-1))
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn findings(report: &Value) -> Vec<&Value> {
    report["findings"].as_array().unwrap().iter().collect()
}

fn notifications(report: &Value) -> Vec<String> {
    report["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{} {}",
                n["id"].as_str().unwrap(),
                n["message"].as_str().unwrap()
            )
        })
        .collect()
}

const TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: orders\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.8\n      Handler: app.handler\n      Role: arn:aws:iam::111122223333:role/fn\n      Code: { ZipFile: x }\n";

/// A policy that always reports the table: the witness that the stage still ran.
const WITNESS: &str = "package main\n\ndeny contains msg if {\n  input.resource.type == \"AWS::DynamoDB::Table\"\n  msg := \"witness\"\n}\n";

fn repo(policies: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "template.yaml", TEMPLATE);
    write(dir.path(), "policies/witness.rego", WITNESS);
    for (name, text) in policies {
        write(dir.path(), &format!("policies/{name}"), text);
    }
    dir
}

/// `tollgate policy test policies` in `dir`: its exit code and stdout.
fn policy_test_in(dir: &Path) -> (Option<i32>, String) {
    let out = tollgate_cmd()
        .args(["policy", "test", "policies"])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A Guard rule the Guard unit-test files below test.
const RUNTIMES_GUARD: &str =
    "rule approved_runtime { AWS::Lambda::Function { Properties.Runtime == 'python3.12' } }\n";

fn witness_reported(report: &Value) -> bool {
    findings(report).iter().any(|f| f["message"] == "witness")
}

/// The example's findings as (code, format directory, function or role in words): the same
/// policy must give the same verdicts whatever the template format.
#[test]
fn four_template_formats_give_the_same_verdicts() {
    let (report, _) = run(&example_dir("policies"), "json");
    let mut by_format: std::collections::BTreeMap<String, BTreeSet<(String, String)>> =
        Default::default();
    for f in findings(&report) {
        let path = f["location"]["path"].as_str().unwrap();
        let format = path.split('/').next().unwrap().to_string();
        let resource = f["resource"].as_str().unwrap().to_ascii_lowercase();
        // BadFunction, BadLambdaFunction, aws_lambda_function.bad -> bad; roles -> role.
        let subject = if resource.contains("url") {
            "url"
        } else if resource.contains("role") {
            "role"
        } else if resource.contains("bad") {
            "bad function"
        } else {
            panic!("unexpected finding on {resource}: {f}")
        };
        by_format
            .entry(format)
            .or_default()
            .insert((f["rule"].as_str().unwrap().to_string(), subject.to_string()));
    }
    let expected: BTreeSet<(String, String)> = [
        ("TG9001", "bad function"),
        ("TG9002", "bad function"),
        ("TG9003", "bad function"),
        ("TG9004", "bad function"),
        ("TG9005", "url"),
        ("TG9006", "role"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(
        by_format.keys().collect::<Vec<_>>(),
        ["cloudformation", "sam", "serverless", "terraform"]
    );
    for (format, verdicts) in &by_format {
        let mut want = expected.clone();
        if format == "cloudformation" || format == "sam" {
            // The Guard twins of TG9001 and TG9002 read CloudFormation and SAM templates.
            want.insert(("TG9011".to_string(), "bad function".to_string()));
            want.insert(("TG9012".to_string(), "bad function".to_string()));
        }
        if format == "serverless" {
            // The Serverless example declares no table and no role policy to join.
            want.remove(&("TG9006".to_string(), "role".to_string()));
        }
        assert_eq!(verdicts, &want, "{format}");
    }
    assert!(
        notifications(&report).is_empty(),
        "{:?}",
        notifications(&report)
    );
}

#[test]
fn example_policy_tests_pass() {
    let out = tollgate_cmd()
        .args(["policy", "test"])
        .arg(example_dir("policies").join("policies"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("26/26 tests passed"), "{stdout}");
    assert!(
        stdout.contains("PASS  data.main.test_old_runtime_is_denied"),
        "{stdout}"
    );
    assert!(
        stdout.contains("PASS  guard.function_limits: a long timeout fails"),
        "{stdout}"
    );
}

#[test]
fn a_failing_policy_test_fails_the_command() {
    let dir = repo(&[(
        "witness_test.rego",
        "package main\nimport rego.v1\n\ntest_no_witness if {\n  count(deny) == 0 with input as {\"resource\": {\"type\": \"AWS::DynamoDB::Table\"}}\n}\n",
    )]);
    let (code, stdout) = policy_test_in(dir.path());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL  data.main.test_no_witness (witness_test.rego:4)"),
        "{stdout}"
    );
}

#[test]
fn policy_eval_prints_the_resource_document() {
    let dir = repo(&[]);
    let out = tollgate_cmd()
        .args(["policy", "eval", "--resource", "Fn", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["kind"], "resource");
    assert_eq!(doc["resource"]["type"], "AWS::Lambda::Function");
    assert_eq!(doc["resource"]["properties"]["Runtime"], "python3.8");
    assert_eq!(doc["resource"]["model"]["runtime"], "python3.8");
    let missing = tollgate_cmd()
        .args(["policy", "eval", "--resource", "Nope", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("hint: known: Fn, Orders"));
}

#[test]
fn v0_and_v1_string_and_object_results_with_paths_and_metadata() {
    let dir = repo(&[
        (
            "v0.rego",
            "package main\n\n# METADATA\n# title: Old runtimes\n# related_resources:\n# - https://example.com/runtimes\n# custom:\n#   code: ACME-7\n#   severity: critical\ndeny[msg] {\n  input.resource.properties.Runtime == \"python3.8\"\n  msg := \"python3.8 is retired\"\n}\n",
        ),
        (
            "v1.rego",
            "package checks\nimport rego.v1\n\nwarn contains {\"msg\": \"handler\", \"path\": [\"Properties\", \"Handler\"], \"severity\": \"medium\"} if {\n  input.resource.model.handler == \"app.handler\"\n}\n",
        ),
    ]);
    write(
        dir.path(),
        "tollgate.toml",
        "[stage.policy]\nnamespaces = [\"main\", \"checks\"]\n",
    );
    let (report, _) = run(dir.path(), "json");
    let by_message = |m: &str| {
        findings(&report)
            .into_iter()
            .find(|f| f["message"] == m)
            .unwrap_or_else(|| panic!("no `{m}` in {report}"))
            .clone()
    };
    let v0 = by_message("python3.8 is retired");
    assert_eq!(v0["rule"], "ACME-7");
    assert_eq!(v0["severity"], "critical");
    assert_eq!(
        v0["location"]["region"]["start"]["line"], 7,
        "header of Fn: {v0}"
    );
    let v1 = by_message("handler");
    assert_eq!(v1["severity"], "medium");
    assert_eq!(v1["location"]["region"]["start"]["line"], 11);
    assert_eq!(v1["location"]["region"]["start"]["col"], 16);
    assert!(v1["rule"].as_str().unwrap().starts_with("TG9"));
    assert!(witness_reported(&report));

    let (sarif, _) = run(dir.path(), "sarif");
    tollgate_e2e::assert_valid_sarif(&sarif);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules
        .iter()
        .find(|r| r["id"] == "ACME-7")
        .expect("ACME-7 in SARIF");
    assert_eq!(rule["shortDescription"]["text"], "Old runtimes");
    assert_eq!(rule["helpUri"], "https://example.com/runtimes");
}

#[test]
fn syntax_and_runtime_errors_name_the_place_and_the_rest_still_runs() {
    let dir = repo(&[
        ("syntax.rego", "package main\n\ndeny contains msg if {\n  input.x ==\n}\n"),
        ("runtime.rego", "package main\nimport rego.v1\n\nwarn contains msg if {\n  x := 1 / 0\n  msg := sprintf(\"%v\", [x])\n}\n"),
        ("broken.guard", "rule tables_named {\n  AWS::DynamoDB::Table {\n    Properties.TableName ==\n  }\n}\n"),
    ]);
    let (report, code) = run(dir.path(), "json");
    let notes = notifications(&report);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("policy-error policies/syntax.rego:5:1: expecting expression")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.starts_with(
            "policy-error policies/runtime.rego:5:10: policy `data.main.warn`: divide by zero"
        )),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.starts_with(
            "policy-error policies/broken.guard:4:3: expected a query, a value or a function call, found `}`"
        )),
        "{notes:?}"
    );
    assert!(witness_reported(&report));
    assert_ne!(code, 0, "a broken policy does not pass the run");
}

#[test]
fn recursive_and_endless_policies_are_stopped() {
    let dir = repo(&[
        ("recursive_function.rego", "package lib\n\nloop(x) := y if {\n  y := loop(x)\n}\n"),
        ("uses_loop.rego", "package main\nimport rego.v1\n\nwarn contains msg if {\n  msg := data.lib.loop(1)\n}\n"),
        ("recursive_rules.rego", "package main\nimport rego.v1\n\na contains x if { some x in b }\nb contains x if { some x in a }\nviolation contains x if { some x in a }\n"),
        ("huge_range.rego", "package main\nimport rego.v1\n\nviolation contains \"never\" if {\n  some i in numbers.range(1, 100000000)\n  i < 0\n}\n"),
        ("slow.rego", "package main\nimport rego.v1\n\nviolation contains \"never\" if {\n  some i in numbers.range(1, 100000)\n  some j in numbers.range(1, 100000)\n  i + j < 0\n}\n"),
    ]);
    write(
        dir.path(),
        "tollgate.toml",
        "[stage.policy]\neval-timeout-ms = 300\n",
    );
    let (report, _) = run(dir.path(), "json");
    let notes = notifications(&report);
    let has = |prefix: &str| notes.iter().any(|n| n.starts_with(prefix));
    assert!(
        has("policy-error policies/recursive_function.rego:3:1: function `loop` is recursive"),
        "{notes:?}"
    );
    assert!(
        has("policy-error policies/recursive_rules.rego:"),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("numbers.range of 100000000 numbers is over tollgate's limit")),
        "{notes:?}"
    );
    assert!(has("policy-timeout policies/slow.rego:"), "{notes:?}");
    assert!(witness_reported(&report));
}

#[test]
fn a_policy_holding_too_much_memory_is_stopped() {
    // Each element of the comprehension a new set of 16,384 addresses: gigabytes in all. The
    // binary's allocator counts what the evaluation holds; past its budget it is stopped.
    let dir = repo(&[(
        "unions.rego",
        "package main\nimport rego.v1\n\nviolation contains count(x) if {\n  a := {s | some s in net.cidr_expand(\"10.0.0.0/18\")}\n  x := [b | some i in numbers.range(1, 100000); b := a | {format_int(i, 10)}]\n}\n",
    )]);
    write(
        dir.path(),
        "tollgate.toml",
        "[stage.policy]\neval-timeout-ms = 5000\neval-memory-mib = 16\n",
    );
    let (report, _) = run(dir.path(), "json");
    let notes = notifications(&report);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("policy-error policies/unions.rego:")
                && n.contains("held more than 16 MiB")),
        "{notes:?}"
    );
    assert!(witness_reported(&report));
}

#[test]
fn policies_reach_no_network_and_no_environment() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = repo(&[
        ("http.rego", &format!("package main\nimport rego.v1\n\nwarn contains msg if {{\n  r := http.send({{\"method\": \"get\", \"url\": \"http://127.0.0.1:{port}/\"}})\n  msg := sprintf(\"%v\", [r])\n}}\n")),
        ("env.rego", "package main\nimport rego.v1\n\nwarn contains msg if {\n  msg := sprintf(\"%v\", [opa.runtime().env])\n}\n"),
        ("print.rego", "package main\nimport rego.v1\n\nwarn contains \"printed\" if {\n  print(\"PRINTED-BY-POLICY\")\n}\n"),
    ]);
    let out = tollgate_cmd()
        .args([
            "run",
            ".",
            "--no-progress",
            "--stages",
            "policy",
            "--format",
            "json",
        ])
        .current_dir(dir.path())
        .env("TOLLGATE_TEST_SECRET", "s3cr3t-value-from-env")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let notes = notifications(&report);
    assert!(
        notes.iter().any(|n| n.contains("policies/http.rego:5:")
            && n.contains("could not find function http.send")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("policies/env.rego:5:")
            && n.contains("could not find function opa.runtime")),
        "{notes:?}"
    );
    assert!(!stdout.contains("s3cr3t-value-from-env") && !stderr.contains("s3cr3t-value-from-env"));
    assert!(
        !stdout.contains("PRINTED-BY-POLICY"),
        "print output stays off stdout"
    );
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        listener.accept().is_err(),
        "a policy connected to the network"
    );
    assert!(witness_reported(&report));
}

#[test]
fn a_policy_slow_on_every_document_is_stopped_by_its_total_budget() {
    // 40 tables, each taking the policy a noticeable time, under a 1 s budget in all. The
    // policy reads each table's address, so no table's result is reused for another.
    let mut template = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    for i in 0..40 {
        template.push_str(&format!(
            "  Table{i}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: t{i}\n"
        ));
    }
    let dir = repo(&[(
        "slowish.rego",
        "package main\nimport rego.v1\n\nwarn contains \"never\" if {\n  startswith(input.resource.address, \"Table\")\n  count([x | some x in numbers.range(1, 100000); x < 0]) > 0\n}\n",
    )]);
    write(dir.path(), "template.yaml", &template);
    write(dir.path(), "policies/witness.rego", WITNESS);
    write(
        dir.path(),
        "tollgate.toml",
        "[stage.policy]\npolicy-timeout-seconds = 1\neval-timeout-ms = 60000\n",
    );
    let (report, _) = run(dir.path(), "json");
    let notes = notifications(&report);
    assert!(
        notes.iter().any(|n| n.starts_with(
            "policy-timeout policies/slowish.rego: policy file ran out of its 1 s budget after"
        )),
        "{notes:?}"
    );
    assert!(witness_reported(&report));
}

#[test]
fn a_configured_policy_path_without_policies_is_reported() {
    let dir = repo(&[]);
    write(
        dir.path(),
        "tollgate.toml",
        "[stage.policy]\npaths = [\"policies/\", \"polices/\"]\n",
    );
    let (report, _) = run(dir.path(), "json");
    let notes = notifications(&report);
    assert_eq!(
        notes,
        ["policy-path-empty [stage.policy] paths names `polices`, which holds no .rego policy or .guard rule file in the scanned files"]
    );
    assert!(witness_reported(&report));

    // A pull request can delete the team's policies; a gate that fails closed says so.
    write(
        dir.path(),
        "tollgate.toml",
        "strict = true\n[stage.policy]\npaths = [\"policies/\", \"polices/\"]\n",
    );
    let (report, code) = run(dir.path(), "json");
    assert_eq!(code, 2, "{report:#}");
    assert!(
        notifications(&report)[0].starts_with("strict-incomplete strict mode: 1 problem"),
        "{report:#}"
    );
}

#[test]
fn guard_rules_pass_fail_and_skip_at_the_property_line() {
    let dir = repo(&[
        (
            "runtimes.guard",
            "# severity: medium\nrule approved_runtime {\n  AWS::Lambda::Function {\n    Properties.Runtime IN ['python3.12', 'nodejs20.x'] <<old runtime>>\n  }\n}\n",
        ),
        (
            "tables.guard",
            "rule tables_named {\n  AWS::DynamoDB::Table {\n    Properties.TableName exists\n  }\n}\n",
        ),
        (
            "queues.guard",
            "let queues = Resources.*[ Type == 'AWS::SQS::Queue' ]\nrule queues_encrypted when %queues !empty {\n  %queues.Properties.KmsMasterKeyId exists\n}\n",
        ),
    ]);
    let (report, code) = run(dir.path(), "json");
    assert!(
        notifications(&report).is_empty(),
        "{:?}",
        notifications(&report)
    );
    assert!(witness_reported(&report));
    let guard: Vec<&Value> = findings(&report)
        .into_iter()
        .filter(|f| {
            f["properties"]["policy-file"]
                .as_str()
                .is_some_and(|p| p.ends_with(".guard"))
        })
        .collect();
    // FAIL: the function's runtime; PASS (the table has a name) and SKIP (no queue) say nothing.
    assert_eq!(guard.len(), 1, "{guard:?}");
    let f = guard[0];
    assert_eq!(f["message"], "old runtime");
    assert_eq!(f["severity"], "medium");
    assert_eq!(f["resource"], "Fn");
    assert_eq!(f["location"]["path"], "template.yaml");
    assert_eq!(f["location"]["region"]["start"]["line"], 10, "{f}");
    assert_eq!(f["properties"]["policy"], "guard.runtimes.approved_runtime");
    assert!(f["rule"].as_str().unwrap().starts_with("TG9"), "{f}");
    assert_ne!(code, 0);
}

#[test]
fn a_runaway_guard_rule_is_stopped_and_the_rest_still_runs() {
    // Every resource against every resource, twenty levels deep.
    let nested = format!(
        "let all = Resources.*\nrule runaway {{ {} Type exists {} }}\n",
        "%all { ".repeat(20),
        "} ".repeat(20)
    );
    let dir = repo(&[
        ("runaway.guard", nested.as_str()),
        ("runtimes.guard", RUNTIMES_GUARD),
    ]);
    let (report, _) = run(dir.path(), "json");
    let notes = notifications(&report);
    assert!(
        notes.iter().any(|n| n.starts_with(
            "policy-timeout policies/runaway.guard: Guard rule file stopped on template.yaml"
        )),
        "{notes:?}"
    );
    assert!(witness_reported(&report));
    assert!(findings(&report)
        .iter()
        .any(|f| f["properties"]["policy"] == "guard.runtimes.approved_runtime"));
}

#[test]
fn guard_unit_tests_run_with_policy_test() {
    let dir = repo(&[
        ("runtimes.guard", RUNTIMES_GUARD),
        (
            "tests/runtimes_tests.yaml",
            "- name: new runtime\n  input:\n    Resources:\n      F: { Type: AWS::Lambda::Function, Properties: { Runtime: python3.12 } }\n  expectations:\n    rules:\n      approved_runtime: PASS\n- name: wrong expectation\n  input:\n    Resources: { Q: { Type: AWS::SQS::Queue } }\n  expectations:\n    rules:\n      approved_runtime: FAIL\n",
        ),
    ]);
    let (code, stdout) = policy_test_in(dir.path());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("PASS  guard.runtimes: new runtime"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL  guard.runtimes: wrong expectation (tests/runtimes_tests.yaml:8): rule `approved_runtime`: expected FAIL, got SKIP"),
        "{stdout}"
    );
}

/// A Guard test's name is any YAML string: what `policy test` prints of it reaches a terminal
/// or a CI log with its escape sequences and carriage returns shown, not sent.
#[test]
fn policy_test_output_holds_no_raw_control_character() {
    let dir = repo(&[
        ("runtimes.guard", RUNTIMES_GUARD),
        (
            "tests/runtimes_tests.yaml",
            "- name: \"red \\e[31mtext\\r::error::forged\"\n  input:\n    Resources:\n      F: { Type: AWS::Lambda::Function, Properties: { Runtime: \"python3.12\\e]0;t\\a\" } }\n  expectations:\n    rules:\n      approved_runtime: PASS\n",
        ),
    ]);
    let (code, stdout) = policy_test_in(dir.path());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL  guard.runtimes: red \\u{1b}[31mtext\\u{d}::error::forged"),
        "{stdout}"
    );
    assert_no_raw_control(&stdout, "policy test");
}

/// A policy's METADATA is the repository's text: `rules` and `explain` show its escape
/// sequences and carriage returns escaped.
#[test]
fn rules_and_explain_show_metadata_control_characters_escaped() {
    let dir = repo(&[
        (
            "titled.rego",
            "# METADATA\n# title: \"red \\e[31mtitle\\r::error::forged\"\n# description: \"desc \\e]0;t\\a\"\n# custom:\n#   code: TG9123\npackage main\nimport rego.v1\n\ndeny contains \"m\" if input.resource.type == \"AWS::Serverless::Function\"\n",
        ),
        (
            "titled.guard",
            "# code: TG9124\n# title: guard \u{1b}[2Jtitle\nrule titled { AWS::Lambda::Function { Properties.Runtime exists } }\n",
        ),
    ]);
    for args in [
        vec!["rules", "--path", "."],
        vec!["explain", "TG9123", "--path", "."],
        vec!["explain", "TG9124", "--path", "."],
    ] {
        let out = tollgate_cmd()
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stdout}");
        assert!(
            stdout.contains("\\u{1b}"),
            "{args:?}: the escape is not shown: {stdout}"
        );
        assert_no_raw_control(&stdout, &args.join(" "));
    }
}

/// `tollgate rules --path` and `tollgate explain CODE --path` know the codes a repository's
/// policies define; without a path, a policy-stage code says how to see it.
#[test]
fn rules_and_explain_know_the_repositorys_policy_codes() {
    let dir = repo(&[
        (
            "old.rego",
            "package main\n\n# METADATA\n# title: Old runtimes\n# custom:\n#   code: ACME-7\n#   severity: critical\ndeny[msg] {\n  input.resource.properties.Runtime == \"python3.8\"\n  msg := \"python3.8 is retired\"\n}\n",
        ),
        (
            "functions.guard",
            "# code: ACME-9\n# title: Functions declare a runtime\nrule runtime_set {\n  AWS::Lambda::Function {\n    Properties.Runtime exists\n  }\n}\n",
        ),
    ]);
    let path = dir.path().to_str().unwrap();
    let out = tollgate_cmd()
        .args(["rules", "--format", "json", "--path", path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rules: Value = serde_json::from_slice(&out.stdout).unwrap();
    let policy_rules: Vec<(&str, &str)> = rules
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stage"] == "policy")
        .map(|r| (r["code"].as_str().unwrap(), r["title"].as_str().unwrap()))
        .collect();
    // The witness's `deny` of package `main` has no code of its own: the derived one.
    assert_eq!(
        policy_rules,
        [
            ("ACME-7", "Old runtimes"),
            ("ACME-9", "Functions declare a runtime"),
            ("TG9A97A", "Policy data.main.deny"),
        ]
    );
    assert!(rules
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["code"] == "TG0001"));

    for (code, title) in [
        ("ACME-9", "Functions declare a runtime"),
        ("tg9a97a", "Policy data.main.deny"),
    ] {
        let out = tollgate_cmd()
            .args(["explain", code, "--path", path])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(
            text.contains(title) && text.contains("stage: policy"),
            "{text}"
        );
    }
    let out = tollgate_cmd()
        .args(["explain", "TG9A97A"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("policy stage") && stderr.contains("--path"),
        "{stderr}"
    );
    let out = tollgate_cmd()
        .args(["explain", "ACME-8", "--path", path])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3 rules of the policies"), "{stderr}");
}
