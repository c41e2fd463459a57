//! The plan's `configuration` section: which resource each argument refers to
//! (`"expressions": {"bucket": {"references": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]}}`).
//! Used to link resources whose linking value is only known after apply.

use std::collections::HashMap;

use tollgate_syntax::Node;

use crate::adapters::terraform::loader::TfResource;
use crate::adapters::terraform::value::{Tv, TvKind};

/// Deepest `module_calls` nesting followed.
const MAX_DEPTH: usize = 32;

/// Per resource address (module prefix included, no instance index): argument name to the
/// referenced resource address and attribute.
pub type References = HashMap<String, HashMap<String, (String, Vec<String>)>>;

pub fn references(root: &Node) -> References {
    let mut out = References::new();
    if let Some(m) = root.path(&["configuration", "root_module"]) {
        module(m, "", 0, &mut out);
    }
    out
}

fn module(m: &Node, prefix: &str, depth: usize, out: &mut References) {
    if depth > MAX_DEPTH {
        return;
    }
    for r in m
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(address) = r.get("address").and_then(Node::as_str) else {
            continue;
        };
        let mut args = HashMap::new();
        for e in r.get("expressions").map(Node::entries).unwrap_or_default() {
            let Some(refs) = e.value.get("references").and_then(Node::as_seq) else {
                continue;
            };
            if let Some(target) = refs
                .iter()
                .filter_map(Node::as_str)
                .find_map(|t| split_reference(t, prefix))
            {
                args.insert(e.key.clone(), target);
            }
        }
        out.insert(format!("{prefix}{address}"), args);
    }
    for call in m.get("module_calls").map(Node::entries).unwrap_or_default() {
        if let Some(child) = call.value.get("module") {
            module(
                child,
                &format!("{prefix}module.{}.", call.key),
                depth + 1,
                out,
            );
        }
    }
}

/// `aws_s3_bucket.b.id` → (`aws_s3_bucket.b`, [`id`]); variables, locals and module outputs
/// are not resources.
fn split_reference(text: &str, prefix: &str) -> Option<(String, Vec<String>)> {
    let parts: Vec<&str> = text.split('.').collect();
    let (addr_len, first) = match parts.first()? {
        &"data" => (3, 1),
        &"var" | &"local" | &"module" | &"each" | &"count" | &"path" => return None,
        _ => (2, 0),
    };
    if parts.len() < addr_len || !parts[first].contains('_') {
        return None;
    }
    let base = parts[..addr_len].join(".");
    let base = base.split('[').next().unwrap_or(&base).to_string();
    Some((
        format!("{prefix}{base}"),
        parts[addr_len..].iter().map(|s| s.to_string()).collect(),
    ))
}

/// Replace unknown or missing top-level arguments of `r` that the configuration links to
/// another resource with a reference to it.
/// A reference to a counted resource (`aws_s3_bucket.b[0]` in the plan) names the only
/// instance when there is exactly one.
pub fn restore(r: &mut TfResource, refs: &References, addresses: &[String]) {
    let key = strip_index(&r.address);
    let Some(args) = refs.get(&key) else { return };
    let span = r.header;
    if let TvKind::Null = r.body.kind {
        r.body.kind = TvKind::Object(Vec::new());
    }
    let TvKind::Object(fields) = &mut r.body.kind else {
        return;
    };
    for (arg, (address, attr)) in args {
        let mut instances = addresses.iter().filter(|a| strip_index(a) == *address);
        let address = match (instances.next(), instances.next()) {
            (Some(only), None) => only,
            _ => address,
        };
        let reference = |s| {
            Tv::new(
                s,
                TvKind::Ref {
                    address: address.clone(),
                    attr: attr.clone(),
                },
            )
        };
        match fields.iter_mut().find(|(k, _, _)| k == arg) {
            Some((_, _, v)) if v.is_unknown() || v.is_null() => *v = reference(v.span),
            Some(_) => {}
            None => fields.push((arg.clone(), span, reference(span))),
        }
    }
}

/// `module.m["a"].aws_s3_bucket.b[0]` → `module.m.aws_s3_bucket.b`.
fn strip_index(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut in_str = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => in_str = !in_str,
            '[' if !in_str => depth += 1,
            ']' if !in_str => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}
