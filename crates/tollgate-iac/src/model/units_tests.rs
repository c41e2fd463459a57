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
        let _: &CloudModel = &alone;
    }
}
