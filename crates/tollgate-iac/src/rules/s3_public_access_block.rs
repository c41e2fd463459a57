//! TG1302: a bucket without all four S3 Block Public Access settings can be made public by a
//! later ACL or policy change.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct S3PublicAccessBlock;

/// The block's four settings, in the model's order, each with the Checkov check that asks
/// for it.
const FLAGS: [(&str, &str); 4] = [
    ("BlockPublicAcls", "CKV_AWS_53"),
    ("BlockPublicPolicy", "CKV_AWS_54"),
    ("IgnorePublicAcls", "CKV_AWS_55"),
    ("RestrictPublicBuckets", "CKV_AWS_56"),
];

/// Checkov's check that a block exists with `BlockPublicAcls` and `BlockPublicPolicy` on.
const BLOCK_CHECK: &str = "CKV2_AWS_6";

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
                let mut all: Vec<&str> = FLAGS.iter().map(|(_, id)| *id).collect();
                all.push(BLOCK_CHECK);
                out.answers(&all);
                continue;
            };
            let values = [
                &pab.block_public_acls,
                &pab.block_public_policy,
                &pab.ignore_public_acls,
                &pab.restrict_public_buckets,
            ];
            let flags: Vec<(&str, &str, &Val<bool>)> = FLAGS
                .iter()
                .zip(values)
                .map(|((name, id), v)| (*name, *id, v))
                .collect();
            let off: Vec<(&str, &str, &Val<bool>)> = flags
                .iter()
                .copied()
                .filter(|(_, _, v)| !v.is_true() && !v.is_unknown())
                .collect();
            if off.is_empty() {
                if flags.iter().any(|(_, _, v)| v.is_unknown()) {
                    out.unknown(&b.meta);
                }
                continue;
            }
            let names: Vec<&str> = off.iter().map(|(n, _, _)| *n).collect();
            // Point at the first setting written as false, else at the block itself.
            let span = off
                .iter()
                .find_map(|(_, _, v)| v.span())
                .unwrap_or(pab.span);
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
            // Each flag is a Checkov check of its own; CKV2_AWS_6 wants the first two.
            let mut ids: Vec<&str> = off.iter().map(|(_, id, _)| *id).collect();
            if names.contains(&"BlockPublicAcls") || names.contains(&"BlockPublicPolicy") {
                ids.push(BLOCK_CHECK);
            }
            out.answers(&ids);
        }
    }
}
