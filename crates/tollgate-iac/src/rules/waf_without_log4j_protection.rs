//! TG1805: a WAF web ACL that does not block Log4Shell requests.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct WafWithoutLog4jProtection;

/// The AWS managed rule group whose `Log4JRCE` rules block CVE-2021-44228 payloads.
const KNOWN_BAD_INPUTS: &str = "AWSManagedRulesKnownBadInputsRuleSet";

impl IacRule for WafWithoutLog4jProtection {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1805",
                "waf-without-log4j-protection",
                Severity::Medium,
                "WAF web ACL does not block Log4Shell (CVE-2021-44228) requests",
                "waf",
            )
        .tags(["waf"])
        .equivalents(["CKV_AWS_192"])
        .description(
            "The AWS managed rule group `AWSManagedRulesKnownBadInputsRuleSet` holds the \
             `Log4JRCE` rules that block JNDI lookup payloads (CVE-2021-44228) in headers, \
             bodies, URIs and query strings; Java functions behind the ACL that log request \
             data depend on it. The rule fires when the ACL does not use the group, when the \
             group's `OverrideAction` is `Count`, or when a `Log4JRCE` rule is excluded or \
             overridden to `Count` (Checkov reads `ExcludedRules` only).",
        )
        .remediation(
            Fix {
                summary: "Add the `AWSManagedRulesKnownBadInputsRuleSet` managed group with `OverrideAction: None` and no `Log4JRCE` exclusion.",
                cloudformation: "ApiAcl:\n  Type: AWS::WAFv2::WebACL\n  Properties:\n    Rules:\n      - Name: known-bad-inputs\n        Priority: 1\n        OverrideAction:\n          None: {}\n        Statement:\n          ManagedRuleGroupStatement:\n            VendorName: AWS\n            Name: AWSManagedRulesKnownBadInputsRuleSet\n        VisibilityConfig:\n          SampledRequestsEnabled: true\n          CloudWatchMetricsEnabled: true\n          MetricName: known-bad-inputs",
                serverless: None,
                terraform: "resource \"aws_wafv2_web_acl\" \"api\" {\n  rule {\n    name     = \"known-bad-inputs\"\n    priority = 1\n    override_action {\n      none {}\n    }\n    statement {\n      managed_rule_group_statement {\n        vendor_name = \"AWS\"\n        name        = \"AWSManagedRulesKnownBadInputsRuleSet\"\n      }\n    }\n    # visibility_config { ... }\n  }\n  # ...\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for acl in &model.web_acls {
            out.evaluated(&acl.meta);
            if acl.rules_unknown.is_some() {
                out.unknown(&acl.meta);
                continue;
            }
            let name = &acl.meta.address;
            let group = acl
                .managed_groups
                .iter()
                .find(|g| g.name.as_str() == Some(KNOWN_BAD_INPUTS));
            let Some(group) = group else {
                if acl.managed_groups.iter().all(|g| g.name.is_known()) {
                    out.missing(
                        &acl.meta,
                        format!("WAF web ACL `{name}` does not use `{KNOWN_BAD_INPUTS}`, so Log4Shell (CVE-2021-44228) requests are not blocked."),
                    );
                } else {
                    out.unknown(&acl.meta);
                }
                continue;
            };
            if group.counts_only.is_unknown() {
                out.unknown(&acl.meta);
            }
            if group.counts_only.is_true() {
                out.on(
                    &acl.meta,
                    &group.counts_only,
                    "OverrideAction: Count",
                    format!("WAF web ACL `{name}` only counts the requests `{KNOWN_BAD_INPUTS}` matches (`OverrideAction: Count`), so Log4Shell requests are not blocked."),
                );
                continue;
            }
            if let Some(rule) = group
                .counted_rules
                .iter()
                .find(|r| r.as_str().is_some_and(|n| n.starts_with("Log4JRCE")))
            {
                out.on(
                    &acl.meta,
                    rule,
                    rule.as_str().unwrap_or_default(),
                    format!(
                        "WAF web ACL `{name}` excludes `{}` of `{KNOWN_BAD_INPUTS}` (or only counts it), so Log4Shell requests are not blocked.",
                        rule.as_str().unwrap_or_default()
                    ),
                );
            }
        }
    }
}
