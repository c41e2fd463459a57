//! Builtins that can build a value far larger than their arguments in one call, where
//! regorus's execution timer (read between units of work) cannot stop them: `sprintf` with a
//! width (`%999999999d` is a gigabyte of spaces), `replace` with a long replacement of a
//! frequent (or empty) pattern, `object.union` of large objects. Each is replaced by a version
//! that works out, before building anything, how large its result can be, and refuses (an
//! error naming the policy, file and line; the other policies still run) past
//! [`MAX_BUILT_STRING`] bytes or [`MAX_BUILT_ARRAY`] entries. What they build otherwise is
//! what regorus's own would.

use std::cell::RefCell;

use regorus::{Engine, Value};

use super::engine::{MAX_BUILT_ARRAY, MAX_BUILT_STRING};

/// Register the capped builtins on `engine` (extensions are looked up before builtins).
pub fn add(engine: &mut Engine) -> Result<(), String> {
    engine
        .add_extension(
            "sprintf".to_string(),
            2,
            Box::new(|args: Vec<Value>| sprintf(args)),
        )
        .map_err(|e| e.to_string())?;
    engine
        .add_extension(
            "replace".to_string(),
            3,
            Box::new(|args: Vec<Value>| replace(&args[0], &args[1], &args[2])),
        )
        .map_err(|e| e.to_string())?;
    engine
        .add_extension(
            "object.union".to_string(),
            2,
            Box::new(|args: Vec<Value>| object_union(&args[0], &args[1])),
        )
        .map_err(|e| e.to_string())?;
    super::capped::add(engine)?;
    super::charged::add(engine)
}

/// Bytes one evaluation (one policy on one document) may have the capped builtins build in
/// all: each call is under [`MAX_BUILT_STRING`], but a comprehension calling one a hundred
/// thousand times would otherwise build a hundred thousand of those before the time budget
/// is looked at again.
pub const MAX_BUILT_PER_EVALUATION: usize = 64 * 1024 * 1024;

/// What an entry of an array, set or object is counted as against
/// [`MAX_BUILT_PER_EVALUATION`]: about what regorus allocates for one.
pub const ENTRY_BYTES: usize = 64;

thread_local! {
    /// Bytes the capped builtins built in the current evaluation of this thread.
    static BUILT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A new evaluation starts on this thread: nothing built yet.
pub fn start_evaluation() {
    BUILT.with(|b| b.set(0));
}

/// Count `bytes` a builtin is about to build against the evaluation's budget; refused once
/// the evaluation's builtins together would exceed [`MAX_BUILT_PER_EVALUATION`].
pub fn charge(builtin: &str, bytes: usize) -> anyhow::Result<()> {
    BUILT.with(|b| {
        let total = b.get().saturating_add(bytes);
        if total > MAX_BUILT_PER_EVALUATION {
            anyhow::bail!(
                "{builtin}: this evaluation's builtins would build {total} bytes in all, over tollgate's limit of {MAX_BUILT_PER_EVALUATION} per evaluation"
            );
        }
        b.set(total);
        Ok(())
    })
}

/// `sprintf(format, args)`: refused when the format's widths and the printed arguments can
/// exceed [`MAX_BUILT_STRING`]; otherwise formatted by regorus's own `sprintf`.
fn sprintf(args: Vec<Value>) -> anyhow::Result<Value> {
    let (Ok(format), Ok(values)) = (args[0].as_string(), args[1].as_array()) else {
        anyhow::bail!("sprintf: the format must be a string and the arguments an array");
    };
    let bound = sprintf_bound(format, values.iter().collect());
    if bound > MAX_BUILT_STRING {
        anyhow::bail!(
            "sprintf could build a string of more than {MAX_BUILT_STRING} bytes (a width or the printed arguments), over tollgate's limit"
        );
    }
    charge("sprintf", bound)?;
    delegate("formatted", args)
}

/// An upper bound of the bytes `sprintf(format, values)` builds: the format itself, and per
/// verb its width and its argument printed. Widths are read as regorus reads them (digits
/// after `%`, or after `%.`), with saturation: regorus's own reading overflows.
fn sprintf_bound(format: &str, values: Vec<&Value>) -> usize {
    let mut bound = format.len();
    let mut values = values.into_iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let mut width: usize = 0;
        match chars.peek() {
            Some('%') => {
                chars.next();
                continue;
            }
            Some(&c) if c == '.' || c.is_ascii_digit() => {
                chars.next();
                width = c.to_digit(10).unwrap_or(0) as usize;
                while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                    chars.next();
                    width = width.saturating_mul(10).saturating_add(d as usize);
                }
            }
            _ => {}
        }
        if chars.next().is_none() {
            break;
        }
        let printed = values
            .next()
            .map_or(0, |v| printed_len(v, MAX_BUILT_STRING));
        bound = bound.saturating_add(width).saturating_add(printed);
    }
    bound
}

/// An upper bound of the length of `value` printed by `sprintf` (`%v`, `%s`, `%q`...),
/// stopping once past `limit`.
pub(super) fn printed_len(value: &Value, limit: usize) -> usize {
    fn walk(value: &Value, total: &mut usize, limit: usize) {
        if *total > limit {
            return;
        }
        match value {
            // Quoted with every character escaped (`\u00XX`) at worst.
            Value::String(s) => *total = total.saturating_add(6 * s.len() + 2),
            // A number prints with up to regorus's precision of about a hundred digits,
            // more for a large exponent.
            Value::Number(_) => *total = total.saturating_add(400),
            Value::Array(items) => {
                for item in items.iter() {
                    *total = total.saturating_add(2);
                    walk(item, total, limit);
                }
            }
            Value::Set(items) => {
                for item in items.iter() {
                    *total = total.saturating_add(2);
                    walk(item, total, limit);
                }
            }
            Value::Object(entries) => {
                for (k, v) in entries.iter() {
                    *total = total.saturating_add(4);
                    walk(k, total, limit);
                    walk(v, total, limit);
                }
            }
            _ => {}
        }
        *total = total.saturating_add(9);
    }
    let mut total = 0;
    walk(value, &mut total, limit);
    total
}

/// `replace(s, old, new)`, computing the result's length first.
fn replace(s: &Value, old: &Value, new: &Value) -> anyhow::Result<Value> {
    let (Ok(s), Ok(old), Ok(new)) = (s.as_string(), old.as_string(), new.as_string()) else {
        anyhow::bail!("replace: all three arguments must be strings");
    };
    // An empty pattern matches before every character and at the end, as in Go.
    let count = if old.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(old.as_ref()).count()
    };
    let total =
        (s.len() - count.saturating_mul(old.len())).saturating_add(count.saturating_mul(new.len()));
    if total > MAX_BUILT_STRING {
        anyhow::bail!(
            "replace would build a string of {total} bytes, over tollgate's limit of {MAX_BUILT_STRING}"
        );
    }
    charge("replace", total)?;
    Ok(Value::from(s.replace(old.as_ref(), new.as_ref())))
}

/// `object.union(a, b)`: `b`'s entries over `a`'s, objects under a common key merged the same
/// way, as regorus's own; refused past [`MAX_BUILT_ARRAY`] entries at any level.
fn object_union(a: &Value, b: &Value) -> anyhow::Result<Value> {
    if a.as_object().is_err() || b.as_object().is_err() {
        anyhow::bail!("object.union: both arguments must be objects");
    }
    union(a, b)
}

fn union(a: &Value, b: &Value) -> anyhow::Result<Value> {
    let (Ok(first), Ok(second)) = (a.as_object(), b.as_object()) else {
        return Ok(b.clone());
    };
    let total = first.len().saturating_add(second.len());
    if total > MAX_BUILT_ARRAY {
        anyhow::bail!(
            "object.union could build an object of {total} entries, over tollgate's limit of {MAX_BUILT_ARRAY}"
        );
    }
    charge("object.union", total.saturating_mul(ENTRY_BYTES))?;
    let mut out = a.clone();
    let merged = out.as_object_mut()?;
    for (key, value) in second.iter() {
        let v = match first.get(key) {
            Some(mine) => union(mine, value)?,
            None => value.clone(),
        };
        merged.insert(key.clone(), v);
    }
    Ok(out)
}

/// The rules through which a capped builtin, once its result is known to be small enough,
/// calls regorus's own: an engine of this thread without extensions.
const DELEGATES: &str = "package tollgate.builtins

formatted := sprintf(input[0], input[1])
marshaled := json.marshal(input[0])
marshaled_with_options := json.marshal_with_options(input[0], input[1])
base64_encoded := base64.encode(input[0])
replaced_n := strings.replace_n(input[0], input[1])
regex_replaced := regex.replace(input[0], input[1], input[2])
union_n := object.union_n(input[0])
set_union := union(input[0])
cidr_expanded := net.cidr_expand(input[0])
sorted := sort(input[0])
quoted_meta := glob.quote_meta(input[0])
glob_matched := glob.match(input[0], input[1], input[2])
regex_split := regex.split(input[0], input[1])
regex_found := regex.find_n(input[0], input[1], input[2])
unmarshaled := json.unmarshal(input[0])
shifted := bits.lsh(input[0], input[1])
";

thread_local! {
    static BUILTINS: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// The value of delegate rule `rule` on `args`.
pub(super) fn delegate(rule: &str, args: Vec<Value>) -> anyhow::Result<Value> {
    BUILTINS.with(|cell| {
        let mut slot = cell
            .try_borrow_mut()
            .map_err(|_| anyhow::anyhow!("builtin called while it runs"))?;
        if slot.is_none() {
            let mut engine = Engine::new();
            engine.add_policy("tollgate-builtins.rego".to_string(), DELEGATES.to_string())?;
            *slot = Some(engine);
        }
        let Some(engine) = slot.as_mut() else {
            anyhow::bail!("builtin engine missing");
        };
        engine.set_input(Value::from(args));
        engine
            .eval_rule(format!("data.tollgate.builtins.{rule}"))
            // The delegate's own position means nothing to the policy's author: its message
            // only (the last line of regorus's error).
            .map_err(|e| {
                let text = format!("{e:#}");
                let last = text.lines().rev().find(|l| !l.trim().is_empty());
                anyhow::anyhow!("{}", last.unwrap_or("sprintf failed").trim())
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_cover_what_is_built() {
        let args = |v: serde_json::Value| Value::from_json_str(&v.to_string()).unwrap();
        for (format, values) in [
            ("%s-%d", serde_json::json!(["ab", 12])),
            (
                "%5d|%.3f|%v",
                serde_json::json!([7, 1.5, {"a": [1, "x\u{1}"]}]),
            ),
            ("%q %%", serde_json::json!(["line\nbreak"])),
        ] {
            let built = sprintf(vec![Value::from(format), args(values.clone())]).unwrap();
            let values = args(values);
            let bound = sprintf_bound(format, values.as_array().unwrap().iter().collect());
            assert!(built.as_string().unwrap().len() <= bound, "{format}");
        }
        assert!(
            sprintf_bound("%999999999999999999999999d", vec![&Value::from(1)]) > MAX_BUILT_STRING
        );
    }
}
