//! TG1109: an AppSync GraphQL API without a WAF web ACL.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct AppsyncWithoutWaf;

impl IacRule for AppsyncWithoutWaf {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1109",
                "appsync-without-waf",
                Severity::Low,
                "AppSync GraphQL API has no WAF web ACL",
                "appsync",
            )
        .tags(["waf"])
        .equivalents(["CKV2_AWS_33"])
        .description(
            "A public GraphQL endpoint accepts arbitrarily deep and wide queries, and every \
             request reaches the resolvers and the data sources behind them. A WAF web ACL \
             associated with the API (`AWS::WAFv2::WebACLAssociation`, \
             `aws_wafv2_web_acl_association`) rate-limits callers and blocks known exploit \
             payloads before they do. An association whose resource ARN cannot be resolved \
             is given the benefit of the doubt.",
        )
        .remediation(
            Fix {
                summary: "Associate a regional WAFv2 web ACL with the API.",
                cloudformation: "GraphApiAcl:\n  Type: AWS::WAFv2::WebACLAssociation\n  Properties:\n    ResourceArn: !GetAtt GraphApi.Arn\n    WebACLArn: !GetAtt ApiAcl.Arn",
                serverless: None,
                terraform: "resource \"aws_wafv2_web_acl_association\" \"graph\" {\n  resource_arn = aws_appsync_graphql_api.orders.arn\n  web_acl_arn  = aws_wafv2_web_acl.api.arn\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for api in &model.graphql_apis {
            out.evaluated(&api.meta);
            match model.waf_protects(&api.meta, None) {
                Some(true) => {}
                None => out.unknown(&api.meta),
                Some(false) => out.missing(
                    &api.meta,
                    format!("AppSync API `{}` has no WAF web ACL.", api.meta.address),
                ),
            }
        }
    }
}
