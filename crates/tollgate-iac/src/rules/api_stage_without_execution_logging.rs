//! TG1112: a REST API stage that writes no execution logs or no CloudWatch metrics.

use tollgate_core::{Rule, Severity};

use super::api_stage_without_xray::for_rest_stages;
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, MethodSetting};

pub struct ApiStageWithoutExecutionLogging;

/// Execution logging at a level that records failures: `ERROR`, or `INFO` (everything).
fn logs_errors(setting: &MethodSetting) -> bool {
    setting.logging_level.eq_ignore_case("ERROR") || setting.logging_level.eq_ignore_case("INFO")
}

impl IacRule for ApiStageWithoutExecutionLogging {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1112",
                "api-stage-without-execution-logging",
                Severity::Low,
                "API Gateway REST stage does not write execution logs and metrics",
                "apigateway",
            )
        .tags(["logging"])
        .equivalents(["CKV2_AWS_4"])
        .description(
            "Execution logs (`LoggingLevel` `ERROR` or `INFO` in the stage's method settings) \
             record why API Gateway rejected or failed a request: authorizer denials, \
             throttling, integration errors. Detailed CloudWatch metrics (`MetricsEnabled`) \
             count them per method, which is what alarms on abuse are built on. Access logs \
             (TG1102) say who called; these say what went wrong. The rule passes a REST stage \
             when one of its method settings has both; `DataTraceEnabled` is not needed (and is \
             reported by TG1106). HTTP APIs have no execution logs and are not judged.",
        )
        .remediation(
            Fix {
                summary: "Turn on execution logging at `ERROR` (or `INFO`) and detailed metrics for all methods.",
                cloudformation: "Api:\n  Type: AWS::Serverless::Api\n  Properties:\n    StageName: prod\n    MethodSettings:\n      - ResourcePath: /*\n        HttpMethod: '*'\n        LoggingLevel: ERROR\n        MetricsEnabled: true",
                serverless: Some("provider:\n  logs:\n    restApi:\n      level: ERROR\n      fullExecutionData: false\n  apiGateway:\n    metrics: true"),
                terraform: "resource \"aws_api_gateway_method_settings\" \"all\" {\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  stage_name  = aws_api_gateway_stage.prod.stage_name\n  method_path = \"*/*\"\n  settings {\n    logging_level   = \"ERROR\"\n    metrics_enabled = true\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for_rest_stages(model, out, |stage, out| {
            out.evaluated(&stage.meta);
            let settings = &stage.method_settings;
            if settings
                .iter()
                .any(|s| logs_errors(s) && s.metrics_enabled.is_true())
            {
                return;
            }
            if stage.method_settings_unknown.is_some()
                || settings
                    .iter()
                    .any(|s| s.logging_level.is_unknown() || s.metrics_enabled.is_unknown())
            {
                out.unknown(&stage.meta);
                return;
            }
            let name = &stage.meta.address;
            match settings.first() {
                None => out.missing(
                    &stage.meta,
                    format!("API stage `{name}` has no method settings, so it writes no execution logs and no detailed metrics."),
                ),
                Some(s) if !logs_errors(s) => out.at(
                    &stage.meta,
                    s.logging_level.span().unwrap_or(s.span),
                    &format!("LoggingLevel {}", s.logging_level.as_str().unwrap_or("absent")),
                    format!("API stage `{name}` does not write execution logs (logging level `ERROR` or `INFO`)."),
                ),
                Some(s) => out.at(
                    &stage.meta,
                    s.metrics_enabled.span().unwrap_or(s.span),
                    "MetricsEnabled",
                    format!("API stage `{name}` writes execution logs but no detailed CloudWatch metrics."),
                ),
            }
        });
    }
}
