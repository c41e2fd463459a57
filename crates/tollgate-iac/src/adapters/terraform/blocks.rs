//! The top-level blocks of one Terraform file, HCL (`*.tf`) or JSON syntax (`*.tf.json`),
//! brought into one shape so the rest of the adapter does not care which syntax was used.

use tollgate_syntax::{Node, Span, Value};

/// One top-level block: `resource "aws_s3_bucket" "logs" { ... }` or its JSON equivalent.
#[derive(Debug, Clone)]
pub struct RawBlock {
    /// `resource`, `data`, `variable`, `locals`, `module`, `output`, `provider`, `terraform`.
    pub kind: String,
    pub labels: Vec<String>,
    /// From the block keyword to the last label: where "missing attribute" findings point.
    pub header: Span,
    /// The block body: a node whose value is a block (HCL) or a map (JSON).
    pub body: Node,
}

/// The blocks of a parsed file. JSON syntax nests labels as object keys
/// (`{"resource": {"aws_s3_bucket": {"logs": {...}}}}`). The bodies are moved out of `root`,
/// not copied: a document is read once and dropped.
pub fn collect(root: Node, json: bool) -> Vec<RawBlock> {
    let Value::Map(entries) = root.value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries {
        if !json {
            if let Value::Block(b) = &e.value.value {
                let header = b
                    .labels
                    .last()
                    .map_or(e.key_span, |(_, s)| Span::new(e.value.span.start, s.end));
                out.push(RawBlock {
                    kind: b.ident.clone(),
                    labels: b.labels.iter().map(|(l, _)| l.clone()).collect(),
                    header,
                    body: e.value,
                });
            }
            continue;
        }
        let depth = match e.key.as_str() {
            "resource" | "data" => 2,
            "variable" | "module" | "output" | "provider" => 1,
            "locals" | "terraform" => 0,
            _ => continue,
        };
        json_blocks(&e.key, e.value, depth, Vec::new(), e.key_span, &mut out);
    }
    out
}

fn json_blocks(
    kind: &str,
    node: Node,
    depth: usize,
    labels: Vec<String>,
    header: Span,
    out: &mut Vec<RawBlock>,
) {
    if depth == 0 {
        // A body may also be written as a list of bodies.
        match node.value {
            Value::Seq(items) => {
                for item in items {
                    json_blocks(kind, item, 0, labels.clone(), header, out);
                }
            }
            Value::Map(_) => out.push(RawBlock {
                kind: kind.to_string(),
                labels,
                header,
                body: node,
            }),
            _ => {}
        }
        return;
    }
    match node.value {
        Value::Map(entries) => {
            for e in entries {
                let mut l = labels.clone();
                l.push(e.key);
                json_blocks(kind, e.value, depth - 1, l, e.key_span, out);
            }
        }
        Value::Seq(items) => {
            for item in items {
                json_blocks(kind, item, depth, labels.clone(), header, out);
            }
        }
        _ => {}
    }
}

/// The entries of a body, HCL block or JSON map.
pub fn body_entries(body: &Node) -> &[tollgate_syntax::Entry] {
    match &body.value {
        Value::Block(b) => &b.body,
        Value::Map(entries) => entries,
        _ => &[],
    }
}

/// The attribute `key` of a body.
pub fn attr<'a>(body: &'a Node, key: &str) -> Option<&'a Node> {
    body_entries(body)
        .iter()
        .find(|e| e.key == key)
        .map(|e| &e.value)
}
