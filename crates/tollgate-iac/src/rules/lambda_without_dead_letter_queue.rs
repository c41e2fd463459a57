//! TG1001: a Lambda function with neither a dead-letter queue nor an on-failure destination
//! silently drops asynchronous events that keep failing.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct LambdaWithoutDeadLetterQueue;

impl IacRule for LambdaWithoutDeadLetterQueue {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1001",
                "lambda-without-dead-letter-queue",
                Severity::Low,
                "Lambda function has no dead-letter queue or on-failure destination",
                "lambda",
            )
        .equivalents(["CKV_AWS_116"])
        .description(
            "Lambda retries a failing asynchronous invocation twice and then discards the event. \
             Without a dead-letter queue (`DeadLetterConfig`) or an on-failure destination \
             (`EventInvokeConfig` / `destinations.onFailure`), the event and the evidence of the \
             failure are lost: orders, payments or audit records vanish without a trace.",
        )
        .remediation(
            Fix {
                summary: "Send failed asynchronous events to an SQS queue or SNS topic you monitor.",
                cloudformation: "ChargeFunction:\n  Type: AWS::Serverless::Function\n  Properties:\n    DeadLetterQueue:\n      Type: SQS\n      TargetArn: !GetAtt ChargeDLQ.Arn",
                serverless: Some("functions:\n  charge:\n    handler: charge.handler\n    destinations:\n      onFailure: arn:aws:sqs:eu-west-1:123456789012:charge-dlq"),
                terraform: "resource \"aws_lambda_function\" \"charge\" {\n  # ...\n  dead_letter_config {\n    target_arn = aws_sqs_queue.charge_dlq.arn\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for f in &model.lambdas {
            out.evaluated(&f.meta);
            if f.dead_letter.is_absent() && f.on_failure.is_absent() {
                out.missing(
                    &f.meta,
                    format!(
                        "Lambda function `{}` has no dead-letter queue or on-failure destination; \
                         events that keep failing are dropped.",
                        f.meta.address
                    ),
                );
            }
        }
    }
}
