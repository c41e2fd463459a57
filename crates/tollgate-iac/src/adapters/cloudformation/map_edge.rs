//! CloudFormation CloudFront distributions, WAFv2 web ACLs, AppSync GraphQL APIs and Cognito
//! identity pools into the model.

use super::value::{Cv, CvKind, Props};
use crate::model::{
    AppsyncCache, Distribution, GraphQlApi, Hsts, IdentityPool, ManagedRuleGroup, Origin,
    OriginGroup, ResourceMeta, ResponseHeadersPolicy, Val, ViewerCertificate, WafAssociation,
    WafLogging, WebAcl,
};

/// `AWS::CloudFront::Distribution`.
pub fn distribution(meta: ResourceMeta, p: &Cv) -> Distribution {
    let config = p.get("DistributionConfig");
    let (viewer_protocols, certificate) = match config {
        Some(c) if c.is_unknown() => (vec![unknown(c)], unknown(c)),
        _ => {
            let mut protocols =
                vec![config.str_at(&["DefaultCacheBehavior", "ViewerProtocolPolicy"])];
            match config.and_then(|c| c.get("CacheBehaviors")) {
                Some(list) if matches!(list.kind, CvKind::List(_)) => protocols.extend(
                    list.items()
                        .iter()
                        .map(|b| b.str_at(&["ViewerProtocolPolicy"])),
                ),
                Some(other) if !other.is_nothing() => protocols.push(unknown(other)),
                _ => {}
            }
            let certificate = match config.and_then(|c| c.get("ViewerCertificate")) {
                None => Val::Absent,
                Some(c) if c.is_nothing() => Val::Absent,
                Some(c) if c.is_unknown() => unknown(c),
                Some(c) => Val::known(
                    ViewerCertificate {
                        default_certificate: c.bool_at(&["CloudFrontDefaultCertificate"]),
                        minimum_protocol_version: c.str_at(&["MinimumProtocolVersion"]),
                    },
                    c.span,
                ),
            };
            (protocols, certificate)
        }
    };
    let mut origins = Vec::new();
    let mut origins_unknown = None;
    let mut response_headers_policies = Vec::new();
    match config {
        Some(c) if c.is_unknown() => {
            origins_unknown = Some(c.span);
            response_headers_policies.push(unknown(c));
        }
        _ => {
            match config.and_then(|c| c.get("Origins")) {
                Some(list) if matches!(list.kind, CvKind::List(_)) => {
                    for o in list.items() {
                        if o.is_unknown() {
                            origins_unknown = Some(o.span);
                        } else {
                            origins.push(origin(o));
                        }
                    }
                }
                Some(other) if !other.is_nothing() => origins_unknown = Some(other.span),
                _ => {}
            }
            response_headers_policies
                .push(config.ref_at(&["DefaultCacheBehavior", "ResponseHeadersPolicyId"]));
            match config.and_then(|c| c.get("CacheBehaviors")) {
                Some(list) if matches!(list.kind, CvKind::List(_)) => response_headers_policies
                    .extend(
                        list.items()
                            .iter()
                            .map(|b| b.ref_at(&["ResponseHeadersPolicyId"])),
                    ),
                Some(other) if !other.is_nothing() => {
                    response_headers_policies.push(unknown(other))
                }
                _ => {}
            }
        }
    }
    Distribution {
        viewer_protocols,
        certificate,
        web_acl: config.ref_at(&["WebACLId"]),
        logging_bucket: config.str_at(&["Logging", "Bucket"]),
        origins,
        origins_unknown,
        response_headers_policies,
        origin_groups: origin_groups(config),
        default_root_object: match config {
            Some(c) if c.is_unknown() => unknown(c),
            _ => config.str_at(&["DefaultRootObject"]),
        },
        default_target: match config {
            Some(c) if c.is_unknown() => unknown(c),
            _ => config.str_at(&["DefaultCacheBehavior", "TargetOriginId"]),
        },
        meta,
    }
}

/// `DistributionConfig.OriginGroups.Items`.
fn origin_groups(config: Option<&Cv>) -> Val<Vec<OriginGroup>> {
    let groups = match config {
        Some(c) if c.is_unknown() => return unknown(c),
        _ => config.and_then(|c| c.path(&["OriginGroups", "Items"])),
    };
    match groups {
        None => Val::Absent,
        Some(g) if g.is_unknown() => unknown(g),
        Some(g) => Val::known(
            g.items()
                .iter()
                .map(|item| OriginGroup {
                    span: item.span,
                    failover_criteria: item
                        .get("FailoverCriteria")
                        .is_some_and(|f| !f.is_nothing()),
                    members: item
                        .path(&["Members", "Items"])
                        .map_or(0, |m| m.items().len()),
                    id: item.str_at(&["Id"]),
                    member_ids: item
                        .path(&["Members", "Items"])
                        .map(|m| {
                            m.items()
                                .iter()
                                .map(|member| member.str_at(&["OriginId"]))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect(),
            g.span,
        ),
    }
}

/// One entry of `DistributionConfig.Origins`.
fn origin(o: &Cv) -> Origin {
    let mut origin = Origin::new(o.span);
    origin.id = o.str_at(&["Id"]);
    origin.domain = o.ref_at(&["DomainName"]);
    let s3_config = o.get("S3OriginConfig").filter(|c| !c.is_nothing());
    origin.s3 = s3_config.is_some() || origin.domain.get().is_some_and(Origin::is_s3_endpoint);
    origin.access_identity = s3_config.str_at(&["OriginAccessIdentity"]);
    origin.access_control = o.str_at(&["OriginAccessControlId"]);
    origin.ssl_protocols = match o.path(&["CustomOriginConfig", "OriginSSLProtocols"]) {
        Some(list) => list.to_str_list(),
        None => Vec::new(),
    };
    origin.protocol_policy = o.str_at(&["CustomOriginConfig", "OriginProtocolPolicy"]);
    origin
}

/// `AWS::AppSync::ApiCache`.
pub fn appsync_cache(meta: ResourceMeta, p: &Cv) -> AppsyncCache {
    AppsyncCache {
        meta,
        at_rest_encryption: p.bool_at(&["AtRestEncryptionEnabled"]),
        transit_encryption: p.bool_at(&["TransitEncryptionEnabled"]),
    }
}

fn unknown<T>(c: &Cv) -> Val<T> {
    Val::unknown(
        c.span,
        "the distribution's configuration is not known statically",
    )
}

/// `AWS::WAFv2::WebACL`.
pub fn web_acl(meta: ResourceMeta, p: &Cv) -> WebAcl {
    let mut acl = WebAcl {
        meta,
        name: p.str_at(&["Name"]),
        managed_groups: Vec::new(),
        rules_unknown: None,
        rule_count: 0,
        actionless_rules: Vec::new(),
    };
    let rules = match p.get("Rules") {
        Some(r) if r.is_unknown() => {
            acl.rules_unknown = Some(r.span);
            return acl;
        }
        Some(r) => r.items(),
        None => &[],
    };
    acl.rule_count = rules.len();
    for rule in rules {
        let acts = |key: &str| {
            rule.get(key)
                .is_some_and(|a| a.is_unknown() || !a.entries().is_empty())
        };
        let managed = rule
            .path(&["Statement", "ManagedRuleGroupStatement"])
            .is_some();
        if !rule.is_unknown() && !acts("Action") && !acts("OverrideAction") && !managed {
            acl.actionless_rules.push(rule.span);
        }
        let Some(statement) = rule.get("Statement") else {
            continue;
        };
        if statement.is_unknown() {
            acl.rules_unknown = Some(statement.span);
            continue;
        }
        let Some(group) = statement.get("ManagedRuleGroupStatement") else {
            continue;
        };
        let mut counted_rules: Vec<Val<String>> = group
            .get("ExcludedRules")
            .map(|l| l.items().iter().map(|r| r.str_at(&["Name"])).collect())
            .unwrap_or_default();
        for o in group
            .get("RuleActionOverrides")
            .map(Cv::items)
            .unwrap_or_default()
        {
            if o.path(&["ActionToUse", "Count"]).is_some() {
                counted_rules.push(o.str_at(&["Name"]));
            }
        }
        let counts_only = match rule.get("OverrideAction") {
            Some(a) if a.is_unknown() => a.to_bool(),
            Some(a) => Val::known(a.get("Count").is_some(), a.span),
            None => Val::Absent,
        };
        acl.managed_groups.push(ManagedRuleGroup {
            name: group.str_at(&["Name"]),
            counted_rules,
            counts_only,
            span: rule.span,
        });
    }
    acl
}

/// `AWS::AppSync::GraphQLApi`.
pub fn graphql_api(meta: ResourceMeta, p: &Cv) -> GraphQlApi {
    GraphQlApi {
        meta,
        name: p.str_at(&["Name"]),
        log_role: p.ref_at(&["LogConfig", "CloudWatchLogsRoleArn"]),
        field_log_level: p.str_at(&["LogConfig", "FieldLogLevel"]),
    }
}

/// `AWS::Cognito::IdentityPool`.
pub fn identity_pool(meta: ResourceMeta, p: &Cv) -> IdentityPool {
    IdentityPool {
        meta,
        allow_unauthenticated: p.bool_at(&["AllowUnauthenticatedIdentities"]),
    }
}

/// `AWS::WAFv2::WebACLAssociation`, `AWS::WAFRegional::WebACLAssociation`.
pub fn waf_association(meta: ResourceMeta, p: &Cv) -> WafAssociation {
    WafAssociation {
        resource: p.ref_at(&["ResourceArn"]),
        web_acl: p.ref_at(&["WebACLArn"]).or(p.ref_at(&["WebACLId"])),
        meta,
    }
}

/// `AWS::WAFv2::LoggingConfiguration`.
pub fn waf_logging(meta: ResourceMeta, p: &Cv) -> WafLogging {
    WafLogging {
        web_acl: p.ref_at(&["ResourceArn"]),
        meta,
    }
}

/// `AWS::CloudFront::ResponseHeadersPolicy`.
pub fn response_headers_policy(meta: ResourceMeta, p: &Cv) -> ResponseHeadersPolicy {
    let config = p.get("ResponseHeadersPolicyConfig");
    let hsts = match config
        .and_then(|c| c.path(&["SecurityHeadersConfig", "StrictTransportSecurity"]))
    {
        Some(h) if h.is_unknown() => {
            Val::unknown(h.span, "the HSTS settings are not known statically")
        }
        Some(h) if !h.is_nothing() => Val::known(
            Hsts {
                max_age: h.int_at(&["AccessControlMaxAgeSec"]),
                include_subdomains: h.bool_at(&["IncludeSubdomains"]),
                preload: h.bool_at(&["Preload"]),
                override_origin: h.bool_at(&["Override"]),
            },
            h.span,
        ),
        _ => match config {
            Some(c) if c.is_unknown() => Val::unknown(c.span, "the policy is not known statically"),
            _ => Val::Absent,
        },
    };
    ResponseHeadersPolicy { meta, hsts }
}
