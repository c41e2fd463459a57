//! IAM roles, users, managed / standalone policies and the account's password policy.

use super::{NamedPolicy, PolicyDocument, Ref, ResourceMeta, Val};

/// `AWS::IAM::Role`, the implicit role of a SAM function or Serverless service,
/// `aws_iam_role` (with `aws_iam_role_policy` / attachments joined in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamRole {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    pub trust_policy: Val<PolicyDocument>,
    pub inline_policies: Vec<NamedPolicy>,
    /// ARNs (or, for SAM, AWS managed policy names) of attached managed policies.
    pub managed_policy_arns: Vec<Val<String>>,
    pub permissions_boundary: Val<String>,
}

impl IamRole {
    pub fn new(meta: ResourceMeta) -> Self {
        Self {
            meta,
            name: Val::Absent,
            trust_policy: Val::Absent,
            inline_policies: Vec::new(),
            managed_policy_arns: Vec::new(),
            permissions_boundary: Val::Absent,
        }
    }
}

/// `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`, `aws_iam_policy`, `aws_iam_role_policy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamPolicy {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    pub document: Val<PolicyDocument>,
    /// Roles it is attached to.
    pub roles: Vec<Val<Ref>>,
    pub users: Vec<Val<Ref>>,
    pub groups: Vec<Val<Ref>>,
}

/// `AWS::IAM::User`, `aws_iam_user` (with `aws_iam_user_login_profile` joined in): a person or
/// program with long-lived credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamUser {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// Whether the user has a console password: `LoginProfile`, an
    /// `aws_iam_user_login_profile`. Absent when none is written.
    pub console_password: Val<bool>,
    /// Policies written inside the user (CloudFormation `Policies`; Terraform's
    /// `aws_iam_user_policy` is an [`IamPolicy`] of its own).
    pub inline_policies: Vec<NamedPolicy>,
    /// Managed policies attached to the user by ARN: CloudFormation `ManagedPolicyArns`, or a
    /// Terraform `aws_iam_user_policy_attachment` / `aws_iam_policy_attachment` whose policy is
    /// not an `aws_iam_policy` of the scan (an AWS managed policy). Each at the ARN.
    pub managed_policy_arns: Vec<Val<String>>,
}

impl IamUser {
    pub fn new(meta: ResourceMeta) -> Self {
        Self {
            meta,
            name: Val::Absent,
            console_password: Val::Absent,
            inline_policies: Vec::new(),
            managed_policy_arns: Vec::new(),
        }
    }
}

/// A Terraform `aws_iam_user_policy_attachment`, or one user of an `aws_iam_policy_attachment`,
/// that joins neither a user nor a policy of the scan: a policy known by its ARN attached to a
/// user the configuration names but does not create (one made elsewhere, or by hand). Those that
/// join a user or a policy of the scan are that user's or that policy's instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPolicyAttachment {
    pub meta: ResourceMeta,
    /// `user`, or the entry of `users`.
    pub user: Val<Ref>,
    /// `policy_arn`.
    pub policy_arn: Val<String>,
}

/// `AWS::IAM::AccessKey`, `aws_iam_access_key`: a long-lived key pair of an IAM user, whose
/// secret the template hands out (a `SecretAccessKey` attribute, Terraform state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamAccessKey {
    pub meta: ResourceMeta,
    /// `UserName`, `user`.
    pub user: Val<Ref>,
    /// `Active` (the default when absent) or `Inactive`.
    pub status: Val<String>,
}

/// A Terraform `aws_iam_policy_document` data source: a policy document written once and used
/// by any resource that takes a policy (its users hold it too, merged with their own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocumentSource {
    pub meta: ResourceMeta,
    /// The statements the data source writes itself.
    pub document: Val<PolicyDocument>,
}

/// `aws_iam_account_password_policy`: the account's rules for IAM user passwords.
/// CloudFormation has no resource for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub meta: ResourceMeta,
    /// `minimum_password_length` (absent: 6, AWS's default).
    pub minimum_length: Val<i64>,
    /// `password_reuse_prevention`: how many previous passwords may not be reused (absent:
    /// any may).
    pub reuse_prevention: Val<i64>,
}
