//! KMS keys, Secrets Manager secrets and their rotation, SSM parameters.

use super::{PolicyDocument, Ref, ResourceMeta, Val};

/// `AWS::KMS::Key`, `aws_kms_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKey {
    pub meta: ResourceMeta,
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
}

/// `AWS::SSM::Parameter`, `aws_ssm_parameter`. The value may be a secret: never print it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsmParameter {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// `String`, `StringList`, `SecureString`.
    pub param_type: Val<String>,
    pub value: Val<String>,
}
