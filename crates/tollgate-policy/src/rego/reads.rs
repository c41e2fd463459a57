//! What a policy file reads of its input document, so that a result can be reused: when every
//! reference to `input` in the file (heads, bodies, functions, helpers) is a path of constant
//! keys (`input.resource.model.runtime`, `input.resource.properties.Timeout`), a rule's value
//! depends only on the values at those paths, and documents that hold the same values there
//! (most resources of one type share a runtime, a timeout, a kind) get the same value without
//! evaluating the rule again.
//!
//! The analysis must never claim less than the policy reads. Any reference it cannot read as
//! constant keys from `input` (a key computed at run time reads the whole collection, `input`
//! alone or passed to a function reads everything, `import input...` aliases it, `with input
//! as ...` replaces it) makes the path it stops at, or the whole document, part of what is
//! read; a file whose reads cannot be stated at all is never reused.

use regorus::Value;
use serde_json::Value as Json;

use super::projection::Need;

/// The paths (keys from `input`) whose values determine every rule's value in the file whose
/// syntax tree (regorus's `get_ast_as_json`) is `ast`; `None` when the whole document may be
/// read. A path that is a prefix of another stands for both.
pub fn input_reads(ast: &Json, text: &str) -> Option<Reads> {
    for module in ast.as_array()? {
        let imports = module.pointer("/ast/imports").and_then(Json::as_array);
        for import in imports.into_iter().flatten() {
            // `import input.resource as r`: references through `r` are not seen as `input`.
            if root_var(import.get("refr")?) != Some("rego")
                && root_var(import.get("refr")?) != Some("future")
            {
                return None;
            }
        }
    }
    let mut found = Reads::default();
    let keys = Keys {
        text,
        locals: Vec::new(),
    };
    visit(ast, &mut found, &keys)?;
    let mut paths = found.values;
    paths.sort();
    paths.dedup();
    // Keep only the shortest of paths sharing a prefix: its value holds the others'.
    let mut values: Vec<Vec<Value>> = Vec::new();
    for p in paths {
        if !values.iter().any(|k| p.starts_with(k)) {
            values.push(p);
        }
    }
    let mut truths = found.truths;
    truths.sort();
    truths.dedup();
    truths.retain(|t| !values.iter().any(|v| t.starts_with(v)));
    Some(Reads { values, truths })
}

/// What a file reads of its input: the values at some paths, and at others only whether a
/// literal of a body holds there (`input.resource` alone: defined and not `false`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reads {
    pub values: Vec<Vec<Value>>,
    pub truths: Vec<Vec<Value>>,
}

/// The locals of the body being read that take their values from a list of constant strings
/// only (`some k in ["Timeout", "timeout"]`, the one statement of the body binding `k`, as rule
/// indexing finds them), and the policy's text their declarations are read from. A reference
/// `input.resource.properties[k]` then reads only `input.resource.properties.Timeout` and
/// `.timeout`: `k` is one of those strings, and the documents are JSON (objects, arrays and
/// scalars, no sets), where a string key finds a value in an object only.
pub(super) struct Keys<'t> {
    text: &'t str,
    locals: Vec<(String, Vec<Value>)>,
}

/// Whether `value` makes a literal that is only a reference to it hold.
pub fn holds(value: &Value) -> bool {
    !matches!(value, Value::Undefined | Value::Bool(false))
}

/// The variable a reference starts from.
fn root_var(expr: &Json) -> Option<&str> {
    let mut at = expr;
    loop {
        if let Some(v) = at.get("Var") {
            return v.get("value")?.as_str();
        }
        at = at
            .get("RefDot")
            .or_else(|| at.get("RefBrack"))?
            .get("refr")?;
    }
}

/// Every reference to `input` under `node` into `paths`; `None` when one reads the whole
/// document.
fn visit(node: &Json, paths: &mut Reads, keys: &Keys) -> Option<()> {
    match node {
        Json::Object(map) => {
            if let Some(stmts) = map.get("stmts").and_then(Json::as_array) {
                // Locals of this body (and the bodies inside it) taken from constant keys.
                let mut inner = Keys {
                    text: keys.text,
                    locals: keys.locals.clone(),
                };
                inner
                    .locals
                    .extend(super::index::constant_keys(stmts, keys.text));
                let keys = &inner;
                for stmt in stmts {
                    // A literal that is only a reference from `input` by constant keys holds
                    // where the value there is defined and not `false`: that is all it reads.
                    let alone = stmt
                        .pointer("/literal/Expr/expr")
                        .and_then(constant_input_path);
                    match alone {
                        Some(path) if !path.is_empty() => {
                            paths.truths.push(path);
                            if let Some(mods) = stmt.get("with_mods") {
                                visit(mods, paths, keys)?;
                            }
                        }
                        _ => visit(stmt, paths, keys)?,
                    }
                }
                for (key, child) in map {
                    if key != "span" && key != "stmts" {
                        visit(child, paths, keys)?;
                    }
                }
                return Some(());
            }
            if let Some(var) = map.get("Var") {
                // `input` outside a reference chain: the whole document.
                return (var.get("value").and_then(Json::as_str) != Some("input")).then_some(());
            }
            if map.contains_key("RefDot") || map.contains_key("RefBrack") {
                return chain(node, paths, keys);
            }
            for (key, child) in map {
                if key != "span" {
                    visit(child, paths, keys)?;
                }
            }
            Some(())
        }
        Json::Array(items) => items.iter().try_for_each(|i| visit(i, paths, keys)),
        _ => Some(()),
    }
}

/// One step of a reference chain (`.b` or `[c]`), read from the outermost inwards.
pub(super) struct RefStep<'a> {
    /// The key, when it is a constant string (`.b`, `["b"]`).
    pub key: Option<Value>,
    /// The index expression, when the key is computed (`[c]`).
    pub computed: Option<&'a Json>,
    /// The reference the step applies to.
    pub refr: &'a Json,
}

/// The step `at` takes, `Some(None)` when it is not a step (the root of the chain), `None`
/// when the AST is not shaped as expected.
pub(super) fn ref_step(at: &Json) -> Option<Option<RefStep<'_>>> {
    if let Some(dot) = at.get("RefDot") {
        let field = dot.get("field")?.as_array()?.get(1)?.as_str()?;
        return Some(Some(RefStep {
            key: Some(Value::from(field)),
            computed: None,
            refr: dot.get("refr")?,
        }));
    }
    let Some(brack) = at.get("RefBrack") else {
        return Some(None);
    };
    let index = brack.get("index")?;
    let key = index
        .get("String")
        .or_else(|| index.get("RawString"))
        .and_then(|s| s.get("value"))
        .and_then(Json::as_str)
        .map(Value::from);
    Some(Some(RefStep {
        computed: key.is_none().then_some(index),
        key,
        refr: brack.get("refr")?,
    }))
}

/// A reference chain (`a.b[c].d`): when it starts at `input`, the constant keys from `input`
/// up to the first computed one are read; the computed keys are expressions of their own.
fn chain(node: &Json, paths: &mut Reads, keys: &Keys) -> Option<()> {
    // Steps from the outermost to the root; a computed key, with the constant keys its
    // local takes when it is one of `keys`'s.
    let mut steps: Vec<Option<Value>> = Vec::new();
    let mut choices: Vec<Option<&[Value]>> = Vec::new();
    let mut at = node;
    while let Some(step) = ref_step(at)? {
        if let Some(index) = step.computed {
            visit(index, paths, keys)?;
        }
        let local = step.computed.and_then(super::index::var_name);
        choices.push(local.and_then(|name| {
            keys.locals
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, values)| values.as_slice())
        }));
        steps.push(step.key);
        at = step.refr;
    }
    if at
        .get("Var")
        .and_then(|v| v.get("value"))
        .and_then(Json::as_str)
        != Some("input")
    {
        // A reference from something else (`data.x`, a local): its root is an expression.
        return visit(at, paths, keys);
    }
    steps.reverse();
    choices.reverse();
    let constant = steps.iter().take_while(|s| s.is_some()).count();
    let prefix: Vec<Value> = steps[..constant].iter().flatten().cloned().collect();
    // The first computed key, taken from constant keys: one path per key, each followed by
    // the constant keys after it.
    if let Some(Some(values)) = choices.get(constant) {
        let rest: Vec<Value> = steps[constant + 1..]
            .iter()
            .map_while(Clone::clone)
            .collect();
        for value in *values {
            let mut path = prefix.clone();
            path.push(value.clone());
            path.extend(rest.iter().cloned());
            paths.values.push(path);
        }
        return Some(());
    }
    if prefix.is_empty() {
        return None;
    }
    paths.values.push(prefix);
    Some(())
}

/// The keys of a reference from `input` when every one is a constant.
fn constant_input_path(expr: &Json) -> Option<Vec<Value>> {
    let mut keys = Vec::new();
    let mut at = expr;
    loop {
        if let Some(dot) = at.get("RefDot") {
            keys.push(Value::from(dot.get("field")?.as_array()?.get(1)?.as_str()?));
            at = dot.get("refr")?;
        } else if let Some(brack) = at.get("RefBrack") {
            let index = brack.get("index")?;
            let key = index
                .get("String")
                .or_else(|| index.get("RawString"))?
                .get("value")?
                .as_str()?;
            keys.push(Value::from(key));
            at = brack.get("refr")?;
        } else {
            break;
        }
    }
    (at.get("Var")?.get("value")?.as_str()? == "input").then_some(())?;
    keys.reverse();
    Some(keys)
}

/// A hash of `value` that equal values (`==`) share: numbers equal across their kinds
/// (`1`, `1.0`) hash alike, objects and sets by their sorted entries.
pub fn hash_value(value: &Value, h: &mut impl std::hash::Hasher) {
    match value {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => h.write_u8(1 + u8::from(*b)),
        Value::Number(n) => {
            h.write_u8(3);
            // An integer as itself, whatever its kind; a fraction (only a float can be one)
            // by its bits; any other number (an integer past 64 bits) is told apart by `==`.
            match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => h.write_i64(i),
                (None, Some(f)) if f.fract() != 0.0 => h.write_u64(f.to_bits()),
                _ => {}
            }
        }
        Value::String(s) => {
            h.write_u8(4);
            h.write(s.as_bytes());
            h.write_u8(0xff);
        }
        Value::Array(items) => {
            h.write_u8(5);
            h.write_usize(items.len());
            items.iter().for_each(|v| hash_value(v, h));
        }
        Value::Set(items) => {
            h.write_u8(6);
            h.write_usize(items.len());
            items.iter_sorted().for_each(|v| hash_value(v, h));
        }
        Value::Object(entries) => {
            h.write_u8(7);
            h.write_usize(entries.len());
            for (k, v) in entries.iter_sorted() {
                hash_value(k, h);
                hash_value(v, h);
            }
        }
        Value::Undefined => h.write_u8(8),
    }
}

/// Numbers for the values of many documents at one path: equal values get equal numbers,
/// different values different ones (`0` for undefined). Comparing two documents' values is
/// then comparing two numbers, where comparing the values walked them (a deployment unit's
/// resources, compared for every policy reading them, took a twentieth of the stage).
pub fn number_values(values: &[&Value], state: &foldhash::fast::RandomState) -> Vec<u32> {
    number_values_within(values, None, state)
}

/// [`number_values`], values compared only by what `need` keeps of them (see
/// [`crate::rego::projection`]; `None` for all of it): two values get one number when the
/// documents built with only that need would hold the same value there. A policy cannot tell
/// such values apart, so its results are the same on both.
///
/// Each value is walked once: what the need keeps of an array or an object is numbered from
/// the numbers of its kept elements and entries (see [`Numbering`]), so telling two values
/// apart compares a few numbers at each level. Hashing each value whole and then comparing
/// it whole with the first of its hash walked it twice, looking each key's need up again.
pub fn number_values_within(
    values: &[&Value],
    need: Option<&Need>,
    state: &foldhash::fast::RandomState,
) -> Vec<u32> {
    let need = need.filter(|n| !n.whole);
    let mut numbering = Numbering::new(state);
    // The values' numbers in the order they first appear, from 1 (as the documents' keys
    // have always been numbered).
    let mut dense: crate::FastMap<u32, u32> = crate::FastMap::with_hasher(state.clone());
    values
        .iter()
        .map(|v| {
            if matches!(v, Value::Undefined) {
                return 0;
            }
            let id = numbering.id(v, need);
            let next = dense.len() as u32 + 1;
            *dense.entry(id).or_insert(next)
        })
        .collect()
}

/// Numbers of values within needs, equal exactly when what the need keeps of them is the
/// same value (`equal_within` in the tests, the comparison this replaced): a value the
/// need keeps whole (and any scalar) by its hash and `==` with the first value of that hash
/// ([`hash_value`]); an array or object by what the need keeps of it, written as a list of
/// numbers (its kind, then each kept element's number, or each kept entry's key and value
/// numbers, in key order) and looked up among the lists seen so far.
struct Numbering<'v> {
    state: foldhash::fast::RandomState,
    /// Per hash, the values numbered whole so far with their numbers.
    whole: crate::FastMap<u64, Vec<(&'v Value, u32)>>,
    /// Keys by the address of their text: the documents share their keys' strings, so most
    /// keys are found without hashing or comparing their text.
    keys: crate::FastMap<usize, u32>,
    /// The lists of numbers of arrays and objects seen so far.
    lists: crate::FastMap<Box<[u32]>, u32>,
    /// The lists being written, innermost last.
    scratch: Vec<u32>,
    next: u32,
}

/// The first number of a list: what it describes.
const LIST_ARRAY: u32 = 0;
const LIST_ARRAY_UNREAD: u32 = 1;
const LIST_OBJECT: u32 = 2;

impl<'v> Numbering<'v> {
    fn new(state: &foldhash::fast::RandomState) -> Self {
        Self {
            state: state.clone(),
            whole: crate::FastMap::with_hasher(state.clone()),
            keys: crate::FastMap::with_hasher(state.clone()),
            lists: crate::FastMap::with_hasher(state.clone()),
            scratch: Vec::new(),
            next: 0,
        }
    }

    fn fresh(&mut self) -> u32 {
        self.next += 1;
        self.next
    }

    /// The number of what `need` keeps of `value` (all of it for `None`).
    fn id(&mut self, value: &'v Value, need: Option<&Need>) -> u32 {
        let Some(need) = need.filter(|n| !n.whole) else {
            return self.whole(value);
        };
        let start = self.scratch.len();
        match value {
            Value::Array(items) => match need.element() {
                Some(each) => {
                    let each = (!each.whole).then_some(each);
                    self.scratch.push(LIST_ARRAY);
                    for item in items.iter() {
                        let n = self.id(item, each);
                        self.scratch.push(n);
                    }
                }
                // No element is read: every array is the same.
                None => self.scratch.push(LIST_ARRAY_UNREAD),
            },
            Value::Object(entries) => {
                self.scratch.push(LIST_OBJECT);
                // The need's named keys and the entries are both in key order: each entry's
                // named need is found by walking them side by side, not by a search per entry.
                let mut named = need.keys.iter().peekable();
                for (k, v) in entries.iter_sorted() {
                    let child = kept_entry(need, &mut named, k);
                    if let Some(child) = child {
                        let key = self.key(k);
                        let n = self.id(v, child);
                        self.scratch.extend([key, n]);
                    }
                }
            }
            other => return self.whole(other),
        }
        let id = match self.lists.get(&self.scratch[start..]) {
            Some(&id) => id,
            None => {
                let id = self.fresh();
                self.lists.insert(self.scratch[start..].into(), id);
                id
            }
        };
        self.scratch.truncate(start);
        id
    }

    /// The number of `value` compared whole.
    fn whole(&mut self, value: &'v Value) -> u32 {
        use std::hash::BuildHasher;
        let mut h = self.state.build_hasher();
        hash_value(value, &mut h);
        let hash = std::hash::Hasher::finish(&h);
        if let Some(&(_, n)) = self
            .whole
            .get(&hash)
            .and_then(|class| class.iter().find(|(first, _)| *first == value))
        {
            return n;
        }
        let n = self.fresh();
        self.whole.entry(hash).or_default().push((value, n));
        n
    }

    /// The number of an object's key: a string key by the address of its text first.
    fn key(&mut self, key: &'v Value) -> u32 {
        let Value::String(text) = key else {
            return self.whole(key);
        };
        let address = text.as_ptr() as usize;
        if let Some(&n) = self.keys.get(&address) {
            return n;
        }
        let n = self.whole(key);
        self.keys.insert(address, n);
        n
    }
}

/// The named keys of a need, in key order, as [`kept_entry`] walks them.
type Named<'n> = std::iter::Peekable<std::collections::btree_map::Iter<'n, Box<str>, Need>>;

/// The need of an object's entry at key `key`, the entries visited in key order and `named`
/// walked beside them: `Some(None)` for all of the entry, `None` when the entry is left out.
/// A key that is not a string (no JSON document has one) is kept whole.
fn kept_entry<'n>(need: &'n Need, named: &mut Named<'n>, key: &Value) -> Option<Option<&'n Need>> {
    let Value::String(key) = key else {
        return Some(None);
    };
    let key: &str = key;
    while named.next_if(|(n, _)| &***n < key).is_some() {}
    named
        .peek()
        .filter(|(n, _)| &***n == key)
        .map(|&(_, n)| n)
        .or(need.each.as_deref())
        .map(|c| (!c.whole).then_some(c))
}

/// What `need` (of the whole document) keeps of the value at `path`: `None` for all of it
/// (the need holds it whole, or a key is not a string, or the need does not reach there,
/// where comparing all of it is the safe answer).
pub fn need_at<'n>(need: &'n Need, path: &[Value]) -> Option<&'n Need> {
    let mut at = need;
    for key in path {
        let Value::String(key) = key else {
            return None;
        };
        at = at.child(key)?;
        if at.whole {
            return None;
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    // The numbering this module used before [`Numbering`]: each value hashed whole within
    // its need, then compared whole with the first value of its hash. The tests require the
    // same numbers of both.
    fn reference_numbers(values: &[&Value], need: Option<&Need>) -> Vec<u32> {
        use std::hash::BuildHasher;
        let state = foldhash::fast::RandomState::default();
        let need = need.filter(|n| !n.whole);
        let mut classes: Vec<(u64, usize, u32)> = Vec::new();
        let mut next = 1u32;
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if matches!(v, Value::Undefined) {
                    return 0;
                }
                let mut h = state.build_hasher();
                hash_within(v, need, &mut h);
                let hash = std::hash::Hasher::finish(&h);
                if let Some(&(_, _, n)) = classes
                    .iter()
                    .find(|(c, first, _)| *c == hash && equal_within(values[*first], v, need))
                {
                    return n;
                }
                let n = next;
                next += 1;
                classes.push((hash, i, n));
                n
            })
            .collect()
    }

    /// The need of the entry at string key `key` of a value needed as `need` (`None`: all of
    /// it): `Some(None)` for all of the entry, `None` when the entry is left out. A key that is
    /// not a string (no JSON document has one) is kept whole.
    fn entry_need<'n>(need: &'n Need, key: &Value) -> Option<Option<&'n Need>> {
        let Value::String(key) = key else {
            return Some(None);
        };
        need.child(key).map(|c| (!c.whole).then_some(c))
    }

    /// [`hash_value`] of what `need` keeps of `value` (all of it for `None`), as the document
    /// builder keeps it: an object's entries the need names, an array's elements when every
    /// element is needed (else none), scalars as they are.
    fn hash_within(value: &Value, need: Option<&Need>, h: &mut impl std::hash::Hasher) {
        let Some(need) = need else {
            return hash_value(value, h);
        };
        match value {
            Value::Array(items) => {
                h.write_u8(5);
                match need.element() {
                    Some(each) => {
                        let each = (!each.whole).then_some(each);
                        h.write_usize(items.len());
                        items.iter().for_each(|v| hash_within(v, each, h));
                    }
                    None => h.write_usize(0),
                }
            }
            Value::Object(entries) if !need.whole => {
                h.write_u8(7);
                // The need's named keys and the entries are both in key order: each entry's
                // named need is found by walking them side by side, not by a search per entry.
                let mut named = need.keys.iter().peekable();
                for (k, v) in entries.iter_sorted() {
                    let child = kept_entry(need, &mut named, k);
                    if let Some(child) = child {
                        hash_value(k, h);
                        hash_within(v, child, h);
                    }
                }
            }
            Value::Object(entries) => {
                h.write_u8(7);
                for (k, v) in entries.iter_sorted() {
                    if let Some(child) = entry_need(need, k) {
                        hash_value(k, h);
                        hash_within(v, child, h);
                    }
                }
            }
            other => hash_value(other, h),
        }
    }

    /// Whether what `need` keeps of `a` and of `b` (all of them for `None`) is the same value.
    fn equal_within(a: &Value, b: &Value, need: Option<&Need>) -> bool {
        let Some(need) = need else {
            return a == b;
        };
        match (a, b) {
            (Value::Array(x), Value::Array(y)) => match need.element() {
                Some(each) => {
                    let each = (!each.whole).then_some(each);
                    x.len() == y.len()
                        && x.iter()
                            .zip(y.iter())
                            .all(|(a, b)| equal_within(a, b, each))
                }
                None => true,
            },
            (Value::Object(x), Value::Object(y)) => {
                // Both in key order, side by side: a key on both sides is looked up in the need
                // once (looking each side's keys up was most of the comparison); a key on one
                // side only makes them differ when the need keeps it.
                let (mut x, mut y) = (x.iter_sorted().peekable(), y.iter_sorted().peekable());
                loop {
                    let only = match (x.peek(), y.peek()) {
                        (None, None) => return true,
                        (Some((ka, va)), Some((kb, vb))) if ka == kb => {
                            if let Some(n) = entry_need(need, ka) {
                                if !equal_within(va, vb, n) {
                                    return false;
                                }
                            }
                            x.next();
                            y.next();
                            continue;
                        }
                        (Some((ka, _)), Some((kb, _))) if ka < kb => x.next(),
                        (Some(_), None) => x.next(),
                        (_, Some(_)) => y.next(),
                    };
                    if only.is_some_and(|(k, _)| entry_need(need, k).is_some()) {
                        return false;
                    }
                }
            }
            _ => a == b,
        }
    }
    use super::*;

    fn reads(text: &str) -> Option<Vec<String>> {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy("p.rego".to_string(), text.to_string())
            .unwrap();
        let ast = serde_json::from_str(&engine.get_ast_as_json().unwrap()).unwrap();
        input_reads(&ast, text).map(|reads| {
            let truths = reads.truths.iter().map(|p| {
                let mut p = p.clone();
                p.insert(0, Value::from("holds"));
                p
            });
            reads
                .values
                .iter()
                .cloned()
                .chain(truths)
                .map(|p| {
                    p.iter()
                        .map(|k| k.as_string().unwrap().to_string())
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .collect()
        })
    }

    #[test]
    fn constant_paths_are_what_a_policy_reads() {
        let found = reads("package main\nimport rego.v1\n\napproved := {\"python3.12\"}\n\ndeny contains {\"msg\": sprintf(\"%s\", [input.resource.model.runtime]), \"path\": \"properties.runtime\"} if {\n  rt := input.resource.model.runtime\n  not rt in approved\n  is_function\n}\n\nis_function if input.resource[\"model\"].kind == \"lambda-function\"\n");
        assert_eq!(
            found,
            Some(vec![
                "resource.model.kind".to_string(),
                "resource.model.runtime".to_string()
            ])
        );
        // A computed key reads the collection it indexes, and what computes the key; a local
        // taken from constant keys only reads those keys.
        let found = reads("package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k in [\"Timeout\", \"timeout\"]\n  input.resource.properties[k].x > input.limits[input.resource.type]\n}\n");
        assert_eq!(
            found,
            Some(vec![
                "limits".to_string(),
                "resource.properties.Timeout.x".to_string(),
                "resource.properties.timeout.x".to_string(),
                "resource.type".to_string()
            ])
        );
        // A local bound again, or taken from the document, or from a list that is not all
        // strings, or used by another body than the one binding it: the whole collection.
        for text in [
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k in [\"Timeout\", \"timeout\"]\n  k = input.resource.type\n  input.resource.properties[k]\n}\n",
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k in [\"Timeout\"]\n  xs := [v | some k in input.resource.type; v := input.resource.properties[k]]\n  input.resource.properties[k]\n}\n",
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k in input.resource.type\n  input.resource.properties[k]\n}\n",
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k in [\"Timeout\", 3]\n  input.resource.properties[k]\n}\n",
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k in [\"Timeout\"]\n  k\n}\n\nwarn contains 1 if {\n  some k in input.resource.type\n  input.resource.properties[k]\n}\n",
        ] {
            let found = reads(text).unwrap_or_default();
            assert!(
                found.contains(&"resource.properties".to_string()),
                "{text}: {found:?}"
            );
        }
    }

    #[test]
    fn a_reference_alone_in_a_body_reads_whether_it_holds() {
        let found = reads("package main\nimport rego.v1\n\nallowed := {\"AWS::S3::Bucket\"}\n\ndeny contains \"type\" if {\n  input.resource\n  not input.resource.type in allowed\n}\n\nwarn contains 1 if {\n  input.identity.public\n  input.resource.model\n  input.resource.model.kind == \"x\"\n}\n");
        assert_eq!(
            found,
            Some(vec![
                "resource.model.kind".to_string(),
                "resource.type".to_string(),
                "holds.identity.public".to_string(),
                "holds.resource".to_string(),
                "holds.resource.model".to_string()
            ])
        );
        // Read whole elsewhere, the value stands for both.
        let found = reads("package main\nimport rego.v1\n\ndeny contains x if {\n  input.resource\n  x := input.resource\n}\n");
        assert_eq!(found, Some(vec!["resource".to_string()]));
    }

    #[test]
    fn the_whole_document_cannot_be_reused() {
        for text in [
            "package main\nimport rego.v1\n\ndeny contains 1 if count(input) > 1\n",
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  x := input\n  x.resource.type\n}\n",
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k, _ in input\n  k == \"resource\"\n}\n",
            "package main\nimport rego.v1\n\ndeny contains 1 if input[input.key]\n",
            "package main\nimport rego.v1\nimport input.resource as r\n\ndeny contains 1 if r.type\n",
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  data.main.helper with input as {}\n}\n\nhelper if input.resource.type\n",
        ] {
            assert_eq!(reads(text), None, "{text}");
        }
    }

    /// Equal values get one number, whatever their numbers' kinds or objects' key order;
    /// different values different numbers; undefined 0.
    #[test]
    fn values_are_numbered_by_equality() {
        let parse = |text: &str| Value::from_json_str(text).unwrap();
        let values = [
            parse(r#"{"a": 1, "b": [1.5, "x"]}"#),
            parse(r#"{"b": [1.5, "x"], "a": 1.0}"#),
            Value::from(1u64),
            Value::from(1i64),
            Value::from(1.0f64),
            Value::from(1.5f64),
            Value::Undefined,
            Value::from("1"),
            parse(r#"{"a": 2, "b": [1.5, "x"]}"#),
            Value::from(u64::MAX),
            Value::from(u64::MAX as f64),
            Value::Null,
            Value::from(false),
        ];
        let refs: Vec<&Value> = values.iter().collect();
        let numbers = number_values(&refs, &foldhash::fast::RandomState::default());
        for (i, a) in values.iter().enumerate() {
            for (j, b) in values.iter().enumerate() {
                assert_eq!(numbers[i] == numbers[j], a == b, "{a:?} and {b:?}");
            }
        }
        assert_eq!(numbers[6], 0);
        assert!(numbers
            .iter()
            .enumerate()
            .all(|(i, &n)| (n == 0) == (i == 6)));
    }

    /// Values compared within a need get one number exactly when the documents built with
    /// only that need hold equal values: what a policy counting a unit's keys observes of its
    /// resources is their kinds, not their addresses.
    #[test]
    fn values_are_numbered_by_what_a_need_keeps() {
        let need = |keys: Vec<(&str, Need)>, each: Option<Need>| Need {
            whole: false,
            keys: keys.into_iter().map(|(k, n)| (k.into(), n)).collect(),
            each: each.map(Box::new),
        };
        let whole = Need {
            whole: true,
            ..Need::default()
        };
        // Each resource's kind, and only that the references are an array.
        let mut resources = need(
            vec![
                (
                    "resources",
                    need(
                        vec![],
                        Some(need(
                            vec![("model", need(vec![("kind", whole.clone())], None))],
                            None,
                        )),
                    ),
                ),
                ("references", Need::default()),
                ("count", whole.clone()),
            ],
            None,
        );
        resources.finish();
        let json = [
            serde_json::json!({"resources": [{"address": "A", "model": {"kind": "k"}}], "references": [1]}),
            serde_json::json!({"resources": [{"address": "B", "model": {"kind": "k", "x": 1}}], "references": []}),
            serde_json::json!({"resources": [{"address": "A", "model": {"kind": "q"}}], "references": [1]}),
            serde_json::json!({"resources": [{"model": {"kind": "k"}}, {"model": {}}], "references": {}}),
            serde_json::json!({"resources": [{"model": {"kind": "k"}}, {"model": null}], "references": {}}),
            serde_json::json!({"resources": [{"model": {"kind": "k"}}, {}], "count": 1}),
            serde_json::json!({"resources": [{"model": {"kind": "k"}}, {}], "count": 1.0}),
            serde_json::json!({"resources": [{"model": {"kind": "k"}}, {}], "count": 2, "other": 3}),
            serde_json::json!({"resources": {"a": {"model": {"kind": "k"}}}}),
            serde_json::json!({"resources": {"b": {"model": {"kind": "k"}}}}),
            serde_json::json!([1, 2]),
            serde_json::json!("text"),
        ];
        let mut builder = crate::rego_value::Builder::default();
        let values: Vec<Value> = json.iter().map(|j| builder.value(j)).collect();
        let projected: Vec<Value> = json
            .iter()
            .map(|j| builder.projected(j, &resources))
            .collect();
        let refs: Vec<&Value> = values.iter().collect();
        let state = foldhash::fast::RandomState::default();
        let numbers = number_values_within(&refs, Some(&resources), &state);
        for i in 0..json.len() {
            for j in 0..json.len() {
                assert_eq!(
                    numbers[i] == numbers[j],
                    projected[i] == projected[j],
                    "{} and {}",
                    json[i],
                    json[j]
                );
            }
        }
        assert_eq!(numbers[0], numbers[1]);
        assert_ne!(numbers[0], numbers[2]);
        // The same numbers as hashing and comparing each value whole within the need, with
        // keys shared between the documents or not (half of them built by another builder),
        // within needs of every shape.
        let mut other = crate::rego_value::Builder::default();
        let mixed: Vec<Value> = json
            .iter()
            .enumerate()
            .map(|(i, j)| {
                if i % 2 == 0 {
                    other.value(j)
                } else {
                    builder.value(j)
                }
            })
            .collect();
        let elements = need(vec![], Some(whole.clone()));
        let unread = need(vec![("resources", Need::default())], None);
        for set in [&values, &mixed] {
            let mut refs: Vec<&Value> = set.iter().collect();
            refs.extend(set.iter().rev());
            refs.push(&Value::Undefined);
            for need in [
                None,
                Some(&resources),
                Some(&whole),
                Some(&elements),
                Some(&unread),
            ] {
                assert_eq!(
                    number_values_within(&refs, need, &state),
                    reference_numbers(&refs, need),
                    "{need:?}"
                );
            }
        }
        // Within a need that keeps everything, as `number_values`.
        assert_eq!(
            number_values_within(&refs, Some(&whole), &state),
            number_values(&refs, &state)
        );
        // The need at a path: none (all of it) where the need holds the value whole or does
        // not reach.
        let path = |keys: &[&str]| keys.iter().map(|k| Value::from(*k)).collect::<Vec<_>>();
        assert!(need_at(&resources, &path(&["resources"])).is_some());
        assert!(need_at(&resources, &path(&["count"])).is_none());
        assert!(need_at(&resources, &path(&["absent"])).is_none());
        assert!(need_at(&resources, &[Value::from(1u64)]).is_none());
    }
}
