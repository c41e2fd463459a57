//! KMS keys, Secrets Manager secrets and their rotation, SSM parameters.

use super::{PolicyDocument, Ref, ResourceMeta, Val};

/// `AWS::KMS::Key`, `aws_kms_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKey {
    pub meta: ResourceMeta,
    /// `Enabled`, `is_enabled` (absent: enabled).
    pub enabled: Val<bool>,
    pub rotation: Val<bool>,
    /// `KeySpec`: rotation only applies to `SYMMETRIC_DEFAULT` (the default when absent).
    pub key_spec: Val<String>,
    pub policy: Val<PolicyDocument>,
}

/// `AWS::SecretsManager::Secret`, `aws_secretsmanager_secret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    pub kms_key: Val<Ref>,
}

/// `AWS::SecretsManager::RotationSchedule`, `aws_secretsmanager_secret_rotation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationSchedule {
    pub meta: ResourceMeta,
    pub secret: Val<Ref>,
    pub rotation_lambda: Val<Ref>,
    /// `RotationRules.AutomaticallyAfterDays`, `rotation_rules.automatically_after_days`.
    pub after_days: Val<i64>,
    /// `RotationRules.ScheduleExpression`, `rotation_rules.schedule_expression`: `rate(...)`
    /// or `cron(...)`.
    pub schedule_expression: Val<String>,
}

/// `AWS::SSM::Parameter`, `aws_ssm_parameter`. The value may be a secret: never print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsmParameter {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// `String`, `StringList`, `SecureString`.
    pub param_type: Val<String>,
    pub value: Val<String>,
    /// The key a `SecureString` is encrypted with (`key_id`; absent: the AWS-managed
    /// `alias/aws/ssm`). CloudFormation cannot create SecureString parameters.
    pub kms_key: Val<Ref>,
}

/// `AWS::SSM::Document`, `aws_ssm_document`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsmDocument {
    pub meta: ResourceMeta,
    /// `DocumentType`, `document_type`: `Command` (the default), `Session`, `Automation`...
    pub document_type: Val<String>,
    /// The `inputs` of a document's content (a `Session` document's preferences): absent when
    /// the content has none, unknown when the content cannot be read statically.
    pub inputs: Val<SessionInputs>,
    /// Terraform `permissions { type = "Share", account_ids = ... }`: the accounts the document
    /// is shared with, `All` for every account. CloudFormation cannot share documents.
    pub shared_with: Val<String>,
}

/// Session Manager preferences (`inputs` of a `Session` document). Empty strings count as
/// absent, as the Session Manager console reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInputs {
    /// `kmsKeyId`: the key session data is encrypted with in transit.
    pub kms_key: Val<String>,
    /// `s3BucketName` and `s3EncryptionEnabled`.
    pub s3_bucket: Val<String>,
    pub s3_encryption: Val<bool>,
    /// `cloudWatchLogGroupName` and `cloudWatchEncryptionEnabled`.
    pub log_group: Val<String>,
    pub log_group_encryption: Val<bool>,
}

/// A string setting where the empty string means "not set".
pub fn non_empty(v: Val<String>) -> Val<String> {
    match v {
        Val::Known { value, .. } if value.trim().is_empty() => Val::Absent,
        other => other,
    }
}
