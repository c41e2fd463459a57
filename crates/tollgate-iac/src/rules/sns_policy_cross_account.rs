//! TG1411: an SNS topic policy that grants another AWS account access without a condition.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{classify, who_conditions, CloudModel, PrincipalClass};

pub struct SnsPolicyCrossAccount;

impl IacRule for SnsPolicyCrossAccount {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1411",
                "sns-policy-cross-account",
                Severity::Medium,
                "SNS topic policy grants another AWS account access without a condition",
                "sns",
            )
        .tags(["iam"])
        .equivalents(["CKV_AWS_385"])
        .description(
            "An `Allow` statement naming another account (`123456789012`, \
             `arn:aws:iam::123456789012:root` or one of its roles) with no condition \
             restricting who lets every principal that account chooses publish to the topic \
             or subscribe to it, depending on the actions. Cross-account grants are sometimes \
             intended; narrow them with `aws:SourceArn`, `aws:SourceAccount` or \
             `aws:PrincipalOrgID`, or grant a named role with the least actions needed. \
             Principals of the deploying account (`${AWS::AccountId}`, \
             `data.aws_caller_identity`, roles declared in the scan) are not reported; a \
             wildcard principal is TG1404's concern.\n\n\
             Checkov's CKV_AWS_385 (Terraform only) fails every statement whose AWS principal \
             is an `arn:aws:iam::` ARN without a condition, the deploying account's own \
             included, and does not recognise a bare account id; tollgate reports only \
             accounts other than the deploying one, in every format.",
        )
        .remediation(
            Fix {
                summary: "Restrict the statement with a condition on who may use it, or remove the other account.",
                cloudformation: "AlertsTopicPolicy:\n  Type: AWS::SNS::TopicPolicy\n  Properties:\n    Topics: [!Ref AlertsTopic]\n    PolicyDocument:\n      Statement:\n        - Effect: Allow\n          Principal:\n            AWS: arn:aws:iam::111122223333:role/alerts-subscriber\n          Action: sns:Subscribe\n          Resource: !Ref AlertsTopic\n          Condition:\n            StringEquals:\n              aws:PrincipalOrgID: o-exampleorgid",
                serverless: None,
                terraform: "data \"aws_iam_policy_document\" \"alerts\" {\n  statement {\n    effect    = \"Allow\"\n    actions   = [\"sns:Subscribe\"]\n    resources = [aws_sns_topic.alerts.arn]\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"arn:aws:iam::111122223333:role/alerts-subscriber\"]\n    }\n    condition {\n      test     = \"StringEquals\"\n      variable = \"aws:PrincipalOrgID\"\n      values   = [\"o-exampleorgid\"]\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for p in &model.topic_policies {
            let Some(doc) = p.document.get() else {
                if p.document.is_unknown() {
                    out.unknown(&p.meta);
                }
                continue;
            };
            out.evaluated(&p.meta);
            for s in &doc.statements {
                if !s.is_allow() || s.conditions_unknown || who_conditions(s).next().is_some() {
                    continue;
                }
                for principal in &s.principals {
                    let PrincipalClass::OtherAccount(account) = classify(principal, &[]) else {
                        continue;
                    };
                    let span = principal.value.span().unwrap_or(s.span);
                    out.at_in(
                        &p.meta,
                        &doc.file,
                        span,
                        principal.value.as_str().unwrap_or(&account),
                        format!(
                            "SNS topic policy `{}` lets account {account} use the topic without \
                             a condition restricting who.",
                            p.meta.address
                        ),
                    );
                }
            }
        }
    }
}
