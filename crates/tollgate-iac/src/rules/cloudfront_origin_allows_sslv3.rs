//! TG1809: a distribution that may talk SSLv3 to a custom origin.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudfrontOriginAllowsSslv3;

impl IacRule for CloudfrontOriginAllowsSslv3 {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1809",
                "cloudfront-origin-allows-sslv3",
                Severity::Medium,
                "CloudFront distribution allows SSLv3 towards a custom origin",
                "cloudfront",
            )
        .tags(["encryption"])
        .equivalents(["CKV2_AWS_54"])
        .description(
            "`OriginSSLProtocols` (`origin_ssl_protocols`) lists the protocols CloudFront may \
             negotiate with a custom origin such as an API Gateway or function URL domain. \
             SSLv3 is broken (POODLE, CVE-2014-3566): an origin that accepts it lets an \
             attacker on the path between CloudFront and the origin decrypt traffic. The rule \
             fires when an origin lists `SSLv3`.",
        )
        .remediation(
            Fix {
                summary: "Allow only TLS 1.2 towards the origin.",
                cloudformation: "Origins:\n  - Id: api\n    DomainName: api.example.com\n    CustomOriginConfig:\n      OriginProtocolPolicy: https-only\n      OriginSSLProtocols:\n        - TLSv1.2",
                serverless: None,
                terraform: "origin {\n  origin_id   = \"api\"\n  domain_name = \"api.example.com\"\n  custom_origin_config {\n    http_port              = 80\n    https_port             = 443\n    origin_protocol_policy = \"https-only\"\n    origin_ssl_protocols   = [\"TLSv1.2\"]\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.distributions {
            out.evaluated(&d.meta);
            if d.origins_unknown.is_some()
                || d.origins
                    .iter()
                    .any(|o| o.ssl_protocols.iter().any(|p| p.is_unknown()))
            {
                out.unknown(&d.meta);
            }
            for o in &d.origins {
                let Some(sslv3) = o.ssl_protocols.iter().find(|p| p.eq_ignore_case("SSLv3")) else {
                    continue;
                };
                let domain = o.domain.get().map(ToString::to_string).unwrap_or_default();
                out.on(
                    &d.meta,
                    sslv3,
                    &format!("SSLv3 {domain}"),
                    format!(
                        "CloudFront distribution `{}` may use SSLv3 towards the origin `{domain}`.",
                        d.meta.address
                    ),
                );
            }
        }
    }
}
