//! TG1816: a WAF web ACL rule that says nothing about what to do with the requests it matches.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::CloudModel;

pub struct WafRuleWithoutAction;

impl IacRule for WafRuleWithoutAction {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1816",
                "waf-rule-without-action",
                Severity::Low,
                "WAF web ACL rule has no action",
                "waf",
            )
        .tags(["waf"])
        .equivalents(["CKV_AWS_342"])
        .description(
            "Each rule of a web ACL says what happens to the requests it matches: `Action` \
             (`Allow`, `Block`, `Count`, `CAPTCHA`, `Challenge`) for a rule of its own, \
             `OverrideAction` for a rule group. A rule with neither (or an empty one) is \
             rejected when the ACL is deployed, or, where a tool fills in a default, does not \
             block what its author meant it to. Rules that reference an AWS managed rule group \
             pass, as they act through the group's own actions.",
        )
        .remediation(
            Fix {
                summary: "Give the rule an action (`Block` for a blocking rule).",
                cloudformation: "Rules:\n  - Name: rate-limit\n    Priority: 1\n    Action:\n      Block: {}\n    Statement:\n      RateBasedStatement:\n        Limit: 1000\n        AggregateKeyType: IP\n    VisibilityConfig:\n      SampledRequestsEnabled: true\n      CloudWatchMetricsEnabled: true\n      MetricName: rate-limit",
                serverless: None,
                terraform: "rule {\n  name     = \"rate-limit\"\n  priority = 1\n  action {\n    block {}\n  }\n  statement {\n    rate_based_statement {\n      limit              = 1000\n      aggregate_key_type = \"IP\"\n    }\n  }\n  # visibility_config { ... }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for acl in &model.web_acls {
            out.evaluated(&acl.meta);
            if acl.rules_unknown.is_some() {
                out.unknown(&acl.meta);
            }
            if let Some(span) = acl.actionless_rules.first() {
                out.at(
                    &acl.meta,
                    *span,
                    "rule without action",
                    format!(
                        "WAF web ACL `{}` has a rule without an action.",
                        acl.meta.address
                    ),
                );
            }
        }
    }
}
