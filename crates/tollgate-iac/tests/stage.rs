//! The `iac` stage over a real scan context: parse errors become notifications, the other
//! templates are still checked, the model is shared through the context's memo, and a
//! cancelled scan stops.

use std::path::PathBuf;
use std::sync::Arc;

use tollgate_core::{Config, FileKind, NotificationLevel, ScanContext, SourceFile, Stage};
use tollgate_iac::model::DataClass;
use tollgate_iac::IacStage;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/adapters")
}

fn context() -> ScanContext {
    context_with(Config::default())
}

fn context_with(config: Config) -> ScanContext {
    let root = fixtures();
    let files = [
        (
            "cloudformation/broken.yaml",
            FileKind::CloudFormation { json: false },
        ),
        (
            "cloudformation/app.yaml",
            FileKind::CloudFormation { json: false },
        ),
        ("sam/app.yaml", FileKind::Sam { json: false }),
    ]
    .into_iter()
    .map(|(path, kind)| {
        let abs = root.join(path);
        let size = std::fs::metadata(&abs).expect("fixture exists").len();
        SourceFile {
            path: path.to_string(),
            abs,
            kind,
            size,
        }
    })
    .collect();
    let today = time::macros::date!(2026 - 11 - 28);
    ScanContext::new(root, files, Arc::new(config), today)
}

#[test]
fn parse_error_is_a_warning_with_position_and_other_files_are_checked() {
    let ctx = context();
    let report = IacStage.run(&ctx).expect("stage runs");
    let parse: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.id == "parse-error")
        .collect();
    assert_eq!(parse.len(), 1, "{:?}", report.notifications);
    let n = parse[0];
    assert_eq!(n.level, NotificationLevel::Warning);
    assert_eq!(n.stage.as_deref(), Some("iac"));
    let loc = n.location.as_ref().expect("location");
    assert_eq!(loc.path, "cloudformation/broken.yaml");
    let line = loc.start_line().expect("a line");
    assert!(
        n.message
            .starts_with(&format!("cloudformation/broken.yaml:{line}:")),
        "{}",
        n.message
    );
    assert!(
        (6..=7).contains(&line),
        "points at the unclosed sequence, got {line}"
    );

    let files: std::collections::BTreeSet<_> = report
        .findings
        .iter()
        .map(|f| f.location.path.as_str())
        .collect();
    assert!(files.contains("cloudformation/app.yaml"), "{files:?}");
    assert!(files.contains("sam/app.yaml"), "{files:?}");
    assert!(report
        .findings
        .iter()
        .all(|f| f.resource.is_some() && f.resource_line.is_some()));
}

#[test]
fn model_is_memoized_and_classified() {
    let ctx = context();
    let first = tollgate_iac::model(&ctx);
    let second = tollgate_iac::model(&ctx);
    assert!(Arc::ptr_eq(&first, &second));
    let bucket = first
        .buckets
        .iter()
        .find(|b| b.meta.address == "Uploads")
        .unwrap();
    assert_eq!(
        bucket.meta.classification.as_ref().map(|c| c.class),
        Some(DataClass::Phi)
    );
    assert_eq!(first.log_groups[0].retention_days.get(), Some(&30));
    let route = &first.api_routes[0];
    assert_eq!(
        (route.method.as_str(), route.path.as_str()),
        (Some("POST"), Some("/orders"))
    );
    assert!(first
        .iam_roles
        .iter()
        .any(|r| r.meta.address == "IntakeRole"));
}

#[test]
fn stage_describes_its_rules_and_stops_when_cancelled() {
    let stage = IacStage::new();
    assert_eq!(stage.name(), "iac");
    assert!(stage
        .rules()
        .iter()
        .all(|r| r.stage == "iac" && r.code.starts_with("TG1")));
    let ctx = context();
    ctx.cancel();
    let report = stage.run(&ctx).expect("stage runs");
    assert!(report.findings.is_empty());
}

#[test]
fn classification_tag_key_comes_from_config() {
    let class_of = |ctx: &ScanContext, address: &str| {
        let model = tollgate_iac::model(ctx);
        let bucket = model
            .buckets
            .iter()
            .find(|b| b.meta.address == address)
            .unwrap();
        bucket.meta.classification.as_ref().map(|c| c.class)
    };
    let ctx = context();
    assert_eq!(class_of(&ctx, "Cards"), None);
    let mut config = Config::default();
    config.stage.iac.classification_key = Some("Sensitivity".to_string());
    let ctx = context_with(config);
    assert_eq!(class_of(&ctx, "Cards"), Some(DataClass::Pci));
    assert_eq!(class_of(&ctx, "Uploads"), None);
}
