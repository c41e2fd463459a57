//! CloudFormation SQS, SNS, KMS, Secrets Manager, SSM, CloudWatch Logs, CloudTrail and IAM
//! resources into the model.

use super::policy::policy_document;
use super::value::{Cv, CvKind, Props};
use crate::model::{
    non_empty, EventDataStore, IamAccessKey, IamPolicy, IamRole, IamUser, KmsKey, LogGroup,
    NamedPolicy, Queue, ResourceMeta, RotationSchedule, Schedule, Secret, SessionInputs,
    SsmDocument, SsmParameter, Topic, Trail, Val,
};

/// `AWS::SQS::Queue`.
pub fn queue(meta: ResourceMeta, p: &Cv) -> Queue {
    let mut q = Queue::new(meta);
    q.name = p.str_at(&["QueueName"]);
    q.sqs_managed_sse = p.bool_at(&["SqsManagedSseEnabled"]);
    q.kms_key = p.ref_at(&["KmsMasterKeyId"]);
    q
}

/// `AWS::SNS::Topic`.
pub fn topic(meta: ResourceMeta, p: &Cv) -> Topic {
    Topic {
        meta,
        name: p.str_at(&["TopicName"]),
        kms_key: p.ref_at(&["KmsMasterKeyId"]),
    }
}

/// `AWS::Scheduler::Schedule`.
pub fn schedule(meta: ResourceMeta, p: &Cv) -> Schedule {
    Schedule {
        meta,
        kms_key: p.ref_at(&["KmsKeyArn"]),
    }
}

/// `AWS::KMS::Key`.
pub fn kms_key(meta: ResourceMeta, p: &Cv) -> KmsKey {
    let policy = p
        .get("KeyPolicy")
        .map_or(Val::Absent, |d| policy_document(&meta.file, d));
    KmsKey {
        enabled: p.bool_at(&["Enabled"]),
        rotation: p.bool_at(&["EnableKeyRotation"]),
        key_spec: p.str_at(&["KeySpec"]),
        policy,
        meta,
    }
}

/// `AWS::SecretsManager::Secret`.
pub fn secret(meta: ResourceMeta, p: &Cv) -> Secret {
    Secret {
        meta,
        name: p.str_at(&["Name"]),
        kms_key: p.ref_at(&["KmsKeyId"]),
    }
}

/// `AWS::SecretsManager::RotationSchedule`.
pub fn rotation_schedule(meta: ResourceMeta, p: &Cv) -> RotationSchedule {
    RotationSchedule {
        meta,
        secret: p.ref_at(&["SecretId"]),
        rotation_lambda: p.ref_at(&["RotationLambdaARN"]),
        after_days: p.int_at(&["RotationRules", "AutomaticallyAfterDays"]),
        schedule_expression: p.str_at(&["RotationRules", "ScheduleExpression"]),
    }
}

/// `AWS::SSM::Parameter`.
pub fn ssm_parameter(meta: ResourceMeta, p: &Cv) -> SsmParameter {
    SsmParameter {
        meta,
        name: p.str_at(&["Name"]),
        param_type: p.str_at(&["Type"]),
        value: p.str_at(&["Value"]),
        kms_key: Val::Absent,
    }
}

/// `AWS::SSM::Document`. Its `Content` is a map in the template (text content is not read).
pub fn ssm_document(meta: ResourceMeta, p: &Cv) -> SsmDocument {
    let inputs = match p.get("Content") {
        None => Val::Absent,
        Some(c) => match &c.kind {
            CvKind::Map(_) => match c.get("inputs") {
                None => Val::Absent,
                Some(i) => session_inputs(i),
            },
            CvKind::Unknown(reason) => Val::unknown(c.span, reason.clone()),
            _ if c.is_nothing() => Val::Absent,
            _ => Val::unknown(c.span, "document content written as text is not read"),
        },
    };
    SsmDocument {
        meta,
        document_type: p.str_at(&["DocumentType"]),
        inputs,
        shared_with: Val::Absent,
    }
}

/// The `inputs` map of a Session document's content.
fn session_inputs(i: &Cv) -> Val<SessionInputs> {
    match &i.kind {
        CvKind::Map(_) => Val::known(
            SessionInputs {
                kms_key: non_empty(i.str_at(&["kmsKeyId"])),
                s3_bucket: non_empty(i.str_at(&["s3BucketName"])),
                s3_encryption: i.bool_at(&["s3EncryptionEnabled"]),
                log_group: non_empty(i.str_at(&["cloudWatchLogGroupName"])),
                log_group_encryption: i.bool_at(&["cloudWatchEncryptionEnabled"]),
            },
            i.span,
        ),
        CvKind::Unknown(reason) => Val::unknown(i.span, reason.clone()),
        _ if i.is_nothing() => Val::Absent,
        _ => Val::unknown(i.span, "`inputs` is not a map"),
    }
}

/// `AWS::Logs::LogGroup`.
pub fn log_group(meta: ResourceMeta, p: &Cv) -> LogGroup {
    LogGroup {
        meta,
        name: p.str_at(&["LogGroupName"]),
        retention_days: p.int_at(&["RetentionInDays"]),
        kms_key: p.ref_at(&["KmsKeyId"]),
    }
}

/// `AWS::CloudTrail::Trail`.
pub fn trail(meta: ResourceMeta, p: &Cv) -> Trail {
    Trail {
        meta,
        log_file_validation: p.bool_at(&["EnableLogFileValidation"]),
        multi_region: p.bool_at(&["IsMultiRegionTrail"]),
        kms_key: p.ref_at(&["KMSKeyId"]),
        logging: p.bool_at(&["IsLogging"]),
        sns_topic: p.str_at(&["SnsTopicName"]),
        log_group: p.str_at(&["CloudWatchLogsLogGroupArn"]),
    }
}

/// `AWS::CloudTrail::EventDataStore`.
pub fn event_data_store(meta: ResourceMeta, p: &Cv) -> EventDataStore {
    EventDataStore {
        meta,
        kms_key: p.ref_at(&["KmsKeyId"]),
    }
}

/// `AWS::IAM::Role`.
pub fn role(meta: ResourceMeta, p: &Cv) -> IamRole {
    let file = meta.file.clone();
    let mut r = IamRole::new(meta);
    r.name = p.str_at(&["RoleName"]);
    r.trust_policy = p
        .get("AssumeRolePolicyDocument")
        .map_or(Val::Absent, |d| policy_document(&file, d));
    r.inline_policies = inline_policies(&file, p);
    r.managed_policy_arns = managed_policy_arns(p);
    r.permissions_boundary = p.str_at(&["PermissionsBoundary"]);
    r
}

/// The `Policies` of a role or user: one named document each.
fn inline_policies(file: &str, p: &Cv) -> Vec<NamedPolicy> {
    match p.get("Policies") {
        Some(list) => match &list.kind {
            CvKind::List(items) => items
                .iter()
                .map(|i| NamedPolicy {
                    name: i.str_at(&["PolicyName"]),
                    document: i
                        .path(&["PolicyDocument"])
                        .map_or(Val::Absent, |d| policy_document(file, d)),
                })
                .collect(),
            _ if list.is_nothing() => Vec::new(),
            _ => vec![NamedPolicy {
                name: Val::Absent,
                document: policy_document(file, list),
            }],
        },
        None => Vec::new(),
    }
}

/// The `ManagedPolicyArns` of a role or user.
fn managed_policy_arns(p: &Cv) -> Vec<Val<String>> {
    p.get("ManagedPolicyArns")
        .map(Cv::to_str_list)
        .unwrap_or_default()
}

/// `AWS::IAM::User`.
pub fn user(meta: ResourceMeta, p: &Cv) -> IamUser {
    let inline_policies = inline_policies(&meta.file, p);
    let mut u = IamUser::new(meta);
    u.name = p.str_at(&["UserName"]);
    u.console_password = match p.get("LoginProfile") {
        Some(l) if l.is_unknown() => Val::unknown(l.span, "the login profile is not resolvable"),
        Some(l) if !l.is_nothing() => Val::known(true, l.span),
        _ => Val::Absent,
    };
    u.inline_policies = inline_policies;
    u.managed_policy_arns = managed_policy_arns(p);
    u
}

/// `AWS::IAM::AccessKey`.
pub fn access_key(meta: ResourceMeta, p: &Cv) -> IamAccessKey {
    IamAccessKey {
        user: p.get("UserName").map_or(Val::Absent, Cv::to_ref),
        status: p.str_at(&["Status"]),
        meta,
    }
}

/// `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`.
pub fn policy(meta: ResourceMeta, p: &Cv) -> IamPolicy {
    let document = p
        .get("PolicyDocument")
        .map_or(Val::Absent, |d| policy_document(&meta.file, d));
    let refs = |key: &str| p.get(key).map(Cv::to_ref_list).unwrap_or_default();
    IamPolicy {
        name: p
            .str_at(&["PolicyName"])
            .or(p.str_at(&["ManagedPolicyName"])),
        document,
        roles: refs("Roles"),
        users: refs("Users"),
        groups: refs("Groups"),
        meta,
    }
}
