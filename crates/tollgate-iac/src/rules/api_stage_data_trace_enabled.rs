//! TG1106: data trace logging writes full request and response bodies to CloudWatch.

use tollgate_core::{Rule, Severity};

use super::api_cache_not_encrypted::setting_key;
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct ApiStageDataTraceEnabled;

impl IacRule for ApiStageDataTraceEnabled {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1106",
                "api-stage-data-trace-enabled",
                Severity::Medium,
                "API Gateway stage logs full request and response data",
                "apigateway",
            )
        .tags(["privacy"])
        .equivalents(["CKV_AWS_276"])
        .description(
            "`DataTraceEnabled` makes API Gateway log whole request and response payloads, \
             including authorization headers, tokens and personal data, to CloudWatch Logs where \
             everyone with log read access sees them. AWS recommends it only for short debugging \
             sessions, never in production.",
        )
        .remediation(
            Fix {
                summary: "Turn data trace off; keep execution logging at `ERROR` or `INFO` and use access logs for auditing.",
                cloudformation: "ProdStage:\n  Type: AWS::ApiGateway::Stage\n  Properties:\n    MethodSettings:\n      - ResourcePath: /*\n        HttpMethod: '*'\n        LoggingLevel: ERROR\n        DataTraceEnabled: false",
                serverless: None,
                terraform: "resource \"aws_api_gateway_method_settings\" \"all\" {\n  # ...\n  settings {\n    logging_level      = \"ERROR\"\n    data_trace_enabled = false\n  }\n}",
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
            for setting in &stage.method_settings {
                if setting.data_trace_enabled.is_true() {
                    out.on(
                        &stage.meta,
                        &setting.data_trace_enabled,
                        &format!("DataTraceEnabled {}", setting_key(setting)),
                        format!(
                            "API stage `{}` logs full request and response data (data trace).",
                            stage.meta.address
                        ),
                    );
                }
            }
        }
    }
}
