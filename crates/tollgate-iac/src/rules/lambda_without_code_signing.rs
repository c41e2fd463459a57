//! TG1007: without a code signing configuration, anyone who can update the function's code can
//! deploy an unsigned package.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct LambdaWithoutCodeSigning;

impl IacRule for LambdaWithoutCodeSigning {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1007",
                "lambda-without-code-signing",
                Severity::Low,
                "Lambda function does not enforce code signing",
                "lambda",
            )
        .tags(["supply-chain"])
        .equivalents(["CKV_AWS_272"])
        .description(
            "A code signing configuration (`CodeSigningConfigArn`) makes Lambda reject deployment \
             packages not signed by a trusted AWS Signer profile. Without one, a leaked deploy \
             credential or a compromised pipeline step can ship arbitrary code. Container-image \
             functions are not checked (code signing applies to .zip packages).",
        )
        .remediation(
            Fix {
                summary: "Create an `AWS::Lambda::CodeSigningConfig` with your signing profile and reference it from the function.",
                cloudformation: "ChargeFunction:\n  Type: AWS::Serverless::Function\n  Properties:\n    CodeSigningConfigArn: !Ref SigningConfig",
                serverless: None,
                terraform: "resource \"aws_lambda_function\" \"charge\" {\n  # ...\n  code_signing_config_arn = aws_lambda_code_signing_config.main.arn\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for f in &model.lambdas {
            if f.package_type.eq_ignore_case("Image") {
                // Code signing applies to zip packages only.
                out.not_applicable(&f.meta);
                continue;
            }
            if f.package_type.is_unknown() {
                out.unknown(&f.meta);
                continue;
            }
            out.evaluated(&f.meta);
            if f.code_signing.is_absent() {
                out.missing(
                    &f.meta,
                    format!(
                        "Lambda function `{}` has no code signing configuration.",
                        f.meta.address
                    ),
                );
            }
        }
    }
}
