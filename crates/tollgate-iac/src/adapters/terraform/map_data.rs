//! `aws_dynamodb_table`, `aws_dax_cluster` and `aws_s3_bucket` with both the legacy inline
//! blocks and the provider v4+ split resources (acl, versioning, logging, encryption, public
//! access block, policy) joined to their bucket; the objects Terraform uploads
//! (`aws_s3_object`, `aws_s3_bucket_object`).

use super::mapper::{boolean, in_file, inline_policy, string, Mapper};
use super::value::Tv;
use crate::model::{
    AclGrant, CloudModel, DaxCluster, DynamoReplica, DynamoTable, Lifecycle, ObjectOwnership,
    PublicAccessBlock, ResourcePolicy, S3Bucket, S3Object, TableReplica, Val,
};

pub fn map(m: &Mapper<'_>, model: &mut CloudModel) {
    for r in m.of_type("aws_dynamodb_table") {
        let b = &r.body;
        let mut t = DynamoTable::new(m.meta(r));
        t.name = string(b.get("name"));
        t.pitr = boolean(
            b.block("point_in_time_recovery")
                .and_then(|p| p.get("enabled")),
        );
        let sse = b.block("server_side_encryption");
        t.sse_enabled = boolean(sse.and_then(|s| s.get("enabled")));
        t.kms_key = m.reference(sse.and_then(|s| s.get("kms_key_arn")));
        t.replicas = b
            .blocks("replica")
            .into_iter()
            .map(|r| TableReplica {
                span: r.span,
                region: string(r.get("region_name")),
                kms_key: m.reference(r.get("kms_key_arn")),
            })
            .collect();
        model.dynamo_tables.push(t);
    }
    for r in m.of_type("aws_dynamodb_table_replica") {
        model.dynamo_replicas.push(DynamoReplica {
            meta: m.meta(r),
            table: m.reference(r.body.get("global_table_arn")),
            kms_key: m.reference(r.body.get("kms_key_arn")),
        });
    }
    // `aws_s3_bucket_object` is the provider's older name for `aws_s3_object`.
    for type_name in ["aws_s3_object", "aws_s3_bucket_object"] {
        for r in m.of_type(type_name) {
            model.s3_objects.push(S3Object {
                meta: m.meta(r),
                bucket: m.reference(r.body.get("bucket")),
                sse_algorithm: string(r.body.get("server_side_encryption")),
                kms_key: m.reference(r.body.get("kms_key_id")),
            });
        }
    }
    for r in m.of_type("aws_dax_cluster") {
        model.dax_clusters.push(DaxCluster {
            meta: m.meta(r),
            sse_enabled: boolean(
                r.body
                    .block("server_side_encryption")
                    .and_then(|s| s.get("enabled")),
            ),
            endpoint_encryption: string(r.body.get("cluster_endpoint_encryption_type")),
        });
    }
    for r in m.of_type("aws_s3_bucket") {
        let b = &r.body;
        let mut s = S3Bucket::new(m.meta(r));
        s.name = string(b.get("bucket"));
        s.acl = string(b.get("acl"));
        if let Some(v) = b.block("versioning") {
            s.versioning = versioning_from_bool(v.get("enabled"));
        }
        if let Some(l) = b.block("logging") {
            s.logging = m.reference(l.get("target_bucket"));
        }
        if let Some(sse) = b.block("server_side_encryption_configuration") {
            set_encryption(m, &mut s, sse, &r.file);
        }
        if let Some(p) = b.get("policy") {
            model
                .bucket_policies
                .push(inline_policy(m, &s.meta, p, &r.file));
        }
        let names = ["bucket", "id"];
        for a in m.attached("aws_s3_bucket_acl", "bucket", r, &names) {
            // An ACL resource written with grants instead of a canned ACL leaves `acl` as it was.
            let acl = in_file(string(a.body.get("acl")), &a.file, &s.meta);
            s.acl = acl.or(std::mem::take(&mut s.acl));
            if let Some(policy) = a.body.block("access_control_policy") {
                s.acl_grants = acl_grants(policy, &a.file);
            }
        }
        for v in m.attached("aws_s3_bucket_versioning", "bucket", r, &names) {
            let status = v
                .body
                .block("versioning_configuration")
                .and_then(|c| c.get("status"));
            s.versioning = in_file(string(status), &v.file, &s.meta);
        }
        for l in m.attached("aws_s3_bucket_logging", "bucket", r, &names) {
            s.logging = in_file(m.reference(l.body.get("target_bucket")), &l.file, &s.meta);
        }
        for e in m.attached(
            "aws_s3_bucket_server_side_encryption_configuration",
            "bucket",
            r,
            &names,
        ) {
            set_encryption(m, &mut s, &e.body, &e.file);
        }
        for p in m.attached("aws_s3_bucket_public_access_block", "bucket", r, &names) {
            let f = |k: &str| boolean(p.body.get(k));
            s.public_access_block = Some(PublicAccessBlock {
                file: p.file.clone(),
                span: p.header,
                block_public_acls: f("block_public_acls"),
                block_public_policy: f("block_public_policy"),
                ignore_public_acls: f("ignore_public_acls"),
                restrict_public_buckets: f("restrict_public_buckets"),
            });
        }
        for o in m.attached("aws_s3_bucket_ownership_controls", "bucket", r, &names) {
            s.ownership = Some(ObjectOwnership {
                meta: m.meta(o),
                object_ownership: string(
                    o.body.block("rule").and_then(|r| r.get("object_ownership")),
                ),
            });
        }
        // Plan JSON writes `lifecycle_rule = []` for a bucket that has none.
        let inline_lifecycle = b.get("lifecycle_rule");
        if inline_lifecycle.is_some_and(Tv::is_unknown) || !b.blocks("lifecycle_rule").is_empty() {
            s.lifecycle = Some(Lifecycle {
                meta: s.meta.clone(),
                aborts_incomplete_uploads: aborts_incomplete_uploads(b, "lifecycle_rule"),
            });
        }
        for l in m.attached("aws_s3_bucket_lifecycle_configuration", "bucket", r, &names) {
            s.lifecycle = Some(Lifecycle {
                meta: m.meta(l),
                aborts_incomplete_uploads: aborts_incomplete_uploads(&l.body, "rule"),
            });
        }
        if let Some(c) = b.block("replication_configuration") {
            s.replication = replication_enabled(c, "rules");
        }
        for c in m.attached(
            "aws_s3_bucket_replication_configuration",
            "bucket",
            r,
            &names,
        ) {
            s.replication = in_file(replication_enabled(&c.body, "rule"), &c.file, &s.meta);
        }
        model.buckets.push(s);
    }
    for r in m.of_type("aws_s3_bucket_policy") {
        model.bucket_policies.push(ResourcePolicy {
            meta: m.meta(r),
            targets: vec![m.reference(r.body.get("bucket"))],
            document: m.policy(r.body.get("policy"), &r.file),
        });
    }
}

/// The `grant` blocks of an ACL's `access_control_policy`, each with its grantee group and
/// permission; unknown when the policy or its grant list is (a `dynamic` block over an unknown
/// collection).
fn acl_grants(policy: &Tv, file: &str) -> Val<Vec<AclGrant>> {
    let unknown = [Some(policy), policy.get("grant")]
        .into_iter()
        .flatten()
        .find(|v| v.is_unknown());
    if let Some(v) = unknown {
        return Val::unknown(v.span, "ACL grants not resolvable");
    }
    let grants = policy
        .blocks("grant")
        .into_iter()
        .map(|g| AclGrant {
            file: file.to_string(),
            group: string(g.block("grantee").and_then(|e| e.get("uri"))),
            permission: string(g.get("permission")),
        })
        .collect();
    Val::known(grants, policy.span)
}

/// Legacy `versioning { enabled = true }` as the status the split resource would write.
fn versioning_from_bool(v: Option<&Tv>) -> Val<String> {
    boolean(v).map(|on| {
        if on {
            "Enabled".to_string()
        } else {
            "Suspended".to_string()
        }
    })
}

/// `rule { apply_server_side_encryption_by_default { sse_algorithm kms_master_key_id } }`.
fn set_encryption(m: &Mapper<'_>, s: &mut S3Bucket, cfg: &Tv, file: &str) {
    let Some(default) = cfg
        .block("rule")
        .and_then(|r| r.block("apply_server_side_encryption_by_default"))
    else {
        return;
    };
    s.sse_algorithm = in_file(string(default.get("sse_algorithm")), file, &s.meta);
    s.kms_key = in_file(m.reference(default.get("kms_master_key_id")), file, &s.meta);
}

/// Whether a lifecycle rule (legacy `lifecycle_rule` blocks with `enabled` and
/// `abort_incomplete_multipart_upload_days`, or the split resource's `rule` blocks with `status`
/// and an `abort_incomplete_multipart_upload` block) is on, applies to every object (no prefix,
/// tag or size filter) and aborts incomplete multipart uploads.
fn aborts_incomplete_uploads(body: &Tv, key: &str) -> Val<bool> {
    let Some(all) = body.get(key) else {
        return Val::Absent;
    };
    if all.is_unknown() {
        return boolean(Some(all));
    }
    let mut unknown = None;
    for rule in body.blocks(key) {
        let abort = rule
            .get("abort_incomplete_multipart_upload_days")
            .or_else(|| rule.block("abort_incomplete_multipart_upload"));
        let Some(abort) = abort.filter(|a| !a.is_null()) else {
            continue;
        };
        let on = match rule.get("status") {
            Some(status) => string(Some(status)).map(|s| s == "Enabled"),
            None => boolean(rule.get("enabled")),
        };
        let filter = rule.block("filter");
        let filter = filter.and_then(|f| f.block("and")).or(filter);
        let filtered = [rule.get("prefix"), rule.get("tags")]
            .into_iter()
            .chain(
                [
                    "prefix",
                    "tag",
                    "tags",
                    "object_size_greater_than",
                    "object_size_less_than",
                ]
                .iter()
                .map(|k| filter.and_then(|f| f.get(k))),
            )
            .flatten()
            .any(|v| !v.is_null() && v.as_str() != Some("") && v.as_object() != Some(&[]));
        match on {
            Val::Known { value: true, .. } if !filtered => return Val::known(true, abort.span),
            Val::Unknown { span, reason } => unknown = Some(Val::unknown(span, reason)),
            _ => {}
        }
    }
    unknown.unwrap_or(Val::known(false, all.span))
}

/// Whether a replication rule (`rules` inline, `rule` in the split resource) has `status`
/// `Enabled`.
fn replication_enabled(c: &Tv, key: &str) -> Val<bool> {
    match c.get(key) {
        Some(all) if all.is_unknown() => boolean(Some(all)),
        Some(all) => {
            let mut unknown = None;
            for rule in c.blocks(key) {
                match string(rule.get("status")) {
                    Val::Known { value, span } if value == "Enabled" => {
                        return Val::known(true, span)
                    }
                    Val::Unknown { span, reason } => unknown = Some(Val::unknown(span, reason)),
                    _ => {}
                }
            }
            unknown.unwrap_or(Val::known(false, all.span))
        }
        None => Val::known(false, c.span),
    }
}
