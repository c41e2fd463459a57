//! Analyse standalone IAM policy JSON documents, as the accuracy comparison
//! (`scripts/compare.py`) needs: `cargo run -p tollgate-perms --example policy_json -- A.json B.json`
//! prints one line per document, `<file><TAB><codes, comma-separated>`.
//!
//! Each document is wrapped in a one-resource CloudFormation template in a scratch directory
//! and scanned by the permissions stage, so it goes through the same adapter and rules as a
//! policy in a repository. A document whose statements name a `Principal` (or
//! `NotPrincipal`) is a resource policy: it becomes the `AWS::S3::BucketPolicy`,
//! `AWS::SQS::QueuePolicy` or `AWS::SNS::TopicPolicy` its first `Resource` ARN points at.
//! Any other document is an identity policy (`AWS::IAM::ManagedPolicy`).

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
        let resource = match wrap(document) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {arg}: {e}");
                failed = true;
                continue;
            }
        };
        let template = serde_json::json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Resources": {"Policy": resource}
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

/// The statements of `document` (one object or a list).
fn statements(document: &serde_json::Value) -> Vec<&serde_json::Value> {
    match document.get("Statement") {
        Some(serde_json::Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

/// The CloudFormation resource that holds `document`: an identity policy, or the resource
/// policy of the bucket, queue or topic its first `Resource` names.
fn wrap(document: serde_json::Value) -> Result<serde_json::Value, String> {
    let stmts = statements(&document);
    let names_principal = stmts
        .iter()
        .any(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some());
    if !names_principal {
        return Ok(serde_json::json!({
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": document}
        }));
    }
    let arn = stmts
        .iter()
        .filter_map(|s| s.get("Resource"))
        .flat_map(|r| match r {
            serde_json::Value::Array(list) => list.iter().collect(),
            one => vec![one],
        })
        .find_map(serde_json::Value::as_str)
        .ok_or("expected a `Resource` ARN in a resource policy (one naming a `Principal`)")?;
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (service, region, account, name) = match parts.as_slice() {
        ["arn", _, service, region, account, name] => (*service, *region, *account, *name),
        _ => return Err(format!("expected an ARN, found `{arn}`")),
    };
    let resource = match service {
        "s3" => {
            let bucket = name.split('/').next().unwrap_or(name);
            serde_json::json!({
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {"Bucket": bucket, "PolicyDocument": document}
            })
        }
        "sqs" => serde_json::json!({
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [format!("https://sqs.{region}.amazonaws.com/{account}/{name}")],
                "PolicyDocument": document
            }
        }),
        "sns" => serde_json::json!({
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {"Topics": [arn], "PolicyDocument": document}
        }),
        other => {
            return Err(format!(
                "a resource policy on `{other}` is not compared; expected an s3, sqs or sns ARN"
            ))
        }
    };
    Ok(resource)
}
