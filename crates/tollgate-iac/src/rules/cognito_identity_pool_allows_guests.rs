//! TG1506: a Cognito identity pool that hands AWS credentials to unauthenticated guests.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CognitoIdentityPoolAllowsGuests;

impl IacRule for CognitoIdentityPoolAllowsGuests {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1506",
                "cognito-identity-pool-allows-guests",
                Severity::Medium,
                "Cognito identity pool gives AWS credentials to unauthenticated users",
                "cognito",
            )
        .tags(["iam"])
        .equivalents(["CKV_AWS_366"])
        .description(
            "With `AllowUnauthenticatedIdentities: true` anyone on the internet can get \
             temporary AWS credentials for the pool's unauthenticated role, and call every API \
             that role allows (invoke functions, read tables, publish to topics) without \
             signing in. Keep it off unless the guest role is deliberately limited to what an \
             anonymous visitor may do.",
        )
        .remediation(
            Fix {
                summary: "Turn off unauthenticated identities (or keep the guest role to the least an anonymous visitor needs).",
                cloudformation: "Identities:\n  Type: AWS::Cognito::IdentityPool\n  Properties:\n    AllowUnauthenticatedIdentities: false",
                serverless: None,
                terraform: "resource \"aws_cognito_identity_pool\" \"main\" {\n  identity_pool_name               = \"main\"\n  allow_unauthenticated_identities = false\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for pool in &model.identity_pools {
            out.evaluated(&pool.meta);
            if pool.allow_unauthenticated.is_unknown() {
                out.unknown(&pool.meta);
            } else if pool.allow_unauthenticated.is_true() {
                out.on(
                    &pool.meta,
                    &pool.allow_unauthenticated,
                    "AllowUnauthenticatedIdentities: true",
                    format!("Cognito identity pool `{}` gives AWS credentials to unauthenticated users.", pool.meta.address),
                );
            }
        }
    }
}
