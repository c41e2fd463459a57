//! Terraform's built-in functions and operators that matter for security settings, evaluated
//! over [`Tv`]. An unknown argument makes the result unknown; functions not listed here give an
//! unknown value naming the function, never an error.

use tollgate_syntax::Span;

use super::heredoc::parse_json_string;
use super::value::{Tv, TvKind};

/// Largest string one function call (`replace`, `join`, `format`...) may build; a longer
/// result is unknown. Real values (ARNs, policies, names) are far smaller.
pub const MAX_FUNCTION_BYTES: usize = 1024 * 1024;

/// The start of the reason of a result past [`MAX_FUNCTION_BYTES`], for the evaluator to note.
pub const TOO_LARGE: &str = "builds a string of more than";

fn too_large(name: &str, span: Span) -> Tv {
    Tv::unknown(
        span,
        format!("{name}() {TOO_LARGE} {MAX_FUNCTION_BYTES} bytes; its value is treated as unknown"),
    )
}

/// Functions [`call`] evaluates (plus `file`, which the evaluator handles).
pub const SUPPORTED: &[&str] = &[
    "jsonencode",
    "jsondecode",
    "merge",
    "concat",
    "lookup",
    "format",
    "tolist",
    "toset",
    "tomap",
    "tostring",
    "tonumber",
    "tobool",
    "sensitive",
    "nonsensitive",
    "lower",
    "upper",
    "trimspace",
    "join",
    "coalesce",
    "length",
    "element",
    "file",
    "templatefile",
    "try",
    "replace",
    "split",
    "keys",
    "values",
    "flatten",
    "compact",
    "distinct",
    "contains",
];

/// Call the function `name`. `span` is the call's span (results built here carry it).
pub fn call(name: &str, args: Vec<Tv>, span: Span) -> Tv {
    // jsonencode keeps its argument's structure so that a policy written as an HCL object keeps
    // the spans of every action and principal; readers accept a structure or a JSON string.
    if name == "jsonencode" {
        return match args.into_iter().next() {
            Some(v) => v,
            None => Tv::unknown(span, "jsonencode() without an argument"),
        };
    }
    // try() takes the first argument that evaluates without error. An unknown first argument
    // may well evaluate at plan time, so only a known one decides.
    if name == "try" {
        return match args.into_iter().next() {
            Some(first) if !first.is_unknown() => first,
            _ => Tv::unknown(span, "try() whose first argument is not known statically"),
        };
    }
    if let Some(reason) = args.iter().find_map(|a| match &a.kind {
        TvKind::Unknown(r) => Some(r.clone()),
        _ => None,
    }) {
        return Tv::unknown(span, reason);
    }
    match name {
        "replace" => match (
            args.first().and_then(Tv::as_str),
            args.get(1).and_then(Tv::as_str),
            args.get(2).and_then(Tv::as_str),
        ) {
            // `/.../` is a regular expression: not evaluated.
            (Some(s), Some(from), Some(to))
                if !(from.len() > 1 && from.starts_with('/') && from.ends_with('/')) =>
            {
                // Measured before building: `replace(s, "", s)` squares the length.
                let grows = to.len().saturating_sub(from.len());
                let size = s
                    .len()
                    .saturating_add(s.matches(from).count().saturating_mul(grows));
                if size > MAX_FUNCTION_BYTES {
                    return too_large(name, span);
                }
                Tv::string(span, s.replace(from, to))
            }
            _ => Tv::unknown(span, "replace() not evaluated statically"),
        },
        "split" => match (
            args.first().and_then(Tv::as_str),
            args.get(1).and_then(Tv::as_str),
        ) {
            (Some(sep), Some(s)) if !sep.is_empty() => Tv::new(
                span,
                TvKind::List(s.split(sep).map(|p| Tv::string(span, p)).collect()),
            ),
            _ => Tv::unknown(span, "split() needs a separator and a string"),
        },
        "keys" | "values" => match args.first().and_then(Tv::as_object) {
            Some(entries) => Tv::new(
                span,
                TvKind::List(
                    entries
                        .iter()
                        .map(|(k, ks, v)| {
                            if name == "keys" {
                                Tv::string(*ks, k.clone())
                            } else {
                                v.clone()
                            }
                        })
                        .collect(),
                ),
            ),
            None => Tv::unknown(span, format!("{name}() of a value that is not an object")),
        },
        "flatten" => match args.first() {
            Some(l) if l.as_list().is_some() => {
                let mut out = Vec::new();
                flatten_into(l, &mut out, 0);
                Tv::new(span, TvKind::List(out))
            }
            _ => Tv::unknown(span, "flatten() of a value that is not a list"),
        },
        "compact" => match args.first().and_then(Tv::as_list) {
            Some(items) => Tv::new(
                span,
                TvKind::List(
                    items
                        .iter()
                        .filter(|i| !(i.is_null() || i.as_str() == Some("")))
                        .cloned()
                        .collect(),
                ),
            ),
            None => Tv::unknown(span, format!("{name}() of a value that is not a list")),
        },
        "distinct" => match args.first().and_then(Tv::as_list) {
            Some(items) => Tv::new(span, TvKind::List(distinct(items))),
            None => Tv::unknown(span, format!("{name}() of a value that is not a list")),
        },
        "contains" => match (args.first().and_then(Tv::as_list), args.get(1)) {
            (Some(items), Some(x)) => Tv::new(
                span,
                TvKind::Bool(items.iter().any(|i| super::eval::same_value(i, x))),
            ),
            _ => Tv::unknown(span, "contains() needs a list and a value"),
        },
        "jsondecode" => args
            .first()
            .and_then(parse_json_string)
            .unwrap_or_else(|| Tv::unknown(span, "jsondecode() of a value that is not JSON")),
        "merge" => merge(args, span),
        "concat" => concat(args, span),
        "lookup" => lookup(args, span),
        "format" => format(args, span),
        "tolist" | "toset" | "tomap" | "tostring" | "tonumber" | "tobool" | "sensitive"
        | "nonsensitive" => args
            .into_iter()
            .next()
            .unwrap_or_else(|| Tv::unknown(span, format!("{name}() without an argument"))),
        "lower" | "upper" | "trimspace" => match args.first().and_then(Tv::as_str) {
            Some(s) => Tv::string(
                span,
                match name {
                    "lower" => s.to_lowercase(),
                    "upper" => s.to_uppercase(),
                    _ => s.trim().to_string(),
                },
            ),
            None => Tv::unknown(span, format!("{name}() of a value that is not a string")),
        },
        "join" => join(args, span),
        "coalesce" => args
            .into_iter()
            .find(|a| !a.is_null() && a.as_str() != Some(""))
            .unwrap_or_else(|| Tv::unknown(span, "coalesce() found no value")),
        "length" => match &args.first().map(|a| &a.kind) {
            Some(TvKind::List(i)) => Tv::new(span, TvKind::Number(i.len().to_string())),
            Some(TvKind::Object(i)) => Tv::new(span, TvKind::Number(i.len().to_string())),
            Some(TvKind::String(s)) => Tv::new(span, TvKind::Number(s.chars().count().to_string())),
            _ => Tv::unknown(span, "length() of a value without a length"),
        },
        "element" => match (
            args.first().map(|a| &a.kind),
            args.get(1).and_then(Tv::as_i64),
        ) {
            (Some(TvKind::List(items)), Some(i)) if !items.is_empty() && i >= 0 => {
                items[(i as usize) % items.len()].clone()
            }
            _ => Tv::unknown(span, "element() of a value that is not a list"),
        },
        other => Tv::unknown(
            span,
            format!("function {other}() is not evaluated statically"),
        ),
    }
}

/// Lists nested in lists, flattened (depth-capped: values are trees of bounded depth anyway).
fn flatten_into(v: &Tv, out: &mut Vec<Tv>, depth: usize) {
    match v.as_list() {
        Some(items) if depth < 64 => items.iter().for_each(|i| flatten_into(i, out, depth + 1)),
        _ => out.push(v.clone()),
    }
}

/// The first of each run of equal values, in order. Values are compared through a key that
/// identifies them (so the work is linear); the few without one (unknowns are never equal to
/// anything, files) are compared one by one.
fn distinct(items: &[Tv]) -> Vec<Tv> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Tv> = Vec::new();
    let mut unkeyed: Vec<usize> = Vec::new();
    for i in items {
        let new = match value_key(i) {
            Some(key) => seen.insert(key),
            None if unkeyed.iter().any(|&o| super::eval::same_value(&out[o], i)) => false,
            None => {
                unkeyed.push(out.len());
                true
            }
        };
        if new {
            out.push(i.clone());
        }
    }
    out
}

/// A text equal for two values exactly when [`super::eval::same_value`] says they are the
/// same, or `None` for values it cannot stand for (those holding unknowns or files).
fn value_key(v: &Tv) -> Option<String> {
    fn push(v: &Tv, out: &mut String) -> Option<()> {
        use std::fmt::Write;
        match &v.kind {
            TvKind::Null => out.push('z'),
            TvKind::Bool(b) => out.push(if *b { 't' } else { 'f' }),
            // Length-prefixed, so that no concatenation of texts reads as another.
            TvKind::Number(n) => write!(out, "n{}:{n}", n.len()).ok()?,
            TvKind::String(s) => write!(out, "s{}:{s}", s.len()).ok()?,
            TvKind::Ref { address, attr } => {
                write!(out, "r{}:{address}{}", address.len(), attr.len()).ok()?;
                for a in attr {
                    write!(out, "{}:{a}", a.len()).ok()?;
                }
            }
            TvKind::List(items) => {
                write!(out, "l{}", items.len()).ok()?;
                for i in items {
                    push(i, out)?;
                }
            }
            TvKind::Object(entries) => {
                write!(out, "o{}", entries.len()).ok()?;
                for (k, _, i) in entries {
                    write!(out, "{}:{k}", k.len()).ok()?;
                    push(i, out)?;
                }
            }
            TvKind::Unknown(_) | TvKind::File { .. } => return None,
        }
        Some(())
    }
    let mut out = String::new();
    push(v, &mut out)?;
    Some(out)
}

/// Later objects' keys win; a key written again moves to where it was written last. Linear:
/// each key's latest place is looked up, not searched for.
fn merge(args: Vec<Tv>, span: Span) -> Tv {
    let mut out: Vec<Option<(String, Span, Tv)>> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for a in args {
        match a.kind {
            TvKind::Object(entries) => {
                for (k, ks, v) in entries {
                    if let Some(old) = at.insert(k.clone(), out.len()) {
                        out[old] = None;
                    }
                    out.push(Some((k, ks, v)));
                }
            }
            TvKind::Null => {}
            _ => return Tv::unknown(span, "merge() of a value that is not an object"),
        }
    }
    Tv::new(span, TvKind::Object(out.into_iter().flatten().collect()))
}

fn concat(args: Vec<Tv>, span: Span) -> Tv {
    let mut out = Vec::new();
    for a in args {
        match a.kind {
            TvKind::List(items) => out.extend(items),
            _ => return Tv::unknown(span, "concat() of a value that is not a list"),
        }
    }
    Tv::new(span, TvKind::List(out))
}

fn lookup(args: Vec<Tv>, span: Span) -> Tv {
    let mut it = args.into_iter();
    let (Some(map), Some(key)) = (it.next(), it.next()) else {
        return Tv::unknown(span, "lookup() needs a map and a key");
    };
    let default = it.next();
    match key.as_str().and_then(|k| map.get(k)) {
        Some(v) => v.clone(),
        None => default.unwrap_or_else(|| Tv::unknown(span, "lookup() key not present")),
    }
}

fn join(args: Vec<Tv>, span: Span) -> Tv {
    let (Some(sep), Some(TvKind::List(items))) = (
        args.first().and_then(Tv::as_str),
        args.get(1).map(|a| &a.kind),
    ) else {
        return Tv::unknown(span, "join() needs a separator and a list");
    };
    let mut parts = Vec::with_capacity(items.len());
    // Measured before joining: a long separator between many items multiplies.
    let mut size = 0usize;
    for i in items {
        match i.render() {
            Some(s) => {
                size = size.saturating_add(s.len()).saturating_add(sep.len());
                if size > MAX_FUNCTION_BYTES.saturating_add(sep.len()) {
                    return too_large("join", span);
                }
                parts.push(s)
            }
            None => {
                return Tv::unknown(
                    span,
                    "join() of a list holding a value that is not a string",
                )
            }
        }
    }
    Tv::string(span, parts.join(sep))
}

/// `format("arn:aws:s3:::%s/*", x)`: verbs `%s %d %v %q %%`; width and flags are not supported.
fn format(args: Vec<Tv>, span: Span) -> Tv {
    let Some(fmt) = args.first().and_then(Tv::as_str) else {
        return Tv::unknown(span, "format() needs a format string");
    };
    let mut rest = args[1..].iter();
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(verb @ ('s' | 'd' | 'v' | 'q')) => {
                let Some(text) = rest.next().and_then(Tv::render) else {
                    return Tv::unknown(span, "format() has fewer arguments than verbs");
                };
                if out.len() + text.len() > MAX_FUNCTION_BYTES {
                    return too_large("format", span);
                }
                if verb == 'q' {
                    out.push('"');
                    out.push_str(&text);
                    out.push('"');
                } else {
                    out.push_str(&text);
                }
            }
            _ => return Tv::unknown(span, "format() verb not supported statically"),
        }
    }
    Tv::string(span, out)
}

/// Unary and binary operators.
pub fn operation(op: &str, vals: &[Tv], span: Span) -> Tv {
    if let Some(reason) = vals.iter().find_map(|a| match &a.kind {
        TvKind::Unknown(r) => Some(r.clone()),
        _ => None,
    }) {
        return Tv::unknown(span, reason);
    }
    let boolean = |b: bool| Tv::new(span, TvKind::Bool(b));
    match (op, vals) {
        ("!", [a]) => a.as_bool().map_or_else(
            || Tv::unknown(span, "`!` of a value that is not a boolean"),
            |b| boolean(!b),
        ),
        ("-", [a]) => a.as_i64().map_or_else(
            || Tv::unknown(span, "`-` of a value that is not an integer"),
            |n| Tv::new(span, TvKind::Number((-n).to_string())),
        ),
        ("==", [a, b]) => boolean(
            super::eval::same_value(a, b) || (a.as_str().is_some() && a.as_str() == b.as_str()),
        ),
        ("!=", [a, b]) => boolean(
            !(super::eval::same_value(a, b) || (a.as_str().is_some() && a.as_str() == b.as_str())),
        ),
        ("&&" | "||", [a, b]) => match (a.as_bool(), b.as_bool()) {
            (Some(x), Some(y)) => boolean(if op == "&&" { x && y } else { x || y }),
            _ => Tv::unknown(span, format!("`{op}` of values that are not booleans")),
        },
        ("+" | "-" | "*" | "<" | ">" | "<=" | ">=", [a, b]) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => match op {
                "+" => Tv::new(span, TvKind::Number(x.saturating_add(y).to_string())),
                "-" => Tv::new(span, TvKind::Number(x.saturating_sub(y).to_string())),
                "*" => Tv::new(span, TvKind::Number(x.saturating_mul(y).to_string())),
                "<" => boolean(x < y),
                ">" => boolean(x > y),
                "<=" => boolean(x <= y),
                _ => boolean(x >= y),
            },
            _ => Tv::unknown(span, format!("`{op}` of values that are not integers")),
        },
        _ => Tv::unknown(span, format!("operator `{op}` is not evaluated statically")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_syntax::Pos;

    fn sp() -> Span {
        Span::new(Pos::new(1, 1), Pos::new(1, 2))
    }
    fn s(x: &str) -> Tv {
        Tv::string(sp(), x)
    }
    fn obj(items: &[(&str, Tv)]) -> Tv {
        Tv::new(
            sp(),
            TvKind::Object(
                items
                    .iter()
                    .map(|(k, v)| (k.to_string(), sp(), v.clone()))
                    .collect(),
            ),
        )
    }
    fn list(items: Vec<Tv>) -> Tv {
        Tv::new(sp(), TvKind::List(items))
    }

    #[test]
    fn merge_overrides_left_to_right() {
        let m = call(
            "merge",
            vec![obj(&[("a", s("1")), ("b", s("2"))]), obj(&[("b", s("3"))])],
            sp(),
        );
        assert_eq!(m.get("a").and_then(Tv::as_str), Some("1"));
        assert_eq!(m.get("b").and_then(Tv::as_str), Some("3"));
        assert_eq!(m.as_object().map(<[_]>::len), Some(2));
    }

    #[test]
    fn concat_lookup_and_format() {
        let c = call(
            "concat",
            vec![list(vec![s("a")]), list(vec![s("b"), s("c")])],
            sp(),
        );
        assert_eq!(c.as_list().map(<[_]>::len), Some(3));
        let l = call("lookup", vec![obj(&[("env", s("prod"))]), s("env")], sp());
        assert_eq!(l.as_str(), Some("prod"));
        let d = call("lookup", vec![obj(&[]), s("env"), s("dev")], sp());
        assert_eq!(d.as_str(), Some("dev"));
        assert!(call("lookup", vec![obj(&[]), s("env")], sp()).is_unknown());
        let f = call("format", vec![s("arn:aws:s3:::%s/*"), s("logs")], sp());
        assert_eq!(f.as_str(), Some("arn:aws:s3:::logs/*"));
        assert!(call("format", vec![s("%s-%s"), s("a")], sp()).is_unknown());
    }

    #[test]
    fn conversions_keep_values_and_unknown_arguments_propagate() {
        let l = call("toset", vec![list(vec![s("x")])], sp());
        assert_eq!(l.as_list().map(<[_]>::len), Some(1));
        assert_eq!(
            call("tolist", vec![list(vec![])], sp())
                .as_list()
                .map(<[_]>::len),
            Some(0)
        );
        assert!(call(
            "merge",
            vec![Tv::unknown(sp(), "var.x has no default")],
            sp()
        )
        .is_unknown());
        assert!(call("templatefile", vec![s("a.tpl")], sp()).is_unknown());
    }

    #[test]
    fn distinct_compares_values_as_terraform_does() {
        let unknown = || Tv::unknown(sp(), "var.x has no default");
        let number = |n: &str| Tv::new(sp(), TvKind::Number(n.into()));
        let items = vec![
            s("a"),
            s("a"),
            list(vec![s("a"), s("b")]),
            list(vec![s("a"), s("b")]),
            // Not the same as the list above, though their texts run together alike.
            list(vec![s("ab")]),
            obj(&[("k", s("v"))]),
            obj(&[("k", s("v"))]),
            unknown(),
            unknown(),
            number("1"),
            s("1"),
        ];
        let d = call("distinct", vec![list(items)], sp());
        let kept: Vec<String> = d
            .as_list()
            .unwrap()
            .iter()
            .map(|v| format!("{:?}", v.kind))
            .collect();
        assert_eq!(kept.len(), 8, "{kept:#?}");
        // A large list is handled in linear time (100,000 values once took minutes).
        let many = list((0..100_000).map(|i| s(&(i % 50_000).to_string())).collect());
        let d = call("distinct", vec![many], sp());
        assert_eq!(d.as_list().map(<[_]>::len), Some(50_000));
    }

    #[test]
    fn merge_of_many_keys_keeps_the_last_of_each() {
        let a = obj(&[("x", s("1")), ("y", s("2"))]);
        let b = obj(&[("x", s("3"))]);
        let m = call("merge", vec![a, b], sp());
        let keys: Vec<&str> = m
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, _, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["y", "x"]);
        assert_eq!(m.get("x").and_then(Tv::as_str), Some("3"));
    }

    #[test]
    fn string_results_past_the_cap_are_unknown() {
        let big = "s".repeat(50_000);
        let r = call("replace", vec![s(&big), s(""), s(&big)], sp());
        assert!(r.is_unknown());
        let r = call("replace", vec![s(&big), s("s"), s("t")], sp());
        assert_eq!(r.as_str().map(str::len), Some(50_000));
        let items = list(vec![s("a"); 40_000]);
        assert!(call("join", vec![s(&"j".repeat(40_000)), items], sp()).is_unknown());
        let items = list(vec![s("a"); 40_000]);
        assert!(!call("join", vec![s(","), items], sp()).is_unknown());
    }

    #[test]
    fn collection_and_string_helpers() {
        let l = call("split", vec![s(","), s("a,b,a")], sp());
        assert_eq!(l.as_list().map(<[_]>::len), Some(3));
        let d = call("distinct", vec![l.clone()], sp());
        assert_eq!(d.as_list().map(<[_]>::len), Some(2));
        assert_eq!(
            call("contains", vec![l.clone(), s("b")], sp()).as_bool(),
            Some(true)
        );
        let nested = list(vec![
            list(vec![s("x")]),
            s("y"),
            list(vec![list(vec![s("z")])]),
        ]);
        assert_eq!(
            call("flatten", vec![nested], sp())
                .as_list()
                .map(<[_]>::len),
            Some(3)
        );
        let c = call("compact", vec![list(vec![s(""), s("k")])], sp());
        assert_eq!(c.as_list().map(<[_]>::len), Some(1));
        let o = obj(&[("a", s("1")), ("b", s("2"))]);
        let keys = call("keys", vec![o.clone()], sp());
        assert_eq!(keys.as_list().and_then(|k| k[1].as_str()), Some("b"));
        assert_eq!(
            call("values", vec![o], sp())
                .as_list()
                .and_then(|v| v[0].as_str()),
            Some("1")
        );
        assert_eq!(
            call("replace", vec![s("a-b"), s("-"), s("_")], sp()).as_str(),
            Some("a_b")
        );
        assert!(call("replace", vec![s("a-b"), s("/-/"), s("_")], sp()).is_unknown());
        let t = call("try", vec![s("first"), s("fallback")], sp());
        assert_eq!(t.as_str(), Some("first"));
        assert!(call("try", vec![Tv::unknown(sp(), "var.x"), s("fallback")], sp()).is_unknown());
    }

    #[test]
    fn jsonencode_keeps_structure() {
        let policy = obj(&[("Version", s("2012-10-17"))]);
        assert_eq!(call("jsonencode", vec![policy.clone()], sp()), policy);
    }

    #[test]
    fn operators() {
        let t = Tv::new(sp(), TvKind::Bool(true));
        assert_eq!(
            operation("!", std::slice::from_ref(&t), sp()).as_bool(),
            Some(false)
        );
        assert_eq!(
            operation("==", &[s("a"), s("a")], sp()).as_bool(),
            Some(true)
        );
        assert_eq!(
            operation("<", &[s("1"), s("2")], sp()).as_bool(),
            Some(true)
        );
        assert!(operation("&&", &[t, Tv::unknown(sp(), "x")], sp()).is_unknown());
    }
}
