//! TG1903: an IAM policy attached directly to an IAM user.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct IamPolicyAttachedToUser;

impl IacRule for IamPolicyAttachedToUser {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1903",
            "iam-policy-attached-to-user",
            Severity::Low,
            "IAM policy is attached directly to a user",
            "iam",
        )
        .tags(["iam"])
        .equivalents(["CKV_AWS_40"])
        .description(
            "Permissions given to users one by one drift apart: nobody can say any more who \
             may do what, and a user who changes team keeps what the old team needed. CIS \
             asks that users get permissions only through groups, and a deployment pipeline \
             or a function is better served by a role, whose credentials expire. The rule \
             reports each user a policy is attached to: `Users` of an `AWS::IAM::Policy` or \
             `AWS::IAM::ManagedPolicy`, an `aws_iam_user_policy`, and an `aws_iam_policy` \
             attached by `aws_iam_user_policy_attachment` or by the `users` of an \
             `aws_iam_policy_attachment`; the `Policies` and `ManagedPolicyArns` of an \
             `AWS::IAM::User`; and a managed policy the scan does not declare (an AWS managed \
             policy ARN) attached to a user of the scan by either Terraform attachment, whatever \
             the ARN (one known only after apply is still a policy attached to the user). A \
             user that cannot be resolved is unknown and not reported, as is a CloudFormation \
             `ManagedPolicyArns` entry that cannot be (a list parameter may be empty). An \
             attachment of a policy the scan does not declare to a user it does not declare \
             either (one created elsewhere) is reported on the attachment, at the user it \
             names. Checkov's CloudFormation check reads only \
             the `Users` of an `AWS::IAM::Policy`, not those of a managed policy nor the \
             policies written on the user.",
        )
        .remediation(
            Fix {
                summary: "Attach the policy to a group and make the user a member of it, or give the workload a role.",
                cloudformation: "Deployers:\n  Type: AWS::IAM::Group\nDeployPolicy:\n  Type: AWS::IAM::ManagedPolicy\n  Properties:\n    Groups:\n      - !Ref Deployers\n    PolicyDocument: # ...\nDeployUser:\n  Type: AWS::IAM::User\n  Properties:\n    Groups:\n      - !Ref Deployers",
                serverless: None,
                terraform: "resource \"aws_iam_group_policy_attachment\" \"deployers\" {\n  group      = aws_iam_group.deployers.name\n  policy_arn = aws_iam_policy.deploy.arn\n}\n\nresource \"aws_iam_user_group_membership\" \"ci\" {\n  user   = aws_iam_user.ci.name\n  groups = [aws_iam_group.deployers.name]\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for p in &model.iam_policies {
            out.evaluated(&p.meta);
            for user in &p.users {
                match user {
                    Val::Unknown { .. } => out.unknown(&p.meta),
                    Val::Absent => {}
                    Val::Known { value, span } => {
                        let name = value
                            .address()
                            .map_or_else(|| value.to_string(), str::to_string);
                        out.at(
                            &p.meta,
                            *span,
                            &name,
                            format!(
                                "IAM policy `{}` is attached directly to the user `{name}`.",
                                p.meta.address
                            ),
                        );
                    }
                }
            }
        }
        for a in &model.user_policy_attachments {
            out.evaluated(&a.meta);
            // The policy is attached to the user whatever its ARN, even one known only after
            // apply; only which user it is must be known.
            let Val::Known { value, span } = &a.user else {
                if a.user.is_unknown() {
                    out.unknown(&a.meta);
                }
                continue;
            };
            let name = value
                .address()
                .map_or_else(|| value.to_string(), str::to_string);
            let policy = match &a.policy_arn {
                Val::Known { value: arn, .. } => format!("the policy `{arn}`"),
                _ => "a policy".to_string(),
            };
            out.at(
                &a.meta,
                *span,
                &name,
                format!(
                    "`{}` attaches {policy} directly to the user `{name}`.",
                    a.meta.address
                ),
            );
        }
        for user in &model.iam_users {
            out.evaluated(&user.meta);
            for (i, inline) in user.inline_policies.iter().enumerate() {
                let (name, span) = match &inline.name {
                    Val::Known { value, span } => (value.clone(), Some(*span)),
                    _ => (format!("policy {}", i + 1), None),
                };
                let message = format!(
                    "IAM user `{}` has the inline policy `{name}`.",
                    user.meta.address
                );
                match span {
                    Some(span) => out.at(&user.meta, span, &name, message),
                    None => out.missing_about(&user.meta, &name, message),
                }
            }
            for arn in &user.managed_policy_arns {
                match arn {
                    Val::Unknown { .. } => out.unknown(&user.meta),
                    Val::Absent => {}
                    Val::Known { value, span } => out.at(
                        &user.meta,
                        *span,
                        value,
                        format!(
                            "IAM user `{}` has the managed policy `{value}` attached directly.",
                            user.meta.address
                        ),
                    ),
                }
            }
        }
    }
}
