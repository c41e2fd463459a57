//! TG1813: a CloudFront response headers policy without a strict HSTS header.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct CloudfrontHeadersPolicyWeakHsts;

/// One year, the shortest `max-age` browsers' HSTS preload lists accept.
const ONE_YEAR: i64 = 31_536_000;

impl IacRule for CloudfrontHeadersPolicyWeakHsts {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1813",
                "cloudfront-headers-policy-weak-hsts",
                Severity::Low,
                "CloudFront response headers policy does not enforce strict HSTS",
                "cloudfront",
            )
        .tags(["headers"])
        .equivalents(["CKV_AWS_259"])
        .description(
            "`Strict-Transport-Security` tells browsers to use only HTTPS for the site, so a \
             network attacker cannot downgrade the first request to plain HTTP and strip TLS. \
             The rule fires on a response headers policy that sends no HSTS header, or one with \
             a `max-age` under a year, without `includeSubDomains`, without `preload`, or \
             without `Override` (so an origin's weaker header wins): the settings browsers' \
             preload lists require.",
        )
        .remediation(
            Fix {
                summary: "Send `Strict-Transport-Security: max-age=31536000; includeSubDomains; preload` and override the origin's header.",
                cloudformation: "SecurityHeaders:\n  Type: AWS::CloudFront::ResponseHeadersPolicy\n  Properties:\n    ResponseHeadersPolicyConfig:\n      Name: security\n      SecurityHeadersConfig:\n        StrictTransportSecurity:\n          AccessControlMaxAgeSec: 31536000\n          IncludeSubdomains: true\n          Preload: true\n          Override: true",
                serverless: None,
                terraform: "resource \"aws_cloudfront_response_headers_policy\" \"security\" {\n  name = \"security\"\n  security_headers_config {\n    strict_transport_security {\n      access_control_max_age_sec = 31536000\n      include_subdomains         = true\n      preload                    = true\n      override                   = true\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for p in &model.response_headers_policies {
            let name = &p.meta.address;
            let hsts = match &p.hsts {
                Val::Known { value, .. } => value,
                Val::Unknown { .. } => {
                    out.unknown(&p.meta);
                    continue;
                }
                Val::Absent => {
                    out.missing(
                        &p.meta,
                        format!("Response headers policy `{name}` sends no Strict-Transport-Security header."),
                    );
                    continue;
                }
            };
            // Every shortfall, with where it is written (absent: the header), in one finding.
            let mut short: Vec<(String, Option<tollgate_syntax::Span>)> = Vec::new();
            let mut unknown = hsts.max_age.is_unknown();
            match &hsts.max_age {
                Val::Known { value, span } if *value < ONE_YEAR => {
                    short.push((format!("max-age {value} (under a year)"), Some(*span)));
                }
                Val::Absent => short.push(("no max-age".into(), None)),
                _ => {}
            }
            for (setting, val) in [
                ("includeSubDomains", &hsts.include_subdomains),
                ("preload", &hsts.preload),
                ("Override", &hsts.override_origin),
            ] {
                unknown |= val.is_unknown();
                if !val.is_true() && !val.is_unknown() {
                    short.push((format!("no {setting}"), val.span()));
                }
            }
            if short.is_empty() {
                if unknown {
                    out.unknown(&p.meta);
                } else {
                    out.evaluated(&p.meta);
                }
                continue;
            }
            let what: Vec<&str> = short.iter().map(|(w, _)| w.as_str()).collect();
            out.at_severity(
                out.rule().default_severity,
                &p.meta,
                short.iter().find_map(|(_, span)| *span),
                &what.join(", "),
                format!(
                    "Response headers policy `{name}` sends a weak HSTS header: {}.",
                    what.join(", ")
                ),
            );
        }
    }
}
