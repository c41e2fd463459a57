//! Fingerprints over a corpus (every rule fixture set and adapter fixture directory, each
//! scanned as one repository): two findings that differ in rule, location, resource or subject
//! never share a fingerprint.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate_core::inventory::{walk, WalkOptions};
use tollgate_core::{Config, Finding, ScanContext, Stage};
use tollgate_iac::IacStage;

fn scan(root: &Path) -> Vec<Finding> {
    let inv = walk(root, &WalkOptions::default());
    let ctx = ScanContext::new(
        root.to_path_buf(),
        inv.files,
        Arc::new(Config::default()),
        time::macros::date!(2026 - 06 - 01),
    );
    let mut findings = IacStage::new()
        .run(&ctx)
        .expect("the iac stage runs")
        .findings;
    findings.iter_mut().for_each(Finding::ensure_fingerprint);
    findings
}

/// Directories holding fixtures, each scanned as one repository.
fn corpus() -> Vec<PathBuf> {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs = Vec::new();
    let mut pending = vec![fixtures];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut has_files = false;
        for e in entries.flatten() {
            if e.path().is_dir() {
                pending.push(e.path());
            } else {
                has_files = true;
            }
        }
        if has_files {
            dirs.push(dir);
        }
    }
    dirs.sort();
    dirs
}

#[test]
fn distinct_findings_never_share_a_fingerprint() {
    let mut collisions = Vec::new();
    let mut total = 0;
    for dir in corpus() {
        let findings = scan(&dir);
        total += findings.len();
        let mut seen: HashMap<&str, &Finding> = HashMap::new();
        for f in &findings {
            let identity = |f: &Finding| {
                (
                    f.rule.clone(),
                    f.location.path.clone(),
                    f.location.start_line(),
                    f.resource.clone(),
                    f.message.clone(),
                )
            };
            match seen.get(f.fingerprint.as_str()) {
                Some(other) if identity(other) != identity(f) => collisions.push(format!(
                    "{}: {} {}:{} `{}` and {}:{} `{}` share a fingerprint",
                    dir.display(),
                    f.rule,
                    other.location.path,
                    other.location.start_line().unwrap_or(0),
                    other.message,
                    f.location.path,
                    f.location.start_line().unwrap_or(0),
                    f.message
                )),
                _ => {
                    seen.insert(&f.fingerprint, f);
                }
            }
        }
    }
    assert!(total > 300, "only {total} findings in the corpus");
    assert!(
        collisions.is_empty(),
        "{} collisions:\n{}",
        collisions.len(),
        collisions.join("\n")
    );
}

/// One module reached from two root configurations: each result names its root, in the
/// message and in the resource address, and the fingerprints differ.
#[test]
fn a_module_reached_from_two_roots_names_the_root() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/adapters/terraform/two_roots");
    let findings: Vec<Finding> = scan(&dir)
        .into_iter()
        .filter(|f| f.rule == "TG1002")
        .collect();
    let mut resources: Vec<&str> = findings
        .iter()
        .filter_map(|f| f.resource.as_deref())
        .collect();
    resources.sort_unstable();
    assert_eq!(
        resources,
        [
            "envs/prod: module.fn.aws_lambda_function.fn",
            "envs/staging: module.fn.aws_lambda_function.fn"
        ]
    );
    assert!(findings.iter().all(|f| f
        .message
        .contains("Reached through the root configuration `envs/")));
    assert_ne!(findings[0].fingerprint, findings[1].fingerprint);
}

/// Fingerprints survive unrelated edits: a resource inserted above, re-indentation of
/// nothing that matters, comments; every finding keeps its fingerprint.
#[test]
fn fingerprints_survive_unrelated_edits() {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/TG1101");
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fingerprint-edits");
    let _ = std::fs::remove_dir_all(&tmp);
    let (before, after) = (tmp.join("before"), tmp.join("after"));
    std::fs::create_dir_all(&before).expect("temp dir");
    std::fs::create_dir_all(&after).expect("temp dir");
    let text = std::fs::read_to_string(source.join("fires.sam.yaml")).expect("fixture");
    std::fs::write(before.join("template.yaml"), &text).expect("write");
    let edited = text.replacen(
        "Resources:\n",
        "Resources:\n  # an unrelated queue, added above everything\n  Unrelated:\n    Type: AWS::SQS::Queue\n\n",
        1,
    );
    assert_ne!(edited, text);
    std::fs::write(after.join("template.yaml"), &edited).expect("write");
    let prints = |dir: &Path| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = scan(dir)
            .into_iter()
            .filter(|f| f.rule == "TG1101")
            .map(|f| (f.message, f.fingerprint))
            .collect();
        v.sort();
        v
    };
    let (a, b) = (prints(&before), prints(&after));
    assert!(a.len() >= 4, "{a:?}");
    assert_eq!(a, b);
}

/// A rotation schedule whose target is unknown in one configuration does not hide the
/// secrets of another configuration scanned beside it.
#[test]
fn an_unknown_rotation_target_hides_only_its_own_configuration() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rotation-scopes");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("plain")).expect("temp dir");
    std::fs::create_dir_all(tmp.join("unknown")).expect("temp dir");
    let secret = "resource \"aws_secretsmanager_secret\" \"db\" {\n  name = \"db\"\n}\n";
    std::fs::write(tmp.join("plain/main.tf"), secret).expect("write");
    std::fs::write(
        tmp.join("unknown/main.tf"),
        format!(
            "{secret}variable \"secret\" {{}}\n\nresource \"aws_secretsmanager_secret_rotation\" \"r\" {{\n  secret_id = var.secret\n}}\n"
        ),
    )
    .expect("write");
    let paths: Vec<String> = scan(&tmp)
        .into_iter()
        .filter(|f| f.rule == "TG1504")
        .map(|f| f.location.path)
        .collect();
    assert_eq!(paths, ["plain/main.tf"]);
}

/// A rotation schedule of one configuration does not rotate the secret with the same address
/// in another configuration.
#[test]
fn a_rotation_schedule_rotates_only_the_secret_of_its_own_configuration() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rotation-addresses");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("rotated")).expect("temp dir");
    std::fs::create_dir_all(tmp.join("plain")).expect("temp dir");
    let secret = "resource \"aws_secretsmanager_secret\" \"db\" {}\n";
    std::fs::write(tmp.join("plain/main.tf"), secret).expect("write");
    std::fs::write(
        tmp.join("rotated/main.tf"),
        format!("{secret}\nresource \"aws_secretsmanager_secret_rotation\" \"r\" {{\n  secret_id = aws_secretsmanager_secret.db.id\n}}\n"),
    )
    .expect("write");
    let paths: Vec<String> = scan(&tmp)
        .into_iter()
        .filter(|f| f.rule == "TG1504")
        .map(|f| f.location.path)
        .collect();
    assert_eq!(paths, ["plain/main.tf"]);
}
