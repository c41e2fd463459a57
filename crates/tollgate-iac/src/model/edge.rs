//! What sits in front of the functions: CloudFront distributions, WAF web ACLs, AppSync
//! GraphQL APIs and Cognito identity pools.

use tollgate_syntax::Span;

use super::{Ref, ResourceMeta, Val};

/// `AWS::CloudFront::Distribution`, `aws_cloudfront_distribution`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    pub meta: ResourceMeta,
    /// `ViewerProtocolPolicy` of the default cache behavior and of every other one.
    pub viewer_protocols: Vec<Val<String>>,
    /// `ViewerCertificate`: absent means CloudFront's own certificate.
    pub certificate: Val<ViewerCertificate>,
    /// `WebACLId`, `web_acl_id`.
    pub web_acl: Val<Ref>,
    /// `Logging.Bucket`, `logging_config.bucket`: standard access logs.
    pub logging_bucket: Val<String>,
}

/// A distribution's viewer certificate settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewerCertificate {
    /// `CloudFrontDefaultCertificate`: the `*.cloudfront.net` certificate, which accepts TLS 1.0.
    pub default_certificate: Val<bool>,
    /// `MinimumProtocolVersion` (`TLSv1` when absent).
    pub minimum_protocol_version: Val<String>,
}

/// `AWS::WAFv2::WebACL`, `aws_wafv2_web_acl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebAcl {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// The AWS managed rule groups the ACL uses.
    pub managed_groups: Vec<ManagedRuleGroup>,
    /// The rules could not all be read (unknown list or statement): the ACL may hold more.
    pub rules_unknown: Option<Span>,
}

/// A `ManagedRuleGroupStatement` rule of a web ACL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedRuleGroup {
    pub name: Val<String>,
    /// Rules of the group excluded or overridden to `Count`, which then only count requests.
    pub counted_rules: Vec<Val<String>>,
    /// The rule's `OverrideAction` is `Count`: the whole group only counts requests.
    pub counts_only: Val<bool>,
    /// Where the rule is written.
    pub span: Span,
}

/// `AWS::AppSync::GraphQLApi`, `aws_appsync_graphql_api`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphQlApi {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// `LogConfig.CloudWatchLogsRoleArn`: the role AppSync logs with; without it, no logs.
    pub log_role: Val<Ref>,
    /// `LogConfig.FieldLogLevel`: `NONE`, `ERROR`, `INFO`, `DEBUG` or `ALL`.
    pub field_log_level: Val<String>,
}

/// `AWS::Cognito::IdentityPool`, `aws_cognito_identity_pool`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityPool {
    pub meta: ResourceMeta,
    /// `AllowUnauthenticatedIdentities`: guests get AWS credentials without signing in.
    pub allow_unauthenticated: Val<bool>,
}
