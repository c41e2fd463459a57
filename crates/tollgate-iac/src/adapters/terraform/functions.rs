//! Terraform's built-in functions and operators that matter for security settings, evaluated
//! over [`Tv`]. An unknown argument makes the result unknown; functions not listed here give an
//! unknown value naming the function, never an error.

use tollgate_syntax::Span;

use super::heredoc::parse_json_string;
use super::value::{Tv, TvKind};

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
        "compact" | "distinct" => match args.first().and_then(Tv::as_list) {
            Some(items) => {
                let mut out: Vec<Tv> = Vec::new();
                for i in items {
                    let skip = if name == "compact" {
                        i.is_null() || i.as_str() == Some("")
                    } else {
                        out.iter().any(|o| super::eval::same_value(o, i))
                    };
                    if !skip {
                        out.push(i.clone());
                    }
                }
                Tv::new(span, TvKind::List(out))
            }
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

fn merge(args: Vec<Tv>, span: Span) -> Tv {
    let mut out: Vec<(String, Span, Tv)> = Vec::new();
    for a in args {
        match a.kind {
            TvKind::Object(entries) => {
                for (k, ks, v) in entries {
                    out.retain(|(e, _, _)| *e != k);
                    out.push((k, ks, v));
                }
            }
            TvKind::Null => {}
            _ => return Tv::unknown(span, "merge() of a value that is not an object"),
        }
    }
    Tv::new(span, TvKind::Object(out))
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
    for i in items {
        match i.render() {
            Some(s) => parts.push(s),
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
