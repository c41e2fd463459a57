//! The permissions stage over the repository's example apps: the hardened ones stay clean at
//! medium and above, the seeded ones raise the permission problems they were seeded with.

mod support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate_core::{walk, Config, Finding, ScanContext, Severity, WalkOptions};

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn scan(dir: &Path) -> Vec<Finding> {
    let inventory = walk(dir, &WalkOptions::default());
    let ctx = ScanContext::new(
        dir.to_path_buf(),
        inventory.files,
        Arc::new(Config::default()),
        time::macros::date!(2026 - 06 - 01),
    );
    support::run(&ctx)
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{} {}\n",
                f.rule,
                f.severity,
                f.location.path,
                f.location.start_line().unwrap_or(0),
                f.message
            )
        })
        .collect()
}

#[test]
fn hardened_examples_are_clean_at_medium_and_above() {
    for name in [
        "sam-orders-hardened",
        "serverless-payments-hardened",
        "terraform-ledger-hardened",
    ] {
        let findings = scan(&examples().join(name));
        let serious: Vec<Finding> = findings
            .into_iter()
            .filter(|f| f.severity >= Severity::Medium)
            .collect();
        assert!(serious.is_empty(), "{name}:\n{}", show(&serious));
    }
}

#[test]
fn seeded_examples_raise_their_permission_problems() {
    let cases = [
        ("sam-orders", "TG2003", "`s3:*`"),
        ("serverless-payments", "TG2003", "`dynamodb:*`"),
        ("terraform-ledger", "TG2001", "full administrator"),
    ];
    for (name, code, words) in cases {
        let findings = scan(&examples().join(name));
        assert!(
            findings
                .iter()
                .any(|f| f.rule == code && f.message.contains(words)),
            "{name} should raise {code}:\n{}",
            show(&findings)
        );
    }
}
