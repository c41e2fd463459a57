//! TG1604: a single-region trail misses activity in every other region.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct CloudtrailNotMultiRegion;

impl IacRule for CloudtrailNotMultiRegion {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1604",
                "cloudtrail-not-multi-region",
                Severity::Medium,
                "CloudTrail trail does not cover all regions",
                "cloudtrail",
            )
        .tags(["logging"])
        .equivalents(["CKV_AWS_67"])
        .description(
            "Attackers favour regions nobody watches (crypto-mining in a far-away region is a \
             classic). A trail without `IsMultiRegionTrail: true` records API activity in its \
             own region only, and global service events may be missed.",
        )
        .remediation(
            Fix {
                summary: "Make the trail multi-region.",
                cloudformation: "Trail:\n  Type: AWS::CloudTrail::Trail\n  Properties:\n    IsLogging: true\n    S3BucketName: !Ref TrailBucket\n    IsMultiRegionTrail: true\n    IncludeGlobalServiceEvents: true",
                serverless: None,
                terraform: "resource \"aws_cloudtrail\" \"main\" {\n  name                  = \"main\"\n  s3_bucket_name        = aws_s3_bucket.trail.id\n  is_multi_region_trail = true\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for t in &model.trails {
            out.expect_enabled(
                &t.meta,
                &t.multi_region,
                "CloudTrail trail",
                "multi-region logging",
            );
        }
    }
}
