//! A policy in IAM JSON shape, held as an evaluated value (from `jsonencode({...})`, heredoc
//! JSON, an `aws_iam_policy_document` data source, a plan's JSON string, or Serverless
//! `iamRoleStatements`), read into the model's [`PolicyDocument`].

use tollgate_syntax::Span;

use super::heredoc::parse_json_string;
use super::mapper::moved;
use super::value::{Tv, TvKind};
use crate::model::{Condition, Effect, PolicyDocument, Principal, Statement, Val};

/// Read a policy document written in `file`. A JSON string is parsed first; anything that is
/// not an object with statements is unknown.
pub fn document(v: &Tv, file: &str) -> Val<PolicyDocument> {
    let parsed;
    let v = match &v.kind {
        TvKind::Unknown(reason) => return Val::unknown(v.span, reason.clone()),
        TvKind::String(_) => match parse_json_string(v) {
            Some(p) => {
                parsed = p;
                &parsed
            }
            None => return Val::unknown(v.span, "policy is not a JSON document"),
        },
        _ => v,
    };
    let Some(statement) = v.get("Statement") else {
        return Val::unknown(
            v.span,
            "policy document has no `Statement` that can be read statically",
        );
    };
    if let TvKind::Unknown(reason) = &statement.kind {
        return Val::unknown(statement.span, reason.clone());
    }
    let doc = PolicyDocument {
        file: file.to_string(),
        span: v.span,
        version: v.get("Version").map_or(Val::Absent, string_val),
        statements: statements(statement.one_or_many()),
    };
    Val::known(doc, v.span)
}

/// Statements given as IAM JSON objects (also used for Serverless `iamRoleStatements`).
pub fn statements(items: Vec<&Tv>) -> Vec<Statement> {
    items
        .into_iter()
        .filter(|s| s.as_object().is_some())
        .map(statement)
        .collect()
}

fn statement(s: &Tv) -> Statement {
    let mut st = Statement::new(s.span);
    st.sid = s.get("Sid").map_or(Val::Absent, string_val);
    st.effect = match s.get("Effect") {
        None => Val::Absent,
        Some(e) => match &e.kind {
            TvKind::Unknown(r) => Val::unknown(e.span, r.clone()),
            _ => match e.as_str() {
                Some(x) if x.eq_ignore_ascii_case("allow") => Val::known(Effect::Allow, e.span),
                Some(x) if x.eq_ignore_ascii_case("deny") => Val::known(Effect::Deny, e.span),
                _ => Val::unknown(e.span, "effect is neither Allow nor Deny"),
            },
        },
    };
    st.actions = strings(s.get("Action"));
    st.not_actions = strings(s.get("NotAction"));
    st.resources = strings(s.get("Resource"));
    st.not_resources = strings(s.get("NotResource"));
    st.principals = principals(s.get("Principal"));
    st.not_principals = principals(s.get("NotPrincipal"));
    if let Some(c) = s.get("Condition") {
        match c.as_object() {
            Some(ops) => {
                for (op, _, keys) in ops {
                    match keys.as_object() {
                        Some(keys) => {
                            for (key, ks, values) in keys {
                                st.conditions.push(Condition {
                                    span: *ks,
                                    operator: op.clone(),
                                    key: key.clone(),
                                    values: strings(Some(values)),
                                });
                            }
                        }
                        None => st.conditions_unknown = true,
                    }
                }
            }
            None => st.conditions_unknown = !c.is_null(),
        }
    }
    st
}

/// A string, a number or a reference (rendered as `${address.attr}`, which is never a
/// wildcard) as a policy string.
pub fn string_val(v: &Tv) -> Val<String> {
    match &v.kind {
        TvKind::Unknown(r) => Val::unknown(v.span, r.clone()),
        _ => match v.render() {
            Some(s) => Val::known(s, v.span),
            None => Val::unknown(v.span, "not a string"),
        },
    }
}

/// A string or a list of strings, one entry per written string.
fn strings(v: Option<&Tv>) -> Vec<Val<String>> {
    match v {
        None => Vec::new(),
        Some(v) => match &v.kind {
            TvKind::Unknown(r) => vec![Val::unknown(v.span, r.clone())],
            _ => v.one_or_many().into_iter().map(string_val).collect(),
        },
    }
}

fn principals(v: Option<&Tv>) -> Vec<Principal> {
    let Some(v) = v else { return Vec::new() };
    match &v.kind {
        TvKind::Object(kinds) => kinds
            .iter()
            .flat_map(|(kind, _, ids)| {
                strings(Some(ids)).into_iter().map(move |value| Principal {
                    kind: kind.clone(),
                    value,
                })
            })
            .collect(),
        TvKind::Unknown(r) => vec![Principal {
            kind: "*".into(),
            value: Val::unknown(v.span, r.clone()),
        }],
        _ => vec![Principal {
            kind: "*".into(),
            value: string_val(v),
        }],
    }
}

/// Every span of a statement moved to `at` (a statement merged into a document of another file).
pub fn relocate(st: Statement, at: Span) -> Statement {
    let list = |l: Vec<Val<String>>| l.into_iter().map(|v| moved(v, at)).collect::<Vec<_>>();
    let principals = |l: Vec<Principal>| {
        l.into_iter()
            .map(|p| Principal {
                kind: p.kind,
                value: moved(p.value, at),
            })
            .collect::<Vec<_>>()
    };
    Statement {
        span: at,
        sid: moved(st.sid, at),
        effect: moved(st.effect, at),
        actions: list(st.actions),
        not_actions: list(st.not_actions),
        resources: list(st.resources),
        not_resources: list(st.not_resources),
        principals: principals(st.principals),
        not_principals: principals(st.not_principals),
        conditions: st
            .conditions
            .into_iter()
            .map(|c| Condition {
                span: at,
                values: list(c.values),
                ..c
            })
            .collect(),
        conditions_unknown: st.conditions_unknown,
    }
}
