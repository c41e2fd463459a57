//! Policies that try to exhaust memory: a string or object built far larger than its inputs
//! in one builtin call is refused, so is a comprehension whose builtins together build more
//! than an evaluation may, and a comprehension, set operations or a partial rule that build
//! gigabytes without any builtin are stopped once they hold more than an evaluation may
//! (counted by the allocator this test installs, as `tollgate` does); each policy becomes a
//! notification naming it, and the other policies (Rego and Guard) still report.

mod common;

use std::path::Path;

use tollgate_core::{Config, ScanContext, Stage};
use tollgate_policy::PolicyStage;

#[global_allocator]
static ALLOCATOR: tollgate_alloc::Counting<std::alloc::System> =
    tollgate_alloc::Counting(std::alloc::System);

const TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n";

const HONEST: &str = "package main\nimport rego.v1\n\ndeny contains sprintf(\"%s is a queue\", [input.resource.address]) if {\n  input.resource.type == \"AWS::SQS::Queue\"\n}\n";

const GUARD: &str = "let queues = Resources.*[ Type == 'AWS::SQS::Queue' ]\n\nrule queues_encrypted when %queues !empty {\n  %queues.Properties.SqsManagedSseEnabled == true\n}\n";

fn hostile() -> Vec<(&'static str, String)> {
    let mut doubling = String::from(
        "package main\nimport rego.v1\n\ndeny contains count(s30) if {\n  input.resource\n  s0 := \"ab\"\n",
    );
    for i in 1..=30 {
        doubling.push_str(&format!("  s{i} := replace(s{}, \"\", \"xy\")\n", i - 1));
    }
    doubling.push_str("}\n");
    vec![
        (
            "policies/width.rego",
            "package main\nimport rego.v1\n\ndeny contains sprintf(\"%999999999d\", [1]) if input.resource\n".to_string(),
        ),
        ("policies/doubling.rego", doubling),
        (
            "policies/nested.rego",
            "package main\nimport rego.v1\n\ndeny contains count(x) if {\n  input.resource\n  x := [numbers.range(1, 100000) | some i in numbers.range(1, 100000)]\n}\n".to_string(),
        ),
        // Ten billion arrays of sixteen numbers.
        (
            "policies/endless.rego",
            "package main\nimport rego.v1\n\ndeny contains count(x) if {\n  input.resource\n  r := numbers.range(1, 100000)\n  x := [[i, j, i, j, i, j, i, j, i, j, i, j, i, j, i, j] | some i in r; some j in r]\n}\n".to_string(),
        ),
        // Each element a new set of 100,000 numbers: 100,000 of them.
        (
            "policies/unions.rego",
            "package main\nimport rego.v1\n\ndeny contains count(x) if {\n  input.resource\n  a := {i | some i in numbers.range(1, 100000)}\n  x := [b | some i in numbers.range(1, 100000); b := a | {i + 100000}]\n}\n".to_string(),
        ),
        // A partial rule of ten billion values.
        (
            "policies/pairs.rego",
            "package main\nimport rego.v1\n\npairs contains [i, j] if {\n  input.resource\n  some i in numbers.range(1, 100000)\n  some j in numbers.range(1, 100000)\n}\n\ndeny contains \"pairs\" if count(pairs) > 0\n".to_string(),
        ),
    ]
}

fn context(dir: &Path) -> ScanContext {
    let mut config = Config::default();
    // Every policy here is stopped by a size or memory limit, not by the clock: the budget
    // only has to outlast a debug build on a loaded machine (at 300 ms one of them once ran
    // out of time first, at 3 s another at a load average of 11). A policy over its memory
    // budget waits the budget out once (see `tollgate_alloc`), so it is not larger.
    config.stage.policy.eval_timeout_ms = Some(10_000);
    // Small enough for the comprehension and the partial rule, which build slowly in a debug
    // build, to reach it within their time budget.
    config.stage.policy.eval_memory_mib = Some(16);
    common::context(dir, config)
}

#[test]
fn hostile_policies_become_notifications_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    std::fs::write(dir.path().join("template.yaml"), TEMPLATE).unwrap();
    std::fs::write(dir.path().join("policies/honest.rego"), HONEST).unwrap();
    std::fs::write(dir.path().join("policies/queues.guard"), GUARD).unwrap();
    for (path, text) in hostile() {
        std::fs::write(dir.path().join(path), text).unwrap();
    }
    let report = PolicyStage::new().run(&context(dir.path())).unwrap();
    let messages: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
    assert!(messages.contains(&"Queue is a queue"), "{messages:?}");
    assert_eq!(report.findings.len(), 2, "{:#?}", report.findings);
    for (path, id) in [
        ("policies/width.rego", "policy-error"),
        ("policies/doubling.rego", "policy-error"),
        ("policies/nested.rego", "policy-error"),
        ("policies/endless.rego", "policy-error"),
        ("policies/unions.rego", "policy-error"),
        ("policies/pairs.rego", "policy-error"),
    ] {
        let n = report
            .notifications
            .iter()
            .find(|n| n.message.contains(path))
            .unwrap_or_else(|| panic!("no notification for {path}: {:#?}", report.notifications));
        assert_eq!(n.id, id, "{n:?}");
        assert!(n.message.contains("over tollgate's limit"), "{n:?}");
        if path.contains("endless") || path.contains("unions") || path.contains("pairs") {
            assert!(n.message.contains("held more than 16 MiB"), "{n:?}");
        }
    }
}

/// A policy over its memory budget on one document would be over it on the next, each time
/// waiting out its time budget: it is stopped after the first, as a slow one is, and its other
/// rules report nothing on the documents after it.
#[test]
fn a_policy_over_its_memory_budget_is_stopped_for_the_rest_of_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    let mut template = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for i in 0..5 {
        template.push_str(&format!("  Queue{i}:\n    Type: AWS::SQS::Queue\n"));
    }
    std::fs::write(dir.path().join("template.yaml"), template).unwrap();
    std::fs::write(
        dir.path().join("policies/greedy.rego"),
        "package main\nimport rego.v1\n\npairs contains [i, j] if {\n  input.resource.address == \"Queue0\"\n  some i in numbers.range(1, 100000)\n  some j in numbers.range(1, 100000)\n}\n\ndeny contains \"pairs\" if count(pairs) > 0\n\ndeny contains sprintf(\"seen %s\", [input.resource.address]) if input.resource\n",
    )
    .unwrap();
    let mut config = Config::default();
    config.stage.policy.eval_timeout_ms = Some(10_000);
    config.stage.policy.eval_memory_mib = Some(16);
    let report = PolicyStage::new()
        .run(&common::context(dir.path(), config))
        .unwrap();
    let over: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.message.contains("held more than 16 MiB"))
        .collect();
    assert_eq!(over.len(), 1, "{:#?}", report.notifications);
    let seen: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.message.as_str())
        .filter(|m| m.starts_with("seen"))
        .collect();
    assert!(seen.is_empty(), "{seen:?}");
}
