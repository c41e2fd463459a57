//! TG2010: `iam:PassRole` on `*` without an `iam:PassedToService` condition.

use tollgate_core::Severity;

use super::{rule, PermRule};
use crate::analysis::Analysis;
use crate::sink::Sink;

pub struct PassRoleWildcard;

impl PermRule for PassRoleWildcard {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2010", "iam-pass-role-wildcard", Severity::High, "`iam:PassRole` on every role without `iam:PassedToService`")
            .description(
                "`iam:PassRole` on `*` lets the holder hand any role of the account — an admin role \
                 included — to a service it controls (a new Lambda function, an EC2 instance), the \
                 first step of most privilege escalations.",
            )
            .remediation(
                "Scope the resource to the role ARNs to pass and add\n\n\
                 ```yaml\nCondition:\n  StringEquals:\n    iam:PassedToService: lambda.amazonaws.com\n```",
            )
            .equivalents(["CKV_AWS_110", "parliament:PASSROLE_WITHOUT_CONDITION"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        let Some(pass_role) = analysis.catalog.action("iam:PassRole") else {
            return;
        };
        for (policy, st) in analysis.identity_statements() {
            // `"Action": "*"` is full admin (TG2001/TG2002) and says more.
            if !st.stmt.is_allow()
                || st.star_action.is_some()
                || st.star_resource.is_none()
                // A deny of `iam:PassRole` by the same identity takes it away.
                || !st.still_allows(pass_role)
                || st.stmt.condition_on("iam:PassedToService").is_some()
                || st.stmt.conditions_unknown
            {
                continue;
            }
            let span = st.span_of(pass_role);
            let written = st
                .patterns
                .iter()
                .find(|p| p.span == span)
                .map_or("iam:PassRole", |p| p.text);
            out.at(
                policy,
                span,
                &format!("{} {written}", policy.label),
                format!(
                    "The {} allows `iam:PassRole` (through `{written}`) on every role without an `iam:PassedToService` condition.",
                    policy.label
                ),
            );
        }
    }
}
