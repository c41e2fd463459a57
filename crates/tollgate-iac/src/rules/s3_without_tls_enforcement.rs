//! TG1305: a bucket whose policy does not deny plain-HTTP requests.

use tollgate_core::{Rule, Severity};

use super::policy_checks::{denies_insecure_transport, AttachedPolicies};
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct S3WithoutTlsEnforcement;

impl IacRule for S3WithoutTlsEnforcement {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1305",
                "s3-without-tls-enforcement",
                Severity::Medium,
                "S3 bucket policy does not deny requests without TLS",
                "s3",
            )
        .tags(["encryption"])
        .description(
            "S3 accepts plain HTTP requests unless the bucket policy denies them. A `Deny` \
             statement on `aws:SecureTransport = false` makes every client use TLS, so objects \
             and credentials never travel in clear text. This is AWS Config's \
             `s3-bucket-ssl-requests-only` and CIS AWS Foundations 2.1.1.",
        )
        .remediation(
            Fix {
                summary: "Add a statement denying all S3 actions when `aws:SecureTransport` is false.",
                cloudformation: "UploadsPolicy:\n  Type: AWS::S3::BucketPolicy\n  Properties:\n    Bucket: !Ref Uploads\n    PolicyDocument:\n      Statement:\n        - Sid: DenyInsecureTransport\n          Effect: Deny\n          Principal: '*'\n          Action: 's3:*'\n          Resource:\n            - !GetAtt Uploads.Arn\n            - !Sub '${Uploads.Arn}/*'\n          Condition:\n            Bool:\n              aws:SecureTransport: false",
                serverless: None,
                terraform: "data \"aws_iam_policy_document\" \"uploads_tls\" {\n  statement {\n    sid     = \"DenyInsecureTransport\"\n    effect  = \"Deny\"\n    actions = [\"s3:*\"]\n    resources = [aws_s3_bucket.uploads.arn, \"${aws_s3_bucket.uploads.arn}/*\"]\n    principals {\n      type        = \"*\"\n      identifiers = [\"*\"]\n    }\n    condition {\n      test     = \"Bool\"\n      variable = \"aws:SecureTransport\"\n      values   = [\"false\"]\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        let attached = AttachedPolicies::new(&model.bucket_policies);
        for b in &model.buckets {
            out.evaluated(&b.meta);
            let Some(policies) = attached.of(&b.meta, b.name.as_str()) else {
                out.unknown(&b.meta);
                continue;
            };
            let mut unknowable = false;
            let mut enforced = false;
            for p in policies {
                match &p.document {
                    Val::Known { value, .. } => enforced |= denies_insecure_transport(value),
                    Val::Unknown { .. } => unknowable = true,
                    Val::Absent => {}
                }
            }
            if !enforced && unknowable {
                out.unknown(&b.meta);
            }
            if !enforced && !unknowable {
                out.missing(
                    &b.meta,
                    format!(
                        "S3 bucket `{}` has no policy denying requests without TLS \
                         (aws:SecureTransport).",
                        b.meta.address
                    ),
                );
            }
        }
    }
}
