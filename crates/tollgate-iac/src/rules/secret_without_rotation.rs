//! TG1504: a Secrets Manager secret that is never rotated.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Ref, Val};

pub struct SecretWithoutRotation;

impl IacRule for SecretWithoutRotation {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1504",
                "secret-without-rotation",
                Severity::Medium,
                "Secrets Manager secret has no rotation schedule",
                "secretsmanager",
            )
        .tags(["secrets"])
        .equivalents(["CKV2_AWS_57"])
        .description(
            "A secret that never rotates stays valid forever once leaked (logs, a laptop, a former \
             employee). The rule looks for an `AWS::SecretsManager::RotationSchedule` (or \
             `aws_secretsmanager_secret_rotation`) targeting the secret anywhere in the scan. When \
             some rotation schedule's target cannot be resolved, the secrets of its template or \
             configuration are not reported. \
             Checkov's CKV2_AWS_57 asks the same; its CKV_AWS_304 judges the rotation period \
             (at most 90 days) of a schedule, which TG1513 does.",
        )
        .remediation(
            Fix {
                summary: "Add a rotation schedule with a rotation function (AWS provides templates for RDS, Redshift, DocumentDB and generic secrets).",
                cloudformation: "DatabaseSecretRotation:\n  Type: AWS::SecretsManager::RotationSchedule\n  Properties:\n    SecretId: !Ref DatabaseSecret\n    RotationLambdaARN: !GetAtt RotationFunction.Arn\n    RotationRules:\n      AutomaticallyAfterDays: 30",
                serverless: None,
                terraform: "resource \"aws_secretsmanager_secret_rotation\" \"db\" {\n  secret_id           = aws_secretsmanager_secret.db.id\n  rotation_lambda_arn = aws_lambda_function.rotate.arn\n  rotation_rules {\n    automatically_after_days = 30\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        let rotated = |secret: &crate::model::ResourceMeta, name: Option<&str>| {
            model.rotation_schedules.iter().any(|r| match &r.secret {
                // A name or ARN is the account's: it names the secret wherever declared.
                Val::Known {
                    value: Ref::Literal(text),
                    ..
                } => name.is_some_and(|n| text == n || text.contains(&format!(":secret:{n}"))),
                // An address is unique only within its template or configuration.
                Val::Known { value, .. } => {
                    value.address() == Some(secret.address.as_str()) && r.meta.scope == secret.scope
                }
                _ => false,
            })
        };
        for s in &model.secrets {
            out.evaluated(&s.meta);
            // A schedule whose target is unknown may be this secret's, if it is written in
            // the same template or Terraform configuration; other stacks are not affected.
            let maybe_rotated = model
                .rotation_schedules
                .iter()
                .any(|r| r.secret.is_unknown() && r.meta.scope == s.meta.scope);
            if maybe_rotated && !rotated(&s.meta, s.name.as_str()) {
                out.unknown(&s.meta);
            }
            if !maybe_rotated && !rotated(&s.meta, s.name.as_str()) {
                out.missing(
                    &s.meta,
                    format!("Secret `{}` has no rotation schedule.", s.meta.address),
                );
            }
        }
    }
}
