//! TG1808: a distribution that reads an S3 bucket without origin access control.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct CloudfrontS3OriginWithoutAccessControl;

/// Whether an origin access setting is written with a value (an empty string is none).
fn set(v: &Val<String>) -> bool {
    v.as_str().is_some_and(|s| !s.trim().is_empty())
}

impl IacRule for CloudfrontS3OriginWithoutAccessControl {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1808",
                "cloudfront-s3-origin-without-access-control",
                Severity::Medium,
                "CloudFront distribution reads an S3 bucket without origin access control",
                "cloudfront",
            )
        .equivalents(["CKV2_AWS_46"])
        .description(
            "A distribution whose S3 origin has neither an origin access control \
             (`OriginAccessControlId`) nor a legacy origin access identity \
             (`S3OriginConfig.OriginAccessIdentity`) sends anonymous requests to the bucket: it \
             works only if the bucket is readable by everyone, so its objects can be fetched \
             directly, around the distribution's WAF, geo restrictions, signed URLs and logs. \
             With origin access the bucket stays private and its policy admits only the \
             distribution. An origin is an S3 bucket when it has `S3OriginConfig` or its \
             domain is a bucket's REST endpoint (a bucket's `RegionalDomainName`, \
             `bucket.s3.amazonaws.com`); website endpoints cannot use origin access and are \
             not judged. Checkov passes a distribution when any of its origins has \
             `s3_origin_config`; tollgate judges each S3 origin.",
        )
        .remediation(
            Fix {
                summary: "Create an origin access control for S3, set it on the origin, and grant `cloudfront.amazonaws.com` read access in the bucket policy on the condition `AWS:SourceArn` = the distribution.",
                cloudformation: "SiteOac:\n  Type: AWS::CloudFront::OriginAccessControl\n  Properties:\n    OriginAccessControlConfig:\n      Name: site\n      OriginAccessControlOriginType: s3\n      SigningBehavior: always\n      SigningProtocol: sigv4\nSite:\n  Type: AWS::CloudFront::Distribution\n  Properties:\n    DistributionConfig:\n      Origins:\n        - Id: site\n          DomainName: !GetAtt SiteBucket.RegionalDomainName\n          OriginAccessControlId: !GetAtt SiteOac.Id\n          S3OriginConfig:\n            OriginAccessIdentity: ''",
                serverless: None,
                terraform: "resource \"aws_cloudfront_origin_access_control\" \"site\" {\n  name                              = \"site\"\n  origin_access_control_origin_type = \"s3\"\n  signing_behavior                  = \"always\"\n  signing_protocol                  = \"sigv4\"\n}\n\nresource \"aws_cloudfront_distribution\" \"site\" {\n  origin {\n    origin_id                = \"site\"\n    domain_name              = aws_s3_bucket.site.bucket_regional_domain_name\n    origin_access_control_id = aws_cloudfront_origin_access_control.site.id\n  }\n  # ...\n}",
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
            if d.origins_unknown.is_some() {
                out.unknown(&d.meta);
            }
            for o in d.origins.iter().filter(|o| o.s3) {
                if set(&o.access_control) || set(&o.access_identity) {
                    continue;
                }
                if o.access_control.is_unknown() || o.access_identity.is_unknown() {
                    out.unknown(&d.meta);
                    continue;
                }
                let domain = o.domain.get().map(ToString::to_string).unwrap_or_default();
                out.at(
                    &d.meta,
                    o.span,
                    &format!("S3 origin {domain}"),
                    format!(
                        "CloudFront distribution `{}` reads the S3 origin `{domain}` without origin access control, so the bucket must be public.",
                        d.meta.address
                    ),
                );
            }
        }
    }
}
