//! TG1114: a Terraform API Gateway deployment replaced by destroying it first.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct ApiDeploymentWithoutCreateBeforeDestroy;

impl IacRule for ApiDeploymentWithoutCreateBeforeDestroy {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1114",
            "api-deployment-without-create-before-destroy",
            Severity::Low,
            "API Gateway deployment is destroyed before its replacement exists",
            "apigateway",
        )
        .tags(["availability"])
        .equivalents(["CKV_AWS_217"])
        .description(
            "Terraform replaces an `aws_api_gateway_deployment` whenever its `triggers` or \
             description change, and by default deletes the old deployment first. A stage \
             still serves it, so API Gateway refuses (\"Active stages pointing to this \
             deployment must be moved or deleted\") and the apply stops half way, leaving the \
             API on its old version; removing the stage to get past it takes the API down. \
             `lifecycle { create_before_destroy = true }` creates the new deployment, moves \
             the stage, then deletes the old one. CloudFormation, SAM and the Serverless \
             Framework create a new deployment resource for each change, so the rule applies \
             to Terraform configurations; plan JSON does not record lifecycle settings, so \
             there the setting is unknown.",
        )
        .remediation(
            Fix {
                summary: "Create the new deployment before the old one is destroyed.",
                cloudformation: "# CloudFormation creates a new deployment for each change; nothing to do.",
                serverless: None,
                terraform: "resource \"aws_api_gateway_deployment\" \"api\" {\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  triggers = {\n    redeployment = sha1(jsonencode(aws_api_gateway_rest_api.api.body))\n  }\n  lifecycle {\n    create_before_destroy = true\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.api_deployments {
            let name = &d.meta.address;
            out.expect(
                &d.meta,
                &d.create_before_destroy,
                |on| *on,
                format!(
                    "API Gateway deployment `{name}` is destroyed before its replacement is \
                     created; while a stage serves it, replacing it fails the apply."
                ),
                |_| {
                    format!(
                        "API Gateway deployment `{name}` turns create_before_destroy off; \
                         while a stage serves it, replacing it fails the apply."
                    )
                },
            );
        }
    }
}
