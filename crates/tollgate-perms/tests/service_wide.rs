//! An ARN that names every resource of a service (`arn:aws:s3:::*/*`) is as wide as `*` for
//! that service's actions, and only for them.

mod support;

use support::{fixtures, of, scan};

#[test]
fn a_service_wide_arn_counts_as_every_resource_for_that_service() {
    let all = scan(&fixtures("service-wide"), "template.sam.yaml");
    let reads = of(&all, "TG2005", "ReaderRole");
    assert_eq!(reads.len(), 1, "{all:#?}");
    let m = &reads[0].message;
    assert!(
        m.contains("every `s3` resource (`arn:aws:s3:::*/*`)") && m.contains("`s3:GetObject`"),
        "{m}"
    );
    // `dynamodb:Scan` is granted on one table only: not counted.
    assert!(!m.contains("dynamodb"), "{m}");
    assert_eq!(reads[0].location.start_line(), Some(29));
}

#[test]
fn sam_s3_full_access_on_any_bucket_is_broad() {
    let all = scan(&fixtures("service-wide"), "template.sam.yaml");
    for code in ["TG2005", "TG2007", "TG2008"] {
        assert!(
            !of(&all, code, "AnyBucketFunctionRole").is_empty(),
            "{code}: {all:#?}"
        );
    }
}

#[test]
fn a_named_bucket_and_another_service_wildcard_are_not_every_resource() {
    // `arn:aws:dynamodb:*:*:*` is every DynamoDB resource, but the statement's only DynamoDB
    // action, `dynamodb:Scan`, is not a data-exfiltration action; `arn:aws:s3:::*:table` is not
    // all wildcards.
    let all = scan(&fixtures("service-wide"), "template.sam.yaml");
    assert!(of(&all, "TG2005", "ScopedRole").is_empty(), "{all:#?}");
}

#[test]
fn which_arns_name_every_resource_of_a_service() {
    use tollgate_perms::analysis::service_wide_arn;
    let service = |arn| service_wide_arn(arn);
    assert_eq!(service("arn:aws:s3:::*").as_deref(), Some("s3"));
    assert_eq!(service("arn:aws:s3:::*/*").as_deref(), Some("s3"));
    assert_eq!(
        service("arn:${AWS::Partition}:s3:::*").as_deref(),
        Some("s3")
    );
    assert_eq!(
        service("arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:*").as_deref(),
        Some("dynamodb")
    );
    assert_eq!(service("arn:aws:s3:::exports/*"), None);
    assert_eq!(service("arn:aws:dynamodb:*:*:table/*"), None);
    assert_eq!(service("arn:aws:*:*:*:*"), None, "no single service");
    assert_eq!(service("*"), None, "plain `*` is its own case");
    assert_eq!(
        service("arn:aws:s3:::${Bucket"),
        None,
        "unclosed placeholder"
    );
}
