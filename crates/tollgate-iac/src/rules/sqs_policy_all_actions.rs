//! TG1409: an SQS queue policy that allows every queue action.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct SqsPolicyAllActions;

/// `*` or `sqs:*`: every action on the queue, deleting and purging it included.
fn is_every_action(action: &str) -> bool {
    action == "*" || action.eq_ignore_ascii_case("sqs:*")
}

impl IacRule for SqsPolicyAllActions {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1409",
                "sqs-policy-allows-all-actions",
                Severity::Medium,
                "SQS queue policy allows every queue action",
                "sqs",
            )
        .tags(["iam"])
        .equivalents(["CKV_AWS_72"])
        .description(
            "A queue policy `Allow` with `Action: \"*\"` or `sqs:*` lets its principals not \
             only send and receive but also purge and delete the queue, change its policy and \
             its attributes (redrive, encryption key). A producer needs `sqs:SendMessage`, a \
             consumer `sqs:ReceiveMessage`, `sqs:DeleteMessage` and \
             `sqs:GetQueueAttributes`. Every `Allow` statement is checked (Checkov reads the \
             first statement only, and `*` but not `sqs:*`).",
        )
        .remediation(
            Fix {
                summary: "Name the actions the principal needs.",
                cloudformation: "OrdersQueuePolicy:\n  Type: AWS::SQS::QueuePolicy\n  Properties:\n    Queues: [!Ref OrdersQueue]\n    PolicyDocument:\n      Statement:\n        - Effect: Allow\n          Principal:\n            Service: sns.amazonaws.com\n          Action: sqs:SendMessage\n          Resource: !GetAtt OrdersQueue.Arn",
                serverless: None,
                terraform: "data \"aws_iam_policy_document\" \"orders\" {\n  statement {\n    actions   = [\"sqs:SendMessage\"]\n    resources = [aws_sqs_queue.orders.arn]\n    principals {\n      type        = \"Service\"\n      identifiers = [\"sns.amazonaws.com\"]\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for policy in &model.queue_policies {
            out.evaluated(&policy.meta);
            let Some(doc) = policy.document.get() else {
                if policy.document.is_unknown() {
                    out.unknown(&policy.meta);
                }
                continue;
            };
            for statement in doc.statements.iter().filter(|s| s.is_allow()) {
                for action in &statement.actions {
                    if action.is_unknown() {
                        out.unknown(&policy.meta);
                    }
                    let (Some(name), Some(span)) = (action.as_str(), action.span()) else {
                        continue;
                    };
                    if is_every_action(name) {
                        let sid = statement.sid.as_str().unwrap_or("");
                        out.at_in(
                            &policy.meta,
                            &doc.file,
                            span,
                            &format!("{sid} Allow {name}"),
                            format!(
                                "SQS queue policy `{}` allows every queue action (`{name}`).",
                                policy.meta.address
                            ),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_every_action;

    #[test]
    fn only_wildcards_for_the_whole_service_count() {
        assert!(is_every_action("*"));
        assert!(is_every_action("sqs:*"));
        assert!(is_every_action("SQS:*"));
        assert!(!is_every_action("sqs:Send*"));
        assert!(!is_every_action("sqs:SendMessage"));
    }
}
