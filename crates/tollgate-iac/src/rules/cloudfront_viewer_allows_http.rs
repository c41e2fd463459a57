//! TG1801: a CloudFront cache behavior that serves viewers over plain HTTP.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudfrontViewerAllowsHttp;

impl IacRule for CloudfrontViewerAllowsHttp {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1801",
                "cloudfront-viewer-allows-http",
                Severity::Medium,
                "CloudFront distribution serves viewers over plain HTTP",
                "cloudfront",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_34"])
        .description(
            "A cache behavior with `ViewerProtocolPolicy: allow-all` answers plain HTTP: the \
             requests to the API or site behind it, their tokens and cookies, and the answers \
             cross the network unencrypted and can be read or changed on the way. Every \
             behavior is checked, the default one and each path pattern.",
        )
        .remediation(
            Fix {
                summary: "Redirect HTTP to HTTPS (or accept HTTPS only) in every cache behavior.",
                cloudformation: "Cdn:\n  Type: AWS::CloudFront::Distribution\n  Properties:\n    DistributionConfig:\n      DefaultCacheBehavior:\n        ViewerProtocolPolicy: redirect-to-https",
                serverless: None,
                terraform: "resource \"aws_cloudfront_distribution\" \"cdn\" {\n  default_cache_behavior {\n    viewer_protocol_policy = \"redirect-to-https\"\n    # ...\n  }\n  # ...\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.distributions {
            out.evaluated(&d.meta);
            for (i, policy) in d.viewer_protocols.iter().enumerate() {
                if policy.is_unknown() {
                    out.unknown(&d.meta);
                }
                let (Some(value), Some(span)) = (policy.as_str(), policy.span()) else {
                    continue;
                };
                if value.eq_ignore_ascii_case("allow-all") {
                    let which = if i == 0 {
                        "its default cache behavior".to_string()
                    } else {
                        format!("cache behavior {i}")
                    };
                    out.at(
                        &d.meta,
                        span,
                        &format!("behavior {i}: {value}"),
                        format!(
                            "CloudFront distribution `{}` serves {which} over plain HTTP (`allow-all`).",
                            d.meta.address
                        ),
                    );
                }
            }
        }
    }
}
