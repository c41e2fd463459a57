//! CloudFormation Kinesis streams, Firehose delivery streams and ECR repositories into the
//! model.

use super::policy::policy_document;
use super::value::{Cv, Props};
use crate::model::{
    CloudModel, DeliveryStream, EcrRepository, KinesisStream, ResourceMeta, ResourcePolicy, Val,
};

/// `AWS::Kinesis::Stream`.
pub fn kinesis_stream(meta: ResourceMeta, p: &Cv) -> KinesisStream {
    KinesisStream {
        meta,
        encryption_type: p.str_at(&["StreamEncryption", "EncryptionType"]),
        kms_key: p.ref_at(&["StreamEncryption", "KeyId"]),
    }
}

/// `AWS::KinesisFirehose::DeliveryStream`.
pub fn delivery_stream(meta: ResourceMeta, p: &Cv) -> DeliveryStream {
    let reads_a_stream = p
        .get("DeliveryStreamType")
        .map_or(Val::Absent, |t| t.to_str().map(|t| t != "DirectPut"));
    // Writing the encryption input turns encryption on (`KeyType` says with which key).
    let encrypted = match p.get("DeliveryStreamEncryptionConfigurationInput") {
        Some(input) if input.is_nothing() => Val::Absent,
        None => Val::Absent,
        Some(input) if input.is_unknown() => input.to_bool(),
        Some(input) => Val::known(true, input.span),
    };
    DeliveryStream {
        meta,
        reads_a_stream,
        encrypted,
        key_type: p.str_at(&["DeliveryStreamEncryptionConfigurationInput", "KeyType"]),
        kms_key: p.ref_at(&["DeliveryStreamEncryptionConfigurationInput", "KeyARN"]),
    }
}

/// `AWS::ECR::Repository`; an inline `RepositoryPolicyText` joins the repository policies.
pub fn ecr_repository(meta: ResourceMeta, p: &Cv, model: &mut CloudModel) {
    if let Some(text) = p.get("RepositoryPolicyText") {
        model.repository_policies.push(ResourcePolicy {
            meta: meta.clone(),
            targets: Vec::new(),
            document: policy_document(&meta.file, text),
        });
    }
    model.ecr_repositories.push(EcrRepository {
        meta,
        name: p.str_at(&["RepositoryName"]),
        scan_on_push: p.bool_at(&["ImageScanningConfiguration", "ScanOnPush"]),
        tag_mutability: p.str_at(&["ImageTagMutability"]),
        encryption_type: p.str_at(&["EncryptionConfiguration", "EncryptionType"]),
    });
}
