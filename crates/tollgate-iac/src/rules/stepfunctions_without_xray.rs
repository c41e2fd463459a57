//! TG1702: a state machine without X-Ray tracing.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct StepfunctionsWithoutXray;

impl IacRule for StepfunctionsWithoutXray {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1702",
                "stepfunctions-without-xray",
                Severity::Low,
                "Step Functions state machine does not have X-Ray tracing",
                "stepfunctions",
            )
        .equivalents(["CKV_AWS_284"])
        .description(
            "With `TracingConfiguration.Enabled`, each execution is traced through the Lambda \
             functions and services it calls, which is how a slow or failing step — or an \
             unexpected call — is found in a distributed workflow.",
        )
        .remediation(
            Fix {
                summary: "Enable X-Ray tracing on the state machine.",
                cloudformation: "OrderFlow:\n  Type: AWS::Serverless::StateMachine\n  Properties:\n    Tracing:\n      Enabled: true",
                serverless: None,
                terraform: "resource \"aws_sfn_state_machine\" \"order_flow\" {\n  # ...\n  tracing_configuration {\n    enabled = true\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for m in &model.state_machines {
            out.expect_enabled(&m.meta, &m.tracing, "State machine", "X-Ray tracing");
        }
    }
}
