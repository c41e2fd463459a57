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

/// Who the `AllUsers` group is.
const EVERYONE: &str = "everyone";

/// S3's predefined groups of grantees beyond the owner's accounts: everyone, and every AWS
/// account (any signed request).
const PUBLIC_GROUPS: &[(&str, &str)] = &[
    ("http://acs.amazonaws.com/groups/global/AllUsers", EVERYONE),
    (
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
        "every AWS account",
    ),
];

/// Who a grant's group URI names, when it is one of [`PUBLIC_GROUPS`] (S3 compares the URI
/// without regard to the scheme's case or a trailing slash).
fn public_group(uri: &str) -> Option<&'static str> {
    let uri = uri.trim().trim_end_matches('/');
    PUBLIC_GROUPS
        .iter()
        .find(|(group, _)| group.eq_ignore_ascii_case(uri))
        .map(|(_, who)| *who)
}

/// The Checkov checks a public canned ACL answers: CKV_AWS_20 asks about reading, CKV_AWS_57
/// about writing (`public-read-write` only).
fn canned_acl_answers(acl: &str) -> &'static [&'static str] {
    let folded: String = acl.chars().filter(|c| *c != '-' && *c != '_').collect();
    if folded.eq_ignore_ascii_case("publicreadwrite") {
        &["CKV_AWS_20", "CKV_AWS_57"]
    } else {
        &["CKV_AWS_20"]
    }
}

/// The Checkov checks a grant to a public group answers: to everyone, CKV_AWS_20 always,
/// CKV_AWS_57 when it lets them write (`WRITE`, `WRITE_ACP`, `FULL_CONTROL`) and CKV_AWS_375
/// when it shows or hands over the ACL (`READ_ACP`, `FULL_CONTROL`); to every AWS account,
/// CKV2_AWS_43.
fn grant_answers(everyone: bool, permission: &str) -> Vec<&'static str> {
    if !everyone {
        return vec!["CKV2_AWS_43"];
    }
    let p = permission.to_ascii_uppercase();
    let mut ids = vec!["CKV_AWS_20"];
    if matches!(p.as_str(), "WRITE" | "WRITE_ACP" | "FULL_CONTROL") {
        ids.push("CKV_AWS_57");
    }
    if matches!(p.as_str(), "READ_ACP" | "FULL_CONTROL") {
        ids.push("CKV_AWS_375");
    }
    ids
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
        .equivalents(["CKV_AWS_20", "CKV_AWS_57", "CKV_AWS_375", "CKV2_AWS_43"])
        .description(
            "The canned ACLs `PublicRead`, `PublicReadWrite` and `AuthenticatedRead` let anyone \
             (or any AWS account) list and read — or write — the bucket's objects. Public buckets \
             are the most common source of cloud data leaks. The same access written as grants \
             of an `aws_s3_bucket_acl` (`access_control_policy`) to the `AllUsers` or \
             `AuthenticatedUsers` group is reported too, whatever the permission: reading the \
             ACL (`READ_ACP`) shows who else has access, and `WRITE_ACP` or `FULL_CONTROL` hands \
             the bucket over. Checkov asks this as several questions (CKV_AWS_20 for read, \
             CKV_AWS_57 for write, CKV_AWS_375 for `FULL_CONTROL` or `READ_ACP` to everyone, \
             CKV2_AWS_43 for grants to every AWS account); this rule reports each public grant \
             once.",
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
                out.answers(canned_acl_answers(acl));
            }
            if b.acl_grants.is_unknown() {
                out.unknown(&b.meta);
            }
            for grant in b.acl_grants.get().into_iter().flatten() {
                if grant.group.is_unknown() || grant.permission.is_unknown() {
                    out.unknown(&b.meta);
                    continue;
                }
                let (Some(uri), Some(span)) = (grant.group.as_str(), grant.group.span()) else {
                    continue;
                };
                let Some(who) = public_group(uri) else {
                    continue;
                };
                let permission = grant.permission.as_str().unwrap_or_default();
                let what = if permission.is_empty() {
                    "access".to_string()
                } else {
                    format!("`{permission}`")
                };
                out.at_in(
                    &b.meta,
                    &grant.file,
                    span,
                    &format!("{uri} {permission}"),
                    format!(
                        "S3 bucket `{}` grants {what} to {who} in its ACL.",
                        b.meta.address
                    ),
                );
                out.answers(&grant_answers(who == EVERYONE, permission));
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

    #[test]
    fn each_finding_answers_the_checkov_checks_of_its_own_question() {
        assert_eq!(super::canned_acl_answers("PublicRead"), ["CKV_AWS_20"]);
        assert_eq!(
            super::canned_acl_answers("public-read-write"),
            ["CKV_AWS_20", "CKV_AWS_57"]
        );
        assert_eq!(super::grant_answers(true, "READ"), ["CKV_AWS_20"]);
        assert_eq!(
            super::grant_answers(true, "full_control"),
            ["CKV_AWS_20", "CKV_AWS_57", "CKV_AWS_375"]
        );
        assert_eq!(super::grant_answers(false, "WRITE"), ["CKV2_AWS_43"]);
    }

    #[test]
    fn public_groups() {
        assert_eq!(
            super::public_group("http://acs.amazonaws.com/groups/global/AllUsers/"),
            Some("everyone")
        );
        assert_eq!(
            super::public_group("HTTP://acs.amazonaws.com/groups/global/AuthenticatedUsers"),
            Some("every AWS account")
        );
        assert_eq!(
            super::public_group("http://acs.amazonaws.com/groups/s3/LogDelivery"),
            None
        );
    }
}
