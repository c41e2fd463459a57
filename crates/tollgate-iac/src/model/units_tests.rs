//! A pull request's base revision takes the head's part of every unit whose files are the
//! same blobs in both revisions, maps the others, and its model is the one it builds alone.

use std::path::Path;
use std::sync::Arc;

use tollgate_core::{walk, Config, ScanContext, SourceFile, WalkOptions};

use crate::model::{model, CloudModel};

const APP: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app-role
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
  AppFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt AppRole.Arn
      Code: { ZipFile: "def handler(e, c): return e" }
"#;

const ACCESS: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AppPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: app
      Roles: [app-role]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: "s3:*"
            Resource: "*"
"#;

const SERVICE: &str = r#"service: orders
provider:
  name: aws
  runtime: nodejs20.x
functions:
  create:
    handler: handler.create
resources:
  - ${file(./queues.yml)}
"#;

const QUEUES: &str = r#"Resources:
  OrdersQueue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: orders
"#;

const MODULE: &str = r#"variable "name" {}
resource "aws_s3_bucket" "this" {
  bucket = var.name
}
"#;

fn root_module(name: &str) -> String {
    format!(
        "module \"bucket\" {{\n  source = \"../modules/bucket\"\n  name   = var.name\n}}\nvariable \"name\" {{\n  default = \"{name}\"\n}}\n"
    )
}

/// The head's files.
fn head_files() -> Vec<(&'static str, String)> {
    vec![
        ("app.yaml", APP.to_string()),
        ("access.yaml", ACCESS.to_string()),
        ("svc/serverless.yml", SERVICE.to_string()),
        ("svc/queues.yml", QUEUES.to_string()),
        ("tf/modules/bucket/main.tf", MODULE.to_string()),
        ("tf/dev/main.tf", root_module("dev-data")),
        (
            "tf/dev/terraform.tfvars",
            "name = \"dev-bucket\"\n".to_string(),
        ),
        ("tf/prod/main.tf", root_module("prod-data")),
    ]
}

fn write(dir: &Path, files: &[(&str, String)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn context(root: &Path, files: Vec<SourceFile>) -> ScanContext {
    ScanContext::new(
        root.to_path_buf(),
        files,
        Arc::new(Config::default()),
        time::macros::date!(2027 - 01 - 01),
    )
}

/// The base revision's scan as `--diff-base` makes it: the files with the head's content are
/// the head's own inventory entries (not written out), the others its own.
fn base_context(base: &Path, head: &Arc<ScanContext>) -> ScanContext {
    let files = walk(base, &WalkOptions::default())
        .files
        .into_iter()
        .map(|own| match head.file(&own.path) {
            Some(theirs)
                if std::fs::read(&theirs.abs).unwrap() == std::fs::read(&own.abs).unwrap() =>
            {
                theirs.clone()
            }
            _ => own,
        })
        .collect();
    context(base, files).reusing(head.clone())
}

/// For each change: the model built with the head's parts equals the model the base builds
/// alone, and exactly the units whose files all stayed the same are taken from the head.
#[test]
fn untouched_units_are_taken_from_the_head_and_the_model_is_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let head_dir = dir.path().join("head");
    write(&head_dir, &head_files());
    let head_files_found = walk(&head_dir, &WalkOptions::default()).files;
    let head = Arc::new(context(&head_dir, head_files_found).kept_for_reuse());
    let head_model = model(&head);
    assert!(!head_model.lambdas.is_empty() && !head_model.buckets.is_empty());
    assert_eq!(head_model.buckets.len(), 2, "one bucket per root");
    assert_eq!(head_model.queues.len(), 1, "the included queue");

    let all = ["access.yaml", "app.yaml", "svc/serverless.yml", ""];
    // (what changed, the base's files, the units mapped again rather than taken)
    type Change = (&'static str, Vec<(&'static str, String)>, Vec<&'static str>);
    let changes: Vec<Change> = vec![
        ("nothing", vec![], vec![]),
        (
            "a comment in one template",
            vec![("app.yaml", format!("{APP}# a comment\n"))],
            vec!["app.yaml"],
        ),
        (
            "the role another template attaches a policy to, renamed",
            vec![("app.yaml", APP.replace("app-role", "ops-role"))],
            vec!["app.yaml"],
        ),
        (
            "only the file a service includes",
            vec![("svc/queues.yml", QUEUES.replace("orders", "orders-v2"))],
            vec!["svc/serverless.yml"],
        ),
        (
            "the module two roots share",
            vec![(
                "tf/modules/bucket/main.tf",
                MODULE.replace("var.name", "\"fixed\""),
            )],
            vec![""],
        ),
        (
            "a root's variable file",
            vec![("tf/dev/terraform.tfvars", "name = \"other\"\n".to_string())],
            vec![""],
        ),
        (
            "a template added",
            vec![("extra.yaml", ACCESS.to_string())],
            // A new file changes what the Terraform loader lists, so it is evaluated again.
            vec!["extra.yaml", ""],
        ),
    ];
    let today = time::macros::date!(2027 - 01 - 01);
    let (head_findings, _, ends) = crate::rules::run_all_split(&head_model, today, false);
    for (name, changed, mapped) in changes {
        let base_dir = dir.path().join(name.replace(' ', "-"));
        write(&base_dir, &head_files());
        write(&base_dir, &changed);
        let base = base_context(&base_dir, &head);
        let reused = model(&base);
        let alone = context(&base_dir, walk(&base_dir, &WalkOptions::default()).files);
        let alone = model(&alone);
        assert!(!alone.lambdas.is_empty(), "{name}");
        assert_eq!(*reused, *alone, "{name}");

        let taken: Vec<&str> = reused
            .units
            .taken_from_head()
            .iter()
            .map(|(_, key)| key.as_str())
            .collect();
        let mut want: Vec<&str> = all
            .iter()
            .copied()
            .filter(|unit| !mapped.contains(unit))
            .collect();
        let mut got = taken.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{name}");
        // A model built alone takes nothing.
        assert!(alone.units.taken_from_head().is_empty());

        // The rules' findings computed from the head's, unit by unit, are the ones the rules
        // give over the base's model, and those outside the files where the units that
        // differ have findings are the head's.
        let want = crate::rules::run_all_with(&alone, today, false).0;
        let run = crate::rules::run_changed(&head_model, &head_findings, &ends, &reused, today)
            .unwrap_or_else(|| panic!("{name}: computed from the head's findings"));
        let findings =
            crate::rules::Piece::assemble(&run.pieces, &head_findings, run.own, |_| true)
                .expect("the pieces fit");
        assert_eq!(by_value(&findings), by_value(&want), "{name}");
        let shared = crate::SharedByUnit {
            codes: run.per_resource,
            changed_paths: run.changed_paths,
        };
        let theirs: Vec<_> = head_findings.iter().filter(|f| shared.covers(f)).collect();
        let ours: Vec<_> = findings.iter().filter(|f| shared.covers(f)).collect();
        assert_eq!(ours, theirs, "{name}");
        assert!(!theirs.is_empty(), "{name}: no finding is the head's");
        if !mapped.is_empty() {
            assert!(!shared.changed_paths.is_empty(), "{name}");
        }
        let _: &CloudModel = &alone;
    }
}

/// Findings in an order of their values alone, to compare lists whatever order they came in.
fn by_value(findings: &[tollgate_core::Finding]) -> Vec<String> {
    let mut all: Vec<String> = findings.iter().map(|f| format!("{f:?}")).collect();
    all.sort();
    all
}

/// Each rule listed as judging every resource on its own reports over a model what it reports
/// over each resource alone, one after the other: over the examples' models (every format),
/// and with something to report. A rule that looks at another resource (a bucket's policy, a
/// route's API) reports otherwise on the resource alone.
#[test]
fn per_resource_rules_report_over_parts_what_they_report_over_the_whole() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let ctx = context(&examples, walk(&examples, &WalkOptions::default()).files);
    let whole = model(&ctx);
    let singletons = whole.singletons();
    let today = time::macros::date!(2027 - 01 - 01);
    let (mut reported, mut cross) = (0, Vec::new());
    for rule in crate::rules::all() {
        let meta = crate::rules::published_meta(rule.as_ref());
        let run = |model: &CloudModel| {
            let mut sink = crate::rules::RuleSink::new(&meta, rule.data_protection(), today);
            rule.check(model, &mut sink);
            sink.into_findings()
        };
        let all = run(&whole);
        let alone: Vec<_> = singletons.iter().flat_map(run).collect();
        if crate::rules::per_resource(&meta.code) {
            assert_eq!(all, alone, "{}", meta.code);
            reported += all.len();
        } else if all != alone {
            cross.push(meta.code);
        }
    }
    assert!(reported > 100, "{reported} findings");
    // The examples hold rules that look across resources at work: access logging to a
    // bucket another names, a bucket's policy.
    for code in ["TG1304", "TG1305"] {
        assert!(cross.iter().any(|c| c == code), "{code}: {cross:?}");
    }
}
