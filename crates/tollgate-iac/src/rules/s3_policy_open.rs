//! TG1306: S3 bucket policy allows any principal.

use tollgate_core::{Rule, Severity};

use super::policy_checks::{report_open_policies, NARROW_THE_PRINCIPAL};
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct S3PolicyOpen;

impl IacRule for S3PolicyOpen {
    fn meta(&self) -> Rule {
        iac_rule("TG1306", "s3-policy-wildcard-principal", Severity::High, "S3 bucket policy allows any principal", "s3")
        .tags(["iam"])
        .equivalents(["CKV_AWS_70"])
        .description(
            "An `Allow` statement with `Principal: \"*\"` (or `{\"AWS\": \"*\"}`, `arn:aws:iam::*:root`) and no condition restricting who (`aws:SourceArn`, `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:SourceVpce`...; one on `aws:SecureTransport` does not) in a bucket policy grants its actions to every AWS account and to anonymous users: the bucket is public for those actions, whatever its ACL says.",
        )
        .remediation(
            Fix {
                summary: NARROW_THE_PRINCIPAL,
                cloudformation: "UploadsPolicy:\n  Type: AWS::S3::BucketPolicy\n  Properties:\n    Bucket: !Ref Uploads\n    PolicyDocument:\n      Statement:\n        - Effect: Allow\n          Principal:\n            Service: cloudfront.amazonaws.com\n          Action: s3:GetObject\n          Resource: !Sub '${Uploads.Arn}/*'\n          Condition:\n            StringEquals:\n              AWS:SourceArn: !Sub 'arn:aws:cloudfront::${AWS::AccountId}:distribution/${Cdn}'",
                serverless: None,
                terraform: "data \"aws_iam_policy_document\" \"access\" {\n  statement {\n    effect    = \"Allow\"\n    actions   = [\"s3:GetObject\"]\n    resources = [\"${aws_s3_bucket.uploads.arn}/*\"]\n    principals {\n      type        = \"Service\"\n      identifiers = [\"cloudfront.amazonaws.com\"]\n    }\n    condition {\n      test     = \"StringEquals\"\n      variable = \"AWS:SourceArn\"\n      values   = [aws_cloudfront_distribution.cdn.arn]\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        report_open_policies(
            out,
            &model.bucket_policies,
            model.buckets.iter().map(|r| &r.meta),
            "S3 bucket policy",
        );
    }
}
