//! TG1006: environment variables encrypted only with the AWS-managed `aws/lambda` key can be
//! read by every principal allowed to read the function's configuration.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct LambdaEnvironmentWithoutCmk;

impl IacRule for LambdaEnvironmentWithoutCmk {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1006",
                "lambda-environment-without-cmk",
                Severity::Low,
                "Lambda environment variables are not encrypted with a customer-managed KMS key",
                "lambda",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_173"])
        .description(
            "Lambda encrypts environment variables at rest with the AWS-managed `aws/lambda` key \
             unless `KmsKeyArn` names a customer-managed key. With the AWS-managed key, anyone who \
             may call `GetFunctionConfiguration` sees the values decrypted; a customer-managed key \
             adds a key policy you control and CloudTrail records of every decryption. Only \
             functions that have environment variables are checked.",
        )
        .remediation(
            Fix {
                summary: "Set the function's KMS key to a customer-managed key.",
                cloudformation: "ChargeFunction:\n  Type: AWS::Serverless::Function\n  Properties:\n    KmsKeyArn: !GetAtt FunctionsKey.Arn",
                serverless: Some("provider:\n  kmsKeyArn: arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
                terraform: "resource \"aws_lambda_function\" \"charge\" {\n  # ...\n  kms_key_arn = aws_kms_key.functions.arn\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for f in &model.lambdas {
            if f.environment.is_empty() {
                // Variables that cannot be resolved (a variable map from a module input, a
                // `dynamic` block over an unknown collection) may well be none at all: the
                // rule cannot say the function has any, so it reports nothing.
                match f.environment_unknown {
                    Some(_) => out.unknown(&f.meta),
                    None => out.not_applicable(&f.meta),
                }
                continue;
            }
            let name = &f.meta.address;
            out.expect(
                &f.meta,
                &f.kms_key,
                |key| key.is_customer_managed_key(),
                format!(
                    "Lambda function `{name}` has environment variables encrypted only with the \
                     AWS-managed key."
                ),
                |key| format!("Lambda function `{name}` encrypts its environment with the AWS-managed key `{key}`."),
            );
        }
    }
}
