//! The execution role the framework creates for the service (`IamRoleLambdaExecution`) from
//! `provider.iam.role.statements` (or the v2 `provider.iamRoleStatements`), managed policies and
//! permissions boundary. Not created when the provider names its own role.

use tollgate_syntax::Span;

use super::Service;
use crate::adapters::terraform::iam_json;
use crate::adapters::terraform::mapper::{string, strings};
use crate::adapters::terraform::value::Tv;
use crate::model::{CloudModel, IamRole, NamedPolicy, PolicyDocument, Val};

/// Logical id of the framework's execution role.
pub const LOGICAL_ID: &str = "IamRoleLambdaExecution";

pub fn map(svc: &Service<'_>, model: &mut CloudModel) {
    if svc.functions().is_empty() {
        return;
    }
    let role_cfg = svc.provider(&["iam", "role"]);
    if role_cfg.is_some_and(|r| r.as_object().is_none()) || svc.provider(&["role"]).is_some() {
        return;
    }
    let header: Span = svc
        .root
        .get("provider")
        .and_then(|p| p.entry("iam").or(p.entry("iamRoleStatements")))
        .map_or_else(
            || svc.root.entry("provider").map_or(svc.root.span, |(s, _)| s),
            |(s, _)| s,
        );
    let mut role = IamRole::new(svc.meta(LOGICAL_ID, "AWS::IAM::Role", header));
    role.name = string(role_cfg.and_then(|r| r.get("name")));
    let statements = role_cfg
        .and_then(|r| r.get("statements"))
        .or(svc.provider(&["iamRoleStatements"]));
    if let Some(st) = statements {
        let document = if let Some(reason) = unknown(st) {
            Val::unknown(st.span, reason)
        } else {
            Val::known(
                PolicyDocument {
                    file: svc.file.to_string(),
                    span: st.span,
                    version: Val::Absent,
                    statements: iam_json::statements(st.one_or_many()),
                },
                st.span,
            )
        };
        role.inline_policies.push(NamedPolicy {
            name: Val::known(format!("{}-{}-lambda", svc.service, svc.stage), st.span),
            document,
        });
    }
    role.managed_policy_arns = strings(
        role_cfg
            .and_then(|r| r.get("managedPolicies"))
            .or(svc.provider(&["iamManagedPolicies"])),
    );
    role.permissions_boundary = string(
        role_cfg
            .and_then(|r| r.get("permissionsBoundary"))
            .or(svc.provider(&["rolePermissionsBoundary"])),
    );
    model.iam_roles.push(role);
}

fn unknown(v: &Tv) -> Option<String> {
    match &v.kind {
        crate::adapters::terraform::value::TvKind::Unknown(r) => Some(r.clone()),
        _ => None,
    }
}
