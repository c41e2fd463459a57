//! A resolved `serverless.yml` node as an evaluated value. CloudFormation intrinsics written
//! outside `resources` (`!GetAtt Queue.Arn`, `!Ref Topic`, their long forms) become references
//! to the logical id; other intrinsics (`!Sub`, `!Join`...) are unknown.

use tollgate_syntax::{Node, Value};

use crate::adapters::cloudformation::template::intrinsic;
use crate::adapters::terraform::value::{Tv, TvKind};

/// Deepest nesting converted.
const MAX_DEPTH: usize = 64;

pub fn to_tv(node: &Node) -> Tv {
    convert(node, 0)
}

fn convert(node: &Node, depth: usize) -> Tv {
    let span = node.span;
    if depth > MAX_DEPTH {
        return Tv::unknown(span, "nested too deeply");
    }
    if let Some((name, arg)) = intrinsic(node) {
        let target = |text: &str| -> Tv {
            let mut parts = text.splitn(2, '.');
            let address = parts.next().unwrap_or_default().to_string();
            let attr = parts
                .next()
                .map(|a| vec![a.to_string()])
                .unwrap_or_default();
            Tv::new(span, TvKind::Ref { address, attr })
        };
        return match (name, &arg.value) {
            ("Ref" | "Fn::GetAtt", Value::String(s)) => target(s),
            ("Fn::GetAtt", Value::Seq(items)) if items.len() == 2 => {
                match (items[0].as_str(), items[1].as_str()) {
                    (Some(id), Some(attr)) => target(&format!("{id}.{attr}")),
                    _ => Tv::unknown(span, "Fn::GetAtt with computed arguments"),
                }
            }
            (other, _) => Tv::unknown(
                span,
                format!("{other} is not evaluated outside `resources`"),
            ),
        };
    }
    match &node.value {
        Value::Seq(items) => Tv::new(
            span,
            TvKind::List(items.iter().map(|i| convert(i, depth + 1)).collect()),
        ),
        Value::Map(entries) => Tv::new(
            span,
            TvKind::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.key_span, convert(&e.value, depth + 1)))
                    .collect(),
            ),
        ),
        _ => Tv::from_node(node),
    }
}
