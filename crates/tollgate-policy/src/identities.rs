//! What the permissions stage concludes about each IAM identity, as policy input: effective
//! actions after denies, access levels per resource pattern, privilege-escalation methods
//! held, and who may assume it. The analysis is tollgate-perms's own; this only reads it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tollgate_iac::model::{split_arn, PrincipalClass, ResourceMeta, Val};
use tollgate_perms::analysis::{Analysis, PolicyKind};
use tollgate_perms::catalog::{AccessLevel, ActionId};
use tollgate_perms::principal::grants;

use crate::input::{DataAccessDoc, EscalationDoc, IdentityDoc, PrincipalDoc};

/// Every identity of the analysed model (roles, and policies attached to nothing in the scan).
pub fn identities(analysis: &Analysis<'_>) -> Vec<IdentityDoc> {
    let cat = analysis.catalog;
    // Who may assume each identity: the trust policies' grants, read once and grouped by the
    // policy's owner (reading every grant again for each identity took the square of the
    // time).
    let mut trusted: HashMap<*const ResourceMeta, Vec<PrincipalDoc>> = HashMap::new();
    for g in grants(analysis, PolicyKind::Trust) {
        let (class, account) = class_name(&g.class);
        trusted
            .entry(std::ptr::from_ref(g.policy.owner))
            .or_default()
            .push(PrincipalDoc {
                principal: g.value.to_string(),
                class: class.to_string(),
                account,
                conditional: !g.statement.restriction.is_none(),
            });
    }
    let mut out = Vec::new();
    for identity in &analysis.identities {
        let owner = identity.owner;
        let mut effective: BTreeSet<ActionId> = BTreeSet::new();
        // Resource pattern -> (actions, conditional).
        let mut access: BTreeMap<String, (BTreeSet<ActionId>, bool)> = BTreeMap::new();
        for &pi in &identity.policies {
            let policy = &analysis.policies[pi];
            if policy.kind != PolicyKind::Identity {
                continue;
            }
            for st in &policy.statements {
                if !st.stmt.is_allow() || st.effective.is_empty() {
                    continue;
                }
                effective.extend(st.effective.iter().copied());
                let conditional = !st.restriction.is_none();
                let mut resources: Vec<&str> = st.resources().map(|(r, _)| r).collect();
                if resources.is_empty() && !st.stmt.not_resources.is_empty() {
                    resources.push("*");
                }
                for r in resources {
                    let entry = access.entry(r.to_string()).or_default();
                    entry.0.extend(st.effective.iter().copied());
                    entry.1 |= conditional;
                }
            }
        }
        let data_access = access
            .into_iter()
            .map(|(resource, (actions, conditional))| {
                let verbs: BTreeSet<&str> = actions
                    .iter()
                    .map(|&a| level_name(cat.get(a).level))
                    .collect();
                DataAccessDoc {
                    targets: targets(&resource),
                    account: split_arn(&resource)
                        .map(|p| p.account.to_string())
                        .filter(|a| a.len() == 12 && a.chars().all(|c| c.is_ascii_digit())),
                    verbs: verbs.into_iter().map(str::to_string).collect(),
                    actions: actions
                        .iter()
                        .map(|&a| cat.full_name(a).to_string())
                        .collect(),
                    conditional,
                    resource,
                }
            })
            .collect();
        let escalation = analysis
            .risks
            .escalation
            .iter()
            .filter(|m| !m.actions.is_empty() && m.actions.iter().all(|a| effective.contains(a)))
            .map(|m| EscalationDoc {
                method: m.name.to_string(),
                actions: m
                    .actions
                    .iter()
                    .map(|&a| cat.full_name(a).to_string())
                    .collect(),
                source: m.source.to_string(),
            })
            .collect();
        let trusted_by: Vec<PrincipalDoc> = trusted
            .get(&std::ptr::from_ref(owner))
            .cloned()
            .unwrap_or_default();
        let public = trusted_by
            .iter()
            .any(|p| p.class == "public" && !p.conditional);
        let cross_account = trusted_by.iter().any(|p| p.class == "other-account");
        out.push(IdentityDoc {
            address: owner.address.clone(),
            type_name: owner.type_name.clone(),
            file: owner.file.clone(),
            line: owner.header.start.line,
            unit: owner.scope.clone(),
            effective_actions: effective
                .iter()
                .map(|&a| cat.full_name(a).to_string())
                .collect(),
            data_access,
            escalation,
            trusted_by,
            public,
            cross_account,
            managed_policies: identity
                .managed
                .iter()
                .filter_map(|m| match m {
                    Val::Known { value, .. } => Some(value.clone()),
                    _ => None,
                })
                .collect(),
        });
    }
    out
}

fn level_name(level: AccessLevel) -> &'static str {
    match level {
        AccessLevel::List => "list",
        AccessLevel::Read => "read",
        AccessLevel::Write => "write",
        AccessLevel::Tagging => "tagging",
        AccessLevel::PermissionsManagement => "permissions-management",
    }
}

fn class_name(class: &PrincipalClass) -> (&'static str, Option<String>) {
    match class {
        PrincipalClass::Public => ("public", None),
        PrincipalClass::OwnAccount => ("own-account", None),
        PrincipalClass::OtherAccount(id) => ("other-account", Some(id.clone())),
        PrincipalClass::Service(_) => ("service", None),
        PrincipalClass::Federated(_) => ("federated", None),
        PrincipalClass::Unknown => ("unknown", None),
    }
}

/// Addresses a resource pattern names through placeholders: `${OrdersTable.Arn}/index/*` names
/// `OrdersTable`, `${aws_s3_bucket.docs.arn}/*` names `aws_s3_bucket.docs`. Pseudo parameters
/// (`${AWS::Region}`) and variables name nothing.
pub fn targets(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    for inner in crate::units::placeholders(pattern) {
        if inner.contains("::") || inner.starts_with("var.") || inner.starts_with("local.") {
            continue;
        }
        let parts: Vec<&str> = inner.split('.').collect();
        let address = if inner.starts_with("data.") || inner.starts_with("module.") {
            continue;
        } else if parts.len() >= 2 && parts[0].contains('_') && parts[0] == parts[0].to_lowercase()
        {
            // Terraform: type.name[.attr...]
            format!("{}.{}", parts[0], parts[1])
        } else {
            parts[0].to_string()
        };
        if !out.contains(&address) {
            out.push(address);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_read_placeholders() {
        assert_eq!(targets("${OrdersTable.Arn}/index/*"), ["OrdersTable"]);
        assert_eq!(
            targets("${aws_s3_bucket.docs.arn}/*"),
            ["aws_s3_bucket.docs"]
        );
        assert_eq!(
            targets("arn:${AWS::Partition}:s3:::${Bucket}/*"),
            ["Bucket"]
        );
        assert!(targets("arn:aws:s3:::other-bucket/*").is_empty());
        assert!(targets("*").is_empty());
    }
}
