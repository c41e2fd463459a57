//! TG1002: a Lambda function without active X-Ray tracing cannot be followed across services.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct LambdaWithoutTracing;

impl IacRule for LambdaWithoutTracing {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1002",
                "lambda-tracing-disabled",
                Severity::Low,
                "Lambda function does not have active X-Ray tracing",
                "lambda",
            )
        .description(
            "Without active AWS X-Ray tracing (`TracingConfig.Mode: Active`), requests through the \
             function are not traced, so investigating an incident or an abuse pattern across API \
             Gateway, Lambda and downstream services has no end-to-end record. `PassThrough` only \
             traces when an upstream service already started a trace, so it is reported too. \
             Checkov's CKV_AWS_50 (Terraform only) fails a function without `tracing_config` \
             and accepts `PassThrough`: a finding about tracing left unset answers it, one \
             about `PassThrough` does not.",
        )
        .equivalents(["CKV_AWS_50"])
        .remediation(
            Fix {
                summary: "Turn on active tracing for the function (or for all functions via Globals / provider).",
                cloudformation: "Globals:\n  Function:\n    Tracing: Active\n# or, in AWS::Lambda::Function:\n#   TracingConfig:\n#     Mode: Active",
                serverless: Some("provider:\n  name: aws\n  tracing:\n    lambda: true"),
                terraform: "resource \"aws_lambda_function\" \"charge\" {\n  # ...\n  tracing_config {\n    mode = \"Active\"\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for f in &model.lambdas {
            let name = &f.meta.address;
            out.expect(
                &f.meta,
                &f.tracing,
                |mode| mode.eq_ignore_ascii_case("Active"),
                format!("Lambda function `{name}` does not enable X-Ray tracing."),
                |mode| format!("Lambda function `{name}` has tracing mode `{mode}`; use `Active`."),
            );
            // `PassThrough` written out is tracing Checkov's CKV_AWS_50 accepts.
            if f.tracing
                .as_str()
                .is_some_and(|mode| !mode.eq_ignore_ascii_case("Active"))
            {
                out.answers(&[]);
            }
        }
    }
}
