//! TG2015: AWS managed admin-grade policies attached to a role.

use std::sync::Arc;

use tollgate_core::Severity;

use super::{rule, PermRule};
use crate::analysis::{Analysis, IdentityView};
use crate::catalog::{ActionId, FullName};
use crate::deny::{Denied, DeniedBy, DenyScope};
use crate::sink::Sink;

pub struct AdminManagedPolicy;

/// AWS managed policies that make the holder an administrator, or close to it.
const ADMIN_GRADE: &[(&str, Severity)] = &[
    ("AdministratorAccess", Severity::Critical),
    ("PowerUserAccess", Severity::High),
    ("IAMFullAccess", Severity::High),
];

/// Services `PowerUserAccess` leaves out (`NotAction`), and the actions of theirs it grants
/// back in its second statement (as AWS publishes the policy, version 5).
const POWER_USER_WITHOUT: &[&str] = &["iam", "organizations", "account"];
const POWER_USER_BACK: &[&str] = &[
    "account:GetAccountInformation",
    "account:GetPrimaryEmail",
    "account:ListRegions",
    "iam:CreateServiceLinkedRole",
    "iam:DeleteServiceLinkedRole",
    "iam:ListRoles",
    "organizations:DescribeOrganization",
];
/// What `IAMFullAccess` grants besides `iam:*` (as AWS publishes it, version 2).
const IAM_FULL_ALSO: &[&str] = &[
    "organizations:DescribeAccount",
    "organizations:DescribeOrganization",
    "organizations:DescribeOrganizationalUnit",
    "organizations:DescribePolicy",
    "organizations:ListChildren",
    "organizations:ListParents",
    "organizations:ListPoliciesForTarget",
    "organizations:ListRoots",
    "organizations:ListPolicies",
    "organizations:ListTargetsForPolicy",
];

/// Whether the admin-grade managed policy `policy` grants `action` (on `*`, as all three do).
/// The scan does not hold these documents, so their published grants are written out here.
fn grants(policy: &str, action: FullName<'_>) -> bool {
    let named = |list: &[&str]| {
        list.iter().any(|n| {
            n.split_once(':').is_some_and(|(prefix, name)| {
                prefix.eq_ignore_ascii_case(action.prefix) && name.eq_ignore_ascii_case(action.name)
            })
        })
    };
    match policy {
        "AdministratorAccess" => true,
        "PowerUserAccess" => {
            !POWER_USER_WITHOUT
                .iter()
                .any(|s| s.eq_ignore_ascii_case(action.prefix))
                || named(POWER_USER_BACK)
        }
        "IAMFullAccess" => action.prefix.eq_ignore_ascii_case("iam") || named(IAM_FULL_ALSO),
        _ => false,
    }
}

/// What the identity's unconditional denies take from the managed policy `policy`. Only a
/// deny on `*` counts: the managed policy grants on every resource, and a deny on some ARNs
/// leaves the actions on every other resource.
pub(crate) fn denied_from(
    analysis: &Analysis<'_>,
    identity: &IdentityView<'_>,
    policy: &str,
) -> Option<Denied> {
    let by: Vec<DeniedBy> = identity
        .denies
        .iter()
        .filter(|d| d.scope == DenyScope::Everywhere)
        .filter_map(|d| {
            let took: Arc<[ActionId]> = d
                .actions
                .iter()
                .copied()
                .filter(|&id| grants(policy, analysis.catalog.full_name(id)))
                .collect();
            (!took.is_empty()).then(|| DeniedBy {
                name: format!("{} of the {}", d.name, analysis.policies[d.policy].label),
                location: d.location.clone(),
                actions: took,
            })
        })
        .collect();
    let mut actions: Vec<ActionId> = by.iter().flat_map(|d| d.actions.iter().copied()).collect();
    actions.sort_unstable();
    actions.dedup();
    (!actions.is_empty()).then(|| Denied {
        actions: actions.into(),
        by,
    })
}

impl PermRule for AdminManagedPolicy {
    fn meta(&self) -> tollgate_core::Rule {
        rule(
            "TG2015",
            "iam-admin-managed-policy",
            Severity::High,
            "AWS managed admin-grade policy attached",
        )
        .description(
            "`AdministratorAccess` (everything), `PowerUserAccess` (everything but IAM) and \
                 `IAMFullAccess` (can grant itself everything) attached to a role make it an \
                 administrator in all but name. `AdministratorAccess` is critical. An \
                 unconditional `Deny` on `*` in the role's own policies does not make attaching \
                 the policy safe, so the finding stays; its message names the actions the deny \
                 takes away.",
        )
        .remediation(
            "Detach the managed policy and write a policy with the actions and resources needed.",
        )
        .equivalents(["CKV_AWS_274"])
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for identity in &analysis.identities {
            for val in identity.managed {
                let (Some(text), Some(span)) = (val.as_str(), val.span()) else {
                    continue;
                };
                let Some((name, severity)) = admin_grade(text) else {
                    continue;
                };
                // Attaching the policy is the risk, so a deny never removes the finding; it
                // is named so the reader sees what the identity cannot do after all.
                let denied = denied_from(analysis, identity, name);
                let except = denied.as_ref().map_or(String::new(), |d| {
                    format!(", except {}", d.describe(analysis.catalog))
                });
                out.on_owner(
                    identity.owner,
                    span,
                    severity,
                    &format!("{} {name}", identity.owner.address),
                    format!(
                        "`{}` has the AWS managed policy `{name}` attached{except}.",
                        identity.owner.address
                    ),
                );
                if let Some(d) = denied {
                    let places = d.by.into_iter().map(|b| b.location).collect();
                    out.relate_last(
                        places,
                        "denies some of the actions this managed policy grants",
                    );
                }
            }
        }
    }
}

/// The admin-grade policy `arn:aws:iam::aws:policy/AdministratorAccess` (or, as SAM writes
/// it, `AdministratorAccess`) names.
pub(crate) fn admin_grade(text: &str) -> Option<(&'static str, Severity)> {
    let t = text.trim();
    let name = match t.strip_prefix("arn:") {
        Some(rest) => {
            // Only AWS managed policies: `arn:<partition>:iam::aws:policy/<path/>Name`.
            let (_, policy) = rest.split_once(":iam::aws:policy/")?;
            policy.rsplit('/').next()?
        }
        None => t,
    };
    ADMIN_GRADE.iter().copied().find(|(n, _)| *n == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_grade_names() {
        assert_eq!(
            admin_grade("arn:aws:iam::aws:policy/AdministratorAccess").map(|a| a.0),
            Some("AdministratorAccess")
        );
        assert_eq!(
            admin_grade("arn:aws:iam::aws:policy/job-function/PowerUserAccess").map(|a| a.0),
            Some("PowerUserAccess")
        );
        assert_eq!(
            admin_grade("IAMFullAccess").map(|a| a.1),
            Some(Severity::High)
        );
        assert!(admin_grade("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
        assert!(admin_grade("arn:aws:iam::aws:policy/ReadOnlyAccess").is_none());
    }

    #[test]
    fn published_grants_of_the_admin_grade_policies() {
        let name = |prefix, name| FullName { prefix, name };
        assert!(grants("AdministratorAccess", name("iam", "PassRole")));
        assert!(grants("PowerUserAccess", name("s3", "GetObject")));
        assert!(!grants("PowerUserAccess", name("iam", "PassRole")));
        assert!(grants(
            "PowerUserAccess",
            name("iam", "CreateServiceLinkedRole")
        ));
        assert!(!grants(
            "PowerUserAccess",
            name("organizations", "LeaveOrganization")
        ));
        assert!(grants("IAMFullAccess", name("iam", "PassRole")));
        assert!(grants("IAMFullAccess", name("organizations", "ListRoots")));
        assert!(!grants("IAMFullAccess", name("s3", "GetObject")));
    }
}
