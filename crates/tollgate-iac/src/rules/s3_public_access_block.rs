//! TG1302: a bucket without all four S3 Block Public Access settings can be made public by a
//! later ACL or policy change.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct S3PublicAccessBlock;

impl IacRule for S3PublicAccessBlock {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1302",
                "s3-public-access-block-missing",
                Severity::Medium,
                "S3 bucket does not block public access",
                "s3",
            )
        .equivalents(["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"])
        .description(
            "S3 Block Public Access (`BlockPublicAcls`, `BlockPublicPolicy`, `IgnorePublicAcls`, \
             `RestrictPublicBuckets`) is the guard rail that keeps a bucket private even when \
             someone later attaches a public ACL or policy. The rule reports buckets without a \
             public access block and blocks that leave any of the four settings off.",
        )
        .remediation(
            Fix {
                summary: "Turn on all four settings for the bucket.",
                cloudformation: "Uploads:\n  Type: AWS::S3::Bucket\n  Properties:\n    PublicAccessBlockConfiguration:\n      BlockPublicAcls: true\n      BlockPublicPolicy: true\n      IgnorePublicAcls: true\n      RestrictPublicBuckets: true",
                serverless: None,
                terraform: "resource \"aws_s3_bucket_public_access_block\" \"uploads\" {\n  bucket                  = aws_s3_bucket.uploads.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for b in &model.buckets {
            out.evaluated(&b.meta);
            let name = &b.meta.address;
            let Some(pab) = &b.public_access_block else {
                out.missing(
                    &b.meta,
                    format!("S3 bucket `{name}` has no public access block."),
                );
                continue;
            };
            let flags: [(&str, &Val<bool>); 4] = [
                ("BlockPublicAcls", &pab.block_public_acls),
                ("BlockPublicPolicy", &pab.block_public_policy),
                ("IgnorePublicAcls", &pab.ignore_public_acls),
                ("RestrictPublicBuckets", &pab.restrict_public_buckets),
            ];
            let off: Vec<(&str, &Val<bool>)> = flags
                .into_iter()
                .filter(|(_, v)| !v.is_true() && !v.is_unknown())
                .collect();
            if off.is_empty() {
                if flags.iter().any(|(_, v)| v.is_unknown()) {
                    out.unknown(&b.meta);
                }
                continue;
            }
            let names: Vec<&str> = off.iter().map(|(n, _)| *n).collect();
            // Point at the first setting written as false, else at the block itself.
            let span = off.iter().find_map(|(_, v)| v.span()).unwrap_or(pab.span);
            out.at_in(
                &b.meta,
                &pab.file,
                span,
                &names.join(","),
                format!(
                    "The public access block of S3 bucket `{name}` leaves {} off.",
                    names.join(", ")
                ),
            );
        }
    }
}
