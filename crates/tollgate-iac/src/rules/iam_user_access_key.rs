//! TG1906: an active access key created for an IAM user.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct IamUserAccessKey;

impl IacRule for IamUserAccessKey {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1906",
            "iam-user-access-key",
            Severity::Medium,
            "IAM access key is created by the template",
            "iam",
        )
        .tags(["iam", "secrets"])
        .description(
            "An access key is a password that does not expire: whoever holds its secret acts \
             as the user from anywhere until the key is deleted. A key created by a template \
             also leaves its secret where the template puts it: CloudFormation hands it out \
             through the `SecretAccessKey` attribute (often into outputs or parameters), and \
             Terraform writes it into the state file, readable by everyone who can read the \
             state (in clear text unless a `pgp_key` is given). Pipelines and functions should \
             assume a role, whose credentials are temporary; GitHub Actions and other CI \
             systems do it through OpenID Connect. The rule reports every \
             `AWS::IAM::AccessKey` and `aws_iam_access_key` whose status is `Active` (the \
             default); a key made `Inactive` cannot sign requests. A status that cannot be \
             resolved is unknown and not reported. Checkov has no counterpart: its CKV_AWS_348 \
             judges only keys of a user named `root`.",
        )
        .remediation(
            Fix {
                summary: "Delete the access key and let the workload assume a role; for CI, trust the CI system's OpenID Connect provider.",
                cloudformation: "# Remove the AWS::IAM::AccessKey; give the workload a role:\nDeployRole:\n  Type: AWS::IAM::Role\n  Properties:\n    AssumeRolePolicyDocument: # ...",
                serverless: None,
                terraform: "# Remove the aws_iam_access_key; give the workload a role:\nresource \"aws_iam_role\" \"deploy\" {\n  assume_role_policy = data.aws_iam_policy_document.github_oidc.json\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for key in &model.iam_access_keys {
            out.evaluated(&key.meta);
            let user = match &key.user {
                Val::Known { value, .. } => value
                    .address()
                    .map_or_else(|| value.to_string(), str::to_string),
                _ => "a user".to_string(),
            };
            match &key.status {
                Val::Unknown { .. } => out.unknown(&key.meta),
                Val::Known { value, .. } if !value.eq_ignore_ascii_case("active") => {}
                status => out.on(
                    &key.meta,
                    status,
                    &user,
                    format!(
                        "Access key `{}` gives {} a long-lived credential whose secret the \
                         template hands out.",
                        key.meta.address,
                        if user == "a user" {
                            user.clone()
                        } else {
                            format!("the IAM user `{user}`")
                        }
                    ),
                ),
            }
        }
    }
}
