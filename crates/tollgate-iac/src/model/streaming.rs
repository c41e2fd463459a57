//! Kinesis data streams, Firehose delivery streams and ECR repositories (the images container
//! functions run).

use super::{Ref, ResourceMeta, Val};

/// `AWS::Kinesis::Stream`, `aws_kinesis_stream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KinesisStream {
    pub meta: ResourceMeta,
    /// `StreamEncryption.EncryptionType` / `encryption_type`: `KMS` or `NONE` (the default).
    pub encryption_type: Val<String>,
    pub kms_key: Val<Ref>,
}

/// `AWS::KinesisFirehose::DeliveryStream`, `aws_kinesis_firehose_delivery_stream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryStream {
    pub meta: ResourceMeta,
    /// Whether records come from a Kinesis stream or an MSK cluster (`DeliveryStreamType`,
    /// `kinesis_source_configuration`, `msk_source_configuration`): then the source's own
    /// encryption protects them, and Firehose's server-side encryption cannot be turned on.
    pub reads_a_stream: Val<bool>,
    /// Server-side encryption of records at rest (`DeliveryStreamEncryptionConfigurationInput`,
    /// `server_side_encryption.enabled`).
    pub encrypted: Val<bool>,
    /// `KeyType`, `key_type`: `AWS_OWNED_CMK` (the default) or `CUSTOMER_MANAGED_CMK`.
    pub key_type: Val<String>,
    /// `KeyARN`, `key_arn`: the customer-managed key.
    pub kms_key: Val<Ref>,
}

/// `AWS::ECR::Repository`, `aws_ecr_repository`. Its policy (`RepositoryPolicyText`,
/// `aws_ecr_repository_policy`) is in [`super::CloudModel::repository_policies`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrRepository {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// `ImageScanningConfiguration.ScanOnPush`, `image_scanning_configuration.scan_on_push`.
    pub scan_on_push: Val<bool>,
    /// `ImageTagMutability`, `image_tag_mutability`: `MUTABLE` (the default) or `IMMUTABLE`.
    pub tag_mutability: Val<String>,
    /// `EncryptionConfiguration.EncryptionType`, `encryption_configuration.encryption_type`:
    /// `AES256` (the default) or `KMS`.
    pub encryption_type: Val<String>,
}
