//! TG1005: a secret written as a plain environment variable value is readable by anyone who can
//! read the template, the repository, the CloudFormation stack or `GetFunctionConfiguration`.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;
use crate::secrets::{classify, redact};

pub struct LambdaPlaintextSecret;

impl IacRule for LambdaPlaintextSecret {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1005",
                "lambda-plaintext-secret-in-environment",
                Severity::High,
                "Lambda environment variable holds a plaintext secret",
                "lambda",
            )
        .tags(["secrets"])
        .equivalents(["CKV_AWS_45"])
        .description(
            "An environment variable whose name says it is a password, token or key, or whose \
             value has the shape of one (AWS access keys, PEM private keys, GitHub, Slack and \
             Stripe tokens, JWTs, long random strings), is written in the template in plain text. \
             It is then in the repository history, in the deployed stack and in every \
             `GetFunctionConfiguration` response. References (`{{resolve:...}}`, `${ssm:...}`, \
             ARNs) are not reported. The finding shows at most the first characters of the value.",
        )
        .remediation(
            Fix {
                summary: "Keep the secret in Secrets Manager or SSM SecureString, pass only its name or ARN, and read it at run time (rotate the exposed secret: it is in the git history).",
                cloudformation: "Environment:\n  Variables:\n    DB_SECRET_ARN: !Ref DatabaseSecret\n# the function reads the secret with secretsmanager:GetSecretValue",
                serverless: Some("functions:\n  charge:\n    environment:\n      STRIPE_KEY_PARAMETER_NAME: /charge/stripe-key"),
                terraform: "environment {\n  variables = {\n    DB_SECRET_ARN = aws_secretsmanager_secret.db.arn\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for f in &model.lambdas {
            out.evaluated(&f.meta);
            for var in &f.environment {
                let (Some(value), Some(span)) = (var.value.as_str(), var.value.span()) else {
                    continue;
                };
                if let Some(kind) = classify(&var.name, value) {
                    let shown = redact(value);
                    out.at(
                        &f.meta,
                        span,
                        &format!("{}={}", var.name, shown),
                        format!(
                            "Environment variable `{}` of Lambda function `{}` holds {} in plain \
                             text (`{}`).",
                            var.name, f.meta.address, kind, shown
                        ),
                    );
                }
            }
        }
    }
}
