//! Block-style YAML from a JSON value, the way people write CloudFormation by hand: short-form
//! intrinsic tags (`!Ref`, `!GetAtt A.Arn`, `!Sub`), plain scalars where YAML allows them.

use serde_json::{Map, Value};

pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) => mapping(map, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

/// `!Tag argument` for the intrinsics that have a one-line short form.
fn short_form(map: &Map<String, Value>) -> Option<String> {
    if map.len() != 1 {
        return None;
    }
    let (key, arg) = map.iter().next()?;
    match (key.as_str(), arg) {
        ("Ref", Value::String(s)) => Some(format!("!Ref {}", string(s))),
        ("Fn::Sub", Value::String(s)) => Some(format!("!Sub {}", string(s))),
        ("Fn::GetAtt", Value::Array(parts)) if parts.len() == 2 => {
            let (a, b) = (parts[0].as_str()?, parts[1].as_str()?);
            Some(format!("!GetAtt {a}.{b}"))
        }
        _ => None,
    }
}

/// The text after `key:` or `- `, or `None` when the value needs its own indented block.
fn inline(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) if map.is_empty() => Some("{}".to_string()),
        Value::Object(map) => short_form(map),
        Value::Array(items) if items.is_empty() => Some("[]".to_string()),
        Value::Array(_) => None,
        other => Some(scalar(other)),
    }
}

fn mapping(map: &Map<String, Value>, indent: usize, out: &mut String) {
    for (key, value) in map {
        out.push_str(&" ".repeat(indent));
        out.push_str(&string(key));
        out.push(':');
        match inline(value) {
            Some(text) => {
                out.push(' ');
                out.push_str(&text);
                out.push('\n');
            }
            None => {
                out.push('\n');
                block(value, indent + 2, out);
            }
        }
    }
}

fn block(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) => mapping(map, indent, out),
        Value::Array(items) => sequence(items, indent, out),
        other => {
            out.push_str(&" ".repeat(indent));
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn sequence(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        match inline(item) {
            Some(text) => {
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                out.push_str(&text);
                out.push('\n');
            }
            None => {
                // Write the nested block two columns deeper, then turn its first indentation
                // into the dash: `- Key: value` with the following keys aligned under `Key`.
                let mut nested = String::new();
                block(item, indent + 2, &mut nested);
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                out.push_str(&nested[indent + 2..]);
            }
        }
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        // Callers only pass scalars here.
        Value::Array(_) | Value::Object(_) => serde_json::to_string(value).unwrap_or_default(),
    }
}

/// A string as a plain scalar when YAML would read it back as the same string, otherwise
/// double-quoted (JSON's escapes are valid in YAML double-quoted scalars).
fn string(s: &str) -> String {
    let looks_typed = matches!(
        s.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n"
    ) || s.parse::<f64>().is_ok()
        // YAML 1.1 readers (PyYAML, so Checkov) turn `2010-09-09` into a date and `1:30` into
        // a sexagesimal number.
        || s.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | '_'));
    let special = s.is_empty()
        || s.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`', ' ', '$',
        ])
        || s.ends_with(' ')
        || s.contains(": ")
        || s.contains(" #")
        || s.contains(['\n', '\t', '"', '\\', '{', '}', '[', ']', ','])
        || s.ends_with(':');
    if looks_typed || special {
        serde_json::to_string(s).unwrap_or_default()
    } else {
        s.to_string()
    }
}
