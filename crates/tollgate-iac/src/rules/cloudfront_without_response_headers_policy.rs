//! TG1810: a distribution that adds no security headers to its responses.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudfrontWithoutResponseHeadersPolicy;

impl IacRule for CloudfrontWithoutResponseHeadersPolicy {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1810",
            "cloudfront-without-response-headers-policy",
            Severity::Low,
            "CloudFront distribution has no response headers policy",
            "cloudfront",
        )
        .tags(["headers"])
        .equivalents(["CKV2_AWS_32"])
        .description(
            "A response headers policy (`ResponseHeadersPolicyId`, \
             `response_headers_policy_id`) makes CloudFront add security headers to every \
             response whatever the origin sends: `Strict-Transport-Security`, \
             `Content-Security-Policy`, `X-Content-Type-Options`, `X-Frame-Options`, \
             `Referrer-Policy`. Without one, browsers get only what each function or object \
             happens to set. The rule fires when the default cache behavior has none. It \
             accepts AWS managed policies named by id (`SecurityHeadersPolicy`); Checkov passes \
             only a distribution connected to an `aws_cloudfront_response_headers_policy` \
             resource or data source.",
        )
        .remediation(
            Fix {
                summary: "Attach a response headers policy with security headers (the managed `SecurityHeadersPolicy`, id `67f7725c-6f97-4210-82d7-5512b31e9d03`, or your own).",
                cloudformation: "Site:\n  Type: AWS::CloudFront::Distribution\n  Properties:\n    DistributionConfig:\n      DefaultCacheBehavior:\n        # ...\n        ResponseHeadersPolicyId: 67f7725c-6f97-4210-82d7-5512b31e9d03",
                serverless: None,
                terraform: "resource \"aws_cloudfront_distribution\" \"site\" {\n  default_cache_behavior {\n    # ...\n    response_headers_policy_id = aws_cloudfront_response_headers_policy.security.id\n  }\n  # ...\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.distributions {
            match d.response_headers_policies.first() {
                Some(policy) if policy.is_present() => {
                    if policy.is_unknown() {
                        out.unknown(&d.meta);
                    } else {
                        out.evaluated(&d.meta);
                    }
                }
                _ => out.missing(
                    &d.meta,
                    format!(
                        "CloudFront distribution `{}` has no response headers policy on its default cache behavior.",
                        d.meta.address
                    ),
                ),
            }
        }
    }
}
