//! TG1817: a distribution whose default behavior reads an S3 bucket, without a default root
//! object.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct CloudfrontS3WithoutDefaultRootObject;

impl IacRule for CloudfrontS3WithoutDefaultRootObject {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1817",
                "cloudfront-s3-without-default-root-object",
                Severity::Low,
                "CloudFront distribution serving an S3 bucket has no default root object",
                "cloudfront",
            )
        .equivalents(["CKV_AWS_305"])
        .description(
            "Without a default root object (`DefaultRootObject`, `default_root_object`), a \
             request for the distribution's root URL is passed to the origin as it is. For an S3 \
             bucket's REST endpoint that is a request to list the bucket: wherever the bucket's \
             policy grants `s3:ListBucket` to the distribution, anyone can read the names of \
             every object, otherwise the viewer gets S3's error document. Only distributions \
             whose default cache behavior (the one `/` matches) targets an S3 origin, directly \
             or through an origin group, are judged: an API or another custom origin answers \
             `/` itself, and an S3 website endpoint serves its index document. Checkov's \
             CKV_AWS_305 fails every distribution without a default root object, whatever its \
             origin.",
        )
        .remediation(
            Fix {
                summary: "Set the object that `/` returns.",
                cloudformation: "Cdn:\n  Type: AWS::CloudFront::Distribution\n  Properties:\n    DistributionConfig:\n      DefaultRootObject: index.html",
                serverless: None,
                terraform: "resource \"aws_cloudfront_distribution\" \"cdn\" {\n  default_root_object = \"index.html\"\n  # ...\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.distributions {
            let origins = match d.default_origins() {
                Val::Known { value, .. } => value,
                Val::Unknown { .. } => {
                    out.unknown(&d.meta);
                    continue;
                }
                Val::Absent => {
                    out.not_applicable(&d.meta);
                    continue;
                }
            };
            // A custom origin (an API, a website endpoint) answers `/` itself.
            if !origins.iter().any(|o| o.s3) {
                out.not_applicable(&d.meta);
                continue;
            }
            out.evaluated(&d.meta);
            match &d.default_root_object {
                Val::Unknown { .. } => out.unknown(&d.meta),
                Val::Known { value, .. } if !value.trim().is_empty() => {}
                _ => out.missing(
                    &d.meta,
                    format!(
                        "CloudFront distribution `{}` reads an S3 bucket for `/` and has no \
                         default root object.",
                        d.meta.address
                    ),
                ),
            }
        }
    }
}
