//! TG1102: a stage without access logging leaves no record of who called the API.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct ApiStageWithoutAccessLogging;

impl IacRule for ApiStageWithoutAccessLogging {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1102",
                "api-stage-without-access-logging",
                Severity::Medium,
                "API Gateway stage has no access logging",
                "apigateway",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_76", "CKV_AWS_95"])
        .description(
            "Access logs record each request's caller, source IP, route, status and latency. \
             Without `AccessLogSetting` (REST) or `AccessLogSettings` (HTTP) on the stage, abuse \
             of the API, credential stuffing or data exfiltration through it cannot be \
             investigated afterwards.",
        )
        .remediation(
            Fix {
                summary: "Send access logs to a CloudWatch log group (or Firehose) with a JSON format.",
                cloudformation: "Api:\n  Type: AWS::Serverless::Api\n  Properties:\n    StageName: prod\n    AccessLogSetting:\n      DestinationArn: !GetAtt ApiAccessLogs.Arn\n      Format: '{\"requestId\":\"$context.requestId\",\"ip\":\"$context.identity.sourceIp\",\"status\":\"$context.status\"}'",
                serverless: Some("provider:\n  logs:\n    restApi: true\n    httpApi: true"),
                terraform: "resource \"aws_api_gateway_stage\" \"prod\" {\n  # ...\n  access_log_settings {\n    destination_arn = aws_cloudwatch_log_group.api_access.arn\n    format          = jsonencode({ requestId = \"$context.requestId\" })\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for stage in &model.api_stages {
            out.evaluated(&stage.meta);
            if stage.access_log_destination.is_absent() {
                out.missing(
                    &stage.meta,
                    format!("API stage `{}` has no access logging.", stage.meta.address),
                );
            }
        }
    }
}
