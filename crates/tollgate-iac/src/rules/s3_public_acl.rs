//! TG1301: a bucket whose canned ACL grants read or write to everyone.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct S3PublicAcl;

/// Canned ACLs that grant access beyond the owner, in both spellings (CloudFormation
/// `PublicRead`, Terraform `public-read`).
const PUBLIC_ACLS: &[&str] = &["publicread", "publicreadwrite", "authenticatedread"];

fn is_public(acl: &str) -> bool {
    let folded: String = acl.chars().filter(|c| *c != '-' && *c != '_').collect();
    PUBLIC_ACLS.iter().any(|p| folded.eq_ignore_ascii_case(p))
}

impl IacRule for S3PublicAcl {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1301",
                "s3-public-acl",
                Severity::High,
                "S3 bucket ACL grants access to everyone",
                "s3",
            )
        .equivalents(["CKV_AWS_20", "CKV_AWS_57"])
        .description(
            "The canned ACLs `PublicRead`, `PublicReadWrite` and `AuthenticatedRead` let anyone \
             (or any AWS account) list and read — or write — the bucket's objects. Public buckets \
             are the most common source of cloud data leaks.",
        )
        .remediation(
            Fix {
                summary: "Remove the public ACL (use `Private` or no ACL with BucketOwnerEnforced ownership) and serve public content through CloudFront with origin access control.",
                cloudformation: "Uploads:\n  Type: AWS::S3::Bucket\n  Properties:\n    OwnershipControls:\n      Rules:\n        - ObjectOwnership: BucketOwnerEnforced",
                serverless: None,
                terraform: "resource \"aws_s3_bucket_ownership_controls\" \"uploads\" {\n  bucket = aws_s3_bucket.uploads.id\n  rule {\n    object_ownership = \"BucketOwnerEnforced\"\n  }\n}",
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
            if b.acl.is_unknown() {
                out.unknown(&b.meta);
            }
            if let Some(acl) = b.acl.as_str().filter(|a| is_public(a)) {
                out.on(
                    &b.meta,
                    &b.acl,
                    acl,
                    format!("S3 bucket `{}` has the public ACL `{acl}`.", b.meta.address),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_spellings() {
        assert!(super::is_public("PublicRead"));
        assert!(super::is_public("public-read-write"));
        assert!(!super::is_public("private"));
        assert!(!super::is_public("BucketOwnerFullControl"));
    }
}
