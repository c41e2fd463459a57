//! TG1811: a WAF web ACL with no rules filters nothing.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct WafAclWithoutRules;

impl IacRule for WafAclWithoutRules {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1811",
                "waf-acl-without-rules",
                Severity::Medium,
                "WAF web ACL has no rules",
                "waf",
            )
        .tags(["waf"])
        .equivalents(["CKV_AWS_175"])
        .description(
            "A web ACL without rules applies only its default action to every request: with \
             `Allow` it lets everything through while the API, AppSync API or distribution it \
             is associated with counts as protected (TG1109, TG1110 and TG1803 pass); with \
             `Block` it rejects everything. Add managed rule groups (common rule set, known \
             bad inputs, IP reputation) and rate limits.",
        )
        .remediation(
            Fix {
                summary: "Add rules to the web ACL: AWS managed rule groups and a rate-based rule.",
                cloudformation: "ApiAcl:\n  Type: AWS::WAFv2::WebACL\n  Properties:\n    Scope: REGIONAL\n    DefaultAction:\n      Allow: {}\n    Rules:\n      - Name: common\n        Priority: 0\n        OverrideAction:\n          None: {}\n        Statement:\n          ManagedRuleGroupStatement:\n            VendorName: AWS\n            Name: AWSManagedRulesCommonRuleSet\n        VisibilityConfig:\n          SampledRequestsEnabled: true\n          CloudWatchMetricsEnabled: true\n          MetricName: common\n    VisibilityConfig:\n      SampledRequestsEnabled: true\n      CloudWatchMetricsEnabled: true\n      MetricName: api-acl",
                serverless: None,
                terraform: "resource \"aws_wafv2_web_acl\" \"api\" {\n  # ...\n  rule {\n    name     = \"common\"\n    priority = 0\n    override_action {\n      none {}\n    }\n    statement {\n      managed_rule_group_statement {\n        vendor_name = \"AWS\"\n        name        = \"AWSManagedRulesCommonRuleSet\"\n      }\n    }\n    visibility_config {\n      sampled_requests_enabled   = true\n      cloudwatch_metrics_enabled = true\n      metric_name                = \"common\"\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for acl in &model.web_acls {
            out.evaluated(&acl.meta);
            if acl.rules_unknown.is_some() {
                out.unknown(&acl.meta);
            } else if acl.rule_count == 0 {
                out.missing(
                    &acl.meta,
                    format!(
                        "WAF web ACL `{}` has no rules: every request gets its default action.",
                        acl.meta.address
                    ),
                );
            }
        }
    }
}
