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
    /// Every origin, in order.
    pub origins: Vec<Origin>,
    /// The origin list (or an origin) could not be read: there may be more.
    pub origins_unknown: Option<Span>,
    /// `ResponseHeadersPolicyId` of the default cache behavior and of every other one, in the
    /// order of `viewer_protocols`.
    pub response_headers_policies: Vec<Val<Ref>>,
    /// `OriginGroups.Items`, `origin_group` blocks: origins CloudFront fails over between.
    pub origin_groups: Val<Vec<OriginGroup>>,
    /// `DefaultRootObject`, `default_root_object`: what a request for `/` returns (an empty
    /// string is none).
    pub default_root_object: Val<String>,
    /// `DefaultCacheBehavior.TargetOriginId`, `default_cache_behavior.target_origin_id`: the
    /// origin (or origin group) that requests matching no other behavior go to, `/` included.
    pub default_target: Val<String>,
}

impl Distribution {
    /// The origins the default cache behavior sends requests to: its target origin, or the
    /// members of its target origin group. Unknown when the target, the origin list or a
    /// group cannot be read, or the target names nothing that is declared.
    pub fn default_origins(&self) -> Val<Vec<&Origin>> {
        let target = match &self.default_target {
            Val::Known { value, .. } => value,
            Val::Unknown { span, reason } => return Val::unknown(*span, reason.clone()),
            Val::Absent => return Val::Absent,
        };
        let span = self.default_target.span().unwrap_or(self.meta.header);
        if let Some(unknown) = self.origins_unknown {
            return Val::unknown(unknown, "the origin list is generated");
        }
        let by_id = |id: &str| self.origins.iter().find(|o| o.id.as_str() == Some(id));
        if let Some(origin) = by_id(target) {
            return Val::known(vec![origin], span);
        }
        let groups = match &self.origin_groups {
            Val::Known { value, .. } => value.as_slice(),
            Val::Unknown { span, reason } => return Val::unknown(*span, reason.clone()),
            Val::Absent => &[],
        };
        match groups
            .iter()
            .find(|g| g.id.as_str() == Some(target.as_str()))
        {
            Some(group) => {
                let members: Option<Vec<&Origin>> = group
                    .member_ids
                    .iter()
                    .map(|m| m.as_str().and_then(by_id))
                    .collect();
                members.map_or_else(
                    || Val::unknown(group.span, "an origin group member is not declared"),
                    |m| Val::known(m, span),
                )
            }
            None => Val::unknown(span, "the target origin is not declared"),
        }
    }
}

/// An origin group of a distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginGroup {
    pub span: Span,
    /// Whether `FailoverCriteria` (`failover_criteria`) is written.
    pub failover_criteria: bool,
    /// How many member origins it lists.
    pub members: usize,
    /// `Id`, `origin_id`.
    pub id: Val<String>,
    /// The members' origin ids, in order.
    pub member_ids: Vec<Val<String>>,
}

/// One origin of a distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub span: Span,
    /// `Id`, `origin_id`: what cache behaviors and origin groups name it by.
    pub id: Val<String>,
    /// `DomainName`, `domain_name`.
    pub domain: Val<Ref>,
    /// An S3 bucket origin (`S3OriginConfig`, `s3_origin_config`, or a bucket's REST
    /// endpoint as domain).
    pub s3: bool,
    /// `S3OriginConfig.OriginAccessIdentity`, `s3_origin_config.origin_access_identity`
    /// (an empty string is none).
    pub access_identity: Val<String>,
    /// `OriginAccessControlId`, `origin_access_control_id`.
    pub access_control: Val<String>,
    /// `CustomOriginConfig.OriginSSLProtocols`, `custom_origin_config.origin_ssl_protocols`:
    /// the protocols CloudFront may use towards a custom origin.
    pub ssl_protocols: Vec<Val<String>>,
    /// `CustomOriginConfig.OriginProtocolPolicy`, `custom_origin_config.origin_protocol_policy`:
    /// `http-only`, `match-viewer` or `https-only`; absent for an S3 origin.
    pub protocol_policy: Val<String>,
}

impl Origin {
    pub fn new(span: Span) -> Self {
        Self {
            span,
            id: Val::Absent,
            domain: Val::Absent,
            s3: false,
            access_identity: Val::Absent,
            access_control: Val::Absent,
            ssl_protocols: Vec::new(),
            protocol_policy: Val::Absent,
        }
    }

    /// Whether `domain` is written as an S3 bucket's REST endpoint (`bucket.s3.amazonaws.com`,
    /// `bucket.s3.eu-west-1.amazonaws.com`); website endpoints (`s3-website`) are not, as
    /// origin access cannot protect them.
    pub fn is_s3_endpoint(domain: &Ref) -> bool {
        let Ref::Literal(domain) = domain else {
            // A bucket's `DomainName`, `RegionalDomainName`, `bucket_regional_domain_name`...
            return matches!(domain, Ref::Resource { type_name: Some(t), attr: Some(a), .. }
                if (t == "AWS::S3::Bucket" || t == "aws_s3_bucket")
                    && a.to_ascii_lowercase().contains("domain")
                    && !a.to_ascii_lowercase().contains("website"));
        };
        let d = domain.to_ascii_lowercase();
        !d.contains("s3-website")
            && (d.contains(".s3.") || d.contains(".s3-"))
            && d.ends_with(".amazonaws.com")
    }
}

/// `AWS::CloudFront::ResponseHeadersPolicy`, `aws_cloudfront_response_headers_policy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHeadersPolicy {
    pub meta: ResourceMeta,
    /// `SecurityHeadersConfig.StrictTransportSecurity`; absent when the policy sends no
    /// `Strict-Transport-Security` header.
    pub hsts: Val<Hsts>,
}

/// The `Strict-Transport-Security` header a response headers policy sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hsts {
    /// `AccessControlMaxAgeSec`, `access_control_max_age_sec`.
    pub max_age: Val<i64>,
    pub include_subdomains: Val<bool>,
    pub preload: Val<bool>,
    /// Whether the policy's header replaces one the origin sends.
    pub override_origin: Val<bool>,
}

/// `AWS::AppSync::ApiCache`, `aws_appsync_api_cache`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppsyncCache {
    pub meta: ResourceMeta,
    /// `AtRestEncryptionEnabled`, `at_rest_encryption_enabled`.
    pub at_rest_encryption: Val<bool>,
    /// `TransitEncryptionEnabled`, `transit_encryption_enabled`.
    pub transit_encryption: Val<bool>,
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
    /// How many rules are written (`Rules`, `rule` blocks).
    pub rule_count: usize,
    /// Rules with neither an `Action` nor an `OverrideAction` (an empty one counts as none)
    /// and no managed rule group statement: where each is written.
    pub actionless_rules: Vec<Span>,
}

/// `AWS::WAFv2::LoggingConfiguration`, `aws_wafv2_web_acl_logging_configuration`: where a web
/// ACL's request logs go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WafLogging {
    pub meta: ResourceMeta,
    /// `ResourceArn`, `resource_arn`: the web ACL.
    pub web_acl: Val<Ref>,
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

/// `AWS::WAFv2::WebACLAssociation`, `AWS::WAFRegional::WebACLAssociation`,
/// `aws_wafv2_web_acl_association`, `aws_wafregional_web_acl_association`: a web ACL in front
/// of an API Gateway stage, an AppSync API or a load balancer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WafAssociation {
    pub meta: ResourceMeta,
    /// `ResourceArn`, `resource_arn`: what the ACL protects.
    pub resource: Val<Ref>,
    pub web_acl: Val<Ref>,
}

impl WafAssociation {
    /// Whether the association protects the resource `target`: `Some(true)` when its ARN is a
    /// reference to it (or, for `stage` ARNs, `.../restapis/<api>/stages/<name>` naming it),
    /// `None` when the ARN cannot be resolved, so it might.
    pub fn protects(
        &self,
        target: &ResourceMeta,
        stage: Option<(&Val<Ref>, &Val<String>)>,
    ) -> Option<bool> {
        if !self.meta.same_scope(target) {
            return Some(false);
        }
        match &self.resource {
            Val::Unknown { .. } => None,
            Val::Absent => Some(false),
            Val::Known {
                value: Ref::Literal(arn),
                ..
            } => Some(stage.is_some_and(|(api, name)| stage_arn_names(arn, target, api, name))),
            Val::Known { value, .. } => Some(value.address() == Some(target.address.as_str())),
        }
    }
}

/// Whether `arn` (`arn:aws:apigateway:<region>::/restapis/<api>/stages/<stage>`, with
/// `${...}` placeholders for references) names the stage `stage` of the API `api` whose name
/// is `name`.
fn stage_arn_names(arn: &str, stage: &ResourceMeta, api: &Val<Ref>, name: &Val<String>) -> bool {
    let segment = |marker: &str| {
        arn.split_once(marker)
            .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
    };
    let (Some(api_part), Some(stage_part)) = (segment("/restapis/"), segment("/stages/")) else {
        return false;
    };
    // `${Api}`, `${Api.Attr}`, `${aws_api_gateway_rest_api.api.id}`: the reference's address.
    let refers_to = |part: &str, address: &str| {
        part.strip_prefix("${")
            .and_then(|p| p.strip_suffix('}'))
            .is_some_and(|inner| inner == address || inner.starts_with(&format!("{address}.")))
    };
    let Some(api_address) = api.get().and_then(Ref::address) else {
        return false;
    };
    refers_to(api_part, api_address)
        && (name.as_str() == Some(stage_part)
            || refers_to(stage_part, &stage.address)
            // SAM's `${MyApi.Stage}` names the stage of `MyApi`.
            || stage_part == format!("${{{api_address}.Stage}}"))
}

impl super::CloudModel {
    /// Whether a WAF web ACL is associated with `target` (for an API Gateway stage, `stage`
    /// gives its API and name, which stage ARNs are written with): `None` when an association
    /// of the same template or configuration names a resource that cannot be resolved.
    pub fn waf_protects(
        &self,
        target: &ResourceMeta,
        stage: Option<(&Val<Ref>, &Val<String>)>,
    ) -> Option<bool> {
        let mut unknown = false;
        for a in &self.waf_associations {
            match a.protects(target, stage) {
                Some(true) => return Some(true),
                None => unknown = true,
                Some(false) => {}
            }
        }
        (!unknown).then_some(false)
    }
}

impl super::CloudModel {
    /// Whether a logging configuration names the web ACL `acl`: `None` when one of the same
    /// template or configuration names an ACL that cannot be resolved, so it might.
    pub fn waf_acl_logged(&self, acl: &WebAcl) -> Option<bool> {
        let mut unknown = false;
        for l in &self.waf_logging {
            if Self::points_at(&l.meta, &l.web_acl, &acl.meta, &acl.name) {
                return Some(true);
            }
            unknown |= l.web_acl.is_unknown() && l.meta.same_scope(&acl.meta);
        }
        (!unknown).then_some(false)
    }
}

impl super::CloudModel {
    /// The web ACL references of the associations that protect `target` (for an API Gateway
    /// stage, `stage` gives its API and name).
    pub fn waf_acls_of(
        &self,
        target: &ResourceMeta,
        stage: Option<(&Val<Ref>, &Val<String>)>,
    ) -> Vec<(&ResourceMeta, &Val<Ref>)> {
        self.waf_associations
            .iter()
            .filter(|a| a.protects(target, stage) == Some(true))
            .map(|a| (&a.meta, &a.web_acl))
            .collect()
    }

    /// The web ACL that `reference`, written in `from`, names, when it is declared in the scan.
    pub fn web_acl_named(&self, from: &ResourceMeta, reference: &Val<Ref>) -> Option<&WebAcl> {
        self.web_acls
            .iter()
            .find(|a| Self::points_at(from, reference, &a.meta, &a.name))
    }
}
