//! The model's normalized fields reach `input.resource.model` for resources whose question is
//! only in the model: a secret's rotation schedule, and a Terraform attachment of a policy to a
//! user that neither the policy nor the user of the scan holds.

mod common;

use tollgate_core::Config;

const CONFIGURATION: &str = r#"
resource "aws_secretsmanager_secret" "db" {
  name = "db"
}

resource "aws_secretsmanager_secret_rotation" "db" {
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate"
  rotation_rules {
    automatically_after_days = 120
  }
}

resource "aws_iam_user_policy_attachment" "legacy_admin" {
  user       = "legacy-admin"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"#;

#[test]
fn rotation_schedules_and_attachments_to_undeclared_users_have_a_model() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), CONFIGURATION).unwrap();
    let ctx = common::context(dir.path(), Config::default());
    let inputs = tollgate_policy::inputs(&ctx);
    let model_of = |address: &str| {
        let resource = inputs
            .resources
            .iter()
            .find(|r| r.doc.address == address)
            .unwrap_or_else(|| panic!("no document for {address}"));
        serde_json::to_value(&resource.doc).unwrap()["model"].clone()
    };

    let rotation = model_of("aws_secretsmanager_secret_rotation.db");
    assert_eq!(rotation["kind"], "secret-rotation");
    assert_eq!(rotation["after_days"], 120);
    assert_eq!(
        rotation["secret"]["resource"],
        "aws_secretsmanager_secret.db"
    );

    let attachment = model_of("aws_iam_user_policy_attachment.legacy_admin");
    assert_eq!(attachment["kind"], "iam-user-policy-attachment");
    assert_eq!(attachment["user"], "legacy-admin");
    assert_eq!(
        attachment["policy_arn"],
        "arn:aws:iam::aws:policy/AdministratorAccess"
    );
}
