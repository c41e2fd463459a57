//! Input projection: what of the input documents the loaded policies can observe at all, so
//! that the documents are built with only those parts. A policy cannot tell a document from
//! one missing what it never reads, so its results are the same; building, evaluating against
//! and freeing the parts nobody reads is saved.
//!
//! Every reference to `input` in a file's syntax tree (heads, bodies, functions, helpers,
//! comprehensions) is read as a path of keys from `input`. What the policy does with the
//! value at the end of the path says how much of it is needed:
//!
//! - used as a value in any way (compared, passed to a function or builtin, returned,
//!   `object.keys`, `json.marshal`, `walk`, indexed by a key computed at run time and used
//!   whole...): all of it;
//! - a literal alone (`input.resource`): only that it is there, and its truth: scalars are
//!   always kept, an object or array kept as an object or array holds as the original does;
//! - `count(...)`: its entries, each kept (empty unless something else needs more of it);
//! - `some x in ...`, `some k, x in ...`, `x := ...` (a local bound to a part of the document):
//!   the entries (for `some`), and what the file reads through `x` below them: a path through
//!   a local stands for the paths of what it is bound to, wherever the name appears in the
//!   file (heads included), so a name bound twice reads both;
//! - a key computed at run time (`input.resource.properties[k]`): every entry, with what the
//!   rest of the reference reads of each; `k` taken from a list of constant strings only
//!   (`some k in ["Timeout", "timeout"]`) reads those keys only.
//!
//! `input` alone anywhere else (a function argument, `with input as`, `import input`, a
//! local named `input`) makes the whole document needed: the analysis answers `None` and the
//! documents are built whole. Rule indexing's conditions read the documents too: their paths
//! are added whole ([`PolicySet::needs`](super::PolicySet::needs)).

use std::collections::{BTreeMap, HashMap};

use serde_json::Value as Json;

use super::index::{constant_keys, var_name};
use super::reads::ref_step;

/// What is needed of a value: all of it, or some of its keys, and of every entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Need {
    /// The whole value.
    pub whole: bool,
    /// What is needed below these keys (objects only: a string key finds nothing in an
    /// array). Once [`Need::finish`]ed, each holds what `each` needs too.
    pub keys: BTreeMap<Box<str>, Need>,
    /// Every entry of an object or element of an array is kept, each with this need.
    pub each: Option<Box<Need>>,
}

/// Nothing below a value but its presence (and truth).
pub static NOTHING: Need = Need {
    whole: false,
    keys: BTreeMap::new(),
    each: None,
};

/// One step of a path from `input`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(Box<str>),
    Each,
}

type Path = Vec<Step>;

/// What a use of the value at a path needs of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Whole,
    Present,
    Entries,
}

/// Bounds on the analysis (policies are data from the scanned repository): past them the
/// whole document is needed.
const MAX_PATHS: usize = 4096;
const MAX_ROUNDS: usize = 16;
/// Most nodes [`Need::finish`] copies.
const MAX_NODES: usize = 100_000;

impl Need {
    /// The need of the entry at `key`: `None` when the entry is not needed at all.
    pub fn child(&self, key: &str) -> Option<&Need> {
        if self.whole {
            return Some(self);
        }
        self.keys.get(key).or(self.each.as_deref())
    }

    /// The need of every element of an array: `None` when no element is needed (an array
    /// without elements holds as one with them).
    pub fn element(&self) -> Option<&Need> {
        if self.whole {
            return Some(self);
        }
        self.each.as_deref()
    }

    /// What `self` and `other` need together.
    pub fn merge(&mut self, other: &Need) {
        self.whole |= other.whole;
        for (k, n) in &other.keys {
            self.keys.entry(k.clone()).or_default().merge(n);
        }
        if let Some(each) = &other.each {
            self.each.get_or_insert_with(Box::default).merge(each);
        }
    }

    fn add(&mut self, path: &[Step], usage: Use) {
        let mut at = self;
        for step in path {
            at = match step {
                Step::Key(k) => at.keys.entry(k.clone()).or_default(),
                Step::Each => at.each.get_or_insert_with(Box::default),
            };
        }
        match usage {
            Use::Whole => at.whole = true,
            Use::Present => {}
            Use::Entries => {
                at.each.get_or_insert_with(Box::default);
            }
        }
    }

    /// Folds what every entry needs into each named key's need, and drops what lies below
    /// a whole value. Folding copies a subtree into every key beside it, which nested a few
    /// levels deep multiplies (policies are data from the scanned repository): past
    /// [`MAX_NODES`] copied the whole value is needed instead.
    pub fn finish(&mut self) {
        let mut budget = MAX_NODES;
        if !self.finish_within(&mut budget) {
            *self = Need {
                whole: true,
                ..Need::default()
            };
        }
    }

    fn finish_within(&mut self, budget: &mut usize) -> bool {
        if self.whole {
            self.keys.clear();
            self.each = None;
            return true;
        }
        if let Some(each) = &mut self.each {
            if !each.finish_within(budget) {
                return false;
            }
            let size = each.size();
            for n in self.keys.values_mut() {
                match budget.checked_sub(size) {
                    Some(left) => *budget = left,
                    None => return false,
                }
                n.merge(each);
            }
        }
        self.keys.values_mut().all(|n| n.finish_within(budget))
    }

    /// Nodes of the tree.
    fn size(&self) -> usize {
        1 + self.keys.values().map(Need::size).sum::<usize>()
            + self.each.as_ref().map_or(0, |e| e.size())
    }

    /// Adds the value at `path` (keys from `input`, as rule indexing reads them): whole, or
    /// only whether it is there.
    pub fn add_keys(&mut self, path: &[regorus::Value], whole: bool) {
        let steps: Option<Path> = path
            .iter()
            .map(|k| k.as_string().ok().map(|s| Step::Key(s.as_ref().into())))
            .collect();
        match steps {
            Some(steps) => self.add(&steps, if whole { Use::Whole } else { Use::Present }),
            // A key that is not a string: keep everything.
            None => self.whole = true,
        }
    }
}

/// What the file whose syntax tree (regorus's `get_ast_as_json`) is `ast` needs of its input
/// documents, before [`Need::finish`]; `None` when it may read the whole document.
pub fn input_needs(ast: &Json, text: &str) -> Option<Need> {
    for module in ast.as_array()? {
        let imports = module.pointer("/ast/imports").and_then(Json::as_array);
        for import in imports.into_iter().flatten() {
            // `import input.resource as r`: references through `r` are not seen as `input`.
            let root = root_name(import.get("refr")?);
            if root != Some("rego") && root != Some("future") {
                return None;
            }
        }
    }
    let locals = bound_locals(ast)?;
    let mut found = Found {
        text,
        locals,
        need: Need::default(),
        added: 0,
    };
    found.visit(ast, &[])?;
    Some(found.need)
}

/// The variable a reference starts from.
fn root_name(expr: &Json) -> Option<&str> {
    let mut at = expr;
    loop {
        if let Some(name) = var_name(at) {
            return Some(name);
        }
        at = at
            .get("RefDot")
            .or_else(|| at.get("RefBrack"))?
            .get("refr")?;
    }
}

/// A binding of a local to a part of the document: `some x in C` (`each`), `x := C`.
struct Binding<'a> {
    name: &'a str,
    collection: &'a Json,
    each: bool,
}

/// The local a `some ... in` literal binds its values to and the collection, when the value
/// is a plain local.
fn some_in(literal: &Json) -> Option<(&str, &Json)> {
    let some = literal.get("SomeIn")?;
    Some((var_name(some.get("value")?)?, some.get("collection")?))
}

/// The local an `x := C` expression binds, and `C`.
fn assign(expr: &Json) -> Option<(&str, &Json)> {
    let a = expr.get("AssignExpr")?;
    (a.get("op")?.as_str()? == "ColEq").then_some(())?;
    Some((var_name(a.get("lhs")?)?, a.get("rhs")?))
}

/// Every local of the file bound to a part of the document, with the paths it may stand for
/// (the union over every binding of the name anywhere in the file); `None` when they cannot
/// be bounded.
fn bound_locals(ast: &Json) -> Option<HashMap<String, Vec<Path>>> {
    let mut bindings = Vec::new();
    collect_bindings(ast, &mut bindings);
    let mut locals: HashMap<String, Vec<Path>> = HashMap::new();
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for b in &bindings {
            if b.name == "input" {
                return None;
            }
            let Some(mut paths) = chain_paths(b.collection, &locals, None).ok()? else {
                continue;
            };
            if b.each {
                paths.iter_mut().for_each(|p| p.push(Step::Each));
            }
            let known = locals.entry(b.name.to_string()).or_default();
            for p in paths {
                if !known.contains(&p) {
                    known.push(p);
                    changed = true;
                }
            }
            if known.len() > MAX_PATHS {
                return None;
            }
        }
        if !changed {
            return Some(locals);
        }
    }
    // Still growing: a local bound through itself.
    None
}

fn collect_bindings<'a>(node: &'a Json, out: &mut Vec<Binding<'a>>) {
    match node {
        Json::Object(map) => {
            if let Some(literal) = map.get("literal") {
                if let Some((name, collection)) = some_in(literal) {
                    if name != "_" {
                        out.push(Binding {
                            name,
                            collection,
                            each: true,
                        });
                    }
                }
                if let Some((name, value)) = literal
                    .get("Expr")
                    .and_then(|e| e.get("expr"))
                    .and_then(assign)
                {
                    out.push(Binding {
                        name,
                        collection: value,
                        each: false,
                    });
                }
            }
            map.values().for_each(|v| collect_bindings(v, out));
        }
        Json::Array(items) => items.iter().for_each(|v| collect_bindings(v, out)),
        _ => {}
    }
}

/// The paths a reference chain stands for when it starts at `input` or at a local bound to
/// the document; `None` when it starts elsewhere. A computed key is every entry (`Each`),
/// unless it is a local of `keys` (taken from constant strings), when it is one path per key.
/// `Err` when the tree is not shaped as expected.
fn chain_paths(
    expr: &Json,
    locals: &HashMap<String, Vec<Path>>,
    keys: Option<&[(String, Vec<regorus::Value>)]>,
) -> Result<Option<Vec<Path>>, ()> {
    let mut steps: Vec<Vec<Step>> = Vec::new();
    let mut at = expr;
    while let Some(step) = ref_step(at).ok_or(())? {
        let choices = match (&step.key, step.computed) {
            (Some(k), _) => vec![Step::Key(k.as_string().map_err(|_| ())?.as_ref().into())],
            (None, Some(index)) => {
                let constant = var_name(index).and_then(|name| {
                    keys?.iter().find(|(n, _)| n == name).map(|(_, values)| {
                        values
                            .iter()
                            .filter_map(|v| v.as_string().ok())
                            .map(|s| Step::Key(s.as_ref().into()))
                            .collect::<Vec<_>>()
                    })
                });
                constant.unwrap_or_else(|| vec![Step::Each])
            }
            (None, None) => return Err(()),
        };
        steps.push(choices);
        at = step.refr;
    }
    let Some(name) = var_name(at) else {
        return Ok(None);
    };
    let mut paths: Vec<Path> = if name == "input" {
        vec![Vec::new()]
    } else {
        match locals.get(name) {
            Some(paths) => paths.clone(),
            None => return Ok(None),
        }
    };
    for choices in steps.iter().rev() {
        paths = paths
            .iter()
            .flat_map(|p| {
                choices.iter().map(move |c| {
                    let mut p = p.clone();
                    p.push(c.clone());
                    p
                })
            })
            .collect();
        if paths.len() > MAX_PATHS {
            return Err(());
        }
    }
    Ok(Some(paths))
}

/// The computed keys of a reference chain: expressions of their own.
fn computed_keys(expr: &Json) -> Vec<&Json> {
    let mut out = Vec::new();
    let mut at = expr;
    while let Some(Some(step)) = ref_step(at) {
        out.extend(step.computed);
        at = step.refr;
    }
    out
}

struct Found<'t> {
    text: &'t str,
    locals: HashMap<String, Vec<Path>>,
    need: Need,
    added: usize,
}

type Keys = [(String, Vec<regorus::Value>)];

impl Found<'_> {
    fn add(&mut self, paths: &[Path], usage: Use) -> Option<()> {
        self.added += paths.len();
        if self.added > MAX_PATHS * 4 {
            return None;
        }
        for p in paths {
            self.need.add(p, usage);
        }
        Some(())
    }

    /// A reference chain used as `usage`, when it starts at `input` or a bound local: its
    /// paths, with its computed keys read as values. `Some(false)` when it starts elsewhere.
    fn chain(&mut self, expr: &Json, keys: &Keys, usage: Use) -> Option<bool> {
        let Some(paths) = chain_paths(expr, &self.locals, Some(keys)).ok()? else {
            return Some(false);
        };
        for index in computed_keys(expr) {
            let constant = var_name(index).is_some_and(|n| keys.iter().any(|(k, _)| k == n));
            if !constant {
                self.visit(index, keys)?;
            }
        }
        self.add(&paths, usage)?;
        Some(true)
    }

    fn visit(&mut self, node: &Json, keys: &Keys) -> Option<()> {
        match node {
            Json::Object(map) => {
                if let Some(stmts) = map.get("stmts").and_then(Json::as_array) {
                    let mut inner = keys.to_vec();
                    inner.extend(constant_keys(stmts, self.text));
                    for stmt in stmts {
                        self.statement(stmt, &inner)?;
                    }
                    for (key, child) in map {
                        if key != "span" && key != "stmts" {
                            self.visit(child, &inner)?;
                        }
                    }
                    return Some(());
                }
                if let Some(name) = var_name(node) {
                    if name == "input" {
                        // `input` outside a reference chain: the whole document.
                        return None;
                    }
                    if let Some(paths) = self.locals.get(name).cloned() {
                        self.add(&paths, Use::Whole)?;
                    }
                    return Some(());
                }
                if map.contains_key("RefDot") || map.contains_key("RefBrack") {
                    if !self.chain(node, keys, Use::Whole)? {
                        let mut root = node;
                        while let Some(Some(step)) = ref_step(root) {
                            if let Some(index) = step.computed {
                                self.visit(index, keys)?;
                            }
                            root = step.refr;
                        }
                        self.visit(root, keys)?;
                    }
                    return Some(());
                }
                if let Some(call) = map.get("Call") {
                    // `count(x)` reads how many entries `x` has.
                    let params = call.get("params").and_then(Json::as_array);
                    if let (Some("count"), Some([param])) = (
                        call.get("fcn").and_then(var_name),
                        params.map(Vec::as_slice),
                    ) {
                        if self.chain(param, keys, Use::Entries)? {
                            return Some(());
                        }
                        // `count([t | ...])` counts the solutions of the body that define
                        // `t`, whatever its value (an array keeps equal elements, where a set
                        // would not).
                        if let Some(compr) = param.get("ArrayCompr") {
                            let term = compr.get("term")?;
                            if !(is_chain(term) && self.chain(term, keys, Use::Present)?) {
                                self.visit(term, keys)?;
                            }
                            return self.visit(compr.get("query")?, keys);
                        }
                    }
                }
                for (key, child) in map {
                    if key != "span" {
                        self.visit(child, keys)?;
                    }
                }
                Some(())
            }
            Json::Array(items) => items.iter().try_for_each(|i| self.visit(i, keys)),
            _ => Some(()),
        }
    }

    /// One statement of a body: the literals that use a reference other than as a value.
    fn statement(&mut self, stmt: &Json, keys: &Keys) -> Option<()> {
        let literal = stmt.get("literal");
        let expr = literal
            .and_then(|l| l.get("Expr"))
            .and_then(|e| e.get("expr"));
        let handled = if let Some(expr) = expr.filter(|e| is_chain(e)) {
            // A reference alone: only whether it holds there.
            self.chain(expr, keys, Use::Present)?
        } else if let Some((_, collection)) = literal.and_then(some_in) {
            // `some x in C`: C's entries; what is read through `x` is read where `x` is used.
            let some = literal.and_then(|l| l.get("SomeIn"))?;
            let done = is_chain(collection) && self.chain(collection, keys, Use::Entries)?;
            if done {
                if let Some(key) = some.get("key").filter(|k| !k.is_null()) {
                    if var_name(key).is_none() {
                        self.visit(key, keys)?;
                    }
                }
            }
            done
        } else if let Some((_, value)) = expr.and_then(assign) {
            // `x := C`: C is defined; what is read through `x` is read where `x` is used.
            is_chain(value) && self.chain(value, keys, Use::Present)?
        } else {
            false
        };
        if !handled {
            return self.visit(stmt, keys);
        }
        if let Some(mods) = stmt.get("with_mods") {
            self.visit(mods, keys)?;
        }
        Some(())
    }
}

fn is_chain(expr: &Json) -> bool {
    expr.get("RefDot").is_some() || expr.get("RefBrack").is_some() || var_name(expr).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(text: &str) -> Option<Need> {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy("p.rego".to_string(), text.to_string())
            .unwrap();
        let ast = serde_json::from_str(&engine.get_ast_as_json().unwrap()).unwrap();
        input_needs(&ast, text).map(|mut n| {
            n.finish();
            n
        })
    }

    /// The need as lines `path: whole|present|entries`, sorted.
    fn describe(need: &Need) -> Vec<String> {
        fn walk(n: &Need, at: String, out: &mut Vec<String>) {
            let kind = if n.whole {
                "whole"
            } else if n.each.is_some() {
                "entries"
            } else {
                "present"
            };
            if !at.is_empty() {
                out.push(format!("{at}: {kind}"));
            }
            for (k, c) in &n.keys {
                walk(c, format!("{at}.{k}"), out);
            }
            if let Some(e) = &n.each {
                if e.whole || !e.keys.is_empty() || e.each.is_some() {
                    walk(e, format!("{at}[*]"), out);
                }
            }
        }
        let mut out = Vec::new();
        walk(need, String::new(), &mut out);
        out.sort();
        out
    }

    fn assert_lines(text: &str, expected: &[&str]) {
        let mut expected: Vec<String> = expected.iter().map(|l| l.to_string()).collect();
        expected.sort();
        assert_eq!(lines(text), expected, "{text}");
    }

    fn lines(text: &str) -> Vec<String> {
        describe(&needs(text).expect("projected"))
    }

    /// A value built with a need keeps the values read whole, the entries of what is counted
    /// or iterated, scalars, and objects and arrays (emptied) where only their truth is read.
    #[test]
    fn projected_values_keep_what_is_needed() {
        use crate::rego_value::Builder;
        let need = needs("package main\nimport rego.v1\n\ndeny contains 1 if {\n  input.a.b == 1\n  count(input.c) > 0\n  some x in input.d\n  x.e\n  input.f\n  input.g\n}\n").unwrap();
        let doc = serde_json::json!({
            "a": {"b": {"deep": 1}, "z": 2},
            "c": [{"k": 1}, 2, "s"],
            "d": {"p": {"e": [1], "q": 3}, "r": 4},
            "f": [1, 2],
            "g": false,
            "h": 5
        });
        let expected = serde_json::json!({
            "a": {"b": {"deep": 1}},
            "c": [{}, 2, "s"],
            "d": {"p": {"e": []}, "r": 4},
            "f": [],
            "g": false
        });
        assert_eq!(
            Builder::default().projected(&doc, &need),
            Builder::default().value(&expected)
        );
    }

    #[test]
    fn constant_paths_need_their_values_only() {
        assert_lines(
            "package main\nimport rego.v1\n\ndeny contains \"x\" if {\n  input.resource\n  rt := input.resource.model.runtime\n  not rt in {\"a\"}\n  some k in [\"Timeout\", \"timeout\"]\n  input.resource.properties[k] > 300\n}\n",
            &[
                ".resource: present",
                ".resource.model: present",
                ".resource.model.runtime: whole",
                ".resource.properties: present",
                ".resource.properties.Timeout: whole",
                ".resource.properties.timeout: whole",
            ]
        );
    }

    #[test]
    fn locals_bound_to_the_document_read_through_it() {
        // The bench's deployment-unit policies: iteration, counting, a head reading a local
        // of its body, a comprehension, a local bound through another.
        assert_lines(
            "package main\nimport rego.v1\n\nwarn contains \"big\" if count(input.resources) > 50\n\nwarn contains {\"msg\": \"f\", \"resource\": f.address} if {\n  some f in input.resources\n  f.model.kind == \"lambda-function\"\n  not referenced(f.address)\n}\n\nreferenced(addr) if {\n  some r in input.references\n  r.from == addr\n}\n\ndeny contains {\"resource\": i.address} if {\n  phi := {r.address | some r in input.resources; r.classification == \"PHI\"}\n  some i in input.identities\n  some a in i.data_access\n  \"read\" in a.verbs\n  some t in a.targets\n  t in phi\n  count(a.targets) == 0\n}\n",
            &[
                ".identities: entries",
                ".identities[*]: present",
                ".identities[*].address: whole",
                ".identities[*].data_access: entries",
                ".identities[*].data_access[*]: present",
                ".identities[*].data_access[*].targets: entries",
                ".identities[*].data_access[*].targets[*]: whole",
                ".identities[*].data_access[*].verbs: whole",
                // `r` is bound to both lists: either is read as both.
                ".references: entries",
                ".references[*]: present",
                ".references[*].address: whole",
                ".references[*].classification: whole",
                ".references[*].from: whole",
                ".resources: entries",
                ".resources[*]: present",
                ".resources[*].address: whole",
                ".resources[*].classification: whole",
                ".resources[*].from: whole",
                ".resources[*].model: present",
                ".resources[*].model.kind: whole",
            ]
        );
    }

    #[test]
    fn counting_an_array_comprehension_reads_its_body() {
        assert_lines(
            "package main\nimport rego.v1\n\nwarn contains \"no key\" if {\n  count([r | some r in input.resources; r.model.kind == \"kms-key\"]) == 0\n}\n",
            &[".resources: entries", ".resources[*]: present", ".resources[*].model: present", ".resources[*].model.kind: whole"],
        );
    }

    /// Keys beside every-entry reads, nested: folding would copy 60 x 60 x 60 nodes.
    #[test]
    fn a_need_too_large_to_fold_is_the_whole_value() {
        let mut text = String::from("package main\nimport rego.v1\n\ndeny contains 1 if {\n  some i, j, l\n  input[i][j][l].q == 1\n");
        for n in 0..60 {
            text.push_str(&format!(
                "  input.a{n}.q == 1\n  input[i].b{n}.q == 1\n  input[i][j].c{n}.q == 1\n"
            ));
        }
        text.push_str("}\n");
        let started = std::time::Instant::now();
        let need = needs(&text).unwrap();
        assert!(need.whole, "{}", need.size());
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn values_used_whole_are_needed_whole() {
        for (text, path) in [
            ("deny contains 1 if {\n  x := input.resource\n  is_object(x)\n}\n", ".resource: whole"),
            ("deny contains 1 if {\n  some k in object.keys(input.resource.properties)\n  k == \"a\"\n}\n", ".resource.properties: whole"),
            ("deny contains json.marshal(input.resource.model) if input.resource\n", ".resource.model: whole"),
            ("deny contains 1 if {\n  some k\n  input.resource.properties[k] == 3\n}\n", ".resource.properties[*]: whole"),
            ("deny contains 1 if {\n  some x in input.resources\n  x == {}\n}\n", ".resources[*]: whole"),
            ("deny contains 1 if {\n  input.resource.properties[input.resource.type]\n}\n", ".resource.type: whole"),
            ("deny contains 1 if f(input.resource)\n\nf(r) if r.type\n", ".resource: whole"),
            ("deny contains 1 if {\n  every r in input.resources { r.type }\n}\n", ".resources: whole"),
            ("deny contains 1 if count({r | some r in input.resources}) > 1\n", ".resources[*]: whole"),
            ("deny contains 1 if {\n  [a, b] := input.pair\n  a == b\n}\n", ".pair: whole"),
            ("deny contains 1 if {\n  some [a, b] in input.pairs\n  a == b\n}\n", ".pairs: whole"),
        ] {
            let text = format!("package main\nimport rego.v1\n\n{text}");
            let found = lines(&text);
            assert!(found.contains(&path.to_string()), "{text}: {found:?}");
        }
    }

    #[test]
    fn the_whole_document_is_needed_when_input_is_used_alone() {
        for text in [
            "deny contains 1 if {\n  walk(input, [p, v])\n  v == 1\n}\n",
            "deny contains 1 if {\n  data.main.helper with input as {}\n}\n\nhelper if input.resource.type\n",
            "deny contains 1 if f(input)\n\nf(x) if x.resource\n",
            "deny contains 1 if {\n  some input in [1]\n  input == 1\n}\n",
        ] {
            let text = format!("package main\nimport rego.v1\n\n{text}");
            assert_eq!(needs(&text), None, "{text}");
        }
        // A local bound to `input` itself reads through it as `input` does.
        assert_lines(
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  x := input\n  x.resource.type == 1\n}\n",
            &[".resource: present", ".resource.type: whole"],
        );
        assert_eq!(
            needs("package main\nimport rego.v1\nimport input.resource as r\n\ndeny contains 1 if r.type\n"),
            None
        );
    }
}
