//! SQS queues, SNS topics and EventBridge Scheduler schedules, and the resource policies of
//! queues, topics and buckets.

use super::{PolicyDocument, Ref, ResourceMeta, Val};

/// `AWS::SQS::Queue`, `aws_sqs_queue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// `SqsManagedSseEnabled`.
    pub sqs_managed_sse: Val<bool>,
    /// `KmsMasterKeyId`.
    pub kms_key: Val<Ref>,
}

impl Queue {
    pub fn new(meta: ResourceMeta) -> Self {
        Self {
            meta,
            name: Val::Absent,
            sqs_managed_sse: Val::Absent,
            kms_key: Val::Absent,
        }
    }
}

/// `AWS::SNS::Topic`, `aws_sns_topic`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    pub kms_key: Val<Ref>,
}

/// `AWS::Scheduler::Schedule`, `aws_scheduler_schedule`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub meta: ResourceMeta,
    /// `KmsKeyArn`, `kms_key_arn` (absent: an AWS-owned key).
    pub kms_key: Val<Ref>,
}

/// A resource policy attached to other resources: `AWS::S3::BucketPolicy`,
/// `AWS::SQS::QueuePolicy`, `AWS::SNS::TopicPolicy`, `aws_s3_bucket_policy`,
/// `aws_sqs_queue_policy`, `aws_sns_topic_policy`, or an inline `policy` argument (then `meta`
/// is the owning resource's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePolicy {
    pub meta: ResourceMeta,
    /// The buckets / queues / topics it applies to.
    pub targets: Vec<Val<Ref>>,
    pub document: Val<PolicyDocument>,
}
