//! `aws_kinesis_stream`, `aws_kinesis_firehose_delivery_stream`, `aws_ecr_repository` (+
//! `aws_ecr_repository_policy`).

use super::mapper::{boolean, inline_policy, string, Mapper};
use crate::model::{CloudModel, DeliveryStream, EcrRepository, KinesisStream, ResourcePolicy, Val};

pub fn map(m: &Mapper<'_>, model: &mut CloudModel) {
    for r in m.of_type("aws_kinesis_stream") {
        let b = &r.body;
        model.kinesis_streams.push(KinesisStream {
            meta: m.meta(r),
            encryption_type: string(b.get("encryption_type")),
            kms_key: m.reference(b.get("kms_key_id")),
        });
    }
    for r in m.of_type("aws_kinesis_firehose_delivery_stream") {
        let b = &r.body;
        let source = ["kinesis_source_configuration", "msk_source_configuration"]
            .iter()
            .find_map(|k| b.block(k));
        let reads_a_stream = match source {
            Some(s) if s.is_unknown() => {
                Val::unknown(s.span, "the source block is generated at plan time")
            }
            Some(s) => Val::known(true, s.span),
            None => Val::Absent,
        };
        let sse = b.block("server_side_encryption");
        let encrypted = boolean(sse.and_then(|s| s.get("enabled")));
        model.delivery_streams.push(DeliveryStream {
            meta: m.meta(r),
            reads_a_stream,
            encrypted,
            key_type: string(sse.and_then(|s| s.get("key_type"))),
            kms_key: m.reference(sse.and_then(|s| s.get("key_arn"))),
        });
    }
    for r in m.of_type("aws_ecr_repository") {
        let b = &r.body;
        let meta = m.meta(r);
        if let Some(p) = b.get("policy") {
            model
                .repository_policies
                .push(inline_policy(m, &meta, p, &r.file));
        }
        model.ecr_repositories.push(EcrRepository {
            meta,
            name: string(b.get("name")),
            scan_on_push: boolean(
                b.block("image_scanning_configuration")
                    .and_then(|s| s.get("scan_on_push")),
            ),
            tag_mutability: string(b.get("image_tag_mutability")),
            encryption_type: string(
                b.block("encryption_configuration")
                    .and_then(|e| e.get("encryption_type")),
            ),
        });
    }
    for r in m.of_type("aws_ecr_repository_policy") {
        model.repository_policies.push(ResourcePolicy {
            meta: m.meta(r),
            targets: vec![m.reference(r.body.get("repository"))],
            document: m.policy(r.body.get("policy"), &r.file),
        });
    }
}
