//! Analyse standalone IAM policy JSON documents, as the accuracy comparison
//! (`scripts/compare.py`) needs: `cargo run -p tollgate-perms --example policy_json -- A.json B.json`
//! prints one line per document, `<file><TAB><codes, comma-separated>`.
//!
//! Each document is wrapped in a one-resource CloudFormation template
//! (`AWS::IAM::ManagedPolicy`) in a scratch directory and scanned by the permissions stage,
//! so it goes through the same adapter and rules as a policy in a repository.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use tollgate_core::{Config, FileKind, ScanContext, SourceFile, Stage};
use tollgate_perms::PermissionsStage;

fn main() {
    let scratch = std::env::temp_dir().join(format!("tollgate-policy-json-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&scratch) {
        eprintln!("error: cannot create {}: {e}", scratch.display());
        std::process::exit(2);
    }
    let mut failed = false;
    for arg in std::env::args().skip(1) {
        let path = PathBuf::from(&arg);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {arg}: {e}");
                failed = true;
                continue;
            }
        };
        let document: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!(
                    "error: {arg}:{}:{}: expected a JSON policy document: {e}",
                    e.line(),
                    e.column()
                );
                failed = true;
                continue;
            }
        };
        let template = serde_json::json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": document}}}
        });
        let name = "template.json";
        let abs = scratch.join(name);
        if let Err(e) = std::fs::write(&abs, template.to_string()) {
            eprintln!("error: {}: {e}", abs.display());
            failed = true;
            continue;
        }
        let size = template.to_string().len() as u64;
        let file = SourceFile {
            path: name.into(),
            abs,
            kind: FileKind::CloudFormation { json: true },
            size,
        };
        let today = time::OffsetDateTime::now_utc().date();
        let ctx = ScanContext::new(
            scratch.clone(),
            vec![file],
            Arc::new(Config::default()),
            today,
        );
        match PermissionsStage::new().run(&ctx) {
            Ok(report) => {
                let codes: BTreeSet<String> = report.findings.into_iter().map(|f| f.rule).collect();
                println!("{arg}\t{}", codes.into_iter().collect::<Vec<_>>().join(","));
            }
            Err(e) => {
                eprintln!("error: {arg}: {e}");
                failed = true;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    if failed {
        std::process::exit(2);
    }
}
