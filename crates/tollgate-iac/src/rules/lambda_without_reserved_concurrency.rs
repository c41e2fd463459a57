//! TG1003: without reserved concurrency one function can starve the account's concurrency
//! pool, or be driven to unbounded cost by a flood of requests.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct LambdaWithoutReservedConcurrency;

impl IacRule for LambdaWithoutReservedConcurrency {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1003",
                "lambda-without-reserved-concurrency",
                Severity::Low,
                "Lambda function has no reserved concurrency limit",
                "lambda",
            )
        .equivalents(["CKV_AWS_115"])
        .description(
            "All functions of an account and region share one concurrency pool. A function without \
             `ReservedConcurrentExecutions` can scale until it exhausts the pool, throttling every \
             other function (a denial of service from one noisy or attacked endpoint), and its cost \
             has no ceiling.",
        )
        .remediation(
            Fix {
                summary: "Reserve a concurrency limit sized for the function's expected peak.",
                cloudformation: "ChargeFunction:\n  Type: AWS::Serverless::Function\n  Properties:\n    ReservedConcurrentExecutions: 50",
                serverless: Some("functions:\n  charge:\n    handler: charge.handler\n    reservedConcurrency: 50"),
                terraform: "resource \"aws_lambda_function\" \"charge\" {\n  # ...\n  reserved_concurrent_executions = 50\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for f in &model.lambdas {
            out.evaluated(&f.meta);
            if f.reserved_concurrency.is_absent() {
                out.missing(
                    &f.meta,
                    format!(
                        "Lambda function `{}` has no reserved concurrency; it can exhaust the \
                         account's concurrency pool.",
                        f.meta.address
                    ),
                );
            }
        }
    }
}
