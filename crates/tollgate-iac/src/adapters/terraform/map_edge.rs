//! `aws_cloudfront_distribution`, `aws_wafv2_web_acl`, `aws_appsync_graphql_api`,
//! `aws_cognito_identity_pool`.

use super::mapper::{boolean, integer, string, strings, Mapper};
use super::value::{Tv, TvKind};
use crate::model::{
    AppsyncCache, CloudModel, Distribution, GraphQlApi, Hsts, IdentityPool, ManagedRuleGroup,
    Origin, OriginGroup, ResponseHeadersPolicy, Val, ViewerCertificate, WafAssociation, WafLogging,
    WebAcl,
};

pub fn map(m: &Mapper<'_>, model: &mut CloudModel) {
    for r in m.of_type("aws_cloudfront_distribution") {
        let b = &r.body;
        let mut viewer_protocols = Vec::new();
        for key in ["default_cache_behavior", "ordered_cache_behavior"] {
            match b.get(key) {
                Some(v) if v.is_unknown() => viewer_protocols.push(string(Some(v))),
                _ => viewer_protocols.extend(
                    b.blocks(key)
                        .into_iter()
                        .map(|c| string(c.get("viewer_protocol_policy"))),
                ),
            }
        }
        let certificate = match b.block("viewer_certificate") {
            None => Val::Absent,
            Some(c) if c.is_unknown() => {
                Val::unknown(c.span, "the viewer certificate is generated at plan time")
            }
            Some(c) => Val::known(
                ViewerCertificate {
                    default_certificate: boolean(c.get("cloudfront_default_certificate")),
                    minimum_protocol_version: string(c.get("minimum_protocol_version")),
                },
                c.span,
            ),
        };
        let mut response_headers_policies = Vec::new();
        for key in ["default_cache_behavior", "ordered_cache_behavior"] {
            match b.get(key) {
                Some(v) if v.is_unknown() => response_headers_policies.push(m.reference(Some(v))),
                _ => response_headers_policies.extend(
                    b.blocks(key)
                        .into_iter()
                        .map(|c| m.reference(c.get("response_headers_policy_id"))),
                ),
            }
        }
        let origins_unknown = b.get("origin").filter(|o| o.is_unknown()).map(|o| o.span);
        let origins = b
            .blocks("origin")
            .into_iter()
            .map(|o| {
                let mut origin = Origin::new(o.span);
                origin.id = string(o.get("origin_id"));
                origin.domain = m.reference(o.get("domain_name"));
                let s3_config = o.block("s3_origin_config");
                origin.s3 =
                    s3_config.is_some() || origin.domain.get().is_some_and(Origin::is_s3_endpoint);
                origin.access_identity =
                    string(s3_config.and_then(|c| c.get("origin_access_identity")));
                origin.access_control = string(o.get("origin_access_control_id"));
                let custom = o.block("custom_origin_config");
                origin.ssl_protocols = strings(custom.and_then(|c| c.get("origin_ssl_protocols")));
                origin.protocol_policy =
                    string(custom.and_then(|c| c.get("origin_protocol_policy")));
                origin
            })
            .collect();
        model.distributions.push(Distribution {
            meta: m.meta(r),
            viewer_protocols,
            certificate,
            web_acl: m.reference(b.get("web_acl_id")),
            logging_bucket: string(b.block("logging_config").and_then(|l| l.get("bucket"))),
            origins,
            origins_unknown,
            response_headers_policies,
            default_root_object: string(b.get("default_root_object")),
            default_target: match b.get("default_cache_behavior") {
                Some(v) if v.is_unknown() => string(Some(v)),
                _ => string(
                    b.block("default_cache_behavior")
                        .and_then(|c| c.get("target_origin_id")),
                ),
            },
            origin_groups: match b.get("origin_group") {
                None => Val::Absent,
                Some(g) if g.is_unknown() => {
                    Val::unknown(g.span, "the origin groups are generated at plan time")
                }
                Some(g) => Val::known(
                    b.blocks("origin_group")
                        .into_iter()
                        .map(|group| OriginGroup {
                            span: group.span,
                            failover_criteria: group.block("failover_criteria").is_some(),
                            members: group.blocks("member").len(),
                            id: string(group.get("origin_id")),
                            member_ids: group
                                .blocks("member")
                                .into_iter()
                                .map(|member| string(member.get("origin_id")))
                                .collect(),
                        })
                        .collect(),
                    g.span,
                ),
            },
        });
    }
    for r in m.of_type("aws_wafv2_web_acl") {
        let b = &r.body;
        let mut acl = WebAcl {
            meta: m.meta(r),
            name: string(b.get("name")),
            managed_groups: Vec::new(),
            rules_unknown: None,
            rule_count: b.blocks("rule").len(),
            actionless_rules: Vec::new(),
        };
        if let Some(v) = b.get("rule").filter(|v| v.is_unknown()) {
            acl.rules_unknown = Some(v.span);
        }
        for rule in b.blocks("rule") {
            let acts = |key: &str| {
                rule.block(key)
                    .is_some_and(|a| a.is_unknown() || a.as_object().is_some_and(|o| !o.is_empty()))
            };
            let managed = rule
                .block("statement")
                .and_then(|s| s.block("managed_rule_group_statement"))
                .is_some();
            if !acts("action") && !acts("override_action") && !managed {
                acl.actionless_rules.push(rule.span);
            }
            let statement = rule.block("statement");
            let group = statement.and_then(|s| s.block("managed_rule_group_statement"));
            let Some(group) = group else {
                if let Some(s) = statement.filter(|s| s.is_unknown()) {
                    acl.rules_unknown = Some(s.span);
                }
                continue;
            };
            if group.is_unknown() {
                acl.rules_unknown = Some(group.span);
                continue;
            }
            let mut counted_rules: Vec<Val<String>> = group
                .blocks("excluded_rule")
                .into_iter()
                .map(|e| string(e.get("name")))
                .collect();
            for o in group.blocks("rule_action_override") {
                if o.block("action_to_use")
                    .is_some_and(|a| has_block(a, "count"))
                {
                    counted_rules.push(string(o.get("name")));
                }
            }
            let counts_only = match rule.block("override_action") {
                Some(a) if a.is_unknown() => {
                    Val::unknown(a.span, "the override action is generated at plan time")
                }
                Some(a) => Val::known(has_block(a, "count"), a.span),
                None => Val::Absent,
            };
            acl.managed_groups.push(ManagedRuleGroup {
                name: string(group.get("name")),
                counted_rules,
                counts_only,
                span: rule.span,
            });
        }
        model.web_acls.push(acl);
    }
    for r in m.of_type("aws_appsync_graphql_api") {
        let b = &r.body;
        let log = b.block("log_config");
        model.graphql_apis.push(GraphQlApi {
            meta: m.meta(r),
            name: string(b.get("name")),
            log_role: m.reference(log.and_then(|l| l.get("cloudwatch_logs_role_arn"))),
            field_log_level: string(log.and_then(|l| l.get("field_log_level"))),
        });
    }
    for r in m.of_type("aws_cloudfront_response_headers_policy") {
        let config = r.body.block("security_headers_config");
        let hsts = match config.and_then(|c| c.block("strict_transport_security")) {
            Some(h) if h.is_unknown() => {
                Val::unknown(h.span, "the HSTS settings are generated at plan time")
            }
            Some(h) => Val::known(
                Hsts {
                    max_age: integer(h.get("access_control_max_age_sec")),
                    include_subdomains: boolean(h.get("include_subdomains")),
                    preload: boolean(h.get("preload")),
                    override_origin: boolean(h.get("override")),
                },
                h.span,
            ),
            None => match config {
                Some(c) if c.is_unknown() => {
                    Val::unknown(c.span, "the security headers are generated at plan time")
                }
                _ => Val::Absent,
            },
        };
        model.response_headers_policies.push(ResponseHeadersPolicy {
            meta: m.meta(r),
            hsts,
        });
    }
    for r in m.of_type("aws_wafv2_web_acl_logging_configuration") {
        model.waf_logging.push(WafLogging {
            meta: m.meta(r),
            web_acl: m.reference(r.body.get("resource_arn")),
        });
    }
    for r in m.of_type("aws_appsync_api_cache") {
        model.appsync_caches.push(AppsyncCache {
            meta: m.meta(r),
            at_rest_encryption: boolean(r.body.get("at_rest_encryption_enabled")),
            transit_encryption: boolean(r.body.get("transit_encryption_enabled")),
        });
    }
    for type_name in [
        "aws_wafv2_web_acl_association",
        "aws_wafregional_web_acl_association",
    ] {
        for r in m.of_type(type_name) {
            let b = &r.body;
            model.waf_associations.push(WafAssociation {
                meta: m.meta(r),
                resource: m.reference(b.get("resource_arn")),
                web_acl: m
                    .reference(b.get("web_acl_arn"))
                    .or(m.reference(b.get("web_acl_id"))),
            });
        }
    }
    for r in m.of_type("aws_cognito_identity_pool") {
        model.identity_pools.push(IdentityPool {
            meta: m.meta(r),
            allow_unauthenticated: boolean(r.body.get("allow_unauthenticated_identities")),
        });
    }
}

/// Whether `block` holds a nested block `key` (`count {}`), which plan JSON writes as a list
/// that is empty when the block is not there.
fn has_block(block: &Tv, key: &str) -> bool {
    match block.get(key).map(|v| &v.kind) {
        Some(TvKind::List(items)) => !items.is_empty(),
        Some(TvKind::Null) | None => false,
        Some(_) => true,
    }
}
