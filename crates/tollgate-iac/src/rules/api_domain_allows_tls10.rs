//! TG1105: a custom domain that still accepts TLS 1.0.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct ApiDomainAllowsTls10;

impl IacRule for ApiDomainAllowsTls10 {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1105",
                "api-domain-allows-tls10",
                Severity::Medium,
                "API Gateway custom domain allows TLS 1.0",
                "apigateway",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_206"])
        .description(
            "The `TLS_1_0` security policy accepts TLS 1.0 and 1.1, which PCI DSS and NIST no \
             longer allow for protecting data in transit. REST API (v1) custom domains default \
             to `TLS_1_0` when `SecurityPolicy` is not set, so a missing policy is reported for \
             them; HTTP API (v2) domains default to TLS 1.2.",
        )
        .remediation(
            Fix {
                summary: "Set the domain's security policy to `TLS_1_2`.",
                cloudformation: "ApiDomain:\n  Type: AWS::ApiGateway::DomainName\n  Properties:\n    DomainName: api.example.com\n    RegionalCertificateArn: !Ref Certificate\n    SecurityPolicy: TLS_1_2",
                serverless: None,
                terraform: "resource \"aws_api_gateway_domain_name\" \"api\" {\n  domain_name              = \"api.example.com\"\n  regional_certificate_arn = aws_acm_certificate.api.arn\n  security_policy          = \"TLS_1_2\"\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for domain in &model.domain_names {
            let name = domain.name.as_str().unwrap_or(&domain.meta.address);
            let is_v1 = {
                let t = domain.meta.type_name.to_ascii_lowercase();
                !t.contains("v2") && !t.contains("httpapi")
            };
            if domain.security_policy.is_absent() && !is_v1 {
                // HTTP and WebSocket APIs default to TLS 1.2.
                out.evaluated(&domain.meta);
                continue;
            }
            out.expect(
                &domain.meta,
                &domain.security_policy,
                |p| !p.eq_ignore_ascii_case("TLS_1_0"),
                format!("Custom domain `{name}` has no security policy, so it accepts TLS 1.0."),
                |_| format!("Custom domain `{name}` accepts TLS 1.0."),
            );
        }
    }
}
