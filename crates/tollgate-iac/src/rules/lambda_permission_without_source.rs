//! TG1011: a service principal allowed to invoke a function without `SourceArn` or
//! `SourceAccount` lets *any* account's resource of that service invoke it (confused deputy).

use tollgate_core::{Rule, Severity};

use super::lambda_permission_public::grants_invoke;
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, PrincipalClass};

pub struct LambdaPermissionWithoutSource;

impl IacRule for LambdaPermissionWithoutSource {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1011",
                "lambda-permission-without-source",
                Severity::Medium,
                "Lambda permission for a service principal has no SourceArn or SourceAccount",
                "lambda",
            )
        .tags(["iam"])
        .equivalents(["CKV_AWS_364"])
        .description(
            "When a permission names a service principal such as `s3.amazonaws.com` or \
             `sns.amazonaws.com` without `SourceArn` or `SourceAccount`, any bucket or topic of \
             that service — in any AWS account — can be configured to invoke the function (the \
             confused-deputy problem).",
        )
        .remediation(
            Fix {
                summary: "Add `SourceArn` (the resource allowed to invoke) and, for S3, `SourceAccount`.",
                cloudformation: "UploadPermission:\n  Type: AWS::Lambda::Permission\n  Properties:\n    FunctionName: !Ref ResizeFunction\n    Action: lambda:InvokeFunction\n    Principal: s3.amazonaws.com\n    SourceArn: !GetAtt UploadsBucket.Arn\n    SourceAccount: !Ref AWS::AccountId",
                serverless: None,
                terraform: "resource \"aws_lambda_permission\" \"uploads\" {\n  action         = \"lambda:InvokeFunction\"\n  function_name  = aws_lambda_function.resize.function_name\n  principal      = \"s3.amazonaws.com\"\n  source_arn     = aws_s3_bucket.uploads.arn\n  source_account = data.aws_caller_identity.current.account_id\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for p in &model.lambda_permissions {
            let Some(principal) = p.principal.as_str() else {
                out.unknown(&p.meta);
                continue;
            };
            let service = matches!(p.principal_class(), PrincipalClass::Service(_));
            if !service {
                // Source conditions are about AWS services calling on someone's behalf.
                out.not_applicable(&p.meta);
                continue;
            }
            out.evaluated(&p.meta);
            if service
                && grants_invoke(p)
                && p.source_arn.is_absent()
                && p.source_account.is_absent()
            {
                out.missing(
                    &p.meta,
                    format!(
                        "Permission `{}` lets `{}` invoke the function from any account: set \
                         SourceArn or SourceAccount.",
                        p.meta.address,
                        principal.trim()
                    ),
                );
            }
        }
    }
}
