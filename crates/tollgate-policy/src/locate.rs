//! A result's `path` (`["Properties", "Environment", "Variables"]` or
//! `"properties.environment.variables"`) turned into the place it names in the file, through
//! the spans the parsed document keeps. Keys match exactly, else ignoring case (policies read
//! `input.resource.properties`, templates say `Properties`); a number indexes a list. The walk
//! stops at the deepest step found, so a path to a missing attribute points at its parent.

use tollgate_core::ScanContext;
use tollgate_syntax::{Document, Node, Span, Value};

use crate::resources::{Locator, ScannedResource};

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Read a result's `path`: a list of keys and indexes, or a dotted string.
pub fn parse_path(value: &serde_json::Value) -> Vec<Step> {
    match value {
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|i| match i {
                serde_json::Value::String(s) => Some(Step::Key(s.clone())),
                serde_json::Value::Number(n) => n.as_u64().map(|n| Step::Index(n as usize)),
                _ => None,
            })
            .collect(),
        serde_json::Value::String(s) => s
            .split('.')
            .filter(|p| !p.is_empty())
            .map(|p| match p.parse::<usize>() {
                Ok(n) => Step::Index(n),
                Err(_) => Step::Key(p.to_string()),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The span `path` names in `resource`'s file, or `None` when not even its first step is
/// there.
pub fn locate(ctx: &ScanContext, resource: &ScannedResource, path: &[Step]) -> Option<Span> {
    let file = ctx.file(&resource.doc.file)?;
    let doc = ctx.document(file).ok()?;
    locate_in(&doc, resource, path)
}

/// [`locate`] in `doc`, the parsed document of `resource`'s file (looked up once by a caller
/// locating many results in one file).
pub fn locate_in(doc: &Document, resource: &ScannedResource, path: &[Step]) -> Option<Span> {
    let mut steps = path;
    // `input.resource.properties...` and `resource.properties...` name the same thing.
    while let Some(Step::Key(k)) = steps.first() {
        if k == "input" || k == "resource" {
            steps = &steps[1..];
        } else {
            break;
        }
    }
    for root in &doc.roots {
        let start = match &resource.locator {
            Locator::Cfn { id } => cfn_resource(root, id),
            Locator::ServerlessFunction { name } => {
                let f = root.get("functions").and_then(|f| f.get(name));
                // Paths may start with `properties` for every format.
                if let (Some(_), Some(Step::Key(k))) = (f, steps.first()) {
                    if k.eq_ignore_ascii_case("properties") {
                        steps = &steps[1..];
                    }
                }
                f
            }
            Locator::Terraform { type_name, name } => {
                let body = terraform_block(root, type_name, name);
                if let (Some(_), Some(Step::Key(k))) = (body, steps.first()) {
                    if k.eq_ignore_ascii_case("properties") {
                        steps = &steps[1..];
                    }
                }
                body
            }
            Locator::Header => None,
        };
        if let Some(start) = start {
            return walk(start, steps);
        }
    }
    None
}

fn cfn_resource<'a>(root: &'a Node, id: &str) -> Option<&'a Node> {
    if let Some(r) = root.get("Resources").and_then(|r| r.get(id)) {
        return Some(r);
    }
    // A Serverless service's `resources` (a map or a list of CloudFormation fragments).
    match root.get("resources").map(|r| &r.value) {
        Some(Value::Seq(parts)) => parts
            .iter()
            .find_map(|p| p.get("Resources").and_then(|r| r.get(id))),
        Some(_) => root
            .get("resources")
            .and_then(|r| r.get("Resources"))
            .and_then(|r| r.get(id)),
        None => None,
    }
}

fn terraform_block<'a>(root: &'a Node, type_name: &str, name: &str) -> Option<&'a Node> {
    // HCL files hold `resource` blocks as entries whose value is the block; the block's body
    // is walked as a map.
    root.entries().iter().find_map(|e| match &e.value.value {
        Value::Block(b)
            if b.ident == "resource"
                && b.labels.first().map(|l| l.0.as_str()) == Some(type_name)
                && b.labels.get(1).map(|l| l.0.as_str()) == Some(name) =>
        {
            Some(&e.value)
        }
        _ => None,
    })
}

/// Follow `steps` from `node`; the span of the deepest node reached (a key's value; for a
/// missing key, the node that should hold it).
fn walk(node: &Node, steps: &[Step]) -> Option<Span> {
    let mut current = node;
    let mut span = None;
    for step in steps {
        let next = match step {
            Step::Key(key) => child(current, key),
            Step::Index(i) => match &current.value {
                Value::Seq(items) => items.get(*i).map(|n| (n, n.span)),
                _ => None,
            },
        };
        match next {
            Some((n, s)) => {
                current = n;
                span = Some(s);
            }
            None => break,
        }
    }
    span.or(Some(current.span)).filter(|_| !steps.is_empty())
}

/// The value under `key` and the span to report for it (the key's own span for maps, so a
/// finding underlines `Environment:` rather than the whole block below it).
fn child<'a>(node: &'a Node, key: &str) -> Option<(&'a Node, Span)> {
    let entries: &[tollgate_syntax::Entry] = match &node.value {
        Value::Map(entries) => entries,
        Value::Block(b) => &b.body,
        _ => return None,
    };
    let found = entries
        .iter()
        .find(|e| e.key == key)
        .or_else(|| entries.iter().find(|e| e.key.eq_ignore_ascii_case(key)))
        .or_else(|| {
            // `environment_variables` vs `EnvironmentVariables`, `kms_key_arn` vs `KmsKeyArn`.
            let want = squash(key);
            entries.iter().find(|e| squash(&e.key) == want)
        })?;
    let span = match &found.value.value {
        Value::Map(_) | Value::Seq(_) | Value::Block(_) => found.key_span,
        _ => found.value.span,
    };
    Some((&found.value, span))
}

fn squash(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_parse_from_lists_and_dotted_strings() {
        assert_eq!(
            parse_path(&json!(["Properties", "Layers", 0])),
            [
                Step::Key("Properties".into()),
                Step::Key("Layers".into()),
                Step::Index(0)
            ]
        );
        assert_eq!(
            parse_path(&json!("properties.environment.variables")),
            parse_path(&json!(["properties", "environment", "variables"]))
        );
    }

    #[test]
    fn walk_follows_keys_ignoring_case_and_stops_at_the_deepest_found() {
        let doc = tollgate_syntax::parse(
            "Type: AWS::Lambda::Function\nProperties:\n  Runtime: python3.8\n  Environment:\n    Variables:\n      A: b\n",
            tollgate_syntax::Format::Yaml,
            &Default::default(),
        )
        .unwrap();
        let root = doc.root().unwrap();
        let runtime = walk(root, &parse_path(&json!("properties.runtime"))).unwrap();
        assert_eq!((runtime.start.line, runtime.start.col), (3, 12));
        let vars = walk(
            root,
            &parse_path(&json!(["Properties", "Environment", "Variables"])),
        )
        .unwrap();
        assert_eq!(vars.start.line, 5);
        let missing = walk(
            root,
            &parse_path(&json!("properties.vpc_config.subnet_ids")),
        )
        .unwrap();
        assert_eq!(missing.start.line, 2, "the deepest step found: Properties");
    }
}
