//! TG1701: a state machine without execution logging.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct StepfunctionsWithoutLogging;

impl IacRule for StepfunctionsWithoutLogging {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1701",
                "stepfunctions-without-logging",
                Severity::Low,
                "Step Functions state machine does not log executions",
                "stepfunctions",
            )
        .tags(["logging"])
        .description(
            "Without a `LoggingConfiguration` (level `ALL`, `ERROR` or `FATAL` and a log group \
             destination), failed or abused workflow executions leave no record in CloudWatch \
             Logs; Express workflows keep no execution history at all. Including execution data \
             (`IncludeExecutionData`) is not required: it writes every state's input and output, \
             personal data included, to the logs. Checkov's CKV_AWS_285 requires it, so it is \
             not listed as an equivalent.",
        )
        .remediation(
            Fix {
                summary: "Log executions to a CloudWatch log group.",
                cloudformation: "OrderFlow:\n  Type: AWS::Serverless::StateMachine\n  Properties:\n    Logging:\n      Level: ERROR\n      IncludeExecutionData: false\n      Destinations:\n        - CloudWatchLogsLogGroup:\n            LogGroupArn: !GetAtt OrderFlowLogs.Arn",
                serverless: None,
                terraform: "resource \"aws_sfn_state_machine\" \"order_flow\" {\n  # ...\n  logging_configuration {\n    log_destination        = \"${aws_cloudwatch_log_group.order_flow.arn}:*\"\n    include_execution_data = false\n    level                  = \"ERROR\"\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for m in &model.state_machines {
            let name = &m.meta.address;
            out.expect(
                &m.meta,
                &m.log_level,
                |level| !level.eq_ignore_ascii_case("OFF"),
                format!("State machine `{name}` does not log executions."),
                |_| format!("State machine `{name}` has execution logging turned off."),
            );
        }
    }
}
