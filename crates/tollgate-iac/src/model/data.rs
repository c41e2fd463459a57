//! Data stores: DynamoDB tables, DAX clusters, S3 buckets.

use tollgate_syntax::Span;

use super::{Ref, ResourceMeta, Val};

/// `AWS::DynamoDB::Table`, `AWS::DynamoDB::GlobalTable`, `AWS::Serverless::SimpleTable`,
/// `aws_dynamodb_table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamoTable {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// Point-in-time recovery.
    pub pitr: Val<bool>,
    /// `SSESpecification.SSEEnabled` (false or absent: AWS-owned key).
    pub sse_enabled: Val<bool>,
    /// `SSESpecification.KMSMasterKeyId` (absent with SSE enabled: the AWS-managed key).
    pub kms_key: Val<Ref>,
    /// Replicas in other regions written on the table (`AWS::DynamoDB::GlobalTable`
    /// `Replicas`, Terraform `replica` blocks).
    pub replicas: Vec<TableReplica>,
}

/// One replica of a global table, written on the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReplica {
    /// Where the replica is written.
    pub span: Span,
    pub region: Val<String>,
    /// The replica's own key (`SSESpecification.KMSMasterKeyId`, `kms_key_arn`; absent: the
    /// AWS-managed or AWS-owned key).
    pub kms_key: Val<Ref>,
}

/// `aws_dynamodb_table_replica`: a replica declared as a resource of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamoReplica {
    pub meta: ResourceMeta,
    /// `global_table_arn`.
    pub table: Val<Ref>,
    /// `kms_key_arn` (absent: the AWS-managed key).
    pub kms_key: Val<Ref>,
}

impl DynamoTable {
    pub fn new(meta: ResourceMeta) -> Self {
        Self {
            meta,
            name: Val::Absent,
            pitr: Val::Absent,
            sse_enabled: Val::Absent,
            kms_key: Val::Absent,
            replicas: Vec::new(),
        }
    }
}

/// `AWS::DAX::Cluster`, `aws_dax_cluster`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaxCluster {
    pub meta: ResourceMeta,
    pub sse_enabled: Val<bool>,
    /// `ClusterEndpointEncryptionType`, `cluster_endpoint_encryption_type`: `NONE` (the
    /// default) or `TLS`.
    pub endpoint_encryption: Val<String>,
}

/// `AWS::S3::Bucket`, `aws_s3_bucket` with its v4 split resources joined in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Bucket {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// Canned ACL: `Private`/`private`, `PublicRead`/`public-read`, ...
    pub acl: Val<String>,
    /// Absent when no public access block is configured for the bucket.
    pub public_access_block: Option<PublicAccessBlock>,
    /// `Enabled`, `Suspended`.
    pub versioning: Val<String>,
    /// Access-log destination bucket; known when logging is configured.
    pub logging: Val<Ref>,
    /// `AES256`, `aws:kms`, `aws:kms:dsse`.
    pub sse_algorithm: Val<String>,
    pub kms_key: Val<Ref>,
    /// `OwnershipControls`, `aws_s3_bucket_ownership_controls`; `None` when not written (S3's
    /// default for new buckets is `BucketOwnerEnforced`: ACLs disabled).
    pub ownership: Option<ObjectOwnership>,
    /// `LifecycleConfiguration`, `lifecycle_rule`, `aws_s3_bucket_lifecycle_configuration`;
    /// `None` when the bucket has none.
    pub lifecycle: Option<Lifecycle>,
    /// Whether a replication rule is enabled (`ReplicationConfiguration`,
    /// `replication_configuration`, `aws_s3_bucket_replication_configuration`).
    pub replication: Val<bool>,
    /// The grants of an `aws_s3_bucket_acl`'s `access_control_policy` (Terraform only:
    /// CloudFormation writes canned ACLs alone). Unknown when the grant list cannot be read.
    pub acl_grants: Val<Vec<AclGrant>>,
}

/// `aws_s3_object`, `aws_s3_bucket_object` (Terraform only: CloudFormation cannot upload
/// objects): a file Terraform writes into a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Object {
    pub meta: ResourceMeta,
    /// `bucket`.
    pub bucket: Val<Ref>,
    /// `server_side_encryption`: `AES256`, `aws:kms`, `aws:kms:dsse`; absent means the
    /// bucket's default encryption applies.
    pub sse_algorithm: Val<String>,
    /// `kms_key_id`.
    pub kms_key: Val<Ref>,
}

/// One grant of a bucket ACL's `access_control_policy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclGrant {
    /// The file of the ACL resource that writes the grant.
    pub file: String,
    /// `grantee.uri`: one of S3's predefined groups; absent for a grant to an account or a
    /// canonical user.
    pub group: Val<String>,
    /// `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP` or `FULL_CONTROL`.
    pub permission: Val<String>,
}

/// Who owns the objects written to a bucket, and so whether ACLs still apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectOwnership {
    /// Where it is declared: the bucket, or a Terraform `aws_s3_bucket_ownership_controls`.
    pub meta: ResourceMeta,
    /// `BucketOwnerEnforced` (ACLs disabled), `BucketOwnerPreferred`, `ObjectWriter`.
    pub object_ownership: Val<String>,
}

/// A bucket's lifecycle configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    /// Where it is declared: the bucket, or a Terraform `aws_s3_bucket_lifecycle_configuration`.
    pub meta: ResourceMeta,
    /// Whether an enabled rule that applies to the whole bucket (no prefix, tag or size
    /// filter) aborts incomplete multipart uploads; at that rule when true.
    pub aborts_incomplete_uploads: Val<bool>,
}

impl S3Bucket {
    pub fn new(meta: ResourceMeta) -> Self {
        Self {
            meta,
            name: Val::Absent,
            acl: Val::Absent,
            public_access_block: None,
            versioning: Val::Absent,
            logging: Val::Absent,
            sse_algorithm: Val::Absent,
            kms_key: Val::Absent,
            ownership: None,
            lifecycle: None,
            replication: Val::Absent,
            acl_grants: Val::Absent,
        }
    }
}

/// `PublicAccessBlockConfiguration` / `aws_s3_bucket_public_access_block`. Each flag absent
/// means false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicAccessBlock {
    /// Where the block was written (file may differ from the bucket's for Terraform).
    pub file: String,
    pub span: Span,
    pub block_public_acls: Val<bool>,
    pub block_public_policy: Val<bool>,
    pub ignore_public_acls: Val<bool>,
    pub restrict_public_buckets: Val<bool>,
}
