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

#[test]
fn explain_path_shows_what_the_denies_leave_and_names_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("template.yaml"),
        r#"AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AdminRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: lambda.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: admin
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
              - Sid: DenyIam
                Effect: Deny
                Action: iam:*
                Resource: "*"
"#,
    )
    .expect("template written");
    let out = Command::new(tollgate_bin())
        .args(["explain", "TG2001", "--path"])
        .arg(dir.path())
        .output()
        .expect("tollgate runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("template.yaml:18:17: inline policy `admin` of role `AdminRole`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  after the identity's denies: "),
        "{stdout}"
    );
    assert!(
        stdout.contains("  denied by statement `DenyIam` (template.yaml:21): `iam:"),
        "{stdout}"
    );
}
