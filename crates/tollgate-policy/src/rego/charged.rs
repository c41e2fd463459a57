//! Builtins whose result grows with their input (a string split into its parts, every match
//! of a pattern, every position of a substring, a string in another case, an array reversed,
//! a JSON text parsed, a number shifted left) and that regorus's own leave uncounted. One call
//! is bounded by its input, but a comprehension calling one a hundred thousand times on a
//! long string holds a hundred thousand results; each is replaced by a version that works out
//! the result's size first, refuses past [`MAX_BUILT_STRING`] bytes or [`MAX_BUILT_ARRAY`]
//! entries where one call can build far more than its arguments hold, and counts the result
//! against the evaluation's budget ([`charge`]). What they return otherwise is what regorus's
//! own return.

use regorus::{Engine, Value};

use super::capped::compiled;
use super::engine::{MAX_BUILT_ARRAY, MAX_BUILT_STRING};
use super::growth::{charge, delegate, ENTRY_BYTES};

/// Register the charged builtins on `engine` (extensions are looked up before builtins).
pub fn add(engine: &mut Engine) -> Result<(), String> {
    type Builtin = fn(Vec<Value>) -> anyhow::Result<Value>;
    let builtins: [(&str, u8, Builtin); 11] = [
        ("upper", 1, upper),
        ("lower", 1, lower),
        ("strings.reverse", 1, strings_reverse),
        ("array.reverse", 1, array_reverse),
        ("sort", 1, sort),
        ("glob.quote_meta", 1, quote_meta),
        ("indexof_n", 2, indexof_n),
        ("regex.split", 2, regex_split),
        ("regex.find_n", 3, regex_find_n),
        ("json.unmarshal", 1, json_unmarshal),
        ("bits.lsh", 2, bits_lsh),
    ];
    for (name, nargs, f) in builtins {
        engine
            .add_extension(name.to_string(), nargs, Box::new(f))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn string<'a>(builtin: &str, value: &'a Value) -> anyhow::Result<&'a str> {
    value
        .as_string()
        .map(|s| s.as_ref())
        .map_err(|_| anyhow::anyhow!("{builtin}: expects a string"))
}

/// Refuse `entries` past [`MAX_BUILT_ARRAY`], then charge them and `bytes` of strings.
fn charge_entries(builtin: &str, entries: usize, bytes: usize) -> anyhow::Result<()> {
    if entries > MAX_BUILT_ARRAY {
        anyhow::bail!(
            "{builtin} would build {entries} entries, over tollgate's limit of {MAX_BUILT_ARRAY}"
        );
    }
    charge(
        builtin,
        entries.saturating_mul(ENTRY_BYTES).saturating_add(bytes),
    )
}

/// `upper(s)`, as regorus's own (Unicode upper case, which can be longer than `s`).
fn upper(args: Vec<Value>) -> anyhow::Result<Value> {
    let out = string("upper", &args[0])?.to_uppercase();
    charge("upper", out.len())?;
    Ok(Value::from(out))
}

/// `lower(s)`, as regorus's own.
fn lower(args: Vec<Value>) -> anyhow::Result<Value> {
    let out = string("lower", &args[0])?.to_lowercase();
    charge("lower", out.len())?;
    Ok(Value::from(out))
}

/// `strings.reverse(s)`: the characters of `s` in reverse order.
fn strings_reverse(args: Vec<Value>) -> anyhow::Result<Value> {
    let s = string("strings.reverse", &args[0])?;
    charge("strings.reverse", s.len())?;
    Ok(Value::from(s.chars().rev().collect::<String>()))
}

/// `array.reverse(a)`: a new array of `a`'s elements (shared, not copied) in reverse order.
fn array_reverse(args: Vec<Value>) -> anyhow::Result<Value> {
    let items = args[0]
        .as_array()
        .map_err(|_| anyhow::anyhow!("array.reverse: expects an array"))?;
    charge("array.reverse", items.len().saturating_mul(ENTRY_BYTES))?;
    Ok(Value::from(items.iter().rev().cloned().collect::<Vec<_>>()))
}

/// `sort(collection)`: a new array of the collection's elements, charged, then sorted by
/// regorus's own.
fn sort(args: Vec<Value>) -> anyhow::Result<Value> {
    let len = match &args[0] {
        Value::Array(a) => a.len(),
        Value::Set(s) => s.len(),
        _ => 0,
    };
    charge("sort", len.saturating_mul(ENTRY_BYTES))?;
    delegate("sorted", args)
}

/// `glob.quote_meta(pattern)`: each `*` escaped, at most twice the pattern.
fn quote_meta(args: Vec<Value>) -> anyhow::Result<Value> {
    let s = string("glob.quote_meta", &args[0])?;
    charge(
        "glob.quote_meta",
        s.len().saturating_add(s.matches('*').count()),
    )?;
    delegate("quoted_meta", args)
}

/// `indexof_n(s, sub)`: the character index of every (overlapping) occurrence of `sub` in
/// `s`, as regorus's own returns them. regorus compares `sub` at every position of `s` (the
/// product of both lengths for `"aaa…"` in `"aaa…"`); this finds them in one pass (KMP) and
/// charges them before building the array.
fn indexof_n(args: Vec<Value>) -> anyhow::Result<Value> {
    let s = string("indexof_n", &args[0])?;
    let sub = string("indexof_n", &args[1])?;
    let starts: Vec<usize> = if sub.is_empty() {
        // regorus's own: every character's position (not the end).
        s.char_indices().map(|(i, _)| i).collect()
    } else {
        occurrences(s.as_bytes(), sub.as_bytes())
    };
    charge_entries("indexof_n", starts.len(), 0)?;
    // Byte offsets to character indices (a match of valid UTF-8 starts on a character).
    let mut positions = Vec::with_capacity(starts.len());
    let mut starts = starts.into_iter().peekable();
    for (index, (byte, _)) in s.char_indices().enumerate() {
        if starts.peek() == Some(&byte) {
            starts.next();
            positions.push(Value::from(index as u64));
        }
    }
    Ok(Value::from(positions))
}

/// Byte offsets of every occurrence of non-empty `needle` in `haystack`, overlapping ones
/// included (Knuth-Morris-Pratt: linear in both lengths).
fn occurrences(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    let mut border = vec![0usize; needle.len()];
    let mut k = 0;
    for i in 1..needle.len() {
        while k > 0 && needle[i] != needle[k] {
            k = border[k - 1];
        }
        if needle[i] == needle[k] {
            k += 1;
        }
        border[i] = k;
    }
    let mut found = Vec::new();
    let mut k = 0;
    for (i, &b) in haystack.iter().enumerate() {
        while k > 0 && b != needle[k] {
            k = border[k - 1];
        }
        if b == needle[k] {
            k += 1;
        }
        if k == needle.len() {
            found.push(i + 1 - k);
            k = border[k - 1];
        }
    }
    found
}

/// `regex.split(pattern, s)`: the parts between matches, counted (with the size limit regorus
/// compiles with) and charged before regorus's own builds them.
fn regex_split(args: Vec<Value>) -> anyhow::Result<Value> {
    let (pattern, s) = (
        string("regex.split", &args[0])?,
        string("regex.split", &args[1])?,
    );
    // A pattern that does not compile is regorus's to answer.
    if let Some(re) = compiled(pattern) {
        let parts = re.find_iter(s).take(MAX_BUILT_ARRAY + 1).count() + 1;
        charge_entries("regex.split", parts, s.len())?;
    }
    delegate("regex_split", args)
}

/// `regex.find_n(pattern, s, n)`: at most `n` matches (every one when `n` is negative),
/// counted and charged before regorus's own builds them.
fn regex_find_n(args: Vec<Value>) -> anyhow::Result<Value> {
    let (pattern, s) = (
        string("regex.find_n", &args[0])?,
        string("regex.find_n", &args[1])?,
    );
    let wanted = match args[2].as_i64() {
        Ok(n) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
        _ => usize::MAX,
    };
    if let Some(re) = compiled(pattern) {
        let (mut entries, mut bytes) = (0usize, 0usize);
        for m in re.find_iter(s).take(wanted.min(MAX_BUILT_ARRAY + 1)) {
            entries += 1;
            bytes = bytes.saturating_add(m.len());
        }
        charge_entries("regex.find_n", entries, bytes)?;
    }
    delegate("regex_found", args)
}

/// `json.unmarshal(text)`: a value per JSON token at most, so at most one per `[`, `{`, `,`
/// and `:` plus one; refused past [`MAX_BUILT_ARRAY`] of them (a megabyte of `[0,0,…]` is half
/// a million values, thirty times the text in memory), charged otherwise.
fn json_unmarshal(args: Vec<Value>) -> anyhow::Result<Value> {
    let text = string("json.unmarshal", &args[0])?;
    let values = text
        .bytes()
        .filter(|b| matches!(b, b'[' | b'{' | b',' | b':'))
        .count()
        + 1;
    charge_entries("json.unmarshal", values, text.len())?;
    delegate("unmarshaled", args)
}

/// Most bits a number `bits.lsh` builds may have: a left shift by four billion is half a
/// gigabyte in one call, and each multiplication of the result by itself doubles it.
const MAX_SHIFTED_BITS: u64 = 8 * MAX_BUILT_STRING as u64;

/// `bits.lsh(x, s)`: refused when `x` shifted by `s` bits would need more than
/// [`MAX_SHIFTED_BITS`] bits, charged otherwise.
fn bits_lsh(args: Vec<Value>) -> anyhow::Result<Value> {
    if let Ok(shift) = args[1].as_u64() {
        // `x`'s own size: a number written in the policy or parsed from the document.
        let value_bits = match args[0].as_u64() {
            Ok(_) => 64,
            Err(_) => args[0].to_string().len() as u64 * 4,
        };
        let bits = shift.saturating_add(value_bits);
        if bits > MAX_SHIFTED_BITS {
            anyhow::bail!(
                "bits.lsh would build a number of {bits} bits, over tollgate's limit of {MAX_SHIFTED_BITS}"
            );
        }
        charge("bits.lsh", usize::try_from(bits / 8).unwrap_or(usize::MAX))?;
    }
    delegate("shifted", args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_overlap_as_regorus_counts_them() {
        assert_eq!(occurrences(b"aaaa", b"aa"), vec![0, 1, 2]);
        assert_eq!(occurrences(b"abcabcab", b"abcab"), vec![0, 3]);
        assert_eq!(occurrences(b"xyz", b"q"), Vec::<usize>::new());
        assert_eq!(occurrences(b"ab", b"abc"), Vec::<usize>::new());
    }
}
