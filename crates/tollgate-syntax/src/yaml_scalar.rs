//! Typing of YAML scalars: the YAML 1.2 core schema for plain scalars, and the meaning of tags.

use yaml_rust2::parser::Tag;
use yaml_rust2::scanner::TScalarStyle;

use crate::Value;

/// Prefix that `!!` expands to.
const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// A plain (unquoted, untagged) scalar as the YAML 1.2 core schema types it. Notably
/// `2012-10-17` stays a string and `yes`/`on` are strings, unlike YAML 1.1.
pub(crate) fn resolve_plain(text: String) -> Value {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        t if is_core_int(t) || is_core_float(t) => Value::Number(text),
        _ => Value::String(text),
    }
}

/// Returns the tag to keep on the node (local tags such as `!Ref` as written; standard `!!`
/// tags are applied and dropped) and the typed value.
pub(crate) fn resolve_tagged(
    tag: &Tag,
    text: String,
    style: TScalarStyle,
) -> (Option<String>, Value) {
    let full = format!("{}{}", tag.handle, tag.suffix);
    if let Some(core) = full.strip_prefix(CORE_PREFIX) {
        let value = match core {
            "null" => Value::Null,
            "bool" => match text.as_str() {
                "true" | "True" | "TRUE" => Value::Bool(true),
                "false" | "False" | "FALSE" => Value::Bool(false),
                _ => Value::String(text),
            },
            "int" | "float" => Value::Number(text.trim().to_owned()),
            "str" => Value::String(text),
            _ if style == TScalarStyle::Plain => return (None, resolve_plain(text)),
            _ => Value::String(text),
        };
        return (None, value);
    }
    // The non-specific tag `!` forces a string.
    if full == "!" {
        return (None, Value::String(text));
    }
    let value = if style == TScalarStyle::Plain {
        resolve_plain(text)
    } else {
        Value::String(text)
    };
    (Some(full), value)
}

fn strip_sign(t: &str) -> &str {
    t.strip_prefix(['-', '+']).unwrap_or(t)
}

fn all_in(t: &str, f: impl Fn(u8) -> bool) -> bool {
    !t.is_empty() && t.bytes().all(f)
}

fn is_core_int(t: &str) -> bool {
    if let Some(oct) = t.strip_prefix("0o") {
        return all_in(oct, |b| (b'0'..=b'7').contains(&b));
    }
    if let Some(hex) = t.strip_prefix("0x") {
        return all_in(hex, |b| b.is_ascii_hexdigit());
    }
    all_in(strip_sign(t), |b| b.is_ascii_digit())
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf`, `.nan` in their spellings.
fn is_core_float(t: &str) -> bool {
    if matches!(t, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = strip_sign(t);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => all_in(frac, |b| b.is_ascii_digit()),
        Some((int, frac)) => {
            all_in(int, |b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => all_in(mantissa, |b| b.is_ascii_digit()),
    };
    mantissa_ok && exponent.is_none_or(|e| all_in(strip_sign(e), |b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(t: &str) -> Value {
        resolve_plain(t.to_owned())
    }

    #[test]
    fn core_schema() {
        for t in ["~", "null", "Null", "NULL", ""] {
            assert_eq!(plain(t), Value::Null, "{t}");
        }
        assert_eq!(plain("True"), Value::Bool(true));
        assert_eq!(plain("FALSE"), Value::Bool(false));
        for t in [
            "0", "-12", "+3", "0o17", "0x1F", "1.5", "-.5", "1e3", "1.E-3", ".inf", "-.Inf",
            ".NaN", "3.",
        ] {
            assert_eq!(plain(t), Value::Number(t.to_owned()), "{t}");
        }
        for t in [
            "yes",
            "on",
            "2012-10-17",
            "1_000",
            "0x",
            "1e",
            ".",
            "-",
            "0o8",
            "1.2.3",
            "e3",
            "+.nan",
        ] {
            assert_eq!(plain(t), Value::String(t.to_owned()), "{t}");
        }
    }

    #[test]
    fn tags() {
        let tag = |handle: &str, suffix: &str| Tag {
            handle: handle.to_owned(),
            suffix: suffix.to_owned(),
        };
        let (kept, v) = resolve_tagged(&tag("!", "Ref"), "Bucket".into(), TScalarStyle::Plain);
        assert_eq!(kept.as_deref(), Some("!Ref"));
        assert_eq!(v, Value::String("Bucket".into()));
        let (kept, v) = resolve_tagged(&tag(CORE_PREFIX, "str"), "10".into(), TScalarStyle::Plain);
        assert_eq!((kept, v), (None, Value::String("10".into())));
        let (_, v) = resolve_tagged(
            &tag(CORE_PREFIX, "int"),
            "10".into(),
            TScalarStyle::DoubleQuoted,
        );
        assert_eq!(v, Value::Number("10".into()));
        let (_, v) = resolve_tagged(
            &tag(CORE_PREFIX, "bool"),
            "true".into(),
            TScalarStyle::SingleQuoted,
        );
        assert_eq!(v, Value::Bool(true));
        let (kept, v) = resolve_tagged(&tag("", "!"), "12".into(), TScalarStyle::Plain);
        assert_eq!((kept, v), (None, Value::String("12".into())));
    }
}
