//! Rule indexing, in the spirit of OPA's: before evaluating, find per entry rule the conditions
//! on the input document that every result-producing body of it requires (`input.resource.type
//! == "AWS::S3::Bucket"`, `input.resource.model.kind in {...}`, or merely that `input.resource`
//! or `input.identity.escalation` exists), and evaluate the rule only on documents that meet
//! them. Most policies are about one kind of document and a few resource types, so most
//! (policy, document) pairs are never handed to the interpreter.
//!
//! The analysis must never skip a document that could produce a result. It reads regorus's
//! own syntax tree (as JSON) and only trusts what Rego guarantees: in a body's top-level
//! literal, an undefined reference makes the literal undefined and the body fail. Whenever
//! it is not sure (a `default` or `else`, a function or a rule path under the entry name, a
//! body without any condition, a `with`, a local named `input`), the rule is evaluated on
//! every document.

use regorus::Value;
use serde_json::Value as Json;

/// What one body needs of the input document.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The value at this path (keys from `input`) is defined.
    Defined(Vec<Value>),
    /// The value at this path is one of these constants.
    OneOf(Vec<Value>, Vec<Value>),
    /// A helper rule of the same file holds (`is_function` in a body): one of its bodies'
    /// conditions hold.
    AnyOf(Vec<Vec<Condition>>),
}

impl Condition {
    /// Every path the condition reads, and whether it reads the value there (`true`) or only
    /// whether one is there.
    pub fn paths(&self, found: &mut impl FnMut(&[Value], bool)) {
        match self {
            Condition::Defined(path) => found(path, false),
            Condition::OneOf(path, _) => found(path, true),
            Condition::AnyOf(bodies) => bodies.iter().flatten().for_each(|c| c.paths(found)),
        }
    }

    fn holds(&self, input: &Value) -> bool {
        match self {
            Condition::Defined(path) => !matches!(walk(input, path), Value::Undefined),
            Condition::OneOf(path, values) => {
                let found = walk(input, path);
                values.iter().any(|v| v == found)
            }
            Condition::AnyOf(bodies) => bodies.iter().any(|c| c.iter().all(|c| c.holds(input))),
        }
    }
}

fn walk<'v>(input: &'v Value, path: &[Value]) -> &'v Value {
    let mut at = input;
    for key in path {
        // Only objects are indexed by a string key in Rego; anything else is undefined.
        if !matches!(at, Value::Object(_)) {
            return &Value::Undefined;
        }
        at = &at[key];
    }
    at
}

/// Where an entry rule can produce a result: `None` means anywhere (the analysis was not
/// sure); otherwise one list of conditions per body, of which one list must hold entirely.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Applicability {
    pub bodies: Option<Vec<Vec<Condition>>>,
}

impl Applicability {
    /// Whether the rule can produce a result on `input`.
    pub fn admits(&self, input: &Value) -> bool {
        match &self.bodies {
            None => true,
            Some(bodies) => bodies
                .iter()
                .any(|conditions| conditions.iter().all(|c| c.holds(input))),
        }
    }

    /// Whether some documents may be skipped at all.
    pub fn is_indexed(&self) -> bool {
        self.bodies.is_some()
    }
}

/// The input paths rule indexing reads, each once: every document resolves them once, and
/// the rules' conditions then read the resolved values instead of walking the document again
/// for each (policy, rule) pair (twenty policies mostly read the same three or four paths).
/// Paths sharing a prefix (`input.resource.model.kind`, `input.resource.model.runtime`) walk
/// it once: each prefix is a step from its parent's value, looked up once per document.
#[derive(Debug, Default, Clone)]
pub struct Paths {
    paths: Vec<Vec<Value>>,
    /// Per path, its last step (`None` for the empty path: the document itself).
    ends: Vec<Option<usize>>,
    /// Every prefix of the paths: its parent step (`None` for the document) and key, each
    /// after its parent.
    steps: Vec<(Option<usize>, Value)>,
    /// The steps by parent, parents in step order (the document first), each parent's steps
    /// in key order: the keys looked up in one object are found in one pass over its sorted
    /// entries.
    children: Vec<(Option<usize>, Keys)>,
}

/// The keys looked up in one value, in key order, each with its step.
type Keys = Vec<(Value, usize)>;

impl Paths {
    pub(crate) fn id(&mut self, path: &[Value]) -> usize {
        if let Some(i) = self.paths.iter().position(|p| p == path) {
            return i;
        }
        let mut at = None;
        for key in path {
            at = Some(
                match self
                    .steps
                    .iter()
                    .position(|(parent, k)| *parent == at && k == key)
                {
                    Some(step) => step,
                    None => {
                        self.steps.push((at, key.clone()));
                        let step = self.steps.len() - 1;
                        let group = match self.children.binary_search_by(|(p, _)| p.cmp(&at)) {
                            Ok(g) => g,
                            Err(g) => {
                                self.children.insert(g, (at, Vec::new()));
                                g
                            }
                        };
                        let keys = &mut self.children[group].1;
                        let place = keys.partition_point(|(k, _)| k < key);
                        keys.insert(place, (key.clone(), step));
                        step
                    }
                },
            );
        }
        self.paths.push(path.to_vec());
        self.ends.push(at);
        self.paths.len() - 1
    }

    /// The value at each path in `input` (`Undefined` where there is none), by path id.
    pub fn resolve<'v>(&self, input: &'v Value) -> Vec<&'v Value> {
        let mut values: Vec<&Value> = vec![&Value::Undefined; self.steps.len()];
        // Parents come in step order, so each parent's value is resolved before its keys
        // are looked up in it.
        for (parent, keys) in &self.children {
            let at = parent.map_or(input, |p| values[p]);
            // Only objects are indexed by a key in Rego; anything else is undefined.
            let Value::Object(object) = at else {
                continue;
            };
            if object.len() > 4 * keys.len() {
                // A few keys of a large object: each found by its search.
                for (key, step) in keys {
                    if let Some(v) = object.get(key) {
                        values[*step] = v;
                    }
                }
                continue;
            }
            // Both in key order: one pass over the entries finds every key, where a search
            // per key compared several entries for each.
            let mut entries = object.iter_sorted().peekable();
            for (key, step) in keys {
                while entries.next_if(|(k, _)| *k < key).is_some() {}
                if let Some((_, v)) = entries.peek().filter(|(k, _)| *k == key) {
                    values[*step] = v;
                }
            }
        }
        self.ends
            .iter()
            .map(|end| end.map_or(input, |e| values[e]))
            .collect()
    }
}

/// A [`Condition`] whose path is read from the document's resolved paths.
#[derive(Debug, Clone)]
enum Check {
    Defined(usize),
    OneOf(usize, Vec<Value>),
    AnyOf(Vec<Vec<Check>>),
}

impl Check {
    fn holds(&self, resolved: &[&Value]) -> bool {
        match self {
            Check::Defined(id) => !matches!(resolved[*id], Value::Undefined),
            Check::OneOf(id, values) => values.iter().any(|v| v == resolved[*id]),
            Check::AnyOf(bodies) => bodies
                .iter()
                .any(|body| body.iter().all(|c| c.holds(resolved))),
        }
    }

    fn compile(condition: &Condition, paths: &mut Paths) -> Check {
        match condition {
            Condition::Defined(path) => Check::Defined(paths.id(path)),
            Condition::OneOf(path, values) => Check::OneOf(paths.id(path), values.clone()),
            Condition::AnyOf(bodies) => Check::AnyOf(
                bodies
                    .iter()
                    .map(|body| body.iter().map(|c| Check::compile(c, paths)).collect())
                    .collect(),
            ),
        }
    }
}

/// An [`Applicability`] over resolved paths (see [`Paths`]): what [`Applicability::admits`]
/// says, without walking the document.
#[derive(Debug, Clone, Default)]
pub struct Compiled(Option<Vec<Vec<Check>>>);

impl Compiled {
    /// Whether the rule can produce a result on the document whose paths resolved to
    /// `resolved` (from [`Paths::resolve`] of the table this was compiled with).
    pub fn admits(&self, resolved: &[&Value]) -> bool {
        match &self.0 {
            None => true,
            Some(bodies) => bodies
                .iter()
                .any(|body| body.iter().all(|c| c.holds(resolved))),
        }
    }
}

/// What rule indexing can tell apart in a document: for each path a condition reads, whether
/// the value there is defined and which of the constants compared with it (if any) it equals.
/// [`Check`]s observe nothing else, so documents with the same [`Observed::signature`] are
/// admitted by exactly the same rules: admission is worked out once per signature (a few
/// dozen on a scan: resource kinds and types) instead of once per (rule, document), where each
/// check followed the document's values in memory (a sixth of the Rego threads' time).
#[derive(Debug, Default, Clone)]
pub struct Observed {
    /// Per path read by a condition: its id in the [`Paths`] table and the distinct constants
    /// compared with it.
    paths: Vec<(usize, Vec<Value>)>,
}

impl Observed {
    /// Add what `compiled`'s conditions read.
    pub fn add(&mut self, compiled: &Compiled) {
        for body in compiled.0.iter().flatten() {
            for check in body {
                self.add_check(check);
            }
        }
    }

    fn add_check(&mut self, check: &Check) {
        let (id, values) = match check {
            Check::Defined(id) => (*id, &[][..]),
            Check::OneOf(id, values) => (*id, values.as_slice()),
            Check::AnyOf(bodies) => {
                for check in bodies.iter().flatten() {
                    self.add_check(check);
                }
                return;
            }
        };
        let at = match self.paths.iter().position(|(p, _)| *p == id) {
            Some(at) => at,
            None => {
                self.paths.push((id, Vec::new()));
                self.paths.len() - 1
            }
        };
        let constants = &mut self.paths[at].1;
        for v in values {
            if !constants.contains(v) {
                constants.push(v.clone());
            }
        }
    }

    /// The document's signature, from its resolved paths: per observed path, 0 when the
    /// value is undefined, else 1 + the index of the constant it equals, or 1 + the number of
    /// constants when it equals none.
    pub fn signature(&self, resolved: &[&Value]) -> Vec<u32> {
        self.paths
            .iter()
            .map(|(id, constants)| {
                let v = resolved[*id];
                if matches!(v, Value::Undefined) {
                    return 0;
                }
                let k = constants
                    .iter()
                    .position(|c| c == v)
                    .unwrap_or(constants.len());
                u32::try_from(k + 1).unwrap_or(u32::MAX)
            })
            .collect()
    }
}

impl Applicability {
    /// This applicability over `paths`, which it adds its paths to.
    pub fn compile(&self, paths: &mut Paths) -> Compiled {
        Compiled(self.bodies.as_ref().map(|bodies| {
            bodies
                .iter()
                .map(|body| body.iter().map(|c| Check::compile(c, paths)).collect())
                .collect()
        }))
    }
}

/// The applicability of entry rule `name` of the policy file `text`, whose syntax tree is
/// `ast` (regorus's `get_ast_as_json` of an engine holding that file only).
///
/// `helpers`: whether helper rules of the file may be read as conditions; not when another
/// file of the same package may add bodies to them.
pub fn applicability(ast: &Json, text: &str, name: &str, helpers: bool) -> Applicability {
    let rules: Vec<&Json> = ast
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|module| {
            module
                .pointer("/ast/rules")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
        })
        .collect();
    let file = File {
        rules,
        text,
        helpers,
    };
    match file.bodies(name, 0) {
        Some(bodies) if bodies.iter().all(|b| !b.is_empty()) => Applicability {
            bodies: Some(bodies),
        },
        _ => Applicability::default(),
    }
}

/// Most helper rules followed from an entry rule's body (through each other).
const MAX_HELPER_DEPTH: usize = 8;

/// The rules of one policy file and its text (spans are offsets into it).
struct File<'a> {
    rules: Vec<&'a Json>,
    text: &'a str,
    helpers: bool,
}

impl File<'_> {
    /// The conditions of each body of rule `name`: `None` when the analysis cannot say what
    /// makes the rule defined.
    ///
    /// For an entry rule (`depth` 0) the conditions are those of producing a result; for a
    /// helper used as a condition, of being defined, which only complete rules need a body
    /// for (a partial set is defined, as an empty set, when none holds).
    fn bodies(&self, name: &str, depth: usize) -> Option<Vec<Vec<Condition>>> {
        let mut bodies = Vec::new();
        let mut seen = false;
        for rule in &self.rules {
            let root = rule_root(rule)?;
            if root.0 != name {
                continue;
            }
            seen = true;
            // `default deny := ...`, a function named like the entry, or a rule defining a
            // path under it (`deny.x contains ...`): their values do not come from bodies
            // this analysis reads.
            let spec = rule.get("Spec")?;
            match root.1 {
                Head::Complete => {}
                Head::Partial if depth == 0 => {}
                _ => return None,
            }
            let list = spec.get("bodies")?.as_array()?;
            if list.is_empty() {
                return None;
            }
            for body in list {
                if body.get("is_else").and_then(Json::as_bool) != Some(false) {
                    return None;
                }
                bodies.push(self.query_conditions(body.get("query")?, depth)?);
            }
        }
        seen.then_some(bodies)
    }
}

/// The name a rule defines and whether it defines exactly that name (`deny`, `deny contains
/// x`, `deny[x]`) rather than a function or a deeper path. `None` when the head is not
/// understood.
fn rule_root(rule: &Json) -> Option<(String, Head)> {
    let (refr, kind) = if let Some(spec) = rule.get("Spec") {
        let head = spec.get("head")?;
        if let Some(set) = head.get("Set") {
            (set.get("refr")?, Head::Partial)
        } else if let Some(compr) = head.get("Compr") {
            let refr = compr.get("refr")?;
            // v0 `deny[msg] { ... }` is a partial set written as a bracket on the name.
            match refr.get("RefBrack") {
                Some(b) if b.get("refr").and_then(var_name).is_some() => {
                    (b.get("refr")?, Head::Partial)
                }
                _ => (refr, Head::Complete),
            }
        } else {
            (head.get("Func")?.get("refr")?, Head::Other)
        }
    } else {
        (rule.get("Default")?.get("refr")?, Head::Other)
    };
    if let Some(name) = var_name(refr) {
        return Some((name.to_string(), kind));
    }
    // A deeper path: its first name is the one it defines under.
    let mut at = refr;
    loop {
        if let Some(name) = var_name(at) {
            return Some((name.to_string(), Head::Other));
        }
        at = at
            .get("RefDot")
            .or_else(|| at.get("RefBrack"))?
            .get("refr")?;
    }
}

/// What a rule head defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Head {
    /// `name := value if ...`, `name if ...`: undefined unless a body holds.
    Complete,
    /// `name contains x if ...`, v0 `name[x] { ... }`: always defined, empty unless a body
    /// holds.
    Partial,
    /// A function, a `default`, or a path under the name.
    Other,
}

pub(super) fn var_name(expr: &Json) -> Option<&str> {
    expr.get("Var")?.get("value")?.as_str()
}

impl File<'_> {
    /// What the top-level literals of `query` require; `None` when the body binds a local
    /// named `input` (then references to `input` are not the document).
    fn query_conditions(&self, query: &Json, depth: usize) -> Option<Vec<Condition>> {
        let text = self.text;
        let stmts = query.get("stmts")?.as_array()?;
        if stmts.iter().any(|s| binds(s, text, "input")) {
            return None;
        }
        let keys = constant_keys(stmts, text);
        let mut out = Vec::new();
        for stmt in stmts {
            // `with` replaces the document for its literal only.
            if stmt
                .get("with_mods")
                .and_then(Json::as_array)
                .is_some_and(|w| !w.is_empty())
            {
                continue;
            }
            let literal = stmt.get("literal")?;
            if let Some(e) = literal.get("Expr") {
                let expr = e.get("expr")?;
                if let Some(c) = equality(expr) {
                    out.push(c);
                }
                // A helper rule of this file used as a condition (`is_function`), unless the body
                // has a local of that name.
                if let Some(helper) = var_name(expr).filter(|n| *n != "input") {
                    if self.helpers
                        && depth < MAX_HELPER_DEPTH
                        && !stmts.iter().any(|s| binds(s, text, helper))
                    {
                        if let Some(bodies) = self.bodies(helper, depth + 1) {
                            if bodies.iter().all(|b| !b.is_empty()) {
                                out.push(Condition::AnyOf(bodies));
                            }
                        }
                    }
                }
                defined_refs(expr, &keys, &mut out);
            } else if let Some(s) = literal.get("SomeIn") {
                // `some x in input.list`: an undefined collection gives no iteration.
                if let Some(collection) = s.get("collection") {
                    defined_refs(collection, &keys, &mut out);
                }
            }
            // `not ...`, `every ...` and `some x` require nothing of the document.
        }
        Some(out)
    }
}

/// Locals that take their values from a list of constant strings only (`some k in
/// ["Timeout", "timeout"]`, the one statement of the body that binds `k`): a reference
/// `input.resource.properties[k]` in the body is then defined only where one of
/// `input.resource.properties.Timeout` and `input.resource.properties.timeout` is.
pub(super) fn constant_keys(stmts: &[Json], text: &str) -> Vec<(String, Vec<Value>)> {
    let mut out = Vec::new();
    for stmt in stmts {
        let Some(some) = stmt.get("literal").and_then(|l| l.get("SomeIn")) else {
            continue;
        };
        if !some.get("key").is_none_or(Json::is_null) {
            continue;
        }
        let Some(name) = some.get("value").and_then(var_name) else {
            continue;
        };
        let Some(items) = some
            .get("collection")
            .and_then(|c| c.get("Array").or_else(|| c.get("Set")))
            .and_then(|c| c.get("items"))
            .and_then(Json::as_array)
        else {
            continue;
        };
        let Some(values) = items
            .iter()
            .map(|i| constant(i).filter(|v| v.as_string().is_ok()))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let binders = stmts.iter().filter(|s| binds(s, text, name)).count();
        if binders == 1 && !values.is_empty() && name != "_" {
            out.push((name.to_string(), values));
        }
    }
    out
}

/// Whether `stmt` declares a variable named `name` anywhere.
fn binds(stmt: &Json, text: &str, name: &str) -> bool {
    match stmt {
        Json::Object(map) => {
            if let Some(some) = map.get("SomeVars") {
                if some
                    .get("vars")
                    .and_then(Json::as_array)
                    .is_some_and(|v| v.iter().any(|s| span_is(s, text, name)))
                {
                    return true;
                }
            }
            if let Some(every) = map.get("Every") {
                let named = |k: &str| every.get(k).is_some_and(|s| span_is(s, text, name));
                if named("key") || named("value") {
                    return true;
                }
            }
            for key in ["SomeIn", "AssignExpr", "Membership"] {
                if let Some(node) = map.get(key) {
                    for side in ["key", "value", "lhs"] {
                        if node.get(side).and_then(var_name) == Some(name) {
                            return true;
                        }
                    }
                }
            }
            map.values().any(|v| binds(v, text, name))
        }
        Json::Array(items) => items.iter().any(|v| binds(v, text, name)),
        _ => false,
    }
}

fn span_is(span: &Json, text: &str, name: &str) -> bool {
    let at = |k: &str| span.get(k).and_then(Json::as_u64).map(|n| n as usize);
    match (at("start"), at("end")) {
        (Some(start), Some(end)) => text.get(start..end) == Some(name),
        // Not understood: assume the worst.
        _ => true,
    }
}

/// `input.a.b == "x"`, `"x" == input.a.b`, `input.a.b = "x"`, `input.a.b in {"x", "y"}`.
fn equality(expr: &Json) -> Option<Condition> {
    if let Some(b) = expr.get("BoolExpr") {
        if b.get("op")?.as_str()? != "Eq" {
            return None;
        }
        return pair(b.get("lhs")?, b.get("rhs")?);
    }
    if let Some(a) = expr.get("AssignExpr") {
        // `=` unifies; `:=` binds a local and is never written with `input` on the left.
        if a.get("op")?.as_str()? != "Eq" {
            return None;
        }
        return pair(a.get("lhs")?, a.get("rhs")?);
    }
    if let Some(m) = expr.get("Membership") {
        if !m.get("key").is_none_or(Json::is_null) {
            return None;
        }
        let path = input_path(m.get("value")?)?.0;
        let collection = m.get("collection")?;
        let items = collection
            .get("Set")
            .or_else(|| collection.get("Array"))?
            .get("items")?
            .as_array()?;
        let values = items.iter().map(constant).collect::<Option<Vec<_>>>()?;
        return Some(Condition::OneOf(path, values));
    }
    None
}

fn pair(lhs: &Json, rhs: &Json) -> Option<Condition> {
    let (refr, value) = match (input_path(lhs), input_path(rhs)) {
        (Some((path, true)), None) => (path, constant(rhs)?),
        (None, Some((path, true))) => (path, constant(lhs)?),
        _ => return None,
    };
    Some(Condition::OneOf(refr, vec![value]))
}

/// A string or boolean written as a literal. Numbers are left out: Rego compares `1` and
/// `1.0` as equal, and a skipped document must be one that surely differs.
fn constant(expr: &Json) -> Option<Value> {
    let v = expr
        .get("String")
        .or_else(|| expr.get("RawString"))
        .or_else(|| expr.get("Bool"))?
        .get("value")?;
    match v {
        Json::String(s) => Some(Value::from(s.as_str())),
        Json::Bool(b) => Some(Value::from(*b)),
        _ => None,
    }
}

/// The keys of a reference rooted at `input` up to its first step that is not a constant
/// string, and whether every step was one (the whole reference is that path).
fn input_path(expr: &Json) -> Option<(Vec<Value>, bool)> {
    let mut steps: Vec<Option<Value>> = Vec::new();
    let mut at = expr;
    loop {
        if let Some(name) = var_name(at) {
            if name != "input" {
                return None;
            }
            break;
        }
        let step = super::reads::ref_step(at)??;
        steps.push(step.key);
        at = step.refr;
    }
    steps.reverse();
    let whole = steps.iter().all(Option::is_some);
    let path: Vec<Value> = steps.into_iter().map_while(|s| s).collect();
    Some((path, whole))
}

/// The constant keys of a reference rooted at `input` and the local it is indexed by right
/// after them (`input.a.b[k]`: `["a", "b"]` and `k`).
fn keyed_by_local(expr: &Json) -> Option<(Vec<Value>, &str)> {
    let mut at = expr;
    let mut local = None;
    loop {
        if let Some(brack) = at.get("RefBrack") {
            if let Some(name) = brack.get("index").and_then(var_name) {
                local = Some((brack.get("refr")?, name));
            }
            at = brack.get("refr")?;
        } else if let Some(dot) = at.get("RefDot") {
            at = dot.get("refr")?;
        } else {
            break;
        }
    }
    // The innermost local index: what comes before it must be constant keys.
    let (refr, name) = local?;
    match input_path(refr)? {
        (path, true) => Some((path, name)),
        _ => None,
    }
}

/// Every reference to `input` in `expr` outside comprehensions (whose bodies may be empty
/// without failing the literal): each must be defined for the literal to hold. A reference
/// indexed by a local of `keys` must be defined at one of the local's values.
fn defined_refs(expr: &Json, keys: &[(String, Vec<Value>)], out: &mut Vec<Condition>) {
    if let Some((path, _)) = input_path(expr) {
        if !path.is_empty() {
            out.push(Condition::Defined(path));
        }
        // Indexes inside the reference (`input.a[input.b]`) are references too.
    }
    if let Some((path, local)) = keyed_by_local(expr) {
        if let Some((_, values)) = keys.iter().find(|(name, _)| name == local) {
            let any = values
                .iter()
                .map(|v| {
                    let mut at = path.clone();
                    at.push(v.clone());
                    vec![Condition::Defined(at)]
                })
                .collect();
            out.push(Condition::AnyOf(any));
        }
    }
    match expr {
        Json::Object(map) => {
            for (kind, node) in map {
                if matches!(kind.as_str(), "ArrayCompr" | "SetCompr" | "ObjectCompr") {
                    continue;
                }
                match kind.as_str() {
                    // Spans and constant values hold no reference.
                    "span" | "value" | "field" | "eidx" => {}
                    _ => defined_refs(node, keys, out),
                }
            }
        }
        Json::Array(items) => {
            for item in items {
                defined_refs(item, keys, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(text: &str, name: &str, v0: bool) -> Applicability {
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(v0);
        engine
            .add_policy("p.rego".to_string(), text.to_string())
            .unwrap();
        let ast = serde_json::from_str(&engine.get_ast_as_json().unwrap()).unwrap();
        applicability(&ast, text, name, true)
    }

    fn doc(json: &str) -> Value {
        Value::from_json_str(json).unwrap()
    }

    /// A reference indexed by a local taken from constant keys is defined only where one of
    /// the keys is; a local bound a second time, or a negated literal, requires nothing.
    #[test]
    fn locals_from_constant_keys_narrow_the_reference() {
        let a = index("package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k in [\"Timeout\", \"timeout\"]\n  input.resource.properties[k] > 300\n}\n", "deny", false);
        assert!(a.admits(&doc(r#"{"resource": {"properties": {"Timeout": 900}}}"#)));
        assert!(a.admits(&doc(r#"{"resource": {"properties": {"timeout": 900}}}"#)));
        assert!(!a.admits(&doc(r#"{"resource": {"properties": {"Runtime": "x"}}}"#)));
        for unsure in [
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k in [\"Timeout\", \"timeout\"]\n  k = input.resource.type\n  input.resource.properties[k]\n}\n",
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k in [\"Timeout\", \"timeout\"]\n  not input.resource.properties[k]\n}\n",
            "package main\nimport rego.v1\n\ndeny contains 1 if {\n  some k in [\"Timeout\", 3]\n  input.resource.properties[k]\n}\n",
        ] {
            let a = index(unsure, "deny", false);
            assert!(
                a.admits(&doc(
                    r#"{"resource": {"type": "x", "properties": {"Runtime": "x"}}}"#
                )),
                "{unsure}"
            );
        }
    }

    /// Compiled over resolved paths, an applicability admits exactly what it admits over
    /// the document itself.
    #[test]
    fn compiled_conditions_admit_what_the_walk_admits() {
        let a = index("package main\n\ndeny contains \"x\" if {\n  input.resource.type == \"AWS::S3::Bucket\"\n  not input.resource.properties.BucketEncryption\n}\n\ndeny contains \"y\" if {\n  is_queue\n}\n\nis_queue if input.resource.model.kind in {\"sqs-queue\", \"sns-topic\"}\n\nis_queue if input.identity.escalation\n", "deny", false);
        let b = index("package main\n\nwarn contains \"z\" if {\n  input.resource.type == \"AWS::SQS::Queue\"\n}\n", "warn", false);
        let mut paths = Paths::default();
        let (ca, cb) = (a.compile(&mut paths), b.compile(&mut paths));
        // `input.resource.type` is read by both rules and resolved once (with the prefixes
        // the analysis also requires: `input.resource`, `input.identity`).
        assert_eq!(paths.paths.len(), 5, "{paths:?}");
        for json in [
            r#"{"resource": {"type": "AWS::S3::Bucket"}}"#,
            r#"{"resource": {"type": "AWS::SQS::Queue"}}"#,
            r#"{"resource": {"model": {"kind": "sns-topic"}}}"#,
            r#"{"resource": {"model": {"kind": "s3-bucket"}}}"#,
            r#"{"identity": {"escalation": []}}"#,
            r#"{"identity": {}}"#,
            r#"{"resource": 3}"#,
        ] {
            let input = doc(json);
            let resolved = paths.resolve(&input);
            assert_eq!(ca.admits(&resolved), a.admits(&input), "{json}");
            assert_eq!(cb.admits(&resolved), b.admits(&input), "{json}");
        }
        assert!(Applicability::default().compile(&mut paths).admits(&[]));
    }

    /// Documents of one signature are admitted by the same rules, and documents the rules
    /// tell apart have different signatures.
    #[test]
    fn documents_of_one_signature_are_admitted_alike() {
        let a = index("package main\n\ndeny contains \"x\" if {\n  input.resource.type == \"AWS::S3::Bucket\"\n}\n\ndeny contains \"y\" if {\n  is_queue\n}\n\nis_queue if input.resource.model.kind in {\"sqs-queue\", \"sns-topic\"}\n\nis_queue if input.identity.escalation\n", "deny", false);
        let b = index("package main\n\nwarn contains \"z\" if {\n  input.resource.model.kind == \"sqs-queue\"\n  input.resource.tags\n}\n", "warn", false);
        let mut paths = Paths::default();
        let (ca, cb) = (a.compile(&mut paths), b.compile(&mut paths));
        let mut observed = Observed::default();
        observed.add(&ca);
        observed.add(&cb);
        let docs: Vec<Value> = [
            r#"{"resource": {"type": "AWS::S3::Bucket"}}"#,
            r#"{"resource": {"type": "AWS::S3::Bucket", "x": 1}}"#,
            r#"{"resource": {"type": "AWS::SQS::Queue"}}"#,
            r#"{"resource": {"type": "AWS::SNS::Topic"}}"#,
            r#"{"resource": {"model": {"kind": "sqs-queue"}}}"#,
            r#"{"resource": {"model": {"kind": "sqs-queue"}, "tags": {}}}"#,
            r#"{"resource": {"model": {"kind": "sns-topic"}, "tags": {}}}"#,
            r#"{"resource": {"model": {"kind": "s3-bucket"}}}"#,
            r#"{"identity": {"escalation": []}}"#,
            r#"{"identity": {"escalation": false}}"#,
            r#"{"identity": {}}"#,
            r#"{"resource": 3}"#,
            r#"{}"#,
        ]
        .iter()
        .map(|j| doc(j))
        .collect();
        let resolved: Vec<Vec<&Value>> = docs.iter().map(|d| paths.resolve(d)).collect();
        let signatures: Vec<Vec<u32>> = resolved.iter().map(|r| observed.signature(r)).collect();
        let admitted = |r: &[&Value]| (ca.admits(r), cb.admits(r));
        for (i, ri) in resolved.iter().enumerate() {
            for (j, rj) in resolved.iter().enumerate() {
                if signatures[i] == signatures[j] {
                    assert_eq!(admitted(ri), admitted(rj), "{i} {j}");
                }
                if admitted(ri) != admitted(rj) {
                    assert_ne!(signatures[i], signatures[j], "{i} {j}");
                }
            }
        }
        // The two buckets differ in nothing the rules read.
        assert_eq!(signatures[0], signatures[1]);
    }

    /// Paths sharing prefixes resolve to what walking each from the document finds.
    #[test]
    fn resolved_paths_are_what_walking_finds() {
        let keys = |p: &[&str]| p.iter().map(|k| Value::from(*k)).collect::<Vec<_>>();
        let table = [
            keys(&["resource", "model", "kind"]),
            keys(&["resource", "model", "runtime"]),
            keys(&["resource"]),
            keys(&[]),
            keys(&["resource", "model"]),
            keys(&["identity", "public"]),
            keys(&["resource", "model", "kind"]),
        ];
        let mut paths = Paths::default();
        let ids: Vec<usize> = table.iter().map(|p| paths.id(p)).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5, 0]);
        // resource, model, kind, runtime, identity, public.
        assert_eq!(paths.steps.len(), 6, "{paths:?}");
        for json in [
            r#"{"resource": {"model": {"kind": "k", "runtime": "r"}}}"#,
            r#"{"resource": {"model": "flat"}}"#,
            r#"{"resource": [1, 2]}"#,
            r#"{"identity": {"public": false}}"#,
            r#"{}"#,
            r#"7"#,
        ] {
            let input = doc(json);
            let resolved = paths.resolve(&input);
            for (id, path) in ids.iter().zip(&table) {
                assert_eq!(resolved[*id], walk(&input, path), "{json} {path:?}");
            }
        }
    }

    #[test]
    fn type_equality_and_membership_index_a_rule() {
        let index = index("package main\n\ndeny contains \"x\" if {\n  input.resource.type == \"AWS::S3::Bucket\"\n  not input.resource.properties.BucketEncryption\n}\n\ndeny contains \"y\" if {\n  input.resource.model.kind in {\"sqs-queue\", \"sns-topic\"}\n}\n", "deny", false);
        assert!(index.is_indexed());
        assert!(index.admits(&doc(r#"{"resource": {"type": "AWS::S3::Bucket"}}"#)));
        assert!(index.admits(&doc(r#"{"resource": {"model": {"kind": "sns-topic"}}}"#)));
        assert!(!index.admits(&doc(r#"{"resource": {"type": "AWS::SQS::Queue"}}"#)));
        assert!(!index.admits(&doc(r#"{"identity": {}}"#)));
    }

    #[test]
    fn references_require_their_path() {
        let index = index("package main\n\nwarn contains msg if {\n  count(input.identity.escalation) > 0\n  msg := sprintf(\"%v\", [[x | x := input.nothing]])\n}\n", "warn", false);
        assert!(index.admits(&doc(r#"{"identity": {"escalation": []}}"#)));
        // The comprehension's reference is not required.
        assert!(!index.admits(&doc(r#"{"nothing": 1}"#)));
    }

    #[test]
    fn unsure_rules_are_evaluated_everywhere() {
        for text in [
            // A body with no condition on the document.
            "package main\n\ndeny contains \"x\" if { true }\n",
            // A constant rule.
            "package main\n\ndeny contains \"x\"\n",
            // One of two definitions has no condition.
            "package main\n\ndeny contains \"x\" if input.a == \"b\"\n\ndeny contains \"y\" if { 1 == 1 }\n",
            // `else` and `default`.
            "package main\n\ndefault deny := false\n\ndeny := true if input.a == \"b\"\n",
            // The document is replaced with `with`.
            "package main\n\ndeny contains \"x\" if {\n  data.main.helper with input as {\"a\": \"b\"}\n}\nhelper if input.a == \"b\"\n",
            // A deeper path under the entry name.
            "package main\n\ndeny.sub contains \"x\" if input.a == \"b\"\n",
        ] {
            assert!(!index(text, "deny", false).is_indexed(), "{text}");
        }
    }

    #[test]
    fn v0_partial_sets_are_indexed() {
        let index = index(
            "package main\n\ndeny[msg] {\n  input.kind = \"identity\"\n  msg := \"x\"\n}\n",
            "deny",
            true,
        );
        assert!(index.is_indexed());
        assert!(index.admits(&doc(r#"{"kind": "identity"}"#)));
        assert!(!index.admits(&doc(r#"{"kind": "resource"}"#)));
    }

    #[test]
    fn a_local_named_input_stops_the_analysis() {
        let index = index(
            "package main\n\ndeny contains \"x\" if {\n  some input in [{\"a\": \"b\"}]\n  input.a == \"b\"\n}\n",
            "deny",
            false,
        );
        assert!(!index.is_indexed());
    }

    #[test]
    fn complete_helper_rules_are_conditions_partial_sets_are_not() {
        let text = "package main\n\nis_fn if input.resource.model.kind == \"lambda-function\"\n\nis_fn if input.resource.type == \"AWS::Serverless::Function\"\n\nkinds contains k if { k := input.nothing }\n\ndeny contains \"x\" if {\n  is_fn\n  kinds\n}\n";
        let index = index(text, "deny", false);
        assert!(index.admits(&doc(
            r#"{"resource": {"model": {"kind": "lambda-function"}}}"#
        )));
        assert!(index.admits(&doc(
            r#"{"resource": {"type": "AWS::Serverless::Function"}}"#
        )));
        assert!(!index.admits(&doc(r#"{"resource": {"type": "AWS::S3::Bucket"}}"#)));
        // Without helpers (another file shares the package) nothing narrows it.
        let mut engine = regorus::Engine::new();
        engine.add_policy("p.rego".into(), text.into()).unwrap();
        let ast = serde_json::from_str(&engine.get_ast_as_json().unwrap()).unwrap();
        assert!(!applicability(&ast, text, "deny", false).is_indexed());
    }

    #[test]
    fn numbers_never_narrow() {
        let index = index(
            "package main\n\ndeny contains \"x\" if input.a.b == 1\n",
            "deny",
            false,
        );
        // Only that `input.a.b` exists.
        assert!(index.admits(&doc(r#"{"a": {"b": 1.0}}"#)));
        assert!(index.admits(&doc(r#"{"a": {"b": 2}}"#)));
        assert!(!index.admits(&doc(r#"{"a": {}}"#)));
    }
}
