//! TG1009: a function URL with `AuthType: NONE` lets anyone on the internet invoke the function.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct LambdaUrlWithoutAuth;

impl IacRule for LambdaUrlWithoutAuth {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1009",
                "lambda-url-without-auth",
                Severity::High,
                "Lambda function URL does not require authentication",
                "lambda",
            )
        .equivalents(["CKV_AWS_258"])
        .description(
            "A function URL with `AuthType: NONE` is a public HTTPS endpoint: anyone who finds the \
             URL can invoke the function, at your cost, with any payload. Unless the function \
             authenticates every request itself (and is meant to be public, like a webhook with \
             signature checks), require IAM authentication.",
        )
        .remediation(
            Fix {
                summary: "Use `AWS_IAM` authentication, or put the function behind API Gateway with an authorizer.",
                cloudformation: "ChargeFunction:\n  Type: AWS::Serverless::Function\n  Properties:\n    FunctionUrlConfig:\n      AuthType: AWS_IAM",
                serverless: Some("functions:\n  charge:\n    handler: charge.handler\n    url:\n      authorizer: aws_iam"),
                terraform: "resource \"aws_lambda_function_url\" \"charge\" {\n  function_name      = aws_lambda_function.charge.function_name\n  authorization_type = \"AWS_IAM\"\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for url in &model.function_urls {
            out.evaluated(&url.meta);
            if url.auth_type.is_unknown() {
                out.unknown(&url.meta);
            }
            if url.auth_type.eq_ignore_case("NONE") {
                // Name the function by its address, not by the attribute that referenced it.
                let function = match url.function.get() {
                    Some(r) => r.address().map_or_else(|| r.to_string(), str::to_string),
                    None => url.meta.address.clone(),
                };
                out.on(
                    &url.meta,
                    &url.auth_type,
                    "NONE",
                    format!("The function URL of `{function}` has auth type NONE: anyone can invoke it."),
                );
            }
        }
    }
}
