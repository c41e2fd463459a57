//! TG1404: SNS topic policy allows any principal.

use tollgate_core::{Rule, Severity};

use super::policy_checks::{report_open_policies, NARROW_THE_PRINCIPAL};
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct SnsPolicyOpen;

impl IacRule for SnsPolicyOpen {
    fn meta(&self) -> Rule {
        iac_rule("TG1404", "sns-policy-wildcard-principal", Severity::High, "SNS topic policy allows any principal", "sns")
        .tags(["iam"])
        .equivalents(["CKV_AWS_169"])
        .description(
            "An `Allow` statement with a wildcard principal and no condition restricting who (`aws:SourceArn`, `aws:SourceAccount`, `aws:PrincipalOrgID`...; one on `aws:SecureTransport` does not) in a topic policy lets any AWS account publish to the topic or subscribe to it: forged notifications reach every subscriber, or the topic's messages leak to a stranger's endpoint.",
        )
        .remediation(
            Fix {
                summary: NARROW_THE_PRINCIPAL,
                cloudformation: "OrdersTopicPolicy:\n  Type: AWS::SNS::TopicPolicy\n  Properties:\n    Topics: [!Ref OrdersTopic]\n    PolicyDocument:\n      Statement:\n        - Effect: Allow\n          Principal:\n            Service: events.amazonaws.com\n          Action: sns:Publish\n          Resource: !Ref OrdersTopic\n          Condition:\n            StringEquals:\n              aws:SourceAccount: !Ref AWS::AccountId",
                serverless: None,
                terraform: "data \"aws_iam_policy_document\" \"access\" {\n  statement {\n    effect    = \"Allow\"\n    actions   = [\"sns:Publish\"]\n    resources = [aws_sns_topic.orders.arn]\n    principals {\n      type        = \"Service\"\n      identifiers = [\"events.amazonaws.com\"]\n    }\n    condition {\n      test     = \"StringEquals\"\n      variable = \"aws:SourceAccount\"\n      values   = [data.aws_caller_identity.current.account_id]\n    }\n  }\n}",
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
            &model.topic_policies,
            model.topics.iter().map(|r| &r.meta),
            "SNS topic policy",
        );
    }
}
