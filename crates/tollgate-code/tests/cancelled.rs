//! A scan cancelled at its stage timeout: the stage returns at once and lists what it did not
//! check (templates whose handlers it could not learn, handler files it did not trace), so the
//! pipeline can name them. The partial case, a stage stopped half way, is tested end to end.

use std::sync::Arc;

use tollgate_code::CodeStage;
use tollgate_core::{walk, Config, ScanContext, Stage, WalkOptions};

const TEMPLATE: &str = "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n";

const HANDLER: &str =
    "import os\n\n\ndef handler(event, context):\n    os.system(\"echo \" + event[\"body\"])\n";

fn context(dir: &std::path::Path) -> ScanContext {
    let files = walk(dir, &WalkOptions::default()).files;
    ScanContext::new(
        dir.to_path_buf(),
        files,
        Arc::new(Config::default()),
        time::macros::date!(2027 - 01 - 01),
    )
}

#[test]
fn a_cancelled_scan_lists_the_templates_and_handlers_it_did_not_check() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::create_dir_all(dir.path().join("other")).unwrap();
    std::fs::write(dir.path().join("template.yaml"), TEMPLATE).unwrap();
    std::fs::write(dir.path().join("src/app.py"), HANDLER).unwrap();
    // A handler no template names, found by its conventional name.
    let lone = HANDLER.replace("def handler", "def lambda_handler");
    std::fs::write(dir.path().join("other/job.py"), lone).unwrap();
    // Code without a conventional name is listed too: only reading it would have told.
    std::fs::write(
        dir.path().join("other/util.py"),
        "def helper(x):\n    return x\n",
    )
    .unwrap();

    let ctx = context(dir.path());
    let complete = CodeStage::new().run(&ctx).unwrap();
    assert_eq!(complete.findings.len(), 2, "{:#?}", complete.findings);
    assert!(
        complete.not_checked.is_empty(),
        "{:?}",
        complete.not_checked
    );

    let ctx = context(dir.path());
    ctx.cancel();
    let cancelled = CodeStage::new().run(&ctx).unwrap();
    assert!(cancelled.findings.is_empty(), "{:#?}", cancelled.findings);
    // Every code file is listed: past the cancel none is read to see whether it could hold a
    // conventionally named handler (the template's handler file also defines one).
    assert_eq!(
        cancelled.not_checked,
        [
            "template.yaml",
            "other/job.py",
            "other/util.py",
            "src/app.py"
        ]
    );
}
