//! The role SAM creates for a function or state machine without `Role`: trust in the service,
//! the basic managed policies, and everything listed under `Policies` (managed policy names or
//! ARNs, inline statements, policy templates).

use tollgate_syntax::Span;

use super::policy_templates;
use crate::adapters::cloudformation::policy::policy_document;
use crate::adapters::cloudformation::{Cv, CvKind, Template};
use crate::model::{
    Effect, IamRole, NamedPolicy, PolicyDocument, Principal, ResourceMeta, Statement, Val,
};

/// Build the implicit role `<id>Role`. `anchor` is where it is said to be written: the
/// `Policies` key when present, else the resource header.
pub fn implicit_role(
    tpl: &mut Template,
    owner: &ResourceMeta,
    service: &str,
    base_managed: &[&str],
    policies: Option<&Cv>,
    anchor: Span,
) -> IamRole {
    let mut meta = ResourceMeta::new(
        format!("{}Role", owner.address),
        "AWS::IAM::Role",
        owner.file.clone(),
        anchor,
        owner.format,
    );
    meta.tags = owner.tags.clone();
    let mut role = IamRole::new(meta);
    role.trust_policy = Val::known(trust(&owner.file, service, owner.header), owner.header);
    role.managed_policy_arns = base_managed
        .iter()
        .map(|name| Val::known(format!("arn:aws:iam::aws:policy/{name}"), owner.header))
        .collect();
    if let Some(policies) = policies {
        let items: Vec<&Cv> = match &policies.kind {
            CvKind::List(items) => items.iter().collect(),
            _ => vec![policies],
        };
        for (i, item) in items.into_iter().enumerate() {
            add_policy(tpl, &mut role, item, i);
        }
    }
    role
}

fn add_policy(tpl: &mut Template, role: &mut IamRole, item: &Cv, index: usize) {
    let file = role.meta.file.clone();
    let inline_name = || format!("{}Policy{index}", role.meta.address);
    match &item.kind {
        // A managed policy: SAM accepts AWS managed policy names as well as ARNs.
        CvKind::Str(_) | CvKind::Ref(_) | CvKind::Unknown(_) => {
            role.managed_policy_arns.push(item.to_str().map(|s| {
                if s.starts_with("arn:") || s.starts_with("${") {
                    s
                } else {
                    format!("arn:aws:iam::aws:policy/{s}")
                }
            }));
        }
        CvKind::Map(_) if item.get("Statement").is_some() => {
            let name = Val::known(inline_name(), item.span);
            role.inline_policies.push(NamedPolicy {
                name,
                document: policy_document(&file, item),
            });
        }
        CvKind::Map(entries) if entries.len() == 1 => {
            let (template, key_span, params) = &entries[0];
            let document = match policy_templates::expand(&file, template, params, *key_span) {
                Some(doc) => Val::known(doc, *key_span),
                None => {
                    tpl.notes.push(crate::adapters::unsupported(
                        &file,
                        *key_span,
                        format!("SAM policy template `{template}` is not expanded; its permissions are treated as unknown"),
                    ));
                    Val::unknown(
                        *key_span,
                        format!("policy template `{template}` not expanded"),
                    )
                }
            };
            role.inline_policies.push(NamedPolicy {
                name: Val::known(template.clone(), *key_span),
                document,
            });
        }
        _ => {
            tpl.notes.push(crate::adapters::unsupported(
                &file,
                item.span,
                "`Policies` entry is neither a policy name/ARN, a policy document nor a policy template",
            ));
            role.inline_policies.push(NamedPolicy {
                name: Val::Absent,
                document: Val::unknown(item.span, "unrecognised Policies entry"),
            });
        }
    }
}

/// `sts:AssumeRole` for `service`.
fn trust(file: &str, service: &str, span: Span) -> PolicyDocument {
    let mut s = Statement::new(span);
    s.effect = Val::known(Effect::Allow, span);
    s.actions = vec![Val::known("sts:AssumeRole".to_string(), span)];
    s.principals = vec![Principal {
        kind: "Service".to_string(),
        value: Val::known(service.to_string(), span),
    }];
    PolicyDocument {
        file: file.to_string(),
        span,
        version: Val::known("2012-10-17".to_string(), span),
        statements: vec![s],
    }
}
