//! IAM policy documents from evaluated CloudFormation values (also used for SAM inline
//! statements and expanded policy templates). A document written as a JSON string is parsed
//! too; its spans then cover the whole string.

use tollgate_syntax::{Format, Limits, Node, Span};

use super::template::literal;
use super::value::{Cv, CvKind};
use crate::model::{Condition, Effect, PolicyDocument, Principal, Statement, Val};

/// The policy document `v` (a map, or a JSON string), written in `file`.
pub fn policy_document(file: &str, v: &Cv) -> Val<PolicyDocument> {
    match &v.kind {
        CvKind::Map(_) => Val::known(document(file, v), v.span),
        CvKind::Str(text) => match parse_json(text, v.span) {
            Some(parsed) => Val::known(document(file, &parsed), v.span),
            None => Val::unknown(v.span, "policy document string is not valid JSON"),
        },
        CvKind::Unknown(reason) => Val::unknown(v.span, reason.clone()),
        _ if v.is_nothing() => Val::Absent,
        _ => Val::unknown(v.span, "expected a policy document"),
    }
}

/// Parse a JSON string value; every position inside is mapped to the string's own span.
fn parse_json(text: &str, span: Span) -> Option<Cv> {
    let doc = tollgate_syntax::parse(text, Format::Json, &Limits::default()).ok()?;
    let root: &Node = doc.root()?;
    Some(respan(literal(root, span), span))
}

fn respan(mut v: Cv, span: Span) -> Cv {
    v.span = span;
    v.kind = match v.kind {
        CvKind::List(items) => CvKind::List(items.into_iter().map(|i| respan(i, span)).collect()),
        CvKind::Map(entries) => CvKind::Map(
            entries
                .into_iter()
                .map(|(k, _, v)| (k, span, respan(v, span)))
                .collect(),
        ),
        other => other,
    };
    v
}

fn document(file: &str, v: &Cv) -> PolicyDocument {
    let statements = match v.get("Statement") {
        Some(s) => match &s.kind {
            CvKind::List(items) => items.iter().map(statement).collect(),
            CvKind::Map(_) => vec![statement(s)],
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    PolicyDocument {
        file: file.to_string(),
        span: v.span,
        version: v.get("Version").map_or(Val::Absent, Cv::to_str),
        statements,
    }
}

/// One statement. An unresolvable statement keeps its span and no content.
pub fn statement(v: &Cv) -> Statement {
    let mut s = Statement::new(v.span);
    if let CvKind::Unknown(_) = v.kind {
        s.conditions_unknown = true;
        return s;
    }
    let list = |key: &str| v.get(key).map(Cv::to_str_list).unwrap_or_default();
    s.sid = v.get("Sid").map_or(Val::Absent, Cv::to_str);
    s.effect = v.get("Effect").map_or(Val::Absent, |e| {
        e.to_str().map(|t| {
            if t.eq_ignore_ascii_case("deny") {
                Effect::Deny
            } else {
                Effect::Allow
            }
        })
    });
    s.actions = list("Action");
    s.not_actions = list("NotAction");
    s.resources = list("Resource");
    s.not_resources = list("NotResource");
    s.principals = v.get("Principal").map(principals).unwrap_or_default();
    s.not_principals = v.get("NotPrincipal").map(principals).unwrap_or_default();
    if let Some(c) = v.get("Condition") {
        match &c.kind {
            CvKind::Map(ops) => {
                for (operator, _, tests) in ops {
                    match &tests.kind {
                        CvKind::Map(keys) => {
                            for (key, key_span, values) in keys {
                                s.conditions.push(Condition {
                                    span: key_span.join(values.span),
                                    operator: operator.clone(),
                                    key: key.clone(),
                                    values: values.to_str_list(),
                                });
                            }
                        }
                        _ => s.conditions_unknown = true,
                    }
                }
            }
            _ if c.is_nothing() => {}
            _ => s.conditions_unknown = true,
        }
    }
    s
}

fn principals(v: &Cv) -> Vec<Principal> {
    match &v.kind {
        CvKind::Map(kinds) => kinds
            .iter()
            .flat_map(|(kind, _, values)| {
                values
                    .to_str_list()
                    .into_iter()
                    .map(move |value| Principal {
                        kind: kind.clone(),
                        value,
                    })
            })
            .collect(),
        _ if v.is_nothing() => Vec::new(),
        _ => vec![Principal {
            kind: "*".to_string(),
            value: v.to_str(),
        }],
    }
}
