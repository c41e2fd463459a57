//! TG2001: `"Action": "*"` on `"Resource": "*"` — full administrator.

use tollgate_core::Severity;

use super::support::DenyNote;
use super::{rule, PermRule};
use crate::analysis::Analysis;
use crate::sink::Sink;

pub struct FullAdmin;

impl PermRule for FullAdmin {
    fn meta(&self) -> tollgate_core::Rule {
        rule("TG2001", "iam-full-admin", Severity::Critical, "IAM policy grants every action on every resource")
            .description(
                "An `Allow` statement with `\"Action\": \"*\"` and `\"Resource\": \"*\"` makes whoever \
                 holds the policy an administrator of the account. A Lambda function with such a role \
                 hands the whole account to anyone who can make it run their input.",
            )
            .remediation(
                "List the actions the function calls and the resources it touches:\n\n\
                 ```yaml\n- Effect: Allow\n  Action: [dynamodb:GetItem, dynamodb:PutItem]\n  Resource: !GetAtt OrdersTable.Arn\n```",
            )
            .equivalents(["CKV_AWS_1", "CKV_AWS_62", "parliament:ADMIN_ACCESS", "cloudsplaining:AdminAccess"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for (policy, st) in analysis.identity_statements() {
            let (Some(action), Some(_)) = (st.star_action, st.star_resource) else {
                continue;
            };
            // Denies that take every action leave nothing to report; denying a few does not
            // make an administrator less of one, so the finding stays and names them.
            if !st.stmt.is_allow() || !st.stmt.not_resources.is_empty() || st.effective.is_empty() {
                continue;
            }
            let note = DenyNote::of(st, |_| true);
            out.narrowed(
                policy,
                action,
                st.restriction,
                &format!("{} Allow * *", policy.label),
                format!(
                    "The {} allows every action (`*`) on every resource: full administrator access{}.",
                    policy.label,
                    note.text(analysis, ", except ")
                ),
            );
            note.relate(out);
        }
    }
}
