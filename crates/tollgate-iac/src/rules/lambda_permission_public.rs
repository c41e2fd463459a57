//! TG1010: a resource-based permission that lets principal `*` invoke the function.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{action_matches, CloudModel, LambdaPermission, PrincipalClass};

pub struct LambdaPermissionPublic;

/// Whether the permission's action lets the principal invoke the function (directly or
/// through a URL). An unknown action counts as "cannot say".
pub(crate) fn grants_invoke(p: &LambdaPermission) -> bool {
    p.action.as_str().is_some_and(|a| {
        action_matches(a, "lambda:InvokeFunction") || action_matches(a, "lambda:InvokeFunctionUrl")
    })
}

impl IacRule for LambdaPermissionPublic {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1010",
                "lambda-permission-public",
                Severity::High,
                "Lambda permission lets any principal invoke the function",
                "lambda",
            )
        .tags(["iam"])
        .equivalents(["CKV_AWS_301"])
        .description(
            "An `AWS::Lambda::Permission` / `aws_lambda_permission` with `Principal: \"*\"` lets \
             every AWS account (and, for function URLs with auth NONE, everyone) invoke the \
             function. A permission restricted with `PrincipalOrgID` is not reported.",
        )
        .remediation(
            Fix {
                summary: "Name the account or service principal that needs to invoke the function, and restrict it with `SourceArn` / `SourceAccount`.",
                cloudformation: "InvokePermission:\n  Type: AWS::Lambda::Permission\n  Properties:\n    FunctionName: !Ref ChargeFunction\n    Action: lambda:InvokeFunction\n    Principal: events.amazonaws.com\n    SourceArn: !GetAtt NightlyRule.Arn",
                serverless: None,
                terraform: "resource \"aws_lambda_permission\" \"events\" {\n  action        = \"lambda:InvokeFunction\"\n  function_name = aws_lambda_function.charge.function_name\n  principal     = \"events.amazonaws.com\"\n  source_arn    = aws_cloudwatch_event_rule.nightly.arn\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for p in &model.lambda_permissions {
            out.evaluated(&p.meta);
            if p.principal.is_unknown() {
                out.unknown(&p.meta);
            }
            // The same classifier as the resource-policy rules: `*` and `arn:aws:iam::*:root`.
            let public = p.principal_class() == PrincipalClass::Public;
            let url_with_iam = p.function_url_auth_type.eq_ignore_case("AWS_IAM");
            if public && grants_invoke(p) && p.principal_org_id.is_absent() && !url_with_iam {
                out.on(
                    &p.meta,
                    &p.principal,
                    "*",
                    format!(
                        "Permission `{}` lets any principal invoke the function.",
                        p.meta.address
                    ),
                );
            }
        }
    }
}
