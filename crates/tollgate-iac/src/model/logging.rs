//! CloudWatch log groups, CloudTrail trails and CloudTrail Lake event data stores.

use super::{Ref, ResourceMeta, Val};

/// `AWS::Logs::LogGroup`, `aws_cloudwatch_log_group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGroup {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// Absent or 0: kept forever (Terraform's `0` means never expire).
    pub retention_days: Val<i64>,
    pub kms_key: Val<Ref>,
}

/// `AWS::CloudTrail::Trail`, `aws_cloudtrail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trail {
    pub meta: ResourceMeta,
    pub log_file_validation: Val<bool>,
    pub multi_region: Val<bool>,
    pub kms_key: Val<Ref>,
    /// `IsLogging` / `enable_logging` (absent: CloudFormation requires it; Terraform: true).
    pub logging: Val<bool>,
    /// `SnsTopicName`, `sns_topic_name`: notified of every log file delivered.
    pub sns_topic: Val<String>,
    /// `CloudWatchLogsLogGroupArn`, `cloud_watch_logs_group_arn`: where events are also sent.
    pub log_group: Val<String>,
}

/// `AWS::CloudTrail::EventDataStore`, `aws_cloudtrail_event_data_store`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDataStore {
    pub meta: ResourceMeta,
    /// `KmsKeyId`, `kms_key_id` (absent: a key CloudTrail owns).
    pub kms_key: Val<Ref>,
}
