//! End-to-end: evaluation bombs (templates whose values grow to gigabytes or loop forever when
//! evaluated) through the real binary, run with its address space and CPU seconds limited by
//! the operating system (`ulimit -v`, `ulimit -t`), never by a wall-clock assert. Past each
//! documented cap the value is unknown, a notification names the file, and the good template
//! next to the bomb is still checked.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tollgate_e2e::tollgate_bin;

/// A template with one finding of its own (TG1401: queue without encryption).
const GOOD_TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      SqsManagedSseEnabled: false\n";

/// Address space the run may map: far below what any bomb here would take unbounded (from
/// 625 MB to several GB of strings), with room for the runtime's threads and allocator arenas.
const ADDRESS_SPACE_KIB: u64 = 1536 * 1024;

/// CPU seconds the run may use (a debug build; a bounded run takes a few).
const CPU_SECONDS: u64 = 60;

/// `tollgate run . --format json` in `dir` under the limits; a run killed by them has no exit
/// code and fails the caller's assertions.
fn run_limited(dir: &Path) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && ulimit -t {CPU_SECONDS} && exec \"$0\" \"$@\""
        ))
        .arg(tollgate_bin())
        .args([
            "run",
            ".",
            "--no-progress",
            "--fail-on",
            "medium",
            "--format",
            "json",
        ])
        .current_dir(dir)
        .env_remove("RUST_LOG")
        // Fewer malloc arenas: each reserves address space the limit would count.
        .env("MALLOC_ARENA_MAX", "2")
        .env("NO_COLOR", "1")
        .output()
        .expect("sh and tollgate run")
}

/// Runs `tollgate` over the good template and `bomb` written at `path`; checks that the run
/// ended within the limits with the gate's exit code, that the good template's finding is
/// there, and that a notification for `path` contains `words`.
fn check_bounded(path: &str, bomb: &str, words: &str) {
    check_bounded_files(&[(path, bomb)], path, words);
}

/// [`check_bounded`] for a bomb made of several files; the notification is for `path`.
fn check_bounded_files(files: &[(&str, &str)], path: &str, words: &str) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("good.yaml"), GOOD_TEMPLATE).unwrap();
    for (file, text) in files {
        let at = root.join(file);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(&at, text).unwrap();
    }
    let out = run_limited(root);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{path}: {:?}\n{stderr}",
        out.status
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "TG1401" && f["location"]["path"] == "good.yaml"),
        "{path}: {report:#}"
    );
    let notes = report["notifications"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["message"]
            .as_str()
            .is_some_and(|m| m.contains(path) && m.contains(words))),
        "{path}: no notification with {words:?}: {notes:#?}"
    );
}

/// `Fn::Sub` with 25,000 `${P}` of a 25 KB parameter default: 625 MB unbounded.
#[test]
fn cloudformation_sub_blow_up_is_unknown() {
    let mut t = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  P:\n    Type: String\n    Default: {}\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub \"",
        "p".repeat(25_000)
    );
    t.push_str(&"${P}".repeat(25_000));
    t.push_str("\"\n");
    check_bounded("bomb/sub.yaml", &t, "Fn::Sub");
}

/// `Fn::Join` with a 30 KB delimiter over 30,000 items: 900 MB unbounded.
#[test]
fn cloudformation_join_blow_up_is_unknown() {
    let mut t = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Join\n        - {}\n        - [",
        "d".repeat(30_000)
    );
    t.push_str(&vec!["a"; 30_000].join(", "));
    t.push_str("]\n");
    check_bounded("bomb/join.yaml", &t, "Fn::Join");
}

/// Thousands of `Fn::Sub`, each just under the per-function cap: the template's budget ends
/// them (64 MiB), not memory.
#[test]
fn cloudformation_many_large_subs_hit_the_template_budget() {
    let mut t = format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  P:\n    Type: String\n    Default: {}\nResources:\n",
        "p".repeat(25_000)
    );
    let sub = "${P}".repeat(40);
    for i in 0..3_000 {
        t.push_str(&format!(
            "  T{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub \"{sub}\"\n"
        ));
    }
    check_bounded("bomb/many.yaml", &t, "bytes of strings");
}

/// `replace(s, "", s)` of a 50 KB local: 2.5 GB unbounded.
#[test]
fn terraform_replace_blow_up_is_unknown() {
    let tf = format!(
        "locals {{\n  s = \"{}\"\n}}\nresource \"aws_sns_topic\" \"t\" {{\n  name = replace(local.s, \"\", local.s)\n}}\n",
        "s".repeat(50_000)
    );
    check_bounded("tf/main.tf", &tf, "replace() builds a string");
}

/// `join()` with a 40 KB separator over 40,000 items: 1.6 GB unbounded.
#[test]
fn terraform_join_and_format_blow_ups_are_unknown() {
    let items = vec!["\"a\""; 40_000].join(", ");
    let tf = format!(
        "locals {{\n  sep = \"{}\"\n  items = [{items}]\n}}\nresource \"aws_sns_topic\" \"t\" {{\n  name = join(local.sep, local.items)\n}}\n",
        "j".repeat(40_000)
    );
    check_bounded("tf/main.tf", &tf, "join() builds a string");
    let tf = format!(
        "locals {{\n  s = \"{}\"\n}}\nresource \"aws_sns_topic\" \"t\" {{\n  name = format(\"{}\", {})\n}}\n",
        "f".repeat(50_000),
        "%s".repeat(100),
        vec!["local.s"; 100].join(", ")
    );
    check_bounded("tf/main.tf", &tf, "format() builds a string");
}

/// Each function call under the per-call cap, but thousands of them: the module's budget of
/// built strings ends them.
#[test]
fn terraform_many_large_results_hit_the_module_budget() {
    let mut tf = format!("locals {{\n  s = \"{}\"\n}}\n", "s".repeat(1_000));
    for i in 0..5_000 {
        tf.push_str(&format!(
            "resource \"aws_sns_topic\" \"t{i}\" {{\n  name = replace(local.s, \"\", \"abcdefghijklmnopqrstuvwxyz\")\n}}\n"
        ));
    }
    check_bounded("tf/main.tf", &tf, "bytes of strings");
}

/// Templates doubling through locals: `"${local.a}${local.a}"`, 25 levels (a 32 GB string
/// unbounded) and 40 levels (past the depth cap).
#[test]
fn terraform_doubling_string_locals_are_unknown() {
    for (levels, words) in [(25, "bytes"), (40, "levels deep")] {
        let mut tf = format!("locals {{\n  l0 = \"{}\"\n", "d".repeat(1_000));
        for i in 1..levels {
            tf.push_str(&format!(
                "  l{i} = \"${{local.l{p}}}${{local.l{p}}}\"\n",
                p = i - 1
            ));
        }
        tf.push_str(&format!(
            "}}\nresource \"aws_sns_topic\" \"t\" {{\n  name = local.l{}\n}}\n",
            levels - 1
        ));
        check_bounded("tf/main.tf", &tf, words);
    }
}

/// `count` and `for_each` over huge ranges: a resource is checked once, never expanded per
/// instance; `range()` is not evaluated.
#[test]
fn terraform_huge_count_and_range_are_not_expanded() {
    let tf = "resource \"aws_sns_topic\" \"a\" {\n  count = 1000000000\n  name = \"a-${count.index}\"\n}\nresource \"aws_sns_topic\" \"b\" {\n  for_each = toset(range(1e9))\n  name = each.key\n}\n";
    check_bounded("tf/main.tf", tf, "range() is not evaluated");
}

/// Local modules calling each other in a cycle, and a local referring to itself.
#[test]
fn terraform_module_and_local_cycles_stop() {
    let a = "module \"b\" {\n  source = \"../b\"\n}\nlocals {\n  x = local.y\n  y = local.x\n}\nresource \"aws_sns_topic\" \"a\" {\n  name = local.x\n}\n";
    let b = "module \"a\" {\n  source = \"../a\"\n}\n";
    check_bounded_files(
        &[("a/main.tf", a), ("b/main.tf", b)],
        "a/main.tf",
        "refers to itself",
    );
    check_bounded_files(&[("a/main.tf", a), ("b/main.tf", b)], "a", "cycle");
}

/// Serverless `${self:}` references doubling a string, and a `${self:}` cycle.
#[test]
fn serverless_self_blow_up_and_cycles_are_unknown() {
    let mut yml = format!(
        "service: s\nprovider:\n  name: aws\n  runtime: nodejs20.x\ncustom:\n  s0: {}\n",
        "v".repeat(1_000)
    );
    for i in 1..40 {
        yml.push_str(&format!(
            "  s{i}: ${{self:custom.s{p}}}${{self:custom.s{p}}}\n",
            p = i - 1
        ));
    }
    yml.push_str("  loop: ${self:custom.loop2}\n  loop2: ${self:custom.loop}\n  f: ${file(./serverless.yml)}\nfunctions:\n  f:\n    handler: h.f\n    description: ${self:custom.s39} ${self:custom.loop}\n");
    check_bounded("svc/serverless.yml", &yml, "more than");
}

/// An OpenAPI definition with 20,000 operations: the first 2,000 are analysed.
#[test]
fn openapi_with_thousands_of_operations_is_capped() {
    let mut t = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      DefinitionBody:\n        openapi: 3.0.1\n        paths:\n");
    for i in 0..20_000 {
        t.push_str(&format!("          /p{i}:\n            get:\n              x-amazon-apigateway-integration:\n                type: mock\n"));
    }
    check_bounded("api/template.yaml", &t, "beyond the first");
}
