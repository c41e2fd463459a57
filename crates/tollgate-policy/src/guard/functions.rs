//! Guard's built-in functions that rules over templates use: `count`, string helpers,
//! `regex_replace`, `json_parse` and the `parse_*` conversions. Each maps the values its first
//! argument selects and keeps their place in the document, so a failure still points there.

use std::rc::Rc;

use regex::RegexBuilder;
use serde_json::Value as Json;

use super::eval::{Item, QR, V};

pub const NAMES: [&str; 11] = [
    "count",
    "to_lower",
    "to_upper",
    "join",
    "substring",
    "regex_replace",
    "json_parse",
    "parse_int",
    "parse_float",
    "parse_string",
    "parse_boolean",
];

pub fn known(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Largest string `json_parse` reads, in bytes.
const MAX_JSON_PARSE: usize = 1024 * 1024;

/// Longest string `join`, `regex_replace`, `to_lower` and `to_upper` may build, in bytes: a
/// chain of `let`s each doubling the last (`regex_replace(%s, "(.*)", "$1$1")`) would exhaust
/// memory within one step of the evaluation's budget.
pub const MAX_BUILT_STRING: usize = 1024 * 1024;

/// Call `name` with its arguments' values. An error is a misuse of the function (wrong
/// arguments), said with the rule file's position by the caller.
pub fn call<'a>(name: &str, args: Vec<Vec<QR<'a>>>) -> Result<Vec<QR<'a>>, String> {
    let arity = match name {
        "count" | "to_lower" | "to_upper" | "json_parse" | "parse_int" | "parse_float"
        | "parse_string" | "parse_boolean" => 1,
        "join" => 2,
        "substring" | "regex_replace" => 3,
        _ => return Err(format!("unknown function `{name}`")),
    };
    if args.len() != arity {
        return Err(format!(
            "`{name}` takes {arity} argument(s), {} given",
            args.len()
        ));
    }
    let mut args = args.into_iter();
    let first = args.next().unwrap_or_default();
    let found = || {
        first.iter().filter_map(|q| match q {
            QR::Found(item) => Some(item),
            QR::Missing { .. } => None,
        })
    };
    let out: Vec<QR<'a>> = match name {
        "count" => vec![owned(Json::from(found().count() as u64), None)],
        "join" => {
            let delimiter = scalar_string(args.next(), "join", "delimiter")?;
            let parts: Vec<String> = found()
                .flat_map(|i| match i.v.get() {
                    Json::Array(items) => items.iter().filter_map(text).collect::<Vec<_>>(),
                    other => text(other).into_iter().collect(),
                })
                .collect();
            let total = parts.iter().map(String::len).sum::<usize>().saturating_add(
                delimiter
                    .len()
                    .saturating_mul(parts.len().saturating_sub(1)),
            );
            if total > MAX_BUILT_STRING {
                return Err(too_long("join", total));
            }
            vec![owned(Json::String(parts.join(&delimiter)), None)]
        }
        "substring" => {
            let from = scalar_int(args.next(), "substring")?;
            let to = scalar_int(args.next(), "substring")?;
            map_strings(found(), |s| {
                let chars: Vec<char> = s.chars().collect();
                let to = to.min(chars.len());
                if from > to {
                    return None;
                }
                Some(Json::String(chars[from..to].iter().collect()))
            })
        }
        "regex_replace" => {
            let pattern = scalar_string(args.next(), "regex_replace", "pattern")?;
            let replacement = scalar_string(args.next(), "regex_replace", "replacement")?;
            let re = RegexBuilder::new(&pattern)
                .size_limit(1024 * 1024)
                .build()
                .map_err(|e| format!("regex_replace: invalid regex /{pattern}/: {e}"))?;
            let mut out = Vec::new();
            for item in found() {
                if let Some(s) = item.v.get().as_str() {
                    let replaced = replace_all(&re, s, &replacement)?;
                    out.push(owned(Json::String(replaced), Some(item)));
                }
            }
            out
        }
        "to_lower" => map_strings(found(), |s| Some(Json::String(s.to_lowercase()))),
        "to_upper" => map_strings(found(), |s| Some(Json::String(s.to_uppercase()))),
        "json_parse" => map_strings(found(), |s| {
            if s.len() > MAX_JSON_PARSE {
                return None;
            }
            serde_json::from_str::<Json>(s).ok()
        }),
        "parse_int" => map_scalars(found(), |v| match v {
            Json::String(s) => s.trim().parse::<i64>().ok().map(Json::from),
            Json::Number(n) => n.as_f64().map(|f| Json::from(f as i64)),
            _ => None,
        }),
        "parse_float" => map_scalars(found(), |v| match v {
            Json::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Json::Number),
            Json::Number(_) => Some(v.clone()),
            _ => None,
        }),
        "parse_string" => map_scalars(found(), |v| text(v).map(Json::String)),
        "parse_boolean" => map_scalars(found(), |v| match v {
            Json::Bool(_) => Some(v.clone()),
            Json::String(s) if s.eq_ignore_ascii_case("true") => Some(Json::Bool(true)),
            Json::String(s) if s.eq_ignore_ascii_case("false") => Some(Json::Bool(false)),
            _ => None,
        }),
        _ => Vec::new(),
    };
    // Case changes can lengthen a string (`ß` is `SS`): the result is checked once built.
    for q in &out {
        if let QR::Found(item) = q {
            if let Some(s) = item.v.get().as_str() {
                if s.len() > MAX_BUILT_STRING {
                    return Err(too_long(name, s.len()));
                }
            }
        }
    }
    Ok(out)
}

fn too_long(function: &str, bytes: usize) -> String {
    format!(
        "{function} would build a string of {bytes} bytes or more, over tollgate's limit of {MAX_BUILT_STRING}"
    )
}

/// `re.replace_all(s, replacement)`, refusing before a replacement could take the result past
/// [`MAX_BUILT_STRING`]: each `$group` of the replacement (two characters at least) copies at
/// most the whole match.
fn replace_all(re: &regex::Regex, s: &str, replacement: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let Some(whole) = caps.get(0) else { continue };
        let most = replacement
            .len()
            .saturating_add((replacement.len() / 2).saturating_mul(whole.len()));
        let at_most = out
            .len()
            .saturating_add(whole.start() - last)
            .saturating_add(most);
        if at_most > MAX_BUILT_STRING {
            return Err(too_long("regex_replace", at_most));
        }
        out.push_str(&s[last..whole.start()]);
        caps.expand(replacement, &mut out);
        last = whole.end();
    }
    out.push_str(&s[last..]);
    if out.len() > MAX_BUILT_STRING {
        return Err(too_long("regex_replace", out.len()));
    }
    Ok(out)
}

fn owned<'a>(value: Json, from: Option<&Item<'a>>) -> QR<'a> {
    QR::Found(Item {
        v: V::Own(Rc::new(value)),
        path: from.and_then(|i| i.path.clone()),
    })
}

fn text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn map_strings<'a, 'i>(
    items: impl Iterator<Item = &'i Item<'a>>,
    f: impl Fn(&str) -> Option<Json>,
) -> Vec<QR<'a>>
where
    'a: 'i,
{
    items
        .filter_map(|i| {
            let s = i.v.get().as_str()?;
            f(s).map(|v| owned(v, Some(i)))
        })
        .collect()
}

fn map_scalars<'a, 'i>(
    items: impl Iterator<Item = &'i Item<'a>>,
    f: impl Fn(&Json) -> Option<Json>,
) -> Vec<QR<'a>>
where
    'a: 'i,
{
    items
        .filter_map(|i| f(i.v.get()).map(|v| owned(v, Some(i))))
        .collect()
}

fn scalar_string(arg: Option<Vec<QR<'_>>>, function: &str, what: &str) -> Result<String, String> {
    arg.and_then(|values| match values.first() {
        Some(QR::Found(i)) => i.v.get().as_str().map(str::to_string),
        _ => None,
    })
    .ok_or_else(|| format!("{function}: the {what} must be a string"))
}

fn scalar_int(arg: Option<Vec<QR<'_>>>, function: &str) -> Result<usize, String> {
    arg.and_then(|values| match values.first() {
        Some(QR::Found(i)) => i.v.get().as_u64().map(|n| n as usize),
        _ => None,
    })
    .ok_or_else(|| format!("{function}: the positions must be non-negative integers"))
}
