//! TG1803: a CloudFront distribution without a WAF web ACL.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Ref};

pub struct CloudfrontWithoutWaf;

impl IacRule for CloudfrontWithoutWaf {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1803",
                "cloudfront-without-waf",
                Severity::Low,
                "CloudFront distribution has no WAF web ACL",
                "cloudfront",
            )
        .tags(["waf"])
        .equivalents(["CKV_AWS_68", "CKV2_AWS_47"])
        .description(
            "A distribution in front of an API or functions passes every request on to them. A \
             WAF web ACL (`WebACLId`, `web_acl_id`) filters known exploit payloads, bad bots \
             and floods at the edge before they cost invocations or reach the code. Checkov's \
             CKV2_AWS_47 asks for a web ACL and two managed rule groups in it at once: this \
             rule answers the first part, TG1814 and TG1805 the others, and each lists it.",
        )
        .remediation(
            Fix {
                summary: "Attach a WAFv2 web ACL of scope `CLOUDFRONT` to the distribution.",
                cloudformation: "Cdn:\n  Type: AWS::CloudFront::Distribution\n  Properties:\n    DistributionConfig:\n      WebACLId: !GetAtt EdgeAcl.Arn",
                serverless: None,
                terraform: "resource \"aws_cloudfront_distribution\" \"cdn\" {\n  web_acl_id = aws_wafv2_web_acl.edge.arn\n  # ...\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.distributions {
            out.evaluated(&d.meta);
            if d.web_acl.is_unknown() {
                out.unknown(&d.meta);
            }
            let empty = matches!(d.web_acl.get(), Some(Ref::Literal(s)) if s.is_empty());
            if d.web_acl.is_absent() || empty {
                out.missing(
                    &d.meta,
                    format!(
                        "CloudFront distribution `{}` has no WAF web ACL.",
                        d.meta.address
                    ),
                );
            }
        }
    }
}
