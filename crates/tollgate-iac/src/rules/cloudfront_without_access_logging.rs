//! TG1804: a CloudFront distribution without standard access logs.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudfrontWithoutAccessLogging;

impl IacRule for CloudfrontWithoutAccessLogging {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1804",
                "cloudfront-without-access-logging",
                Severity::Low,
                "CloudFront distribution does not write access logs",
                "cloudfront",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_86"])
        .description(
            "Without access logs (`Logging.Bucket`, `logging_config`) there is no record of \
             who requested what through the distribution, which an investigation of abuse of \
             the API behind it needs. Log delivery configured outside the distribution (the \
             CloudWatch Logs delivery resources) is not read, so such a distribution is still \
             reported, as Checkov reports it.",
        )
        .remediation(
            Fix {
                summary: "Send the distribution's standard logs to a bucket.",
                cloudformation: "Cdn:\n  Type: AWS::CloudFront::Distribution\n  Properties:\n    DistributionConfig:\n      Logging:\n        Bucket: !GetAtt LogBucket.RegionalDomainName\n        Prefix: cdn/",
                serverless: None,
                terraform: "resource \"aws_cloudfront_distribution\" \"cdn\" {\n  logging_config {\n    bucket = aws_s3_bucket.logs.bucket_domain_name\n    prefix = \"cdn/\"\n  }\n  # ...\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.distributions {
            out.evaluated(&d.meta);
            if d.logging_bucket.is_unknown() {
                out.unknown(&d.meta);
            } else if d.logging_bucket.is_absent() {
                out.missing(
                    &d.meta,
                    format!(
                        "CloudFront distribution `{}` does not write access logs.",
                        d.meta.address
                    ),
                );
            }
        }
    }
}
