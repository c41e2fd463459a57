//! `tollgate explain TG2xxx --path DIR` shows what the policies under DIR grant.

use assert_cmd::Command;
use tollgate_e2e::{tollgate_bin, workspace_root};

#[test]
fn explain_expands_the_scanned_policies_for_a_permissions_rule() {
    let example = workspace_root().join("examples/terraform-ledger");
    let out = Command::new(tollgate_bin())
        .args(["explain", "TG2002", "--path"])
        .arg(&example)
        .output()
        .expect("tollgate runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("TG2002 iam-wildcard-action"), "{stdout}");
    assert!(
        stdout.contains("main.tf:42:5: inline policy of role `aws_iam_role.ledger`"),
        "{stdout}"
    );
    assert!(stdout.contains("Permissions management ("), "{stdout}");
}

#[test]
fn explain_path_is_refused_for_rules_that_read_no_policy() {
    let example = workspace_root().join("examples/terraform-ledger");
    let out = Command::new(tollgate_bin())
        .args(["explain", "TG1001", "--path"])
        .arg(&example)
        .output()
        .expect("tollgate runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("permissions rule"));
}
