//! TG1905: an IAM user declared in the templates.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{classify, CloudModel, PolicyDocument, PrincipalClass, Val};

pub struct IamUserDefined;

impl IacRule for IamUserDefined {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1905",
            "iam-user-defined",
            Severity::Low,
            "IAM user is created instead of using federated access",
            "iam",
        )
        .tags(["iam"])
        .equivalents(["CKV_AWS_273"])
        .description(
            "An IAM user is an identity with credentials of its own that last until someone \
             removes them, managed account by account. CIS asks that people reach AWS through \
             IAM Identity Center or another identity provider, where MFA is enforced, access \
             ends when they leave and sessions expire; pipelines and functions get roles, \
             whose credentials are temporary (GitHub Actions and other CI systems assume one \
             through OpenID Connect). The rule reports every `AWS::IAM::User` and \
             `aws_iam_user` the templates create, as Checkov's CKV_AWS_273 does; a user that \
             is never created (a false `Condition`, `count = 0`) is not one, and a \
             `data \"aws_iam_user\"` only reads an existing user. What makes a user more \
             dangerous is reported on its own: policies attached to it (TG1903), a console \
             password (TG1904) and an access key (TG1906).",
        )
        .remediation(
            Fix {
                summary: "Give people access through IAM Identity Center permission sets and workloads a role they assume; remove the user.",
                cloudformation: "DeployRole:\n  Type: AWS::IAM::Role\n  Properties:\n    AssumeRolePolicyDocument:\n      Statement:\n        - Effect: Allow\n          Principal:\n            Federated: !Sub arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com\n          Action: sts:AssumeRoleWithWebIdentity",
                serverless: None,
                terraform: "resource \"aws_iam_role\" \"deploy\" {\n  assume_role_policy = data.aws_iam_policy_document.github_oidc.json\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        // The form CIS asks for: a role people reach through a SAML or OIDC identity provider
        // (IAM Identity Center's roles, CI systems' OpenID Connect roles) passes.
        for role in &model.iam_roles {
            if trusts_workforce_federation(&role.trust_policy) {
                out.evaluated(&role.meta);
            }
        }
        for user in &model.iam_users {
            out.evaluated(&user.meta);
            out.missing(
                &user.meta,
                format!(
                    "IAM user `{}` is created; people should sign in through IAM Identity Center \
                     and workloads assume roles.",
                    user.meta.address
                ),
            );
        }
    }
}

/// Whether a trust policy lets a SAML or OIDC identity provider's users assume the role (web
/// identity providers for an application's own users, such as Cognito, are not workforce
/// sign-in).
fn trusts_workforce_federation(trust: &Val<PolicyDocument>) -> bool {
    const APP_USER_PROVIDERS: [&str; 5] = [
        "cognito-identity.amazonaws.com",
        "www.amazon.com",
        "graph.facebook.com",
        "accounts.google.com",
        "appleid.apple.com",
    ];
    let Some(doc) = trust.get() else { return false };
    doc.statements.iter().filter(|s| s.is_allow()).any(|s| {
        s.principals.iter().any(|p| {
            matches!(
                classify(p, &[]),
                PrincipalClass::Federated(v) if !APP_USER_PROVIDERS.contains(&v.as_str())
            )
        })
    })
}
