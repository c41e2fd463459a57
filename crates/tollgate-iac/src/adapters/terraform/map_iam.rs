//! `aws_iam_role` with its inline policies, `aws_iam_role_policy` and
//! `aws_iam_role_policy_attachment` joined in; `aws_iam_policy` with the roles and users it is
//! attached to; `aws_iam_user_policy`, a policy of one user; `aws_iam_user` with its
//! `aws_iam_user_login_profile`.

use super::iam_json::string_val;
use super::mapper::{in_file, integer, string, strings, Mapper};
use super::value::Tv;
use crate::model::{
    CloudModel, IamPolicy, IamRole, IamUser, NamedPolicy, PasswordPolicy, Ref, ResourceMeta, Val,
};

pub fn map(m: &Mapper<'_>, model: &mut CloudModel) {
    for r in m.of_type("aws_iam_account_password_policy") {
        model.password_policies.push(PasswordPolicy {
            meta: m.meta(r),
            minimum_length: integer(r.body.get("minimum_password_length")),
            reuse_prevention: integer(r.body.get("password_reuse_prevention")),
        });
    }
    for r in m.of_type("aws_iam_user") {
        let meta = m.meta(r);
        let mut console_password = Val::Absent;
        for l in m.attached("aws_iam_user_login_profile", "user", r, &["name"]) {
            console_password = in_file(Val::known(true, l.header), &l.file, &meta);
        }
        model.iam_users.push(IamUser {
            name: string(r.body.get("name")),
            console_password,
            meta,
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
