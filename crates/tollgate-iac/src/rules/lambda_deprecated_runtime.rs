//! TG1008: a runtime past its deprecation date gets no more security patches.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};
use crate::runtimes;

pub struct LambdaDeprecatedRuntime;

impl IacRule for LambdaDeprecatedRuntime {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1008",
                "lambda-deprecated-runtime",
                Severity::Medium,
                "Lambda function uses a deprecated runtime",
                "lambda",
            )
        .equivalents(["CKV_AWS_363"])
        .description(
            "AWS stops applying security patches to a Lambda runtime on its deprecation date, and \
             later blocks creating and then updating functions that use it. The rule judges \
             against the scan date with tollgate's dated table of AWS's published runtime \
             deprecation schedule (Node.js, Python, Java, .NET, Ruby, Go 1.x, OS-only runtimes).",
        )
        .remediation(
            Fix {
                summary: "Move the function to a supported runtime of the same language (the message names one) and test it.",
                cloudformation: "Globals:\n  Function:\n    Runtime: nodejs24.x",
                serverless: Some("provider:\n  name: aws\n  runtime: python3.13"),
                terraform: "resource \"aws_lambda_function\" \"charge\" {\n  # ...\n  runtime = \"nodejs24.x\"\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        let today = out.today();
        for f in &model.lambdas {
            let (Some(id), Some(span)) = (f.runtime.as_str(), f.runtime.span()) else {
                match f.runtime {
                    // Container images bring their own runtime.
                    Val::Absent => out.not_applicable(&f.meta),
                    _ => out.unknown(&f.meta),
                }
                continue;
            };
            out.evaluated(&f.meta);
            if let Some(rt) = runtimes::deprecated(id, today) {
                out.at(
                    &f.meta,
                    span,
                    id,
                    format!(
                        "Lambda function `{}` uses {} (`{}`), deprecated since {}; move to `{}`.",
                        f.meta.address, rt.name, rt.id, rt.deprecated_on, rt.successor
                    ),
                );
            }
        }
    }
}
