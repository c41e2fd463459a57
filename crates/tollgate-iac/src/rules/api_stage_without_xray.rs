//! TG1103: a REST API stage without X-Ray tracing.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{ApiProtocol, ApiStage, CloudModel};

pub struct ApiStageWithoutXray;

impl IacRule for ApiStageWithoutXray {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1103",
                "api-stage-without-xray",
                Severity::Low,
                "API Gateway REST stage does not have X-Ray tracing enabled",
                "apigateway",
            )
        .equivalents(["CKV_AWS_73"])
        .description(
            "With `TracingEnabled` on a REST API stage, every request gets an X-Ray trace that \
             follows it into Lambda and downstream services, which makes incidents and abuse \
             traceable end to end. HTTP APIs do not support X-Ray and are not checked.",
        )
        .remediation(
            Fix {
                summary: "Enable X-Ray tracing on the stage.",
                cloudformation: "Api:\n  Type: AWS::Serverless::Api\n  Properties:\n    StageName: prod\n    TracingEnabled: true",
                serverless: Some("provider:\n  tracing:\n    apiGateway: true"),
                terraform: "resource \"aws_api_gateway_stage\" \"prod\" {\n  # ...\n  xray_tracing_enabled = true\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        // Only REST API stages can trace with X-Ray.
        for_rest_stages(model, out, |stage, out| {
            out.expect_enabled(&stage.meta, &stage.tracing, "API stage", "X-Ray tracing");
        });
    }
}

/// Run `judge` on every REST API stage; other stages (HTTP, WebSocket) lack the REST-only
/// setting the rule is about, and are recorded as not applicable.
pub(crate) fn for_rest_stages(
    model: &CloudModel,
    out: &mut RuleSink<'_>,
    mut judge: impl FnMut(&ApiStage, &mut RuleSink<'_>),
) {
    for stage in &model.api_stages {
        if stage.protocol == ApiProtocol::Rest {
            judge(stage, out);
        } else {
            out.not_applicable(&stage.meta);
        }
    }
}
