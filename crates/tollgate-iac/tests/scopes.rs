//! Stacks scanned together must give the same findings as each scanned alone: logical ids and
//! Terraform addresses are unique only within their template or configuration, and the
//! examples deliberately reuse them (each example has a hardened twin with the same names).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate_core::inventory::{walk, WalkOptions};
use tollgate_core::{Config, ScanContext, Stage};
use tollgate_iac::IacStage;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// (path relative to `examples/`, rule, line) of every finding the stage reports under `root`.
fn scan(root: &Path, prefix: &str) -> Vec<(String, String, u32)> {
    let inventory = walk(root, &WalkOptions::default());
    let today = time::macros::date!(2026 - 11 - 28);
    let ctx = ScanContext::new(
        root.to_path_buf(),
        inventory.files,
        Arc::new(Config::default()),
        today,
    );
    let mut out: Vec<_> = IacStage::new()
        .run(&ctx)
        .expect("stage runs")
        .findings
        .into_iter()
        .map(|f| {
            (
                format!("{prefix}{}", f.location.path),
                f.rule,
                f.location.start_line().unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn stacks_scanned_together_match_stacks_scanned_alone() {
    let root = examples();
    let together = scan(&root, "");
    let mut alone = Vec::new();
    for name in [
        "sam-orders",
        "sam-orders-hardened",
        "sam-clinic",
        "serverless-payments",
        "serverless-payments-hardened",
        "terraform-ledger",
        "terraform-ledger-hardened",
    ] {
        alone.extend(scan(&root.join(name), &format!("{name}/")));
    }
    alone.sort();
    let together: Vec<_> = together
        .into_iter()
        // Examples without a hardened twin reusing their names are not part of this check.
        .filter(|(path, _, _)| !path.starts_with("plugins/") && !path.starts_with("policies/"))
        .collect();
    assert_eq!(together, alone);
}

/// A resource policy takes the data classification (and the severity it raises) of the
/// resource it opens up, and only of that resource: a bucket of another template with the same
/// logical id and a `PHI` tag is not the one this policy is about.
#[test]
fn a_policy_is_classified_only_by_its_own_templates_resource() {
    let classified = r#"
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - Key: DataClassification
          Value: PHI
"#;
    let opened = r#"
Resources:
  Data:
    Type: AWS::S3::Bucket
  DataPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Data
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "${Data.Arn}/*"
"#;
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("clinic/template.yaml", classified),
        ("site/template.yaml", opened),
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let open_policy = |root: &Path| {
        let inventory = walk(root, &WalkOptions::default());
        let ctx = ScanContext::new(
            root.to_path_buf(),
            inventory.files,
            Arc::new(Config::default()),
            time::macros::date!(2026 - 11 - 28),
        );
        let report = IacStage::new().run(&ctx).expect("stage runs");
        let f = report
            .findings
            .into_iter()
            .find(|f| f.rule == "TG1306")
            .expect("the open policy is reported");
        (f.severity, f.message)
    };
    assert_eq!(
        open_policy(dir.path()),
        open_policy(&dir.path().join("site")),
        "scanned beside the PHI bucket of another template"
    );
}
