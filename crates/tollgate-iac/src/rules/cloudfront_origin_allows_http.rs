//! TG1818: a distribution that may fetch from a custom origin over plain HTTP.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Distribution, Origin, Ref, Val};

pub struct CloudfrontOriginAllowsHttp;

/// Domains Checkov's CKV2_AWS_72 judges: load balancers and media services.
const CHECKOV_DOMAINS: [&str; 3] = [".elb.", ".mediastore.", ".mediapackage."];

/// Load balancer resource types, whose DNS name an origin may reference.
const LOAD_BALANCERS: [&str; 4] = [
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancing::LoadBalancer",
    "aws_lb",
    "aws_alb",
];

impl IacRule for CloudfrontOriginAllowsHttp {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1818",
            "cloudfront-origin-allows-http",
            Severity::Medium,
            "CloudFront distribution fetches from a custom origin over plain HTTP",
            "cloudfront",
        )
        .tags(["encryption"])
        .equivalents(["CKV2_AWS_72"])
        .description(
            "A custom origin's `OriginProtocolPolicy` (`origin_protocol_policy`) says how \
             CloudFront reaches it: `http-only` always in clear text, `match-viewer` in clear \
             text whenever the viewer came over HTTP. What goes between CloudFront and the \
             origin then crosses the internet unencrypted (requests with their cookies and \
             tokens, responses), even when viewers see HTTPS. The rule reports a custom origin \
             with `http-only`, and one with `match-viewer` on a distribution where some cache \
             behavior lets viewers use HTTP (`allow-all`); with every behavior on \
             `https-only` or `redirect-to-https`, `match-viewer` always uses HTTPS. An S3 \
             website endpoint (`s3-website`) only speaks HTTP: it is reported too, and the fix \
             is the bucket's REST endpoint with origin access control. A value that cannot be \
             resolved is unknown and not reported. Checkov's CKV2_AWS_72 judges only origins \
             whose domain names a load balancer or a media service (`.elb.`, `.mediastore.`, \
             `.mediapackage.`) and fails `match-viewer` whatever the viewers use; a finding \
             about such an origin, or one referencing a load balancer of the scan, answers it, \
             and the others answer nothing of Checkov's.",
        )
        .remediation(
            Fix {
                summary: "Reach custom origins over HTTPS only.",
                cloudformation: "Origins:\n  - Id: app\n    DomainName: !GetAtt AppLoadBalancer.DNSName\n    CustomOriginConfig:\n      OriginProtocolPolicy: https-only\n      OriginSSLProtocols:\n        - TLSv1.2",
                serverless: None,
                terraform: "origin {\n  origin_id   = \"app\"\n  domain_name = aws_lb.app.dns_name\n  custom_origin_config {\n    http_port              = 80\n    https_port             = 443\n    origin_protocol_policy = \"https-only\"\n    origin_ssl_protocols   = [\"TLSv1.2\"]\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.distributions {
            out.evaluated(&d.meta);
            if d.origins_unknown.is_some() {
                out.unknown(&d.meta);
            }
            for o in d.origins.iter().filter(|o| !o.s3) {
                let (policy, span) = match &o.protocol_policy {
                    Val::Known { value, span } => (value.to_ascii_lowercase(), *span),
                    Val::Unknown { .. } => {
                        out.unknown(&d.meta);
                        continue;
                    }
                    Val::Absent => continue,
                };
                let clear = match policy.as_str() {
                    "http-only" => true,
                    "match-viewer" => match viewers_may_use_http(d) {
                        Some(may) => may,
                        None => {
                            out.unknown(&d.meta);
                            continue;
                        }
                    },
                    _ => false,
                };
                if !clear {
                    continue;
                }
                let domain = o.domain.get().map(ToString::to_string).unwrap_or_default();
                out.at(
                    &d.meta,
                    span,
                    &format!("{policy} {domain}"),
                    format!(
                        "CloudFront distribution `{}` fetches from the origin `{domain}` over plain HTTP (`{policy}`).",
                        d.meta.address
                    ),
                );
                if checkov_judges(o) {
                    out.answers(&["CKV2_AWS_72"]);
                } else {
                    out.answers(&[]);
                }
            }
        }
    }
}

/// Whether some cache behavior lets viewers use HTTP; `None` when one cannot be read.
fn viewers_may_use_http(d: &Distribution) -> Option<bool> {
    let mut may = false;
    for p in &d.viewer_protocols {
        match p {
            Val::Known { value, .. } => may |= value.eq_ignore_ascii_case("allow-all"),
            Val::Unknown { .. } => return None,
            // Required by CloudFormation and Terraform: a template without it does not deploy.
            Val::Absent => return None,
        }
    }
    Some(may)
}

/// Whether the origin is a load balancer or a media service, the origins Checkov judges.
fn checkov_judges(o: &Origin) -> bool {
    match o.domain.get() {
        Some(Ref::Literal(domain)) => CHECKOV_DOMAINS.iter().any(|d| domain.contains(d)),
        Some(Ref::Resource { type_name, .. }) => type_name
            .as_deref()
            .is_some_and(|t| LOAD_BALANCERS.contains(&t)),
        None => false,
    }
}
