//! TG1403: SQS queue policy allows any principal.

use tollgate_core::{Rule, Severity};

use super::policy_checks::{report_open_policies, NARROW_THE_PRINCIPAL};
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct SqsPolicyOpen;

impl IacRule for SqsPolicyOpen {
    fn meta(&self) -> Rule {
        iac_rule("TG1403", "sqs-policy-wildcard-principal", Severity::High, "SQS queue policy allows any principal", "sqs")
        .tags(["iam"])
        .equivalents(["CKV_AWS_168", "CKV_AWS_387"])
        .description(
            "An `Allow` statement with a wildcard principal and no condition restricting who (`aws:SourceArn`, `aws:SourceAccount`, `aws:PrincipalOrgID`...; one on `aws:SecureTransport` does not) in a queue policy lets any AWS account send, receive or delete messages, depending on the actions: injected messages reach your consumers and real ones can be read or dropped.\n\nCheckov's CKV_AWS_387 asks the same question with two differences: it accepts a statement with any condition at all (tollgate does not count a condition that does not restrict who, such as `aws:SecureTransport`), and it looks only at statements whose actions name `sqs:` or `*`.",
        )
        .remediation(
            Fix {
                summary: NARROW_THE_PRINCIPAL,
                cloudformation: "OrdersQueuePolicy:\n  Type: AWS::SQS::QueuePolicy\n  Properties:\n    Queues: [!Ref OrdersQueue]\n    PolicyDocument:\n      Statement:\n        - Effect: Allow\n          Principal:\n            Service: sns.amazonaws.com\n          Action: sqs:SendMessage\n          Resource: !GetAtt OrdersQueue.Arn\n          Condition:\n            ArnEquals:\n              aws:SourceArn: !Ref OrdersTopic",
                serverless: None,
                terraform: "data \"aws_iam_policy_document\" \"access\" {\n  statement {\n    effect    = \"Allow\"\n    actions   = [\"sqs:SendMessage\"]\n    resources = [aws_sqs_queue.orders.arn]\n    principals {\n      type        = \"Service\"\n      identifiers = [\"sns.amazonaws.com\"]\n    }\n    condition {\n      test     = \"ArnEquals\"\n      variable = \"aws:SourceArn\"\n      values   = [aws_sns_topic.orders.arn]\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        report_open_policies(
            out,
            &model.queue_policies,
            model.queues.iter().map(|r| &r.meta),
            "SQS queue policy",
        );
    }
}
