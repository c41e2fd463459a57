//! TG1505: an SSM parameter of type `String` whose value looks like a secret.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;
use crate::secrets::{classify, redact};

pub struct SsmPlaintextSecret;

impl IacRule for SsmPlaintextSecret {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1505",
                "ssm-plaintext-secret",
                Severity::High,
                "SSM String parameter holds a secret in plain text",
                "ssm",
            )
        .tags(["secrets"])
        .equivalents(["CKV_AWS_384"])
        .description(
            "A `String` parameter is stored and returned unencrypted, and its value here is \
             written in the template, so it is also in the repository. When the parameter's \
             name or value looks like a password, token or key, it should be a `SecureString` \
             created outside the template (CloudFormation cannot create SecureString parameters) \
             or a Secrets Manager secret. The finding shows at most the first characters.\n\n\
             Checkov's CKV_AWS_384 (CloudFormation only) asks the same question more narrowly: \
             it fails a parameter only when its name contains `secret` or `api_key` and a \
             secret detector recognises the value; tollgate also reports passwords, tokens and \
             keys named otherwise (`/app/db/password`) and values that are secrets by their \
             shape alone, in every format. Checkov's CKV2_AWS_34 (every parameter must be a \
             `SecureString`) is not an equivalent: most parameters hold names, ARNs and \
             settings that need no encryption, so tollgate reports only the ones holding a \
             secret.",
        )
        .remediation(
            Fix {
                summary: "Remove the value from the template, store it as a SecureString (`aws ssm put-parameter --type SecureString`) or in Secrets Manager, rotate the exposed value, and reference it with a dynamic reference.",
                cloudformation: "# Password: '{{resolve:ssm-secure:/app/db/password}}'\nDatabaseSecret:\n  Type: AWS::SecretsManager::Secret\n  Properties:\n    GenerateSecretString:\n      PasswordLength: 32",
                serverless: None,
                terraform: "resource \"aws_ssm_parameter\" \"db_password\" {\n  name  = \"/app/db/password\"\n  type  = \"SecureString\"\n  value = random_password.db.result\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for p in &model.ssm_parameters {
            if p.param_type.is_unknown() {
                out.unknown(&p.meta);
                continue;
            }
            if !p.param_type.eq_ignore_case("String") {
                // SecureString and StringList parameters are another rule's concern.
                out.not_applicable(&p.meta);
                continue;
            }
            out.evaluated(&p.meta);
            let (Some(value), Some(span)) = (p.value.as_str(), p.value.span()) else {
                if p.value.is_unknown() {
                    out.unknown(&p.meta);
                }
                continue;
            };
            let name = p.name.as_str().unwrap_or(&p.meta.address);
            if let Some(kind) = classify(name, value) {
                let shown = redact(value);
                out.at(
                    &p.meta,
                    span,
                    &format!("{name}={shown}"),
                    format!(
                        "SSM parameter `{name}` is a plain String holding {kind} (`{shown}`); use \
                         a SecureString or Secrets Manager."
                    ),
                );
            }
        }
    }
}
