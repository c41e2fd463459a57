//! TG1815: a distribution with no origin to fail over to.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct CloudfrontWithoutOriginFailover;

impl IacRule for CloudfrontWithoutOriginFailover {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1815",
                "cloudfront-without-origin-failover",
                Severity::Low,
                "CloudFront distribution has no origin failover",
                "cloudfront",
            )
        .tags(["availability"])
        .equivalents(["CKV_AWS_310"])
        .description(
            "An origin group with failover criteria and two member origins (for example the \
             API or bucket in a second region) makes CloudFront retry a request on the second \
             origin when the first fails or answers with the listed status codes. Without one, \
             an outage of the only origin's region takes the site or API down. The rule fires \
             when a distribution has no origin group, or a group without failover criteria or \
             with fewer than two members.",
        )
        .remediation(
            Fix {
                summary: "Add an origin group whose members are the primary origin and a replica in another region.",
                cloudformation: "OriginGroups:\n  Quantity: 1\n  Items:\n    - Id: api-failover\n      FailoverCriteria:\n        StatusCodes:\n          Quantity: 3\n          Items: [500, 502, 503]\n      Members:\n        Quantity: 2\n        Items:\n          - OriginId: api-eu-west-1\n          - OriginId: api-eu-central-1",
                serverless: None,
                terraform: "origin_group {\n  origin_id = \"api-failover\"\n  failover_criteria {\n    status_codes = [500, 502, 503]\n  }\n  member {\n    origin_id = \"api-eu-west-1\"\n  }\n  member {\n    origin_id = \"api-eu-central-1\"\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.distributions {
            let name = &d.meta.address;
            match &d.origin_groups {
                Val::Unknown { .. } => out.unknown(&d.meta),
                Val::Known { value, .. } if !value.is_empty() => {
                    out.evaluated(&d.meta);
                    if let Some(g) = value.iter().find(|g| !g.failover_criteria || g.members < 2) {
                        out.at(
                            &d.meta,
                            g.span,
                            "origin group without failover",
                            format!("CloudFront distribution `{name}` has an origin group without failover criteria or a second member."),
                        );
                    }
                }
                _ => out.missing(
                    &d.meta,
                    format!(
                        "CloudFront distribution `{name}` has no origin group to fail over to."
                    ),
                ),
            }
        }
    }
}
