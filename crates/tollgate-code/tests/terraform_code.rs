//! Terraform functions whose code is packaged by an `archive_file`: the handler is looked up
//! under the archive's `source_dir` (or next to its `source_file`), so two functions with the
//! same handler name in different directories each get their own file.

use std::path::Path;
use std::sync::Arc;

use tollgate_code::CodeStage;
use tollgate_core::{walk, Config, Finding, ScanContext, Stage, StageReport, WalkOptions};

const FLAWED: &str =
    "import os\n\n\ndef handler(event, context):\n    os.system(\"echo \" + event[\"body\"])\n";
const CLEAN: &str = "def handler(event, context):\n    return {\"statusCode\": 200}\n";

fn function(name: &str, archive: &str) -> String {
    format!(
        r#"
resource "aws_lambda_function" "{name}" {{
  function_name = "{name}"
  role          = "arn:aws:iam::123456789012:role/{name}"
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = data.archive_file.{archive}.output_path
}}
"#
    )
}

fn scan(root: &Path) -> StageReport {
    let files = walk(root, &WalkOptions::default()).files;
    let ctx = ScanContext::new(
        root.to_path_buf(),
        files,
        Arc::new(Config::default()),
        time::macros::date!(2027 - 01 - 01),
    );
    CodeStage::new().run(&ctx).unwrap()
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Write `files` into a new directory and scan it.
fn scan_files(files: &[(&str, &str)]) -> StageReport {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    scan(dir.path())
}

/// Each notification's id and message.
fn notes(report: &StageReport) -> Vec<(&str, &str)> {
    report
        .notifications
        .iter()
        .map(|n| (n.id.as_str(), n.message.as_str()))
        .collect()
}

/// Write `files`, scan them, and check the only finding is in `flawed`'s
/// file, attributed to `function`, with every handler found.
fn assert_only_finding(files: &[(&str, &str)], flawed: &str, function: &str) {
    let report = scan_files(files);
    let found: Vec<(String, Option<String>)> = report
        .findings
        .iter()
        .map(|f: &Finding| (f.location.path.clone(), f.resource.clone()))
        .collect();
    assert_eq!(
        found,
        vec![(flawed.to_string(), Some(function.to_string()))],
        "{:#?}",
        report.findings
    );
    assert!(
        !report
            .notifications
            .iter()
            .any(|n| n.id == "handler-not-found"),
        "{:#?}",
        report.notifications
    );
}

#[test]
fn archive_source_dir_picks_each_functions_own_handler() {
    let mut tf = String::from(
        r#"
data "archive_file" "orders" {
  type        = "zip"
  source_dir  = "${path.module}/functions/orders"
  output_path = "${path.module}/build/orders.zip"
}

data "archive_file" "users" {
  type        = "zip"
  source_dir  = "functions/users/"
  output_path = "build/users.zip"
}
"#,
    );
    tf.push_str(&function("orders", "orders"));
    tf.push_str(&function("users", "users"));
    assert_only_finding(
        &[
            ("infra/main.tf", &tf),
            ("infra/functions/orders/index.py", FLAWED),
            ("infra/functions/users/index.py", CLEAN),
        ],
        "infra/functions/orders/index.py",
        "aws_lambda_function.orders",
    );
}

#[test]
fn archive_source_file_names_the_handlers_directory() {
    let mut tf = String::from(
        r#"
data "archive_file" "orders" {
  type        = "zip"
  source_file = "${path.module}/src/orders/index.py"
  output_path = "${path.module}/orders.zip"
}

data "archive_file" "users" {
  type        = "zip"
  source_file = "${path.module}/src/users/index.py"
  output_path = "${path.module}/users.zip"
}
"#,
    );
    tf.push_str(&function("orders", "orders"));
    tf.push_str(&function("users", "users"));
    assert_only_finding(
        &[
            ("main.tf", &tf),
            ("src/orders/index.py", CLEAN),
            ("src/users/index.py", FLAWED),
        ],
        "src/users/index.py",
        "aws_lambda_function.users",
    );
}

/// A zip built elsewhere (`filename` names no archive the scan can follow): the handler is the
/// one file under the configuration's directory whose path ends with the module's, found among
/// the files of that name; when two files could be it, neither is guessed.
#[test]
fn a_prebuilt_zip_finds_the_only_file_of_the_handlers_name() {
    let tf = r#"
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  role          = "arn:aws:iam::123456789012:role/orders"
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "dist/orders.zip"
}
"#;
    assert_only_finding(
        &[
            ("infra/main.tf", tf),
            ("infra/src/index.py", FLAWED),
            ("infra/src/index.js", CLEAN),
            ("other/index.py", CLEAN),
        ],
        "infra/src/index.py",
        "aws_lambda_function.orders",
    );

    let report = scan_files(&[
        ("infra/main.tf", tf),
        ("infra/a/index.py", FLAWED),
        ("infra/b/index.py", FLAWED),
    ]);
    assert!(
        report
            .notifications
            .iter()
            .any(|n| n.id == "handler-not-found"),
        "{:#?}",
        report.notifications
    );
    // Both files are still checked as handlers found by convention, but neither is taken for
    // the declared function.
    assert_eq!(report.findings.len(), 2, "{:#?}", report.findings);
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.resource.as_deref() != Some("aws_lambda_function.orders")),
        "{:#?}",
        report.findings
    );
}

/// A handler bound to what a builder returns (`exports.alexa = builder.lambda()`) exists: the
/// note says it is built at run time and not traced, not that the file lacks it. One that a
/// wrapper is given a function of the file for (`middy(convert)`) is that function, traced.
#[test]
fn handlers_built_or_wrapped_at_run_time_are_told_apart_from_missing_ones() {
    let tf = r#"
resource "aws_lambda_function" "skill" {
  function_name = "skill"
  role          = "arn:aws:iam::123456789012:role/skill"
  runtime       = "nodejs20.x"
  handler       = "skill.alexa"
  filename      = "skill.zip"
}

resource "aws_lambda_function" "convert" {
  function_name = "convert"
  role          = "arn:aws:iam::123456789012:role/convert"
  runtime       = "nodejs20.x"
  handler       = "convert.run"
  filename      = "convert.zip"
}
"#;
    let skill = "const Ask = require(\"ask-sdk\");\n\nexports.alexa = Ask.SkillBuilders.custom()\n  .addRequestHandlers({ canHandle: () => true, handle: (input) => input })\n  .lambda();\n";
    let convert = "const middy = require(\"@middy/core\");\nconst cp = require(\"child_process\");\n\nasync function work(event) {\n  cp.execSync(\"convert \" + event.body);\n}\n\nexports.run = middy(work).use(logger());\n";
    let report = scan_files(&[
        ("main.tf", tf),
        ("skill.js", skill),
        ("convert.js", convert),
    ]);
    let ids = notes(&report);
    assert!(
        ids.iter()
            .any(|(id, m)| *id == "handler-not-traced" && m.contains("`alexa`")),
        "{ids:#?}"
    );
    assert!(
        !ids.iter().any(|(id, _)| *id == "handler-not-found"),
        "{ids:#?}"
    );
    let found: Vec<(&str, Option<&str>)> = report
        .findings
        .iter()
        .map(|f| (f.location.path.as_str(), f.resource.as_deref()))
        .collect();
    assert_eq!(
        found,
        [("convert.js", Some("aws_lambda_function.convert"))],
        "{:#?}",
        report.findings
    );
}

/// A function on a runtime whose language the stage does not read (Java here) has its handler
/// somewhere the stage cannot look: the note says which runtime, not that the file is missing.
#[test]
fn functions_on_runtimes_not_read_are_named_as_such() {
    let tf = r#"
resource "aws_lambda_function" "billing" {
  function_name = "billing"
  role          = "arn:aws:iam::123456789012:role/billing"
  runtime       = "java21"
  handler       = "com.example.Billing::handleRequest"
  filename      = "billing.jar"
}
"#;
    let report = scan_files(&[("main.tf", tf)]);
    let notes = notes(&report);
    assert!(
        notes
            .iter()
            .any(|(id, m)| *id == "runtime-not-read" && m.contains("`java21`")),
        "{notes:#?}"
    );
    assert!(
        !notes.iter().any(|(id, _)| *id == "handler-not-found"),
        "{notes:#?}"
    );
}
