//! The trace: walks a handler's statements in order with the event parameter marked untrusted,
//! follows values through assignments, fields, string building, calls of local helpers and of
//! other modules of the same package, and asks every rule about every call it meets.
//!
//! The walk is bounded: a call depth, a recursion guard and a budget of visited nodes per
//! entry point, so no file can make it run long.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tollgate_syntax::Span;
use tree_sitter::Node;

use crate::lang::{span_of, string_value, text_of, Field, NodeExt};
use crate::module::{is_function, require_specifier, FnRef, Import, Module};
use crate::rules::{Arg, Call, Prop, Response, SinkMatch, SinkRule};
use crate::taint::{Origin, Shape, SinkClass, Taint};

/// How many helper calls deep a trace follows.
const MAX_DEPTH: usize = 8;
/// Nodes one entry point may visit before the trace gives up (then it reports what it found).
const BUDGET: usize = 400_000;
/// Nesting of expressions the walk descends into.
const MAX_NESTING: usize = 200;

/// Where modules come from: the stage's cache, keyed by repository path.
pub trait Modules {
    fn get(&self, path: &str) -> Option<Arc<Module>>;
}

/// A rule matched at a sink.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: usize,
    pub path: String,
    pub span: Span,
    pub evidence: String,
    pub matched: SinkMatch,
}

/// Which bound stopped a trace before it had followed everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The entry point's budget of visited nodes ([`BUDGET`]) was spent.
    Steps,
    /// An expression nested deeper than [`MAX_NESTING`] levels.
    Nesting,
}

impl Limit {
    /// The bound, in words, for the notification that names it.
    pub fn describe(self) -> String {
        match self {
            Limit::Steps => format!("after {BUDGET} steps"),
            Limit::Nesting => format!("at an expression nested {MAX_NESTING} levels deep"),
        }
    }
}

/// Where a trace first hit a [`Limit`]: what lies beyond it was not followed, so the rules
/// that found nothing cannot say the handler passes.
#[derive(Debug, Clone)]
pub struct CutShort {
    pub limit: Limit,
    pub path: String,
    pub span: Span,
}

type Env = HashMap<String, Taint>;

struct Frame {
    module: Arc<Module>,
    path: Arc<str>,
    env: Env,
    ret: Option<Taint>,
    local_fns: HashMap<String, FnRef>,
    /// Fields an allow-list check proved safe on this path (`body.mode` after
    /// `if body["mode"] in ALLOWED`): reading exactly that field yields clean data, while the
    /// rest of `body` stays untrusted.
    cleared: HashSet<String>,
    /// Names bound to an instance of a class of this package (`svc = Service()`), with the
    /// module that defines the class.
    instances: HashMap<String, (Arc<Module>, String)>,
    /// The class whose method this frame runs, so `self.m()` / `this.m()` are followed.
    class: Option<String>,
}

/// A function of the package a call reaches.
struct Callee {
    module: Arc<Module>,
    func: FnRef,
    /// Set when the function is a method of this class.
    class: Option<String>,
}

pub struct Engine<'a> {
    modules: &'a dyn Modules,
    rules: &'a [&'static dyn SinkRule],
    classified_flow: bool,
    pub hits: Vec<Hit>,
    budget: usize,
    stack: Vec<(String, FnRef)>,
    nesting: usize,
    /// The first place the walk stopped at a bound, if it did.
    pub cut_short: Option<CutShort>,
}

fn union(a: Option<Taint>, b: Option<Taint>) -> Option<Taint> {
    a.or(b)
}

/// Casts and checks that make a value safe for every sink.
const CLEARS_ALL: &[&str] = &[
    "int",
    "float",
    "bool",
    "len",
    "uuid.UUID",
    "decimal.Decimal",
    "Number",
    "parseInt",
    "parseFloat",
    "Boolean",
    "Math.floor",
    "Math.round",
    "Math.abs",
    "Number.parseInt",
    "Number.parseFloat",
    "hashlib.sha256",
    "crypto.createHash",
];

/// Sanitizers for one class of sink.
const SANITIZERS: &[(&str, SinkClass)] = &[
    ("shlex.quote", SinkClass::Command),
    ("pipes.quote", SinkClass::Command),
    ("shell-quote.quote", SinkClass::Command),
    ("shell-escape", SinkClass::Command),
    ("os.path.basename", SinkClass::Path),
    ("path.basename", SinkClass::Path),
    ("posixpath.basename", SinkClass::Path),
    ("werkzeug.utils.secure_filename", SinkClass::Path),
    ("html.escape", SinkClass::Html),
    ("markupsafe.escape", SinkClass::Html),
    ("bleach.clean", SinkClass::Html),
    ("escape-html", SinkClass::Html),
    ("he.encode", SinkClass::Html),
    ("he.escape", SinkClass::Html),
    ("lodash.escape", SinkClass::Html),
];

impl<'a> Engine<'a> {
    pub fn new(
        modules: &'a dyn Modules,
        rules: &'a [&'static dyn SinkRule],
        classified_flow: bool,
    ) -> Self {
        Self {
            modules,
            rules,
            classified_flow,
            hits: Vec::new(),
            budget: BUDGET,
            stack: Vec::new(),
            nesting: 0,
            cut_short: None,
        }
    }

    /// Trace the handler `func` of `module`, its first parameter being the event.
    pub fn run_handler(&mut self, module: &Arc<Module>, func: FnRef, triggers: Vec<&'static str>) {
        let Some(node) = module.function(func) else {
            return;
        };
        let params = parameters(node);
        let Some(event) = params.first().copied() else {
            return;
        };
        let name = function_name(node, &module.text).unwrap_or("handler");
        let origin = Arc::new(Origin {
            path: module.path.clone(),
            span: span_of(event, &module.text),
            param: binding_name(event, &module.text)
                .unwrap_or("event")
                .to_string(),
            handler: name.to_string(),
            triggers,
        });
        let mut args = vec![Some(Taint::source(origin))];
        args.resize(params.len(), None);
        self.run_function(module, func, args, None);
    }

    fn run_function(
        &mut self,
        module: &Arc<Module>,
        func: FnRef,
        args: Vec<Option<Taint>>,
        class: Option<String>,
    ) -> Option<Taint> {
        let key = (module.path.clone(), func);
        if self.stack.len() >= MAX_DEPTH || self.stack.contains(&key) {
            return None;
        }
        let node = module.function(func)?;
        self.stack.push(key);
        let mut frame = Frame {
            module: Arc::clone(module),
            path: Arc::from(module.path.as_str()),
            env: Env::new(),
            ret: None,
            local_fns: HashMap::new(),
            cleared: HashSet::new(),
            instances: HashMap::new(),
            class,
        };
        for (param, taint) in parameters(node).into_iter().zip(args) {
            if let Some(t) = taint {
                self.bind(&mut frame, param, t);
            }
        }
        if let Some(body) = node.field(Field::Body) {
            if matches!(body.kind_name(), "block" | "statement_block") {
                self.stmt(&mut frame, body);
            } else {
                // A concise arrow body is its return value.
                let t = self.expr(&mut frame, body);
                frame.ret = union(frame.ret.take(), t);
            }
        }
        self.stack.pop();
        frame.ret
    }

    /// Whether the walk may visit `node`: one step of the budget, and, when `nested`, one more
    /// level of expression nesting. The first refusal is kept in [`Self::cut_short`].
    fn may_visit(&mut self, fr: &Frame, node: Node<'_>, nested: bool) -> bool {
        let limit = if self.budget == 0 {
            Limit::Steps
        } else if nested && self.nesting >= MAX_NESTING {
            Limit::Nesting
        } else {
            self.budget -= 1;
            return true;
        };
        if self.cut_short.is_none() {
            self.cut_short = Some(CutShort {
                limit,
                path: fr.path.to_string(),
                span: span_of(node, &fr.module.text),
            });
        }
        false
    }

    // ---- statements ----

    fn stmt(&mut self, fr: &mut Frame, node: Node<'_>) {
        if !self.may_visit(fr, node, false) {
            return;
        }
        match node.kind_name() {
            "if_statement" => self.if_stmt(fr, node),
            // `for x in xs:` (Python), `for (const x of xs)` (JavaScript): the loop variable
            // holds the collection's elements.
            "for_in_statement" | "for_statement" if node.field(Field::Right).is_some() => {
                let t = node.field(Field::Right).and_then(|r| self.expr(fr, r));
                if let (Some(t), Some(left)) = (t, node.field(Field::Left)) {
                    self.bind(fr, left, t.field("[]"));
                }
                self.children(fr, node.field(Field::Body));
                self.children(fr, node.field(Field::Alternative));
            }
            "return_statement" => {
                let Some(value) = node.named_child(0) else {
                    return;
                };
                let (t, body) = if matches!(value.kind_name(), "dictionary" | "object") {
                    self.returned_object(fr, value)
                } else {
                    (self.expr(fr, value), None)
                };
                if let Some(body) = body {
                    self.check_response(fr, value, body);
                }
                if let Some(t) = t {
                    let t = t.step(&fr.path, span_of(node, &fr.module.text), "returned here");
                    fr.ret = union(fr.ret.take(), Some(t));
                }
            }
            "lexical_declaration" | "variable_declaration" => {
                let mut c = node.walk();
                for decl in node.named_children(&mut c) {
                    if decl.kind_name() != "variable_declarator" {
                        continue;
                    }
                    let (Some(name), Some(value)) =
                        (decl.field(Field::Name), decl.field(Field::Value))
                    else {
                        continue;
                    };
                    if is_function(value.kind_name()) && name.kind_name() == "identifier" {
                        let n = text_of(name, &fr.module.text).to_string();
                        fr.local_fns.insert(
                            n,
                            FnRef {
                                start: value.start_byte(),
                                end: value.end_byte(),
                            },
                        );
                        continue;
                    }
                    self.track_instance(fr, name, value);
                    match self.expr(fr, value) {
                        Some(t) => self.assign(fr, name, t, decl),
                        None => self.unbind(fr, name),
                    }
                }
            }
            "function_definition" | "function_declaration" => {
                if let Some(name) = node.field(Field::Name) {
                    let n = text_of(name, &fr.module.text).to_string();
                    fr.local_fns.insert(
                        n,
                        FnRef {
                            start: node.start_byte(),
                            end: node.end_byte(),
                        },
                    );
                }
            }
            "class_definition"
            | "class_declaration"
            | "decorated_definition"
            | "import_statement"
            | "import_from_statement"
            | "comment" => {}
            "with_statement" => {
                let mut c = node.walk();
                for part in node.named_children(&mut c) {
                    if part.kind_name() == "with_clause" {
                        let mut c2 = part.walk();
                        for item in part.named_children(&mut c2) {
                            self.with_item(fr, item);
                        }
                    } else {
                        self.stmt(fr, part);
                    }
                }
            }
            "block"
            | "statement_block"
            | "module"
            | "program"
            | "else_clause"
            | "finally_clause"
            | "except_clause"
            | "catch_clause"
            | "try_statement"
            | "while_statement"
            | "do_statement"
            | "elif_clause"
            | "expression_statement"
            | "for_statement"
            | "switch_statement"
            | "switch_body"
            | "switch_case"
            | "switch_default"
            | "labeled_statement"
            | "match_statement"
            | "case_clause"
            | "export_statement" => {
                self.children(fr, Some(node));
            }
            _ => {
                self.expr(fr, node);
            }
        }
    }

    fn children(&mut self, fr: &mut Frame, node: Option<Node<'_>>) {
        let Some(node) = node else { return };
        let mut c = node.walk();
        for kid in node.named_children(&mut c) {
            self.stmt(fr, kid);
        }
    }

    fn with_item(&mut self, fr: &mut Frame, item: Node<'_>) {
        let Some(value) = item.field(Field::Value) else {
            return;
        };
        if value.kind_name() == "as_pattern" {
            let t = value.named_child(0).and_then(|v| self.expr(fr, v));
            if let (Some(t), Some(alias)) = (t, value.field(Field::Alias)) {
                let target = alias.named_child(0).unwrap_or(alias);
                self.bind(fr, target, t);
            }
        } else {
            self.expr(fr, value);
        }
    }

    fn if_stmt(&mut self, fr: &mut Frame, node: Node<'_>) {
        let Some(cond) = node.field(Field::Condition) else {
            return;
        };
        self.expr(fr, cond);
        let guard = self.guard(fr, cond);
        let before = fr.env.clone();
        let cleared_before = fr.cleared.clone();

        // The branch taken when the condition holds.
        let mut then_env = before.clone();
        let mut then_cleared = cleared_before.clone();
        if let Some((names, true)) = &guard {
            clear_guarded(&mut then_env, &mut then_cleared, names);
        }
        let consequence = node.field(Field::Consequence);
        fr.env = then_env;
        fr.cleared = then_cleared;
        self.children(fr, consequence);
        let then_exits = consequence.is_some_and(exits);
        let then_env = std::mem::take(&mut fr.env);
        let then_cleared = std::mem::take(&mut fr.cleared);

        // Every other branch.
        let mut c = node.walk();
        let alternatives: Vec<Node<'_>> =
            node.children_by_field_name("alternative", &mut c).collect();
        let mut else_env = before;
        let mut else_cleared = cleared_before;
        if let Some((names, false)) = &guard {
            clear_guarded(&mut else_env, &mut else_cleared, names);
        }
        fr.env = else_env;
        fr.cleared = else_cleared;
        for alt in alternatives {
            self.stmt(fr, alt);
        }
        let mut merged = std::mem::take(&mut fr.env);
        let mut merged_cleared = std::mem::take(&mut fr.cleared);
        if !then_exits {
            for (k, v) in then_env {
                merged.entry(k).or_insert(v);
            }
            // A field stays proved safe after the `if` only when both ways proved it.
            merged_cleared.retain(|p| then_cleared.contains(p));
        }
        fr.env = merged;
        fr.cleared = merged_cleared;
    }

    /// An allow-list check: the condition compares names against constants. Returns the names
    /// and whether they are safe when the condition holds (`x in ALLOWED`) or when it fails
    /// (`x not in ALLOWED`, whose branch then must leave).
    fn guard(&self, fr: &Frame, cond: Node<'_>) -> Option<(Vec<String>, bool)> {
        let text = &fr.module.text;
        match cond.kind_name() {
            "parenthesized_expression" => self.guard(fr, cond.named_child(0)?),
            "not_operator" => {
                let (n, p) = self.guard(fr, cond.field(Field::Argument)?)?;
                Some((n, !p))
            }
            "unary_expression" if text_of(cond.child(0)?, text) == "!" => {
                let (n, p) = self.guard(fr, cond.field(Field::Argument)?)?;
                Some((n, !p))
            }
            "comparison_operator" => {
                let left = cond.named_child(0)?;
                let right = cond.named_child(1)?;
                let op = cond
                    .field(Field::Operators)
                    .map(|o| text_of(o, text).to_string())
                    .unwrap_or_else(|| {
                        let between = &text[left.end_byte()..right.start_byte()];
                        between.split_whitespace().collect::<Vec<_>>().join(" ")
                    });
                let positive = match op.as_str() {
                    "in" | "==" => true,
                    "not in" | "!=" => false,
                    _ => return None,
                };
                self.compared(fr, left, right).map(|n| (n, positive))
            }
            "binary_expression" => {
                let op = text_of(cond.field(Field::Operator)?, text);
                let positive = match op {
                    "===" | "==" => true,
                    "!==" | "!=" => false,
                    _ => return None,
                };
                let left = cond.field(Field::Left)?;
                let right = cond.field(Field::Right)?;
                self.compared(fr, left, right).map(|n| (n, positive))
            }
            "call_expression" => {
                // `ALLOWED.includes(x)`, `ALLOWED.has(x)`
                let callee = cond.field(Field::Function)?;
                if callee.kind_name() != "member_expression" {
                    return None;
                }
                let method = text_of(callee.field(Field::Property)?, text);
                if !matches!(method, "includes" | "has") {
                    return None;
                }
                let list = callee.field(Field::Object)?;
                if !self.is_constant_ref(fr, list) {
                    return None;
                }
                let arg = cond.field(Field::Arguments)?.named_child(0)?;
                Some((guarded_paths(arg, text), true))
            }
            _ => None,
        }
    }

    fn compared(&self, fr: &Frame, a: Node<'_>, b: Node<'_>) -> Option<Vec<String>> {
        let text = &fr.module.text;
        if self.is_constant_ref(fr, b) {
            Some(guarded_paths(a, text))
        } else if self.is_constant_ref(fr, a) {
            Some(guarded_paths(b, text))
        } else {
            None
        }
    }

    /// A string literal, a literal collection, or a module constant.
    fn is_constant_ref(&self, fr: &Frame, node: Node<'_>) -> bool {
        let text = &fr.module.text;
        match node.kind_name() {
            "string" | "template_string" => string_value(node, text).is_some(),
            "identifier" => {
                let name = text_of(node, text);
                fr.module.constants.contains(name)
                    || (name.len() > 1
                        && name
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
            }
            "list" | "tuple" | "set" | "array" => {
                let mut c = node.walk();
                let all = node
                    .named_children(&mut c)
                    .all(|n| string_value(n, text).is_some());
                all
            }
            "member_expression" | "attribute" => {
                // `config.ALLOWED_HOSTS`
                let last = node
                    .field(Field::Property)
                    .or_else(|| node.field(Field::Attribute));
                last.is_some_and(|l| self.is_constant_ref(fr, l))
            }
            "property_identifier" => {
                let name = text_of(node, text);
                name.len() > 1
                    && name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
            }
            _ => false,
        }
    }

    // ---- binding ----

    fn assign(&mut self, fr: &mut Frame, target: Node<'_>, t: Taint, at: Node<'_>) {
        let name = text_of(target, &fr.module.text);
        let t = t.step(
            &fr.path,
            span_of(at, &fr.module.text),
            format!("assigned to `{}`", truncate(name)),
        );
        self.bind(fr, target, t);
    }

    fn bind(&mut self, fr: &mut Frame, target: Node<'_>, t: Taint) {
        let text = Arc::clone(&fr.module.text);
        match target.kind_name() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                let name = text_of(target, &text);
                forget_fields(&mut fr.cleared, name);
                fr.env.insert(name.to_string(), t);
            }
            "required_parameter" | "optional_parameter" => {
                if let Some(p) = target.field(Field::Pattern) {
                    self.bind(fr, p, t);
                }
            }
            "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                if let Some(p) = target.named_child(0) {
                    self.bind(fr, p, t);
                }
            }
            "default_parameter" | "typed_default_parameter" => {
                if let Some(p) = target.field(Field::Name) {
                    self.bind(fr, p, t);
                }
            }
            "assignment_pattern" => {
                if let Some(p) = target.field(Field::Left) {
                    self.bind(fr, p, t);
                }
            }
            "object_pattern" => {
                let mut c = target.walk();
                for entry in target.named_children(&mut c) {
                    match entry.kind_name() {
                        "shorthand_property_identifier_pattern" => {
                            let key = text_of(entry, &text).to_string();
                            fr.env.insert(key.clone(), t.clone().field(&key));
                        }
                        "pair_pattern" => {
                            if let (Some(k), Some(v)) =
                                (entry.field(Field::Key), entry.field(Field::Value))
                            {
                                let key = text_of(k, &text).trim_matches(['"', '\'']).to_string();
                                self.bind(fr, v, t.clone().field(&key));
                            }
                        }
                        "object_assignment_pattern" => {
                            if let Some(l) = entry.field(Field::Left) {
                                let key = text_of(l, &text).to_string();
                                self.bind(fr, l, t.clone().field(&key));
                            }
                        }
                        _ => self.bind(fr, entry, t.clone().derived(Shape::Unknown)),
                    }
                }
            }
            "array_pattern" | "pattern_list" | "tuple_pattern" | "list_pattern" => {
                let mut c = target.walk();
                for entry in target.named_children(&mut c) {
                    self.bind(fr, entry, t.clone().field("[]"));
                }
            }
            "rest_pattern" => {
                if let Some(p) = target.named_child(0) {
                    self.bind(fr, p, t);
                }
            }
            // `order["cmd"] = x`, `params.Key = x`: the container now holds untrusted data.
            "subscript" | "attribute" | "member_expression" | "subscript_expression" => {
                let root = root_names(target, &text);
                if let Some(r) = root.first() {
                    if !fr.env.contains_key(r) {
                        fr.env.insert(r.clone(), t.derived(Shape::Object));
                    }
                }
            }
            _ => {}
        }
    }

    /// A plain name assigned a value without untrusted data: it is clean from here on.
    fn unbind(&mut self, fr: &mut Frame, target: Node<'_>) {
        if target.kind_name() == "identifier" {
            let name = text_of(target, &fr.module.text);
            forget_fields(&mut fr.cleared, name);
            fr.env.remove(name);
        }
    }

    // ---- expressions ----

    fn expr(&mut self, fr: &mut Frame, node: Node<'_>) -> Option<Taint> {
        if !self.may_visit(fr, node, true) {
            return None;
        }
        self.nesting += 1;
        let out = self.expr_inner(fr, node);
        self.nesting -= 1;
        out
    }

    fn union_children(&mut self, fr: &mut Frame, node: Node<'_>) -> Option<Taint> {
        let mut c = node.walk();
        let mut out = None;
        for kid in node.named_children(&mut c) {
            let t = self.expr(fr, kid);
            out = union(out, t);
        }
        out
    }

    fn expr_inner(&mut self, fr: &mut Frame, node: Node<'_>) -> Option<Taint> {
        let text = Arc::clone(&fr.module.text);
        match node.kind_name() {
            "identifier" | "shorthand_property_identifier" => {
                fr.env.get(text_of(node, &text)).cloned()
            }
            "parenthesized_expression"
            | "await"
            | "await_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "type_assertion"
            | "interpolation"
            | "template_substitution"
            | "keyword_argument"
            | "pair"
            | "spread_element"
            | "list_splat"
            | "dictionary_splat"
            | "expression_statement" => {
                if let Some(v) = node.field(Field::Value) {
                    if matches!(node.kind_name(), "keyword_argument" | "pair") {
                        return self.expr(fr, v);
                    }
                }
                if node.kind_name() == "expression_statement" {
                    return self.union_children(fr, node);
                }
                let inner = node.named_child(0)?;
                self.expr(fr, inner)
            }
            "attribute" | "member_expression" | "subscript" | "subscript_expression"
                if !fr.cleared.is_empty()
                    && access_path(node, &text).is_some_and(|p| fr.cleared.contains(&p)) =>
            {
                None
            }
            "attribute" | "member_expression" => {
                let (object, name) = member_parts(node, &text)?;
                let t = self.expr(fr, object)?;
                if name == "length" {
                    return None;
                }
                Some(t.field(name))
            }
            "subscript" | "subscript_expression" => {
                let (object, index) = subscript_parts(node)?;
                let key = index.and_then(|i| string_value(i, &text));
                if let Some(i) = index {
                    self.expr(fr, i);
                }
                let t = self.expr(fr, object)?;
                Some(t.field(key.as_deref().unwrap_or("[]")))
            }
            "call" | "call_expression" | "new_expression" => self.call(fr, node),
            "string" | "template_string" | "concatenated_string" => {
                let t = self.union_children(fr, node)?;
                Some(t.derived(Shape::Text))
            }
            "binary_operator" | "binary_expression" => {
                let op = node
                    .field(Field::Operator)
                    .map(|o| text_of(o, &text))
                    .unwrap_or("");
                let l = node.field(Field::Left).and_then(|n| self.expr(fr, n));
                let r = node.field(Field::Right).and_then(|n| self.expr(fr, n));
                match op {
                    "+" | "%" | "||" | "??" | "&&" => union(l, r).map(|t| t.derived(Shape::Text)),
                    _ => None,
                }
            }
            "boolean_operator" => {
                let t = self.union_children(fr, node)?;
                Some(t.derived(Shape::Unknown))
            }
            "comparison_operator"
            | "not_operator"
            | "unary_expression"
            | "integer"
            | "float"
            | "number"
            | "true"
            | "false"
            | "none"
            | "null"
            | "undefined"
            | "lambda"
            | "arrow_function"
            | "function_expression"
            | "function"
            | "regex" => {
                if matches!(node.kind_name(), "comparison_operator" | "not_operator") {
                    self.union_children(fr, node);
                }
                None
            }
            "conditional_expression" | "ternary_expression" => {
                let t = self.union_children(fr, node)?;
                Some(t.derived(Shape::Unknown))
            }
            "list" | "tuple" | "set" | "array" | "expression_list" | "dictionary" | "object"
            | "argument_list" | "arguments" => {
                let t = self.union_children(fr, node)?;
                Some(t.derived(Shape::Object))
            }
            "assignment" | "assignment_expression" | "named_expression" => {
                let left = node
                    .field(Field::Left)
                    .or_else(|| node.field(Field::Name))?;
                let right = node
                    .field(Field::Right)
                    .or_else(|| node.field(Field::Value))?;
                if is_function(right.kind_name()) && left.kind_name() == "identifier" {
                    fr.local_fns.insert(
                        text_of(left, &text).to_string(),
                        FnRef {
                            start: right.start_byte(),
                            end: right.end_byte(),
                        },
                    );
                    return None;
                }
                self.track_instance(fr, left, right);
                match self.expr(fr, right) {
                    Some(t) => {
                        self.assign(fr, left, t.clone(), node);
                        Some(t)
                    }
                    None => {
                        self.unbind(fr, left);
                        None
                    }
                }
            }
            "augmented_assignment" | "augmented_assignment_expression" => {
                let left = node.field(Field::Left)?;
                let right = node.field(Field::Right)?;
                let r = self.expr(fr, right);
                let l = self.expr(fr, left);
                let t = union(l, r)?.derived(Shape::Text);
                self.assign(fr, left, t.clone(), node);
                Some(t)
            }
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => {
                let mut c = node.walk();
                let kids: Vec<Node<'_>> = node.named_children(&mut c).collect();
                for clause in kids.iter().filter(|k| k.kind_name() == "for_in_clause") {
                    let t = clause.field(Field::Right).and_then(|r| self.expr(fr, r));
                    if let (Some(t), Some(left)) = (t, clause.field(Field::Left)) {
                        self.bind(fr, left, t.field("[]"));
                    }
                }
                let body = node.field(Field::Body).or(kids.first().copied())?;
                let t = self.expr(fr, body)?;
                Some(t.derived(Shape::Object))
            }
            _ => self.union_children(fr, node),
        }
    }

    // ---- calls ----

    fn call(&mut self, fr: &mut Frame, node: Node<'_>) -> Option<Taint> {
        let text = Arc::clone(&fr.module.text);
        let is_new = node.kind_name() == "new_expression";
        let callee = node
            .field(Field::Function)
            .or_else(|| node.field(Field::Constructor))?;
        let (receiver_node, method) = match callee.kind_name() {
            "attribute" => (callee.field(Field::Object), callee.field(Field::Attribute)),
            "member_expression" => (callee.field(Field::Object), callee.field(Field::Property)),
            _ => (None, Some(callee)),
        };
        let method = method.map(|m| text_of(m, &text).to_string());
        let receiver = receiver_node.and_then(|r| self.expr(fr, r));
        let canonical = self.canonical(fr, callee);

        // Arguments, judged one by one.
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        let mut callbacks = Vec::new();
        if let Some(list) = node.field(Field::Arguments) {
            let mut c = list.walk();
            for kid in list.named_children(&mut c) {
                match kid.kind_name() {
                    "keyword_argument" => {
                        let (Some(name), Some(value)) =
                            (kid.field(Field::Name), kid.field(Field::Value))
                        else {
                            continue;
                        };
                        let arg = self.arg(fr, value, false);
                        kwargs.push((text_of(name, &text).to_string(), arg));
                    }
                    "list_splat" | "dictionary_splat" | "spread_element" => {
                        let Some(inner) = kid.named_child(0) else {
                            continue;
                        };
                        let arg = self.arg(fr, inner, true);
                        args.push(arg);
                    }
                    "comment" => {}
                    k if is_function(k) => {
                        callbacks.push(kid);
                        args.push(Arg {
                            taint: None,
                            kind: k.to_string(),
                            text: String::new(),
                            props: Vec::new(),
                            splat: false,
                        });
                    }
                    _ => {
                        let arg = self.arg(fr, kid, false);
                        args.push(arg);
                    }
                }
            }
        } else if let Some(template) = node.field(Field::Arguments) {
            // Tagged template: sql`...`
            let arg = self.arg(fr, template, false);
            args.push(arg);
        }

        let call = Call {
            lang: fr.module.lang,
            canonical: canonical.clone(),
            method: method.clone(),
            callee: text_of(callee, &text).to_string(),
            receiver: receiver_node
                .map(|r| text_of(r, &text).to_string())
                .unwrap_or_default(),
            is_new,
            args,
            kwargs,
            classified_flow: self.classified_flow,
        };
        let sink_span = span_of(node, &text);
        for (i, rule) in self.rules.iter().enumerate() {
            if let Some(m) = rule.check_call(&call) {
                self.hits.push(Hit {
                    rule: i,
                    path: fr.module.path.clone(),
                    span: sink_span,
                    evidence: truncate(text_of(callee, &text)).to_string(),
                    matched: m,
                });
            }
        }

        // Callbacks (`records.forEach(r => ...)`, `.then(body => ...)`) see the receiver's
        // elements and the enclosing function's names.
        let mut from_callbacks = None;
        for cb in callbacks {
            let t = self.callback(fr, cb, receiver.clone());
            from_callbacks = union(from_callbacks, t);
        }

        // Sanitizers.
        let name = canonical.as_deref().unwrap_or("");
        let first_taint = call.args.iter().find_map(|a| a.taint.clone());
        let any_arg = call
            .args
            .iter()
            .chain(call.kwargs.iter().map(|(_, a)| a))
            .find_map(|a| a.taint.clone());
        if CLEARS_ALL.contains(&name) || (method.as_deref() == Some("isdigit")) {
            return None;
        }
        if let Some((_, class)) = SANITIZERS.iter().find(|(n, _)| *n == name) {
            return first_taint.map(|t| t.clear_class(*class).derived(Shape::Text));
        }
        // Parsing and serialising keep the value what it was: the parsed body is still the
        // body, and `json.dumps(event)` is still the whole event.
        if matches!(
            name,
            "json.loads" | "JSON.parse" | "json.load" | "ujson.loads"
        ) {
            return first_taint.map(|t| t.shaped(Shape::Object));
        }
        if matches!(
            name,
            "json.dumps" | "JSON.stringify" | "str" | "repr" | "String"
        ) {
            return first_taint.map(|t| t.shaped(Shape::Text));
        }

        // A function of this package: follow it.
        if let Some(Callee {
            module,
            func,
            class,
        }) = self.resolve_function(fr, callee)
        {
            let fn_name = method.clone().unwrap_or_default();
            let step_span = sink_span;
            let where_ = if module.path == fr.module.path {
                String::new()
            } else {
                format!(" in {}", module.path)
            };
            let callee_node = module.function(func);
            let params = callee_node.map(parameters).unwrap_or_default();
            // A Python method's `self`/`cls` is not among the call's arguments.
            let receiver_param = usize::from(
                class.is_some()
                    && module.lang.is_python()
                    && params
                        .first()
                        .and_then(|p| binding_name(*p, &module.text))
                        .is_some_and(|n| matches!(n, "self" | "cls")),
            );
            let mut bound: Vec<Option<Taint>> =
                vec![None; params.len().max(call.args.len() + receiver_param)];
            for (i, a) in call.args.iter().enumerate() {
                if let Some(t) = &a.taint {
                    bound[i + receiver_param] = Some(t.clone().step(
                        &fr.path,
                        step_span,
                        format!("passed to `{fn_name}()`{where_}"),
                    ));
                }
            }
            for (k, a) in &call.kwargs {
                let Some(t) = &a.taint else { continue };
                if let Some(i) = params
                    .iter()
                    .position(|p| binding_name(*p, &module.text) == Some(k.as_str()))
                {
                    bound[i] = Some(t.clone().step(
                        &fr.path,
                        step_span,
                        format!("passed to `{fn_name}()`{where_}"),
                    ));
                }
            }
            if bound.iter().all(Option::is_none) {
                return None;
            }
            let ret = self.run_function(&module, func, bound, class);
            return ret.map(|t| t.step(&fr.path, step_span, format!("returned by `{fn_name}()`")));
        }

        // `.get("key")` on an event object takes a field.
        if let (Some(r), Some("get")) = (&receiver, method.as_deref()) {
            if let Some(key) = call.arg(0).filter(|a| a.taint.is_none()).and_then(|a| {
                matches!(a.kind.as_str(), "string")
                    .then(|| a.text.trim_matches(['"', '\'']).to_string())
            }) {
                return Some(r.clone().field(&key));
            }
        }

        // Anything else passes its inputs through.
        let shape = if matches!(name, "str" | "String" | "format")
            || matches!(
                method.as_deref(),
                Some(
                    "format"
                        | "join"
                        | "strip"
                        | "lower"
                        | "upper"
                        | "replace"
                        | "decode"
                        | "encode"
                        | "toString"
                        | "trim"
                        | "concat"
                )
            ) {
            Shape::Text
        } else {
            Shape::Unknown
        };
        union(union(receiver, any_arg), from_callbacks).map(|t| t.derived(shape))
    }

    fn arg(&mut self, fr: &mut Frame, node: Node<'_>, splat: bool) -> Arg {
        let text = Arc::clone(&fr.module.text);
        let mut props = Vec::new();
        let taint = if matches!(node.kind_name(), "object" | "dictionary") {
            let mut c = node.walk();
            let mut all = None;
            for entry in node.named_children(&mut c) {
                let t = self.expr(fr, entry);
                if let (Some(k), Some(v)) = (entry.field(Field::Key), entry.field(Field::Value)) {
                    props.push(Prop {
                        key: text_of(k, &text).trim_matches(['"', '\'']).to_string(),
                        text: truncate(text_of(v, &text)).to_string(),
                        taint: t.clone(),
                    });
                }
                all = union(all, t);
            }
            all.map(|t| t.derived(Shape::Object))
        } else {
            self.expr(fr, node)
        };
        Arg {
            taint,
            kind: node.kind_name().to_string(),
            text: truncate(text_of(node, &text)).to_string(),
            props,
            splat,
        }
    }

    fn callback(&mut self, fr: &mut Frame, cb: Node<'_>, element: Option<Taint>) -> Option<Taint> {
        let params = parameters(cb);
        let saved_env = fr.env.clone();
        let saved_ret = fr.ret.take();
        if let (Some(p), Some(t)) = (params.first(), element) {
            self.bind(fr, *p, t.field("[]"));
        }
        let body = cb.field(Field::Body);
        let mut out = None;
        if let Some(body) = body {
            if matches!(body.kind_name(), "block" | "statement_block") {
                self.stmt(fr, body);
                out = fr.ret.take();
            } else {
                out = self.expr(fr, body);
            }
        }
        fr.env = saved_env;
        fr.ret = saved_ret;
        out
    }

    /// The callee as a library name: its leftmost name resolved through the imports, the
    /// rest appended. Builtins (`eval`, `open`, `fetch`) are their own names unless a local
    /// value shadows them.
    fn canonical(&self, fr: &Frame, callee: Node<'_>) -> Option<String> {
        let text = &fr.module.text;
        match callee.kind_name() {
            "identifier" => {
                let name = text_of(callee, text);
                if fr.env.contains_key(name) || fr.local_fns.contains_key(name) {
                    return None;
                }
                match fr.module.imports.get(name) {
                    Some(Import::External(full)) => Some(full.clone()),
                    Some(Import::Local { .. }) => None,
                    None if fr.module.functions.contains_key(name) => None,
                    None => Some(name.to_string()),
                }
            }
            "attribute" | "member_expression" => {
                let object = callee.field(Field::Object)?;
                let prop = callee
                    .field(Field::Attribute)
                    .or_else(|| callee.field(Field::Property))?;
                let base = self.canonical(fr, object)?;
                Some(format!("{base}.{}", text_of(prop, text)))
            }
            "call" | "call_expression" | "new_expression" => {
                // `require('child_process').exec`, `yaml.YAML(typ="unsafe").load`
                if let Some(spec) = require_specifier(callee, text) {
                    let base = spec.strip_prefix("node:").unwrap_or(&spec);
                    return Some(base.to_string());
                }
                let inner = callee
                    .field(Field::Function)
                    .or_else(|| callee.field(Field::Constructor))?;
                Some(format!("{}()", self.canonical(fr, inner)?))
            }
            "parenthesized_expression" | "await_expression" | "await" => {
                self.canonical(fr, callee.named_child(0)?)
            }
            _ => None,
        }
    }

    /// A function of this package that `callee` names.
    fn resolve_function(&self, fr: &Frame, callee: Node<'_>) -> Option<Callee> {
        let text = &fr.module.text;
        let plain = |module: Arc<Module>, func: FnRef| Callee {
            module,
            func,
            class: None,
        };
        match callee.kind_name() {
            "identifier" => {
                let name = text_of(callee, text);
                if let Some(f) = fr.local_fns.get(name) {
                    return Some(plain(Arc::clone(&fr.module), *f));
                }
                if let Some(f) = fr.module.functions.get(name) {
                    return Some(plain(Arc::clone(&fr.module), *f));
                }
                let (m, Some(member)) = self.local_import(fr, name)? else {
                    return None;
                };
                let f = *m.functions.get(&member)?;
                Some(plain(m, f))
            }
            "attribute" | "member_expression" => {
                let (object, prop) = member_parts(callee, text)?;
                if matches!(object.kind_name(), "this" | "identifier")
                    && matches!(text_of(object, text), "self" | "this")
                {
                    let class = fr.class.as_ref()?;
                    return method(&fr.module, class, prop);
                }
                if object.kind_name() != "identifier" {
                    return None;
                }
                let name = text_of(object, text);
                if let Some((m, class)) = fr.instances.get(name) {
                    return method(m, class, prop);
                }
                if let Some((m, class)) = self.class_named(fr, object) {
                    return method(&m, &class, prop);
                }
                let (m, None) = self.local_import(fr, name)? else {
                    return None;
                };
                let f = *m.functions.get(prop)?;
                Some(plain(m, f))
            }
            _ => None,
        }
    }

    /// A name imported from a module of this package: that module, and the member the name
    /// stands for (`None` when the name is the module itself).
    fn local_import(&self, fr: &Frame, name: &str) -> Option<(Arc<Module>, Option<String>)> {
        match fr.module.imports.get(name)? {
            Import::Local { path, member } => Some((self.modules.get(path)?, member.clone())),
            Import::External(_) => None,
        }
    }

    /// The class of this package a name stands for: defined in this module, or imported
    /// from another (`from svc import Service`, `import { Service } from "./svc"`), or
    /// `mod.Service` through an imported module.
    fn class_named(&self, fr: &Frame, node: Node<'_>) -> Option<(Arc<Module>, String)> {
        let text = &fr.module.text;
        let (m, class) = match node.kind_name() {
            "identifier" => {
                let name = text_of(node, text);
                if fr.module.classes.contains_key(name) {
                    return Some((Arc::clone(&fr.module), name.to_string()));
                }
                let (m, member) = self.local_import(fr, name)?;
                (m, member?)
            }
            "attribute" | "member_expression" => {
                let (object, prop) = member_parts(node, text)?;
                if object.kind_name() != "identifier" {
                    return None;
                }
                let (m, None) = self.local_import(fr, text_of(object, text))? else {
                    return None;
                };
                (m, prop.to_string())
            }
            _ => return None,
        };
        m.classes.contains_key(&class).then_some((m, class))
    }

    /// `Service(...)` (Python) or `new Service(...)` (JavaScript) of a class of this package.
    fn constructed_class(&self, fr: &Frame, value: Node<'_>) -> Option<(Arc<Module>, String)> {
        let value = if value.kind_name() == "await_expression" {
            value.named_child(0)?
        } else {
            value
        };
        let class = match value.kind_name() {
            "call" if fr.module.lang.is_python() => value.field(Field::Function)?,
            "new_expression" => value.field(Field::Constructor)?,
            _ => return None,
        };
        self.class_named(fr, class)
    }

    /// Remember (or forget) that `target` now holds an instance of a class of the package.
    fn track_instance(&self, fr: &mut Frame, target: Node<'_>, value: Node<'_>) {
        if target.kind_name() != "identifier" {
            return;
        }
        let name = text_of(target, &fr.module.text).to_string();
        match self.constructed_class(fr, value) {
            Some(class) => {
                fr.instances.insert(name, class);
            }
            None => {
                fr.instances.remove(&name);
            }
        }
    }

    // ---- responses ----

    /// A returned object literal, evaluated as [`Self::expr`] evaluates it (the same budget
    /// and nesting), with the taint of its `body` entry kept aside for [`Self::check_response`]
    /// so that the body is not evaluated a second time.
    fn returned_object(
        &mut self,
        fr: &mut Frame,
        value: Node<'_>,
    ) -> (Option<Taint>, Option<Option<Taint>>) {
        if !self.may_visit(fr, value, true) {
            return (None, None);
        }
        self.nesting += 1;
        let text = Arc::clone(&fr.module.text);
        let mut all = None;
        let mut body = None;
        let mut c = value.walk();
        for kid in value.named_children(&mut c) {
            let t = self.expr(fr, kid);
            let is_body = kid.kind_name() == "pair"
                && kid
                    .field(Field::Key)
                    .is_some_and(|k| text_of(k, &text).trim_matches(['"', '\'']) == "body");
            if is_body {
                body = Some(t.clone());
            }
            all = union(all, t);
        }
        self.nesting -= 1;
        (all.map(|t| t.derived(Shape::Object)), body)
    }

    /// A returned response object whose `body` entry's taint is `body_taint`: event data
    /// echoed into it.
    fn check_response(&mut self, fr: &mut Frame, value: Node<'_>, body_taint: Option<Taint>) {
        let text = Arc::clone(&fr.module.text);
        let mut body = None;
        let mut content_type = None;
        let mut c = value.walk();
        for pair in value.named_children(&mut c) {
            let (Some(k), Some(v)) = (pair.field(Field::Key), pair.field(Field::Value)) else {
                continue;
            };
            let key = text_of(k, &text).trim_matches(['"', '\'']);
            match key {
                "body" => body = Some(v),
                "headers" => {
                    let mut c2 = v.walk();
                    for h in v.named_children(&mut c2) {
                        if let (Some(hk), Some(hv)) = (h.field(Field::Key), h.field(Field::Value)) {
                            if text_of(hk, &text)
                                .trim_matches(['"', '\''])
                                .eq_ignore_ascii_case("content-type")
                            {
                                content_type = string_value(hv, &text);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let Some(body) = body else { return };
        if body_taint.is_none() {
            return;
        }
        // An object as the body: its entries are what the rules read (`props`).
        let arg = if matches!(body.kind_name(), "dictionary" | "object") {
            self.arg(fr, body, false)
        } else {
            Arg {
                taint: body_taint,
                kind: body.kind_name().to_string(),
                text: truncate(text_of(body, &text)).to_string(),
                props: Vec::new(),
                splat: false,
            }
        };
        if arg.taint.is_none() {
            return;
        }
        let response = Response {
            body: arg,
            content_type,
            has_markup: has_markup(body, &text),
        };
        let span = span_of(body, &text);
        for (i, rule) in self.rules.iter().enumerate() {
            if let Some(m) = rule.check_response(&response) {
                self.hits.push(Hit {
                    rule: i,
                    path: fr.module.path.clone(),
                    span,
                    evidence: "body".to_string(),
                    matched: m,
                });
            }
        }
    }
}

/// Whether a statement list ends by leaving (return, raise, throw, continue, break).
fn exits(block: Node<'_>) -> bool {
    let last = {
        let mut c = block.walk();
        block
            .named_children(&mut c)
            .filter(|n| n.kind_name() != "comment")
            .last()
    };
    match last {
        Some(n) => match n.kind_name() {
            "return_statement" | "raise_statement" | "throw_statement" | "continue_statement"
            | "break_statement" => true,
            "block" | "statement_block" => exits(n),
            _ => false,
        },
        None => matches!(
            block.kind_name(),
            "return_statement" | "raise_statement" | "throw_statement"
        ),
    }
}

/// Whether string literals inside `node` hold HTML markup.
fn has_markup(node: Node<'_>, text: &str) -> bool {
    if matches!(node.kind_name(), "string_content" | "string_fragment") {
        let s = text_of(node, text);
        return s.find('<').is_some_and(|i| {
            s[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
        });
    }
    let mut c = node.walk();
    let found = node.children(&mut c).any(|k| has_markup(k, text));
    found
}

/// The names at the root of an expression: `x` for `x`, `urlparse(u).hostname` gives `u`.
/// `object.prop`: the object node and the property's name.
fn member_parts<'t>(node: Node<'t>, text: &'t str) -> Option<(Node<'t>, &'t str)> {
    let object = node.field(Field::Object)?;
    let prop = node
        .field(Field::Attribute)
        .or_else(|| node.field(Field::Property))?;
    Some((object, text_of(prop, text)))
}

/// `object[index]` (Python `subscript`, JavaScript `subscript_expression`): the object and
/// the index node.
fn subscript_parts(node: Node<'_>) -> Option<(Node<'_>, Option<Node<'_>>)> {
    let object = node
        .field(Field::Value)
        .or_else(|| node.field(Field::Object))?;
    let index = node
        .field(Field::Subscript)
        .or_else(|| node.field(Field::Index));
    Some((object, index))
}

/// The method `name` of `class` in `module`.
fn method(module: &Arc<Module>, class: &str, name: &str) -> Option<Callee> {
    let func = *module.classes.get(class)?.get(name)?;
    Some(Callee {
        module: Arc::clone(module),
        func,
        class: Some(class.to_string()),
    })
}

/// What an allow-list check proves safe: a plain name (`x in ALLOWED`) as a whole; a field
/// written with constant keys (`body["mode"]`, `body.mode`) as that field alone, as a dotted
/// path; through a call (`urlparse(url).hostname`) the names passed to it.
fn guarded_paths(node: Node<'_>, text: &str) -> Vec<String> {
    names_in(node, text, true)
}

/// The names an expression reads (`body` in `body["x"]`, `url` in `urlparse(url).host`);
/// with `fields`, a field read with constant keys is named by its dotted path instead, and
/// other field reads name nothing unless their base is a call.
fn names_in(node: Node<'_>, text: &str, fields: bool) -> Vec<String> {
    match node.kind_name() {
        "identifier" => vec![text_of(node, text).to_string()],
        "attribute" | "member_expression" | "subscript" | "subscript_expression" => {
            if let Some(path) = fields.then(|| access_path(node, text)).flatten() {
                return vec![path];
            }
            node.field(Field::Object)
                .or_else(|| node.field(Field::Value))
                .filter(|o| {
                    !fields
                        || matches!(o.kind_name(), "call" | "call_expression" | "new_expression")
                })
                .map(|o| names_in(o, text, fields))
                .unwrap_or_default()
        }
        "call" | "call_expression" | "new_expression" => {
            let mut out = Vec::new();
            if let Some(args) = node.field(Field::Arguments) {
                let mut c = args.walk();
                for a in args.named_children(&mut c) {
                    out.extend(names_in(a, text, fields));
                }
            }
            out
        }
        "parenthesized_expression" => node
            .named_child(0)
            .map(|n| names_in(n, text, fields))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `body["mode"]`, `body['mode']` and `body.mode` all read `body.mode`; `None` when a key is
/// not a constant or the base is not a plain name.
fn access_path(node: Node<'_>, text: &str) -> Option<String> {
    match node.kind_name() {
        "identifier" => Some(text_of(node, text).to_string()),
        "attribute" | "member_expression" => {
            let (object, name) = member_parts(node, text)?;
            Some(format!("{}.{name}", access_path(object, text)?))
        }
        "subscript" | "subscript_expression" => {
            let (object, index) = subscript_parts(node)?;
            let key = string_value(index?, text)?;
            Some(format!("{}.{key}", access_path(object, text)?))
        }
        _ => None,
    }
}

/// Apply an allow-list check's proof to one branch: plain names become clean, fields are
/// remembered as cleared.
fn clear_guarded(env: &mut Env, cleared: &mut HashSet<String>, paths: &[String]) {
    for p in paths {
        if p.contains('.') {
            cleared.insert(p.clone());
        } else {
            env.remove(p);
        }
    }
}

/// A name bound anew: what was proved about its old fields no longer holds.
fn forget_fields(cleared: &mut HashSet<String>, name: &str) {
    if !cleared.is_empty() {
        let prefix = format!("{name}.");
        cleared.retain(|p| !p.starts_with(&prefix));
    }
}

fn root_names(node: Node<'_>, text: &str) -> Vec<String> {
    names_in(node, text, false)
}

/// The parameter nodes of a function.
pub fn parameters(func: Node<'_>) -> Vec<Node<'_>> {
    if let Some(single) = func.field(Field::Parameter) {
        return vec![single];
    }
    let Some(params) = func.field(Field::Parameters) else {
        return Vec::new();
    };
    let mut c = params.walk();
    params
        .named_children(&mut c)
        .filter(|p| {
            !matches!(
                p.kind_name(),
                "comment" | "keyword_separator" | "positional_separator"
            )
        })
        .collect()
}

/// The name a parameter binds, when it is a plain name.
pub fn binding_name<'t>(param: Node<'_>, text: &'t str) -> Option<&'t str> {
    match param.kind_name() {
        "identifier" => Some(text_of(param, text)),
        "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
            param.named_child(0).and_then(|n| binding_name(n, text))
        }
        "default_parameter" | "typed_default_parameter" => {
            param.field(Field::Name).and_then(|n| binding_name(n, text))
        }
        "required_parameter" | "optional_parameter" => param
            .field(Field::Pattern)
            .and_then(|n| binding_name(n, text)),
        "assignment_pattern" => param.field(Field::Left).and_then(|n| binding_name(n, text)),
        _ => None,
    }
}

fn function_name<'t>(func: Node<'_>, text: &'t str) -> Option<&'t str> {
    if let Some(n) = func.field(Field::Name) {
        return Some(text_of(n, text));
    }
    // `const handler = async (event) => ...`, `exports.handler = ...`
    let parent = func.parent()?;
    let target = parent
        .field(Field::Name)
        .or_else(|| parent.field(Field::Left))?;
    let t = text_of(target, text);
    Some(t.rsplit('.').next().unwrap_or(t))
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}
