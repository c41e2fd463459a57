//! `aws_iam_role` with its inline policies, `aws_iam_role_policy` and
//! `aws_iam_role_policy_attachment` joined in; `aws_iam_policy` with the roles and users it is
//! attached to; `aws_iam_user_policy`, a policy of one user; `aws_iam_user` with its
//! `aws_iam_user_login_profile`.

use std::collections::HashSet;

use super::iam_json::string_val;
use super::loader::TfResource;
use super::mapper::{in_file, integer, string, strings, Mapper};
use super::value::{Tv, TvKind};
use crate::model::{
    CloudModel, IamAccessKey, IamPolicy, IamRole, IamUser, NamedPolicy, PasswordPolicy,
    PolicyDocumentSource, Ref, ResourceMeta, UserPolicyAttachment, Val,
};

pub fn map(m: &Mapper<'_>, model: &mut CloudModel) {
    for r in m.of_type("aws_iam_account_password_policy") {
        model.password_policies.push(PasswordPolicy {
            meta: m.meta(r),
            minimum_length: integer(r.body.get("minimum_password_length")),
            reuse_prevention: integer(r.body.get("password_reuse_prevention")),
        });
    }
    // Attachments joined to a user of the scan; the rest are recorded on their own below.
    let mut joined_user_attachments = HashSet::new();
    for r in m.of_type("aws_iam_user") {
        let mut user = IamUser::new(m.meta(r));
        user.name = string(r.body.get("name"));
        for l in m.attached("aws_iam_user_login_profile", "user", r, &["name"]) {
            user.console_password = in_file(Val::known(true, l.header), &l.file, &user.meta);
        }
        // Attachments of a policy the scan declares are that policy's users (below); the others
        // attach a policy known only by its ARN, an AWS managed one most often.
        for a in m.attached("aws_iam_user_policy_attachment", "user", r, &["name"]) {
            joined_user_attachments.insert(a.address.as_str());
            if let Some(arn) = a.body.get("policy_arn").filter(|arn| !names_policy(m, arn)) {
                user.managed_policy_arns
                    .push(in_file(attached_arn(arn, a), &a.file, &user.meta));
            }
        }
        for a in m.of_type("aws_iam_policy_attachment") {
            let Some(arn) = a.body.get("policy_arn").filter(|arn| !names_policy(m, arn)) else {
                continue;
            };
            let lists_user = a
                .body
                .get("users")
                .is_some_and(|users| users.one_or_many().into_iter().any(|u| names_user(u, r)));
            if lists_user {
                user.managed_policy_arns
                    .push(in_file(attached_arn(arn, a), &a.file, &user.meta));
            }
        }
        model.iam_users.push(user);
    }
    map_attachments_to_other_users(m, model, &joined_user_attachments);
    for d in m.data_of_type("aws_iam_policy_document") {
        model.policy_documents.push(PolicyDocumentSource {
            meta: m.meta(d),
            document: m.own_policy_document(d),
        });
    }
    for k in m.of_type("aws_iam_access_key") {
        model.iam_access_keys.push(IamAccessKey {
            meta: m.meta(k),
            user: m.reference(k.body.get("user")),
            status: string(k.body.get("status")),
        });
    }
    let mut joined_role_policies = Vec::new();
    for r in m.of_type("aws_iam_role") {
        let b = &r.body;
        let mut role = IamRole::new(m.meta(r));
        role.name = string(b.get("name"));
        role.trust_policy = m.policy(b.get("assume_role_policy"), &r.file);
        for inline in b.blocks("inline_policy") {
            if inline.get("policy").is_none() {
                continue;
            }
            role.inline_policies.push(NamedPolicy {
                name: string(inline.get("name")),
                document: m.policy(inline.get("policy"), &r.file),
            });
        }
        role.managed_policy_arns = strings(b.get("managed_policy_arns"));
        role.permissions_boundary = string(b.get("permissions_boundary"));
        for p in m.attached("aws_iam_role_policy", "role", r, &["name", "id"]) {
            role.inline_policies.push(NamedPolicy {
                name: string(p.body.get("name")),
                document: m.policy(p.body.get("policy"), &p.file),
            });
            joined_role_policies.push(p.address.clone());
        }
        for a in m.attached("aws_iam_role_policy_attachment", "role", r, &["name", "id"]) {
            if let Some(arn) = a.body.get("policy_arn") {
                role.managed_policy_arns.push(string_val(arn));
            }
        }
        model.iam_roles.push(role);
    }
    // A role policy whose role is not declared in the scan is still a policy to analyse.
    for p in m.of_type("aws_iam_role_policy") {
        if joined_role_policies.contains(&p.address) {
            continue;
        }
        model.iam_policies.push(IamPolicy {
            meta: m.meta(p),
            name: string(p.body.get("name")),
            document: m.policy(p.body.get("policy"), &p.file),
            roles: vec![m.reference(p.body.get("role"))],
            users: Vec::new(),
            groups: Vec::new(),
        });
    }
    for p in m.of_type("aws_iam_policy") {
        let roles = m
            .attached("aws_iam_role_policy_attachment", "policy_arn", p, &["arn"])
            .into_iter()
            .map(|a| m.reference(a.body.get("role")))
            .collect();
        let meta = m.meta(p);
        let mut users = Vec::new();
        for a in m.attached("aws_iam_user_policy_attachment", "policy_arn", p, &["arn"]) {
            users.push(in_file(m.reference(a.body.get("user")), &a.file, &meta));
        }
        for a in m.attached("aws_iam_policy_attachment", "policy_arn", p, &["arn"]) {
            users.extend(user_list(m, a.body.get("users"), &a.file, &meta));
        }
        model.iam_policies.push(IamPolicy {
            meta,
            name: string(p.body.get("name")),
            document: m.policy(p.body.get("policy"), &p.file),
            roles,
            users,
            groups: Vec::new(),
        });
    }
    for p in m.of_type("aws_iam_user_policy") {
        model.iam_policies.push(IamPolicy {
            meta: m.meta(p),
            name: string(p.body.get("name")),
            document: m.policy(p.body.get("policy"), &p.file),
            roles: Vec::new(),
            users: vec![m.reference(p.body.get("user"))],
            groups: Vec::new(),
        });
    }
}

/// Attachments of a policy the scan does not declare to a user it does not declare either: the
/// policy is attached to a user directly all the same, so they are kept, one per user named.
/// Those of a declared policy are among that policy's users, those of a declared user among its
/// managed policies.
fn map_attachments_to_other_users(m: &Mapper<'_>, model: &mut CloudModel, joined: &HashSet<&str>) {
    let declared_users: Vec<&TfResource> = m.of_type("aws_iam_user").collect();
    let mut keep = |a: &TfResource, user: &Tv, arn: &Tv| {
        let meta = m.meta(a);
        model.user_policy_attachments.push(UserPolicyAttachment {
            user: m.reference(Some(user)),
            policy_arn: string_val(arn),
            meta,
        });
    };
    for a in m.of_type("aws_iam_user_policy_attachment") {
        if joined.contains(a.address.as_str()) {
            continue;
        }
        let (Some(user), Some(arn)) = (a.body.get("user"), a.body.get("policy_arn")) else {
            continue;
        };
        if !names_policy(m, arn) {
            keep(a, user, arn);
        }
    }
    for a in m.of_type("aws_iam_policy_attachment") {
        let (Some(users), Some(arn)) = (a.body.get("users"), a.body.get("policy_arn")) else {
            continue;
        };
        if names_policy(m, arn) || users.is_unknown() {
            continue;
        }
        for user in users.one_or_many() {
            if !declared_users.iter().any(|r| names_user(user, r)) {
                keep(a, user, arn);
            }
        }
    }
}

/// The ARN an attachment attaches. An attachment whose ARN is known only after apply still
/// attaches a policy to the user: it stands for itself, at its header, instead of being unknown.
fn attached_arn(arn: &Tv, attachment: &TfResource) -> Val<String> {
    match string_val(arn) {
        Val::Unknown { .. } => Val::known(
            format!("policy of {}", attachment.address),
            attachment.header,
        ),
        known => known,
    }
}

/// Whether a `policy_arn` refers to an `aws_iam_policy` of the scan (that policy then lists the
/// user among its own).
fn names_policy(m: &Mapper<'_>, arn: &Tv) -> bool {
    match m.reference(Some(arn)) {
        Val::Known { value, .. } => value
            .address()
            .is_some_and(|a| m.of_type("aws_iam_policy").any(|p| p.address == a)),
        _ => false,
    }
}

/// Whether an entry of an attachment's `users` names `user`: a reference to it, or its name.
fn names_user(entry: &Tv, user: &TfResource) -> bool {
    match &entry.kind {
        TvKind::Ref { address, .. } => *address == user.address,
        _ => entry
            .as_str()
            .is_some_and(|name| user.body.get("name").and_then(Tv::as_str) == Some(name)),
    }
}

/// The `users` of an `aws_iam_policy_attachment` written in `file`: one reference each, or one
/// unknown value when the list cannot be read.
fn user_list(m: &Mapper<'_>, users: Option<&Tv>, file: &str, to: &ResourceMeta) -> Vec<Val<Ref>> {
    match users {
        None => Vec::new(),
        Some(list) if list.is_unknown() => vec![in_file(m.reference(Some(list)), file, to)],
        Some(list) => list
            .one_or_many()
            .into_iter()
            .map(|u| in_file(m.reference(Some(u)), file, to))
            .collect(),
    }
}
