//! SAM `Globals`: merged into each resource as SAM does it — maps merged key by key, lists
//! appended (globals first), scalars and intrinsic functions overridden by the resource.
//! Spans stay where each value was written, so a finding on a global setting points into
//! `Globals`.

use tollgate_syntax::{Entry, Node, Value};

use crate::adapters::cloudformation::template::intrinsic;

/// The `Globals` sections SAM applies, as written.
#[derive(Debug, Clone, Default)]
pub struct Globals {
    pub function: Option<Node>,
    pub api: Option<Node>,
    pub http_api: Option<Node>,
    pub simple_table: Option<Node>,
    pub state_machine: Option<Node>,
}

impl Globals {
    pub fn read(root: &Node) -> Self {
        let section = |name: &str| root.path(&["Globals", name]).cloned();
        Self {
            function: section("Function"),
            api: section("Api"),
            http_api: section("HttpApi"),
            simple_table: section("SimpleTable"),
            state_machine: section("StateMachine"),
        }
    }

    /// The globals for a resource type, if any.
    pub fn for_type(&self, type_name: &str) -> Option<&Node> {
        match type_name {
            "AWS::Serverless::Function" => self.function.as_ref(),
            "AWS::Serverless::Api" => self.api.as_ref(),
            "AWS::Serverless::HttpApi" => self.http_api.as_ref(),
            "AWS::Serverless::SimpleTable" => self.simple_table.as_ref(),
            "AWS::Serverless::StateMachine" => self.state_machine.as_ref(),
            _ => None,
        }
    }
}

/// Properties after applying globals: `local` wins for scalars, maps merge, lists append.
pub fn merge(global: Option<&Node>, local: Option<&Node>) -> Option<Node> {
    match (global, local) {
        (None, None) => None,
        (Some(g), None) => Some(g.clone()),
        (None, Some(l)) => Some(l.clone()),
        (Some(g), Some(l)) => Some(merge_nodes(g, l)),
    }
}

fn is_plain_map(n: &Node) -> bool {
    matches!(n.value, Value::Map(_)) && n.tag.is_none() && intrinsic(n).is_none()
}

fn is_plain_seq(n: &Node) -> bool {
    matches!(n.value, Value::Seq(_)) && n.tag.is_none()
}

fn merge_nodes(g: &Node, l: &Node) -> Node {
    match (&g.value, &l.value) {
        (Value::Map(ge), Value::Map(le)) if is_plain_map(g) && is_plain_map(l) => {
            let mut entries: Vec<Entry> = Vec::with_capacity(ge.len() + le.len());
            for e in ge {
                match le.iter().rev().find(|x| x.key == e.key) {
                    Some(local) => entries.push(Entry {
                        key: local.key.clone(),
                        key_span: local.key_span,
                        value: merge_nodes(&e.value, &local.value),
                    }),
                    None => entries.push(e.clone()),
                }
            }
            for e in le {
                if !ge.iter().any(|x| x.key == e.key) {
                    entries.push(e.clone());
                }
            }
            Node {
                span: l.span,
                tag: None,
                value: Value::Map(entries),
            }
        }
        (Value::Seq(gi), Value::Seq(li)) if is_plain_seq(g) && is_plain_seq(l) => Node {
            span: l.span,
            tag: None,
            value: Value::Seq(gi.iter().chain(li).cloned().collect()),
        },
        _ => l.clone(),
    }
}
