//! More builtins that can build, in one call where regorus's execution timer cannot stop them,
//! a value far larger than their arguments look: serializing a value whose parts are shared
//! (`a := [b, b]` repeated doubles what `json.marshal` prints at each step), a CIDR expanded
//! into every address, encodings and replacements chained so that each doubles the last, and
//! unions of many large sets or objects (regorus's own copy the result for each one merged,
//! which takes the square of the time); and `split`, linear in its string, whose parts count
//! against the evaluation's budget. Each is replaced by a version that works out first
//! how large its result can be, refuses past [`MAX_BUILT_STRING`] bytes or
//! [`MAX_BUILT_ARRAY`] entries, and counts what it builds against the evaluation's budget
//! ([`charge`]). What they return otherwise is what regorus's own return.

use std::collections::BTreeSet;

use regorus::{Engine, Value};

use super::engine::{MAX_BUILT_ARRAY, MAX_BUILT_STRING};
use super::growth::{charge, delegate, printed_len, ENTRY_BYTES};

/// Register the capped builtins on `engine` (extensions are looked up before builtins).
pub fn add(engine: &mut Engine) -> Result<(), String> {
    type Builtin = fn(Vec<Value>) -> anyhow::Result<Value>;
    let builtins: [(&str, u8, Builtin); 10] = [
        ("json.marshal", 1, json_marshal),
        ("json.marshal_with_options", 2, json_marshal_with_options),
        ("base64.encode", 1, base64_encode),
        ("strings.replace_n", 2, replace_n),
        ("regex.replace", 3, regex_replace),
        ("object.union_n", 1, object_union_n),
        ("union", 1, set_union),
        ("net.cidr_expand", 1, cidr_expand),
        ("split", 2, split),
        ("glob.match", 3, glob_match),
    ];
    for (name, nargs, f) in builtins {
        engine
            .add_extension(name.to_string(), nargs, Box::new(f))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn too_long(builtin: &str, bytes: usize) -> anyhow::Result<()> {
    if bytes > MAX_BUILT_STRING {
        anyhow::bail!(
            "{builtin} would build a string of more than {MAX_BUILT_STRING} bytes, over tollgate's limit"
        );
    }
    charge(builtin, bytes)
}

fn too_many(builtin: &str, entries: usize) -> anyhow::Result<()> {
    if entries > MAX_BUILT_ARRAY {
        anyhow::bail!(
            "{builtin} would build or merge more than {MAX_BUILT_ARRAY} entries, over tollgate's limit"
        );
    }
    charge(builtin, entries.saturating_mul(ENTRY_BYTES))
}

/// `json.marshal(x)`: at most what `sprintf("%v")` of `x` prints, which [`printed_len`]
/// bounds (stopping once past the limit, so a value of shared parts is not walked whole).
fn json_marshal(args: Vec<Value>) -> anyhow::Result<Value> {
    too_long("json.marshal", printed_len(&args[0], MAX_BUILT_STRING))?;
    delegate("marshaled", args)
}

/// `json.marshal_with_options(x, {"pretty", "indent", "prefix"})`: the compact text, plus on
/// each of its lines (at most two per value) the prefix and the indent once per level.
fn json_marshal_with_options(args: Vec<Value>) -> anyhow::Result<Value> {
    let option = |key: &str| {
        args[1]
            .as_object()
            .ok()
            .and_then(|o| o.get(&Value::from(key)))
            .and_then(|v| v.as_string().ok())
            .map_or(2, |s| s.len().max(2))
    };
    let (indent, prefix) = (option("indent"), option("prefix"));
    let (values, depth) = shape(&args[0], MAX_BUILT_STRING);
    let per_line = prefix
        .saturating_add(indent.saturating_mul(depth))
        .saturating_add(1);
    let bound = printed_len(&args[0], MAX_BUILT_STRING).saturating_add(
        values
            .saturating_mul(2)
            .saturating_add(1)
            .saturating_mul(per_line),
    );
    too_long("json.marshal_with_options", bound)?;
    delegate("marshaled_with_options", args)
}

/// How many values `value` holds (itself included) and how deeply they nest, stopping once
/// past `limit` values.
fn shape(value: &Value, limit: usize) -> (usize, usize) {
    fn walk(value: &Value, depth: usize, count: &mut usize, deepest: &mut usize, limit: usize) {
        if *count > limit {
            return;
        }
        *count += 1;
        *deepest = (*deepest).max(depth);
        match value {
            Value::Array(items) => items
                .iter()
                .for_each(|v| walk(v, depth + 1, count, deepest, limit)),
            Value::Set(items) => items
                .iter()
                .for_each(|v| walk(v, depth + 1, count, deepest, limit)),
            Value::Object(entries) => entries
                .iter()
                .for_each(|(_, v)| walk(v, depth + 1, count, deepest, limit)),
            _ => {}
        }
    }
    let (mut count, mut deepest) = (0, 0);
    walk(value, 0, &mut count, &mut deepest, limit);
    (count, deepest)
}

/// `base64.encode(s)`: four bytes for every three.
fn base64_encode(args: Vec<Value>) -> anyhow::Result<Value> {
    let len = args[0].as_string().map_or(0, |s| s.len());
    too_long("base64.encode", len.div_ceil(3).saturating_mul(4))?;
    delegate("base64_encoded", args)
}

/// `strings.replace_n(patterns, s)`: each pattern (in key order) replaced in turn, as
/// regorus does, each step's length worked out before it is built.
fn replace_n(args: Vec<Value>) -> anyhow::Result<Value> {
    let (Ok(patterns), Ok(s)) = (args[0].as_object(), args[1].as_string()) else {
        anyhow::bail!("strings.replace_n: expects an object of patterns and a string");
    };
    let mut s = s.to_string();
    for (old, new) in patterns.iter() {
        let (Ok(old), Ok(new)) = (old.as_string(), new.as_string()) else {
            anyhow::bail!(
                "strings.replace_n: expects string keys and values in the pattern object"
            );
        };
        let count = if old.is_empty() {
            s.chars().count() + 1
        } else {
            s.matches(old.as_ref()).count()
        };
        let total = (s.len() - count.saturating_mul(old.len()))
            .saturating_add(count.saturating_mul(new.len()));
        too_long("strings.replace_n", total)?;
        s = s.replace(old.as_ref(), new.as_ref());
    }
    Ok(Value::from(s))
}

/// `regex.replace(s, pattern, value)`: every match becomes `value`, whose `$` references each
/// copy at most the match; the matches are counted (with the size limit regorus uses) before
/// regorus's own builds the result.
fn regex_replace(args: Vec<Value>) -> anyhow::Result<Value> {
    let (Ok(s), Ok(pattern), Ok(value)) = (
        args[0].as_string(),
        args[1].as_string(),
        args[2].as_string(),
    ) else {
        anyhow::bail!("regex.replace: all three arguments must be strings");
    };
    // A pattern that does not compile is regorus's to answer (it returns undefined).
    if let Some(re) = compiled(pattern) {
        let references = value.matches('$').count();
        let mut bound = s.len();
        for m in re.find_iter(s) {
            bound = bound
                .saturating_add(value.len())
                .saturating_add(references.saturating_mul(m.len()));
            if bound > MAX_BUILT_STRING {
                break;
            }
        }
        too_long("regex.replace", bound)?;
    }
    delegate("regex_replaced", args)
}

/// Patterns compiled on this thread kept for the next call: a policy calls `regex.replace`
/// with the same pattern on every document.
const CACHED_PATTERNS: usize = 64;

thread_local! {
    static PATTERNS: std::cell::RefCell<std::collections::HashMap<String, Option<regex::Regex>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Largest compiled program (and lazy DFA cache) a pattern may have, as regorus's own
/// builtins compile theirs: a hostile pattern (`(a{1000}){1000}`) is refused at compile time
/// instead of taking seconds and megabytes.
const REGEX_SIZE_LIMIT: usize = 100 * 1024;

/// `pattern` compiled with the size limit regorus uses (`None` when it does not compile).
pub(super) fn compiled(pattern: &str) -> Option<regex::Regex> {
    PATTERNS.with(|cell| {
        let mut cache = cell.borrow_mut();
        if let Some(re) = cache.get(pattern) {
            return re.clone();
        }
        let re = regex::RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_SIZE_LIMIT)
            .build()
            .ok();
        if cache.len() >= CACHED_PATTERNS {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re.clone());
        re
    })
}

/// Entries of `value`'s objects at every level (what a union merges), stopping past `limit`.
fn object_entries(value: &Value, limit: usize) -> usize {
    fn walk(value: &Value, total: &mut usize, limit: usize) {
        if let Value::Object(entries) = value {
            for (_, v) in entries.iter() {
                if *total > limit {
                    return;
                }
                *total += 1;
                walk(v, total, limit);
            }
        }
    }
    let mut total = 0;
    walk(value, &mut total, limit);
    total
}

/// `object.union_n(objects)`: each object's entries over the ones before, objects under a
/// common key merged the same way, as regorus's own; merged into one object instead of a new
/// copy per argument.
fn object_union_n(args: Vec<Value>) -> anyhow::Result<Value> {
    let Ok(objects) = args[0].as_array() else {
        anyhow::bail!("object.union_n: expects an array of objects");
    };
    let mut entries = 0usize;
    for o in objects.iter() {
        if o.as_object().is_err() {
            // regorus's own (not strict) is undefined then.
            return Ok(Value::Undefined);
        }
        entries = entries.saturating_add(object_entries(o, MAX_BUILT_ARRAY));
        if entries > MAX_BUILT_ARRAY {
            break;
        }
    }
    too_many("object.union_n", entries.saturating_add(objects.len()))?;
    let mut out = Value::new_object();
    for o in objects.iter() {
        merge_into(&mut out, o)?;
    }
    Ok(out)
}

/// `b`'s entries over `into`'s; where both hold objects under one key, merged.
fn merge_into(into: &mut Value, b: &Value) -> anyhow::Result<()> {
    let Ok(entries) = b.as_object() else {
        *into = b.clone();
        return Ok(());
    };
    if into.as_object().is_err() {
        *into = b.clone();
        return Ok(());
    }
    let map = into.as_object_mut()?;
    for (key, value) in entries.iter() {
        match map.get_mut(key) {
            Some(mine) if mine.as_object().is_ok() && value.as_object().is_ok() => {
                merge_into(mine, value)?
            }
            _ => {
                map.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(())
}

/// `union(sets)`: every element of every set, gathered once instead of a new copy per set.
fn set_union(args: Vec<Value>) -> anyhow::Result<Value> {
    let Ok(sets) = args[0].as_set() else {
        anyhow::bail!("union: expects a set of sets");
    };
    let mut total = 0usize;
    for s in sets.iter() {
        let Ok(s) = s.as_set() else {
            anyhow::bail!("union: expects a set of sets");
        };
        total = total.saturating_add(s.len());
    }
    too_many("union", total)?;
    let mut out = BTreeSet::new();
    for s in sets.iter() {
        if let Ok(s) = s.as_set() {
            out.extend(s.iter().cloned());
        }
    }
    Ok(Value::from(out))
}

/// `split(s, delimiter)`, as regorus's own (an empty delimiter splits into characters, as Go
/// does), with its parts counted against the evaluation's budget: one call is linear in its
/// string, but a comprehension splitting a long string into characters a hundred thousand
/// times holds a hundred thousand arrays of a million strings.
fn split(args: Vec<Value>) -> anyhow::Result<Value> {
    let (Ok(s), Ok(delimiter)) = (args[0].as_string(), args[1].as_string()) else {
        anyhow::bail!("split: both arguments must be strings");
    };
    let parts = if delimiter.is_empty() {
        s.chars().count()
    } else {
        s.matches(delimiter.as_ref()).count() + 1
    };
    charge(
        "split",
        parts.saturating_mul(ENTRY_BYTES).saturating_add(s.len()),
    )?;
    let values: Vec<Value> = if delimiter.is_empty() {
        s.chars().map(|c| Value::from(c.to_string())).collect()
    } else {
        s.split(delimiter.as_ref()).map(Value::from).collect()
    };
    Ok(Value::from(values))
}

/// Longest pattern `glob.match` accepts. The glob crate regorus uses turns a pattern into a
/// regular expression and panics when that expression is over its 10 MiB compiled-size limit,
/// which a pattern of a few hundred kilobytes of wildcards reaches (each delimiter regorus
/// rewrites first triples its share of the pattern). Real patterns (`arn:aws:iam::*:role/*`)
/// are tens of bytes; 4 KiB keeps well clear of the limit with any delimiters.
pub(super) const MAX_GLOB_PATTERN: usize = 4 * 1024;

/// `glob.match(pattern, delimiters, match)` refusing patterns past [`MAX_GLOB_PATTERN`] bytes,
/// so that a hostile pattern is a policy error that names the builtin instead of a panic that
/// loses the whole policy; what it answers otherwise is what regorus's own answers.
fn glob_match(args: Vec<Value>) -> anyhow::Result<Value> {
    if let Ok(pattern) = args[0].as_string() {
        if pattern.len() > MAX_GLOB_PATTERN {
            anyhow::bail!(
                "glob.match: a pattern of {} bytes is over tollgate's limit of {MAX_GLOB_PATTERN}",
                pattern.len()
            );
        }
    }
    delegate("glob_matched", args)
}

/// `net.cidr_expand(cidr)`: one string per address of the block (`::/0` is 2^128 of them).
fn cidr_expand(args: Vec<Value>) -> anyhow::Result<Value> {
    if let Some(addresses) = args[0].as_string().ok().and_then(|c| block_size(c)) {
        too_many("net.cidr_expand", addresses)?;
        // Each address is a string of up to 39 bytes.
        charge("net.cidr_expand", addresses.saturating_mul(40))?;
    }
    // A block that does not parse is regorus's to answer.
    delegate("cidr_expanded", args)
}

/// How many addresses block `cidr` (`10.0.0.0/8`, `fd00::/64`) holds, saturating.
fn block_size(cidr: &str) -> Option<usize> {
    let (address, prefix) = cidr.split_once('/')?;
    let bits = match address.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(_) => 32u32,
        std::net::IpAddr::V6(_) => 128,
    };
    let prefix: u32 = prefix.parse().ok()?;
    let free = bits.checked_sub(prefix)?;
    Some(1usize.checked_shl(free).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: serde_json::Value) -> Value {
        Value::from_json_str(&v.to_string()).unwrap()
    }

    #[test]
    fn bounds_cover_what_is_built() {
        super::super::growth::start_evaluation();
        let value = json(serde_json::json!({"a": [1, "x\u{1}", {"b": null}], "c": "é\"q"}));
        for options in [
            serde_json::json!({}),
            serde_json::json!({"pretty": true}),
            serde_json::json!({"indent": "    ", "prefix": "> "}),
        ] {
            let printed =
                json_marshal_with_options(vec![value.clone(), json(options.clone())]).unwrap();
            let (values, depth) = shape(&value, MAX_BUILT_STRING);
            let bound = printed_len(&value, MAX_BUILT_STRING) + (2 * values + 1) * (6 + 4 * depth);
            assert!(printed.as_string().unwrap().len() <= bound, "{options}");
        }
        assert_eq!(block_size("10.0.0.0/8"), Some(1 << 24));
        assert_eq!(block_size("::/0"), Some(usize::MAX));
        assert_eq!(block_size("10.0.0.1"), None);
    }

    #[test]
    fn glob_patterns_at_the_limit_match_and_longer_ones_are_refused() {
        let call = |pattern: String, delimiters: serde_json::Value, text: &str| {
            glob_match(vec![
                Value::from(pattern),
                json(delimiters),
                Value::from(text.to_string()),
            ])
        };
        // The worst case the limit allows: every byte a wildcard or a delimiter regorus
        // rewrites into three, under several delimiters.
        let widest = "*.?:".repeat(MAX_GLOB_PATTERN / 4);
        assert_eq!(widest.len(), MAX_GLOB_PATTERN);
        for delimiters in [
            serde_json::json!([]),
            serde_json::json!([".", ":", "-"]),
            serde_json::Value::Null,
        ] {
            assert!(call(widest.clone(), delimiters.clone(), "a.b:c").is_ok());
        }
        assert_eq!(
            call(
                "arn:aws:iam::*:role/*".into(),
                serde_json::json!([":"]),
                "arn:aws:iam::1:role/x"
            )
            .unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            call(
                "*.example.com".into(),
                serde_json::json!(["."]),
                "a.b.example.com"
            )
            .unwrap(),
            Value::Bool(false)
        );
        let err = call(format!("{widest}*"), serde_json::json!([]), "ab").unwrap_err();
        assert!(
            err.to_string()
                .contains("glob.match: a pattern of 4097 bytes"),
            "{err}"
        );
    }
}
