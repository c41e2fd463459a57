//! TG1110: a stage of a public REST API without a WAF web ACL.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{ApiProtocol, CloudModel};

pub struct ApiStageWithoutWaf;

impl IacRule for ApiStageWithoutWaf {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1110",
                "api-stage-without-waf",
                Severity::Low,
                "API Gateway REST API stage has no WAF web ACL",
                "apigateway",
            )
        .tags(["waf"])
        .equivalents(["CKV2_AWS_29"])
        .description(
            "Every request to a public REST API stage reaches its integrations: the functions \
             are invoked (and billed) for floods, scanners and exploit payloads alike. A WAF \
             web ACL associated with the stage (`AWS::WAFv2::WebACLAssociation` whose \
             `ResourceArn` is the stage's ARN, `aws_wafv2_web_acl_association`, or their WAF \
             Classic regional forms) filters them first. Stages of `PRIVATE` APIs, reachable \
             only from VPCs, are not judged; an association whose resource ARN cannot be \
             resolved is given the benefit of the doubt. HTTP APIs cannot have a web ACL.",
        )
        .remediation(
            Fix {
                summary: "Associate a regional WAFv2 web ACL with the stage.",
                cloudformation: "ApiAcl:\n  Type: AWS::WAFv2::WebACLAssociation\n  Properties:\n    ResourceArn: !Sub arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod\n    WebACLArn: !GetAtt RegionalAcl.Arn",
                serverless: None,
                terraform: "resource \"aws_wafv2_web_acl_association\" \"api\" {\n  resource_arn = aws_api_gateway_stage.prod.arn\n  web_acl_arn  = aws_wafv2_web_acl.regional.arn\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for stage in &model.api_stages {
            if stage.protocol != ApiProtocol::Rest {
                continue;
            }
            if let Some(api) = model.api_of(&stage.meta, &stage.api) {
                if api.endpoint_type.eq_ignore_case("PRIVATE") {
                    out.not_applicable(&stage.meta);
                    continue;
                }
                if api.endpoint_type.is_unknown() {
                    out.unknown(&stage.meta);
                    continue;
                }
            }
            out.evaluated(&stage.meta);
            match model.waf_protects(&stage.meta, Some((&stage.api, &stage.name))) {
                Some(true) => {}
                None => out.unknown(&stage.meta),
                Some(false) => out.missing(
                    &stage.meta,
                    format!(
                        "REST API stage `{}` has no WAF web ACL.",
                        stage.meta.address
                    ),
                ),
            }
        }
    }
}
