//! `aws_sqs_queue` / `aws_sqs_queue_policy` and `aws_sns_topic` / `aws_sns_topic_policy`;
//! an inline `policy` argument becomes a resource policy carrying its owner's metadata.
//! `aws_scheduler_schedule`.

use super::mapper::{boolean, inline_policy, string, Mapper};
use crate::model::{CloudModel, Queue, Ref, ResourcePolicy, Schedule, Topic, Val};

pub fn map(m: &Mapper<'_>, model: &mut CloudModel) {
    for r in m.of_type("aws_sqs_queue") {
        let b = &r.body;
        let mut q = Queue::new(m.meta(r));
        q.name = string(b.get("name"));
        q.sqs_managed_sse = boolean(b.get("sqs_managed_sse_enabled"));
        q.kms_key = m.reference(b.get("kms_master_key_id"));
        if let Some(p) = b.get("policy") {
            model
                .queue_policies
                .push(inline_policy(m, &q.meta, p, &r.file));
        }
        model.queues.push(q);
    }
    for r in m.of_type("aws_sqs_queue_policy") {
        model.queue_policies.push(ResourcePolicy {
            meta: m.meta(r),
            targets: vec![queue_url(m.reference(r.body.get("queue_url")))],
            document: m.policy(r.body.get("policy"), &r.file),
        });
    }
    for r in m.of_type("aws_sns_topic") {
        let b = &r.body;
        let t = Topic {
            meta: m.meta(r),
            name: string(b.get("name")),
            kms_key: m.reference(b.get("kms_master_key_id")),
        };
        if let Some(p) = b.get("policy") {
            model
                .topic_policies
                .push(inline_policy(m, &t.meta, p, &r.file));
        }
        model.topics.push(t);
    }
    for r in m.of_type("aws_scheduler_schedule") {
        model.schedules.push(Schedule {
            meta: m.meta(r),
            kms_key: m.reference(r.body.get("kms_key_arn")),
        });
    }
    for r in m.of_type("aws_sns_topic_policy") {
        model.topic_policies.push(ResourcePolicy {
            meta: m.meta(r),
            targets: vec![m.reference(r.body.get("arn"))],
            document: m.policy(r.body.get("policy"), &r.file),
        });
    }
}

/// A queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`, as plans show it) names
/// the queue by its last path segment.
fn queue_url(v: Val<Ref>) -> Val<Ref> {
    match v {
        Val::Known {
            value: Ref::Literal(url),
            span,
        } if url.starts_with("https://") => {
            let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or(&url);
            Val::known(Ref::literal(name), span)
        }
        other => other,
    }
}
