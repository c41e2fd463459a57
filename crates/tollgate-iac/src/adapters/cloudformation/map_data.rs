//! CloudFormation DynamoDB, DAX and S3 resources into the model.

use super::policy::policy_document;
use super::value::{Cv, Props};
use crate::model::{
    DaxCluster, DynamoTable, Lifecycle, ObjectOwnership, PublicAccessBlock, ResourceMeta,
    ResourcePolicy, S3Bucket, TableReplica, Val,
};

/// `AWS::DynamoDB::Table`, `AWS::DynamoDB::GlobalTable` (first replica's settings, and every
/// replica's key),
/// `AWS::Serverless::SimpleTable`.
pub fn dynamo_table(meta: ResourceMeta, p: &Cv) -> DynamoTable {
    let replica = p.get("Replicas").and_then(|r| r.items().first());
    let mut t = DynamoTable::new(meta);
    t.name = p.str_at(&["TableName"]);
    t.pitr = p
        .bool_at(&[
            "PointInTimeRecoverySpecification",
            "PointInTimeRecoveryEnabled",
        ])
        .or(replica.bool_at(&[
            "PointInTimeRecoverySpecification",
            "PointInTimeRecoveryEnabled",
        ]));
    t.sse_enabled = p.bool_at(&["SSESpecification", "SSEEnabled"]);
    t.kms_key = p
        .ref_at(&["SSESpecification", "KMSMasterKeyId"])
        .or(replica.ref_at(&["SSESpecification", "KMSMasterKeyId"]));
    // Only a global table has `Replicas`.
    t.replicas = p
        .get("Replicas")
        .map(|r| r.items())
        .unwrap_or_default()
        .iter()
        .map(|r| TableReplica {
            span: r.span,
            region: r.str_at(&["Region"]),
            kms_key: r.ref_at(&["SSESpecification", "KMSMasterKeyId"]),
        })
        .collect();
    t
}

/// `AWS::DAX::Cluster`.
pub fn dax_cluster(meta: ResourceMeta, p: &Cv) -> DaxCluster {
    DaxCluster {
        meta,
        sse_enabled: p.bool_at(&["SSESpecification", "SSEEnabled"]),
        endpoint_encryption: p.str_at(&["ClusterEndpointEncryptionType"]),
    }
}

/// `AWS::S3::Bucket`.
pub fn bucket(meta: ResourceMeta, p: &Cv) -> S3Bucket {
    let mut b = S3Bucket::new(meta);
    b.name = p.str_at(&["BucketName"]);
    b.acl = p.str_at(&["AccessControl"]);
    b.public_access_block = p
        .get("PublicAccessBlockConfiguration")
        .filter(|v| !v.is_nothing())
        .map(|v| PublicAccessBlock {
            file: b.meta.file.clone(),
            span: v.span,
            block_public_acls: v.bool_at(&["BlockPublicAcls"]),
            block_public_policy: v.bool_at(&["BlockPublicPolicy"]),
            ignore_public_acls: v.bool_at(&["IgnorePublicAcls"]),
            restrict_public_buckets: v.bool_at(&["RestrictPublicBuckets"]),
        });
    b.versioning = p.str_at(&["VersioningConfiguration", "Status"]);
    b.logging = match p.get("LoggingConfiguration") {
        Some(l) if l.is_unknown() => Val::unknown(l.span, "logging configuration not resolvable"),
        // Without a destination bucket, logs go to the bucket itself.
        Some(l) if !l.is_nothing() => l.ref_at(&["DestinationBucketName"]).or(Val::known(
            crate::model::Ref::resource(
                b.meta.address.clone(),
                None,
                Some(b.meta.type_name.clone()),
            ),
            l.span,
        )),
        _ => Val::Absent,
    };
    let rules = p.path(&["BucketEncryption", "ServerSideEncryptionConfiguration"]);
    match rules {
        Some(r) if r.is_unknown() => {
            b.sse_algorithm = r.to_str();
            b.kms_key = r.to_ref();
        }
        Some(r) => {
            if let Some(rule) = r.items().first() {
                b.sse_algorithm = rule.str_at(&["ServerSideEncryptionByDefault", "SSEAlgorithm"]);
                b.kms_key = rule.ref_at(&["ServerSideEncryptionByDefault", "KMSMasterKeyID"]);
            }
        }
        None => {}
    }
    if let Some(o) = p.get("OwnershipControls").filter(|o| !o.is_nothing()) {
        b.ownership = Some(ObjectOwnership {
            meta: b.meta.clone(),
            object_ownership: match o.get("Rules") {
                Some(rules) if rules.is_unknown() => rules.to_str(),
                Some(rules) => rules
                    .items()
                    .first()
                    .map_or(Val::Absent, |r| r.str_at(&["ObjectOwnership"])),
                None => Val::Absent,
            },
        });
    }
    if let Some(l) = p.get("LifecycleConfiguration").filter(|l| !l.is_nothing()) {
        b.lifecycle = Some(Lifecycle {
            meta: b.meta.clone(),
            aborts_incomplete_uploads: aborts_incomplete_uploads(l),
        });
    }
    b.replication = match p.path(&["ReplicationConfiguration", "Rules"]) {
        Some(rules) if rules.is_unknown() => rules.to_bool(),
        Some(rules) => any_enabled(rules.items().iter().map(|r| r.str_at(&["Status"])), rules),
        None => Val::Absent,
    };
    b
}

/// Whether a rule of `LifecycleConfiguration` is enabled, applies to every object (no
/// `Prefix`, `TagFilters` or size filter) and aborts incomplete multipart uploads.
fn aborts_incomplete_uploads(l: &Cv) -> Val<bool> {
    let Some(rules) = l.get("Rules") else {
        return Val::known(false, l.span);
    };
    if rules.is_unknown() {
        return rules.to_bool();
    }
    let mut unknown = None;
    for r in rules.items() {
        let Some(abort) = r.get("AbortIncompleteMultipartUpload") else {
            continue;
        };
        let filtered = [
            "Prefix",
            "TagFilters",
            "ObjectSizeGreaterThan",
            "ObjectSizeLessThan",
        ]
        .iter()
        .filter_map(|k| r.get(k))
        .any(|f| !f.is_nothing() && f.text().as_deref() != Some(""));
        match r.str_at(&["Status"]) {
            Val::Known { value, .. } if value == "Enabled" && !filtered => {
                return Val::known(true, abort.span);
            }
            Val::Unknown { span, reason } => unknown = Some(Val::unknown(span, reason)),
            _ => {}
        }
    }
    unknown.unwrap_or(Val::known(false, l.span))
}

/// `Some` status is `Enabled`: true at it; else unknown if a status is, else false at `at`.
fn any_enabled(statuses: impl Iterator<Item = Val<String>>, at: &Cv) -> Val<bool> {
    let mut unknown = None;
    for status in statuses {
        match status {
            Val::Known { value, span } if value == "Enabled" => return Val::known(true, span),
            Val::Unknown { span, reason } => unknown = Some(Val::unknown(span, reason)),
            _ => {}
        }
    }
    unknown.unwrap_or(Val::known(false, at.span))
}

/// `AWS::S3::BucketPolicy` (one bucket), `AWS::SQS::QueuePolicy` (`Queues`),
/// `AWS::SNS::TopicPolicy` (`Topics`).
pub fn resource_policy(meta: ResourceMeta, p: &Cv, targets_key: &str) -> ResourcePolicy {
    let targets = p.get(targets_key).map(Cv::to_ref_list).unwrap_or_default();
    let document = p
        .get("PolicyDocument")
        .map_or(Val::Absent, |d| policy_document(&meta.file, d));
    ResourcePolicy {
        meta,
        targets,
        document,
    }
}
