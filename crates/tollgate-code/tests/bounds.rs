//! Handler code nested deeper than the trace goes: the stage neither overflows its stack nor
//! stays silent. A file nested past the tree-depth bound is named and not traced; an expression
//! past the trace's nesting bound stops that trace with a note, and its rules say unknown
//! rather than pass. Every other handler of the repository is still traced.

use std::sync::Arc;

use tollgate_code::CodeStage;
use tollgate_core::{walk, Config, ScanContext, Stage, StageReport, Verdict, WalkOptions};

/// Two functions: `Py` (Python, `py/app.handler`) and `Js` (Node.js, `js/index.handler`).
const TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Py:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: py/\n  Js:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs22.x\n      Handler: index.handler\n      CodeUri: js/\n";

const PY_FLAWED: &str =
    "import os\n\n\ndef handler(event, context):\n    os.system(\"echo \" + event[\"body\"])\n";

/// A JavaScript handler that runs the request body as a shell command inside `depth` nested
/// `if` blocks (two tree levels each).
fn js_nested_ifs(depth: usize) -> String {
    format!(
        "exports.handler = async (event) => {{\n  const x = event.body;\n  {}require('child_process').exec(x);{}\n}};\n",
        "if (x) { ".repeat(depth),
        " }".repeat(depth)
    )
}

fn scan(py: &str, js: &str) -> StageReport {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["py", "js"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    std::fs::write(dir.path().join("template.yaml"), TEMPLATE).unwrap();
    std::fs::write(dir.path().join("py/app.py"), py).unwrap();
    std::fs::write(dir.path().join("js/index.js"), js).unwrap();
    let files = walk(dir.path(), &WalkOptions::default()).files;
    let ctx = ScanContext::new(
        dir.path().to_path_buf(),
        files,
        Arc::new(Config::default()),
        time::macros::date!(2027 - 01 - 01),
    );
    CodeStage::new().run(&ctx).unwrap()
}

fn flagged_files(report: &StageReport) -> Vec<&str> {
    let mut files: Vec<&str> = report
        .findings
        .iter()
        .map(|f| f.location.path.as_str())
        .collect();
    files.sort_unstable();
    files.dedup();
    files
}

fn verdicts_of(report: &StageReport, resource: &str) -> Vec<Verdict> {
    report
        .evaluations
        .iter()
        .filter(|e| e.resource == resource)
        .map(|e| e.verdict)
        .collect()
}

#[test]
fn a_file_nested_past_the_depth_bound_is_named_and_the_others_are_traced() {
    // 20,000 nested blocks: 40,000 tree levels, which a recursive walk on an ordinary thread
    // stack does not survive.
    let report = scan(PY_FLAWED, &js_nested_ifs(20_000));
    let notes: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.id == "nested-too-deep")
        .collect();
    assert_eq!(notes.len(), 1, "{:#?}", report.notifications);
    let note = notes[0];
    assert!(
        note.message.starts_with("js/index.js:3:")
            && note.message.contains("nested more than 2000 levels deep"),
        "{}",
        note.message
    );
    assert_eq!(note.location.as_ref().unwrap().path, "js/index.js");
    // Not called missing: the note above says why it is not traced.
    assert!(
        !report
            .notifications
            .iter()
            .any(|n| n.id == "handler-not-found"),
        "{:#?}",
        report.notifications
    );
    assert_eq!(flagged_files(&report), ["py/app.py"]);
}

#[test]
fn code_nested_within_the_bound_is_traced() {
    // 900 nested blocks: 1,800 tree levels, under the bound.
    let report = scan(PY_FLAWED, &js_nested_ifs(900));
    assert!(
        report
            .notifications
            .iter()
            .all(|n| n.id != "nested-too-deep"),
        "{:#?}",
        report.notifications
    );
    assert_eq!(flagged_files(&report), ["js/index.js", "py/app.py"]);
}

#[test]
fn an_expression_past_the_nesting_bound_stops_its_trace_with_a_note_and_no_pass() {
    let nested = format!(
        "import os\n\n\ndef handler(event, context):\n    x = {}event[\"body\"]{}\n    os.system(x)\n",
        "(".repeat(1_000),
        ")".repeat(1_000)
    );
    let report = scan(&nested, &js_nested_ifs(1));
    let notes: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.id == "trace-cut-short")
        .collect();
    assert_eq!(notes.len(), 1, "{:#?}", report.notifications);
    assert!(
        notes[0].message.starts_with("py/app.py:5:")
            && notes[0].message.contains("handler `handler`")
            && notes[0].message.contains("nested 200 levels deep"),
        "{}",
        notes[0].message
    );
    // The flow through the parentheses was not followed: no finding for it, and no rule
    // claims the handler passes.
    assert_eq!(flagged_files(&report), ["js/index.js"]);
    let py = verdicts_of(&report, "Py");
    assert!(!py.is_empty());
    assert!(py.iter().all(|v| *v == Verdict::Unknown), "{py:?}");
    // The other handler, traced to the end, keeps its passes.
    assert!(verdicts_of(&report, "Js").contains(&Verdict::Pass));
}

#[test]
fn a_file_the_parser_cannot_finish_in_its_budget_is_named_and_the_others_are_traced() {
    // Found by the hostile-input campaign: a handler cut short and followed by 700,000 lines
    // of `};` kept tree-sitter's error recovery busy for 14 s in a release build, past the
    // stage timeout, and the stage did not stop when asked.
    let js = format!(
        "exports.handler = async (event) => {{\n  require('child_process').exec(event.body);\n{}",
        "};\n".repeat(700_000)
    );
    let report = scan(PY_FLAWED, &js);
    let notes: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.id == "parse-gave-up")
        .collect();
    assert_eq!(notes.len(), 1, "{:#?}", report.notifications);
    assert!(
        notes[0].message.starts_with("js/index.js: ")
            && notes[0].message.contains("not parsed after 2 s"),
        "{}",
        notes[0].message
    );
    assert_eq!(flagged_files(&report), ["py/app.py"]);
}
