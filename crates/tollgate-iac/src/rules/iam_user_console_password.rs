//! TG1904: an IAM user with a console password.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct IamUserConsolePassword;

impl IacRule for IamUserConsolePassword {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1904",
            "iam-user-console-password",
            Severity::Medium,
            "IAM user has a console password",
            "iam",
        )
        .tags(["iam"])
        .equivalents(["CKV2_AWS_22"])
        .description(
            "A console password created from infrastructure code (`LoginProfile`, an \
             `aws_iam_user_login_profile`) is a credential someone has to hand over and that \
             lasts until it is changed; the code cannot require MFA for it. People should sign \
             in through IAM Identity Center or a federated role, where the identity provider \
             enforces MFA and sessions expire. A login profile that cannot be resolved is \
             unknown and not reported.",
        )
        .remediation(
            Fix {
                summary: "Remove the login profile and let people sign in through IAM Identity Center or a federated role.",
                cloudformation: "Operator:\n  Type: AWS::IAM::User\n  Properties:\n    # no LoginProfile",
                serverless: None,
                terraform: "# Delete the aws_iam_user_login_profile; grant console access through\n# IAM Identity Center permission sets instead.",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for user in &model.iam_users {
            out.evaluated(&user.meta);
            match &user.console_password {
                Val::Known { value: true, span } => out.at(
                    &user.meta,
                    *span,
                    "login profile",
                    format!("IAM user `{}` has a console password.", user.meta.address),
                ),
                Val::Unknown { .. } => out.unknown(&user.meta),
                _ => {}
            }
        }
    }
}
