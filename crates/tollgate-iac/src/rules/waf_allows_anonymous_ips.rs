//! TG1814: an API, AppSync API or distribution whose web ACL lets anonymizing networks in.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{ApiProtocol, CloudModel, Ref, ResourceMeta, Val};

pub struct WafAllowsAnonymousIps;

/// The AWS managed rule group that blocks VPNs, proxies, Tor and hosting providers.
const ANONYMOUS_IP_LIST: &str = "AWSManagedRulesAnonymousIpList";

/// Judge `target` by the web ACLs `acls` (each named from the meta it is written in).
fn judge(
    model: &CloudModel,
    out: &mut RuleSink<'_>,
    target: &ResourceMeta,
    kind: &str,
    acls: &[(&ResourceMeta, &Val<Ref>)],
) {
    if acls.is_empty() {
        // No web ACL at all is what TG1109, TG1110 and TG1803 report.
        out.not_applicable(target);
        return;
    }
    out.evaluated(target);
    for (from, reference) in acls {
        let Some(acl) = model.web_acl_named(from, reference) else {
            out.unknown(target);
            continue;
        };
        if acl.rules_unknown.is_some() || acl.managed_groups.iter().any(|g| g.name.is_unknown()) {
            out.unknown(target);
            continue;
        }
        if acl
            .managed_groups
            .iter()
            .any(|g| g.name.as_str() == Some(ANONYMOUS_IP_LIST))
        {
            continue;
        }
        out.missing_about(
            target,
            &acl.meta.address,
            format!(
                "{kind} `{}` is protected by web ACL `{}`, which does not use `{ANONYMOUS_IP_LIST}`: requests from anonymizing proxies, Tor and hosting providers get through.",
                target.address, acl.meta.address
            ),
        );
    }
}

impl IacRule for WafAllowsAnonymousIps {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1814",
                "waf-allows-anonymous-ips",
                Severity::Low,
                "Web ACL of an API, AppSync API or distribution does not block anonymous IP addresses",
                "waf",
            )
        .tags(["waf"])
        .equivalents(["CKV2_AWS_47", "CKV2_AWS_77", "CKV2_AWS_78"])
        .description(
            "Credential stuffing, scraping and vulnerability scanning mostly come from \
             anonymizing networks: VPNs, open proxies, Tor exit nodes and cloud hosting \
             providers. The AWS managed rule group `AWSManagedRulesAnonymousIpList` blocks \
             them. The rule fires on a public REST API stage, an AppSync API or a CloudFront \
             distribution whose web ACL (declared in the scan) does not use the group; an ACL \
             that cannot be found or read is given the benefit of the doubt. Leave it out \
             knowingly where legitimate clients call from cloud hosts (server-to-server APIs). \
             Checkov's checks ask in the same breath for a web ACL at all (TG1109, TG1110 and \
             TG1803 report that; only CloudFront's CKV2_AWS_47 fails a resource without any web \
             ACL, so TG1803 lists it too) and for `AWSManagedRulesKnownBadInputsRuleSet` \
             (TG1805, on the ACL).",
        )
        .remediation(
            Fix {
                summary: "Add the `AWSManagedRulesAnonymousIpList` managed rule group to the web ACL.",
                cloudformation: "ApiAcl:\n  Type: AWS::WAFv2::WebACL\n  Properties:\n    # ...\n    Rules:\n      - Name: anonymous-ip\n        Priority: 0\n        OverrideAction:\n          None: {}\n        Statement:\n          ManagedRuleGroupStatement:\n            VendorName: AWS\n            Name: AWSManagedRulesAnonymousIpList\n        VisibilityConfig:\n          SampledRequestsEnabled: true\n          CloudWatchMetricsEnabled: true\n          MetricName: anonymous-ip",
                serverless: None,
                terraform: "resource \"aws_wafv2_web_acl\" \"api\" {\n  # ...\n  rule {\n    name     = \"anonymous-ip\"\n    priority = 0\n    override_action {\n      none {}\n    }\n    statement {\n      managed_rule_group_statement {\n        vendor_name = \"AWS\"\n        name        = \"AWSManagedRulesAnonymousIpList\"\n      }\n    }\n    visibility_config {\n      sampled_requests_enabled   = true\n      cloudwatch_metrics_enabled = true\n      metric_name                = \"anonymous-ip\"\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for stage in &model.api_stages {
            let private = model
                .api_of(&stage.meta, &stage.api)
                .is_some_and(|a| a.endpoint_type.eq_ignore_case("PRIVATE"));
            if stage.protocol != ApiProtocol::Rest || private {
                out.not_applicable(&stage.meta);
                continue;
            }
            let acls = model.waf_acls_of(&stage.meta, Some((&stage.api, &stage.name)));
            judge(model, out, &stage.meta, "API stage", &acls);
        }
        for api in &model.graphql_apis {
            let acls = model.waf_acls_of(&api.meta, None);
            judge(model, out, &api.meta, "AppSync API", &acls);
        }
        for d in &model.distributions {
            let empty = matches!(d.web_acl.get(), Some(Ref::Literal(s)) if s.is_empty());
            let acls = if d.web_acl.is_absent() || empty {
                Vec::new()
            } else {
                vec![(&d.meta, &d.web_acl)]
            };
            judge(model, out, &d.meta, "CloudFront distribution", &acls);
        }
    }
}
