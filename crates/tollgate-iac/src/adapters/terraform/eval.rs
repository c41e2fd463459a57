//! The Terraform expression evaluator: variables (defaults, tfvars, module inputs), locals (with
//! cycle detection), string templates, function calls, conditionals, and references to other
//! resources kept as references. Nothing is executed; what cannot be decided statically becomes
//! [`TvKind::Unknown`] with the reason.

use std::cell::RefCell;
use std::collections::HashMap;

use tollgate_syntax::{ExprKind, Format, Limits, Node, Span, TemplatePart, TraversalStep, Value};

use super::value::{Tv, TvKind};
use super::{functions, heredoc};

/// Deepest expression nesting the evaluator follows (locals referring to locals included).
const MAX_DEPTH: usize = 64;

/// Deepest value a local may hold. Each local adds at most [`MAX_DEPTH`] levels to the values
/// it refers to, so capping what is kept bounds every recursion over values.
const MAX_VALUE_DEPTH: usize = 128;

/// Most value nodes one module may copy through references (`local.a = [local.b, local.b]`
/// doubles at each step: without a cap a few lines would exhaust memory).
const MAX_COPIED_NODES: usize = 1_000_000;

/// Most bytes of strings one module instance may build with functions and templates: a file of
/// thousands of calls, each under [`functions::MAX_FUNCTION_BYTES`], could otherwise still
/// take gigabytes. Past it every further string built is unknown, with a note.
const MAX_BUILT_BYTES: usize = 64 * 1024 * 1024;

/// Most blocks one `dynamic` block is expanded to; past it, its settings are unknown.
const MAX_DYNAMIC_BLOCKS: usize = 256;

/// Where a definition (variable default, local, input) was written.
#[derive(Debug, Clone)]
pub struct Def {
    /// Repository-relative file the node comes from.
    pub file: String,
    pub node: Node,
    /// The file is Terraform JSON syntax: strings are templates.
    pub json: bool,
}

/// Something the evaluator could not make sense of, for a notification.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalNote {
    pub file: String,
    pub span: Span,
    pub message: String,
}

/// The names visible inside one module instance.
#[derive(Debug, Default)]
pub struct Scope {
    /// `module.name.` for a child module instance, empty for a root module.
    pub prefix: String,
    /// Repository-relative directory of this module (`path.module`) and of the root module
    /// (`path.root`, `path.cwd`, and what relative `file()` paths start from).
    pub module_dir: String,
    pub root_dir: String,
    /// The variables of a `templatefile()` template, named bare (`${bucket}`).
    pub template_vars: Option<Tv>,
    /// Variable values already chosen (tfvars, module input or default) with their file, or
    /// `None` as file when the value was computed in another module (respanned at use).
    pub vars: HashMap<String, (Option<String>, Tv)>,
    pub locals: HashMap<String, Def>,
    /// Evaluated locals with their size in nodes.
    cache: RefCell<HashMap<String, (Tv, usize)>>,
    /// Nodes copied so far by references to locals and variables (see [`MAX_COPIED_NODES`]).
    copied: std::cell::Cell<usize>,
    /// Bytes of strings built so far by functions and templates (see [`MAX_BUILT_BYTES`]).
    built: std::cell::Cell<usize>,
    stack: RefCell<Vec<String>>,
    notes: RefCell<Vec<EvalNote>>,
    /// Notes already taken (file, span, message): each is said once, found without a search.
    noted: RefCell<std::collections::HashSet<(String, Span, String)>>,
    /// The iterators of the `dynamic` blocks being expanded (`environment.value`), innermost last.
    iterators: RefCell<Vec<(String, Tv)>>,
}

/// Where an expression is evaluated: its file and syntax.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub file: &'a str,
    pub json: bool,
}

impl Scope {
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
            ..Self::default()
        }
    }

    /// Notes gathered so far (cycles, templates that could not be parsed).
    pub fn take_notes(&self) -> Vec<EvalNote> {
        std::mem::take(&mut self.notes.borrow_mut())
    }

    fn note(&self, at: At<'_>, span: Span, message: String) {
        let key = (at.file.to_string(), span, message);
        if self.noted.borrow_mut().insert(key.clone()) {
            let (file, span, message) = key;
            self.notes.borrow_mut().push(EvalNote {
                file,
                span,
                message,
            });
        }
    }

    /// Evaluate `node` written in `at.file`.
    pub fn eval(&self, node: &Node, at: At<'_>) -> Tv {
        self.eval_depth(node, at, 0)
    }

    fn eval_depth(&self, node: &Node, at: At<'_>, depth: usize) -> Tv {
        tollgate_core::budget::check();
        let span = node.span;
        if depth > MAX_DEPTH {
            let msg = format!("expressions (locals referring to locals included) nest more than {MAX_DEPTH} levels deep here; the value is treated as unknown");
            self.note(at, span, msg.clone());
            return Tv::unknown(span, msg);
        }
        match &node.value {
            Value::Null => Tv::null(span),
            Value::Bool(b) => Tv::new(span, TvKind::Bool(*b)),
            Value::Number(n) => Tv::new(span, TvKind::Number(n.clone())),
            Value::String(s) if at.json && s.contains("${") => {
                self.json_template(s, span, at, depth)
            }
            Value::String(s) => Tv::string(span, s.replace("$${", "${")),
            Value::Seq(items) => Tv::new(
                span,
                TvKind::List(
                    items
                        .iter()
                        .map(|n| self.eval_depth(n, at, depth + 1))
                        .collect(),
                ),
            ),
            Value::Map(entries) => self.eval_body(entries, span, at, depth),
            Value::Block(block) => self.eval_body(&block.body, span, at, depth),
            Value::Expr(expr) => match &expr.kind {
                ExprKind::Traversal { root, steps } => self.traversal(root, steps, span, at, depth),
                ExprKind::FuncCall { name, args } if name == "file" || name == "templatefile" => {
                    let Some(a) = args.first() else {
                        return Tv::unknown(span, format!("{name}() without a path"));
                    };
                    let mut f = self.file(self.eval_depth(a, at, depth + 1), span);
                    if let (TvKind::File { vars, .. }, Some(v)) = (&mut f.kind, args.get(1)) {
                        *vars = Some(Box::new(self.eval_depth(v, at, depth + 1)));
                    }
                    f
                }
                ExprKind::FuncCall { name, .. }
                    if !functions::SUPPORTED.contains(&name.as_str()) =>
                {
                    let msg = format!("function {name}() is not evaluated statically; its value is treated as unknown");
                    self.note(at, span, msg.clone());
                    Tv::unknown(span, msg)
                }
                ExprKind::FuncCall { name, args } => {
                    let args: Vec<Tv> = args
                        .iter()
                        .map(|a| self.eval_depth(a, at, depth + 1))
                        .collect();
                    let arg_unknown = args.iter().any(Tv::is_unknown);
                    let v = functions::call(name, args, span);
                    if let TvKind::Unknown(reason) = &v.kind {
                        // Said once, where the cap was crossed, not at every caller.
                        if !arg_unknown && reason.contains(functions::TOO_LARGE) {
                            self.note(at, span, reason.clone());
                        }
                    }
                    self.built(v, at)
                }
                ExprKind::Template { parts } => {
                    let v = self.template(parts, span, at, depth);
                    self.built(v, at)
                }
                ExprKind::Conditional {
                    cond,
                    then,
                    otherwise,
                } => {
                    let c = self.eval_depth(cond, at, depth + 1);
                    match c.as_bool() {
                        Some(true) => self.eval_depth(then, at, depth + 1),
                        Some(false) => self.eval_depth(otherwise, at, depth + 1),
                        None => {
                            let a = self.eval_depth(then, at, depth + 1);
                            let b = self.eval_depth(otherwise, at, depth + 1);
                            if same_value(&a, &b) {
                                a
                            } else {
                                Tv::unknown(
                                    span,
                                    format!(
                                        "condition `{}` is not decidable statically",
                                        cond_text(cond)
                                    ),
                                )
                            }
                        }
                    }
                }
                ExprKind::Operation { op, operands } => {
                    let vals: Vec<Tv> = operands
                        .iter()
                        .map(|o| self.eval_depth(o, at, depth + 1))
                        .collect();
                    functions::operation(op, &vals, span)
                }
                ExprKind::Other => {
                    let msg = format!(
                        "expression `{}` is not evaluated statically; its value is treated as unknown",
                        short(&expr.text)
                    );
                    self.note(at, span, msg.clone());
                    Tv::unknown(span, msg)
                }
            },
        }
    }

    /// A body (block or object): attributes as keys, nested blocks as objects, a block type
    /// written several times as a list of objects; `dynamic` blocks are unknown.
    fn eval_body(
        &self,
        entries: &[tollgate_syntax::Entry],
        span: Span,
        at: At<'_>,
        depth: usize,
    ) -> Tv {
        let mut out: Vec<(String, Span, Tv)> = Vec::with_capacity(entries.len());
        for e in entries {
            if at.json && e.key == "dynamic" && matches!(e.value.value, Value::Map(_)) {
                // JSON syntax writes `"dynamic": {"name": {"for_each": ..., "content": ...}}`
                // (or a list of such objects for one name): expanded as HCL's blocks are.
                for (name, spec) in json_dynamic_blocks(&e.value) {
                    let value = match self.dynamic(name, spec, at, depth) {
                        Ok(Some(blocks)) => blocks,
                        Ok(None) => continue,
                        Err(why) => {
                            let msg = format!("dynamic block `{name}` is generated at plan time ({why}); its settings are treated as unknown");
                            self.note(at, spec.span, msg.clone());
                            Tv::unknown(spec.span, msg)
                        }
                    };
                    push_block(&mut out, name.to_string(), e.key_span, value, span);
                }
                continue;
            }
            let (key, value) = match &e.value.value {
                Value::Block(b) if b.ident == "dynamic" => {
                    let name = b.labels.first().map(|l| l.0.clone()).unwrap_or_default();
                    match self.dynamic(&name, &e.value, at, depth) {
                        Ok(Some(blocks)) => (name, blocks),
                        // No element: Terraform writes no block at all.
                        Ok(None) => continue,
                        Err(why) => {
                            let msg = format!("dynamic block `{name}` is generated at plan time ({why}); its settings are treated as unknown");
                            self.note(at, e.value.span, msg.clone());
                            (name, Tv::unknown(e.value.span, msg))
                        }
                    }
                }
                _ => (e.key.clone(), self.eval_depth(&e.value, at, depth + 1)),
            };
            if matches!(e.value.value, Value::Block(_)) {
                push_block(&mut out, key, e.key_span, value, span);
            } else {
                out.push((key, e.key_span, value));
            }
        }
        Tv::new(span, TvKind::Object(out))
    }

    /// The blocks a `dynamic "name" { for_each = ... content { ... } }` block writes when its
    /// `for_each` is known: one per element, with the iterator bound to `{key, value}`; `None`
    /// when there is no element. An unknown collection is an error saying why.
    fn dynamic(
        &self,
        name: &str,
        node: &Node,
        at: At<'_>,
        depth: usize,
    ) -> Result<Option<Tv>, String> {
        let for_each = super::blocks::attr(node, "for_each").ok_or("no `for_each`")?;
        let content = super::blocks::attr(node, "content").ok_or("no `content`")?;
        let collection = self.eval_depth(for_each, at, depth + 1);
        let elements: Vec<(Tv, Tv)> = match collection.kind {
            TvKind::Null => Vec::new(),
            TvKind::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Tv::new(v.span, TvKind::Number(i.to_string())), v))
                .collect(),
            TvKind::Object(entries) => entries
                .into_iter()
                .map(|(k, ks, v)| (Tv::string(ks, k), v))
                .collect(),
            TvKind::Unknown(why) => return Err(why),
            _ => return Err("`for_each` is not a list, set or map".into()),
        };
        if elements.len() > MAX_DYNAMIC_BLOCKS {
            return Err(format!("more than {MAX_DYNAMIC_BLOCKS} elements"));
        }
        let iterator = match super::blocks::attr(node, "iterator").map(|n| &n.value) {
            Some(Value::Expr(e)) => e.text.trim().to_string(),
            Some(Value::String(s)) => s.clone(),
            _ => name.to_string(),
        };
        let mut blocks = Vec::with_capacity(elements.len());
        for (key, value) in elements {
            if !self.charge(node_count(&value), value.span, at) {
                return Err("value too large to evaluate".into());
            }
            let span = value.span;
            let bound = Tv::new(
                span,
                TvKind::Object(vec![
                    ("key".into(), span, key),
                    ("value".into(), span, value),
                ]),
            );
            self.iterators.borrow_mut().push((iterator.clone(), bound));
            let block = self.eval_depth(content, at, depth + 1);
            self.iterators.borrow_mut().pop();
            blocks.push(block);
        }
        Ok(match blocks.len() {
            0 => None,
            1 => blocks.pop(),
            _ => Some(Tv::new(node.span, TvKind::List(blocks))),
        })
    }

    fn template(&self, parts: &[TemplatePart], span: Span, at: At<'_>, depth: usize) -> Tv {
        // `"${x}"` is `x` itself, whatever its type (HCL's rule for a lone interpolation).
        if let [TemplatePart::Interpolation(n)] = parts {
            let mut v = self.eval_depth(n, at, depth + 1);
            v.span = span;
            return v;
        }
        let mut s = String::new();
        // A JSON document written as a template (a heredoc policy) keeps what it can: an
        // unknown interpolation becomes a marker, and only the JSON value holding it is unknown.
        let json_like = matches!(parts.first(), Some(TemplatePart::Literal(l))
            if l.trim_start().starts_with(['{', '[']));
        let mut unknown_inside = None;
        for part in parts {
            match part {
                TemplatePart::Literal(l) => s.push_str(l),
                TemplatePart::Directive(d) => {
                    let msg = format!(
                        "template directive `{}` is not evaluated; the string is treated as unknown",
                        short(d)
                    );
                    self.note(at, span, msg.clone());
                    return Tv::unknown(span, msg);
                }
                TemplatePart::Interpolation(n) => {
                    let v = self.eval_depth(n, at, depth + 1);
                    match (&v.kind, v.render()) {
                        (TvKind::Unknown(reason), _) if json_like => {
                            heredoc::push_unknown_marker(&mut s);
                            unknown_inside.get_or_insert_with(|| reason.clone());
                        }
                        (TvKind::Unknown(reason), _) => return Tv::unknown(span, reason.clone()),
                        (_, Some(text)) if s.len() + text.len() > functions::MAX_FUNCTION_BYTES => {
                            let msg = format!(
                                "the template {} {} bytes; its value is treated as unknown",
                                functions::TOO_LARGE,
                                functions::MAX_FUNCTION_BYTES
                            );
                            self.note(at, span, msg.clone());
                            return Tv::unknown(span, msg);
                        }
                        (_, Some(text)) => s.push_str(&text),
                        (TvKind::Null, None) => {}
                        (_, None) => {
                            return Tv::unknown(
                                span,
                                "a list or object cannot be interpolated into a string",
                            )
                        }
                    }
                }
            }
        }
        if let Some(reason) = unknown_inside {
            return heredoc::parse_with_unknowns(&Tv::string(span, s), &reason)
                .unwrap_or_else(|| Tv::unknown(span, reason));
        }
        Tv::string(span, s)
    }

    /// A string of Terraform JSON syntax holding `${...}`: each interpolation is parsed as an
    /// HCL expression and evaluated; the result is spanned at the JSON string.
    fn json_template(&self, s: &str, span: Span, at: At<'_>, depth: usize) -> Tv {
        let pieces = match split_template(s) {
            Ok(p) => p,
            Err(msg) => {
                self.note(at, span, msg.clone());
                return Tv::unknown(span, msg);
            }
        };
        let mut parts = Vec::with_capacity(pieces.len());
        for piece in pieces {
            match piece {
                Piece::Literal(l) => parts.push(TemplatePart::Literal(l)),
                Piece::Expr(text) => match parse_expression(&text) {
                    Some(mut node) => {
                        respan_node(&mut node, span);
                        parts.push(TemplatePart::Interpolation(node));
                    }
                    None => {
                        let msg = format!("cannot parse the interpolation `${{{}}}`", short(&text));
                        self.note(at, span, msg.clone());
                        return Tv::unknown(span, msg);
                    }
                },
            }
        }
        let hcl_at = At { json: false, ..at };
        self.template(&parts, span, hcl_at, depth)
    }

    fn traversal(
        &self,
        root: &str,
        steps: &[TraversalStep],
        span: Span,
        at: At<'_>,
        depth: usize,
    ) -> Tv {
        let attr_name = |i: usize| match steps.get(i) {
            Some(TraversalStep::Attr(a)) => Some(a.clone()),
            _ => None,
        };
        let bound = self
            .iterators
            .borrow()
            .iter()
            .rev()
            .find(|(name, _)| name == root)
            .map(|(_, v)| v.clone());
        if let Some(mut base) = bound {
            respan(&mut base, span);
            return self.steps(base, steps, span, at, depth);
        }
        if let Some(v) = self.template_vars.as_ref().and_then(|t| t.entry(root)) {
            let mut base = v.1.clone();
            respan(&mut base, span);
            return self.steps(base, steps, span, at, depth);
        }
        match root {
            "var" => {
                let Some(name) = attr_name(0) else {
                    return Tv::unknown(span, "`var` without a name");
                };
                let base = match self.vars.get(&name) {
                    Some((_, v)) if !self.charge(node_count(v), span, at) => {
                        Tv::unknown(span, "value too large to evaluate")
                    }
                    Some((file, v)) => {
                        let mut v = v.clone();
                        if file.as_deref() != Some(at.file) {
                            respan(&mut v, span);
                        }
                        v
                    }
                    None => Tv::unknown(span, format!("var.{name} has no default and no value")),
                };
                self.steps(base, &steps[1..], span, at, depth)
            }
            "local" => {
                let Some(name) = attr_name(0) else {
                    return Tv::unknown(span, "`local` without a name");
                };
                let mut base = self.local(&name, span, at, depth);
                if let Some(def) = self.locals.get(&name) {
                    if def.file != at.file {
                        respan(&mut base, span);
                    }
                }
                self.steps(base, &steps[1..], span, at, depth)
            }
            "data" => {
                let (Some(ty), Some(name)) = (attr_name(0), attr_name(1)) else {
                    return Tv::unknown(span, "incomplete data source reference");
                };
                self.reference(
                    format!("{}data.{ty}.{name}", self.prefix),
                    &steps[2..],
                    span,
                )
            }
            "module" => Tv::unknown(
                span,
                format!(
                    "module.{} output is not evaluated",
                    attr_name(0).unwrap_or_default()
                ),
            ),
            "path" => match attr_name(0).as_deref() {
                Some("module") => Tv::string(span, dir_text(&self.module_dir)),
                Some("root" | "cwd") => Tv::string(span, dir_text(&self.root_dir)),
                _ => Tv::unknown(span, "`path` attribute not known"),
            },
            "each" | "count" | "terraform" | "self" => {
                Tv::unknown(span, format!("`{root}` is only known at plan time"))
            }
            ty if ty.contains('_') => {
                let Some(name) = attr_name(0) else {
                    return Tv::unknown(span, format!("incomplete reference to `{ty}`"));
                };
                self.reference(format!("{}{ty}.{name}", self.prefix), &steps[1..], span)
            }
            other => Tv::unknown(span, format!("`{other}` is not a known name")),
        }
    }

    /// `file(path)`: relative paths start at the root module's directory; a path leaving the
    /// scanned root or absolute is unknown (nothing outside the root is ever read).
    fn file(&self, path: Tv, span: Span) -> Tv {
        let Some(p) = path.as_str() else {
            return Tv::unknown(span, "file() of a path not known statically");
        };
        if p.starts_with('/') || p.contains(':') || p.starts_with('~') {
            return Tv::unknown(span, "file() outside the scanned directory is not read");
        }
        let mut parts: Vec<&str> = self.root_dir.split('/').filter(|s| !s.is_empty()).collect();
        for seg in p.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Tv::unknown(
                            span,
                            "file() outside the scanned directory is not read",
                        );
                    }
                }
                s => parts.push(s),
            }
        }
        Tv::new(
            span,
            TvKind::File {
                path: parts.join("/"),
                vars: None,
            },
        )
    }

    /// A reference to a resource: attribute steps kept, indexes (`count`) skipped.
    fn reference(&self, address: String, steps: &[TraversalStep], span: Span) -> Tv {
        let attr = steps
            .iter()
            .filter_map(|s| match s {
                TraversalStep::Attr(a) => Some(a.clone()),
                _ => None,
            })
            .collect();
        Tv::new(span, TvKind::Ref { address, attr })
    }

    /// `v`, a string just built, when the module's budget of built strings allows it;
    /// otherwise unknown, with a note the first time.
    fn built(&self, v: Tv, at: At<'_>) -> Tv {
        let TvKind::String(s) = &v.kind else {
            return v;
        };
        let before = self.built.get();
        let total = before.saturating_add(s.len());
        self.built.set(total);
        if total <= MAX_BUILT_BYTES {
            return v;
        }
        let msg = format!("functions and templates of this module build more than {MAX_BUILT_BYTES} bytes of strings; this value and every later string built are treated as unknown");
        if before <= MAX_BUILT_BYTES {
            self.note(at, v.span, msg.clone());
        }
        Tv::unknown(v.span, msg)
    }

    /// Count `size` copied nodes; false once the module is over its budget.
    /// The first time, a note at `span` in `at` says so.
    fn charge(&self, size: usize, span: Span, at: At<'_>) -> bool {
        let before = self.copied.get();
        let total = before.saturating_add(size);
        self.copied.set(total);
        if total > MAX_COPIED_NODES && before <= MAX_COPIED_NODES {
            self.note(at, span, format!("references to locals of this module copy more than {MAX_COPIED_NODES} value nodes; this value and every later copy are treated as unknown"));
        }
        total <= MAX_COPIED_NODES
    }

    fn local(&self, name: &str, span: Span, at: At<'_>, depth: usize) -> Tv {
        if let Some((v, size)) = self.cache.borrow().get(name) {
            if !self.charge(*size, span, at) {
                return Tv::unknown(span, "value too large to evaluate");
            }
            return v.clone();
        }
        let Some(def) = self.locals.get(name) else {
            return Tv::unknown(span, format!("local.{name} is not defined"));
        };
        if self.stack.borrow().iter().any(|n| n == name) {
            let chain = self.stack.borrow().join(" -> ");
            let msg = format!("local.{name} refers to itself ({chain} -> {name})");
            self.note(at, span, msg.clone());
            return Tv::unknown(span, msg);
        }
        self.stack.borrow_mut().push(name.to_string());
        let def_at = At {
            file: &def.file,
            json: def.json,
        };
        let mut v = self.eval_depth(&def.node, def_at, depth + 1);
        self.stack.borrow_mut().pop();
        if value_depth(&v, 0) > MAX_VALUE_DEPTH {
            v = Tv::unknown(span, "value nested too deeply to evaluate");
        }
        let mut size = node_count(&v);
        if !self.charge(size, span, at) {
            v = Tv::unknown(span, "value too large to evaluate");
            size = 1;
        }
        self.cache
            .borrow_mut()
            .insert(name.to_string(), (v.clone(), size));
        v
    }

    fn steps(
        &self,
        mut v: Tv,
        steps: &[TraversalStep],
        span: Span,
        at: At<'_>,
        depth: usize,
    ) -> Tv {
        for step in steps {
            v = match (&v.kind, step) {
                (TvKind::Unknown(_), _) => return v,
                (TvKind::Ref { address, attr }, TraversalStep::Attr(a)) => {
                    let mut attr = attr.clone();
                    attr.push(a.clone());
                    Tv::new(
                        v.span,
                        TvKind::Ref {
                            address: address.clone(),
                            attr,
                        },
                    )
                }
                (TvKind::Ref { .. }, _) => v,
                (TvKind::Object(_), TraversalStep::Attr(a)) => match v.get(a) {
                    Some(x) => x.clone(),
                    None => Tv::unknown(span, format!("no attribute `{a}`")),
                },
                (_, TraversalStep::Index(idx)) => {
                    let i = self.eval_depth(idx, at, depth + 1);
                    index(&v, &i, span)
                }
                (_, TraversalStep::Splat) => {
                    return Tv::unknown(span, "splat expressions are not evaluated")
                }
                (_, TraversalStep::Attr(a)) => {
                    return Tv::unknown(span, format!("no attribute `{a}`"))
                }
            };
        }
        v
    }
}

/// A directory as Terraform prints it: `.` for the top.
fn dir_text(dir: &str) -> String {
    if dir.is_empty() {
        ".".into()
    } else {
        dir.to_string()
    }
}

/// Add a block to a body: a block type written again joins the earlier ones in a list.
fn push_block(
    out: &mut Vec<(String, Span, Tv)>,
    key: String,
    key_span: Span,
    value: Tv,
    body: Span,
) {
    let Some(existing) = out.iter_mut().find(|(k, _, _)| *k == key) else {
        out.push((key, key_span, value));
        return;
    };
    let prev = std::mem::replace(&mut existing.2, Tv::null(body));
    let span = prev.span.join(value.span);
    let joined = match prev.kind {
        TvKind::List(mut items) if prev_is_block_list(&items) => {
            items.push(value);
            TvKind::List(items)
        }
        other => TvKind::List(vec![Tv::new(prev.span, other), value]),
    };
    existing.2 = Tv::new(span, joined);
}

/// The `dynamic` blocks of a Terraform JSON body, `{"name": {...}}` or `{"name": [{...}, ...]}`,
/// as (name, block) pairs.
fn json_dynamic_blocks(dynamic: &Node) -> Vec<(&str, &Node)> {
    let mut out = Vec::new();
    for entry in super::blocks::body_entries(dynamic) {
        match &entry.value.value {
            Value::Seq(items) => out.extend(items.iter().map(|b| (entry.key.as_str(), b))),
            _ => out.push((entry.key.as_str(), &entry.value)),
        }
    }
    out
}

fn prev_is_block_list(items: &[Tv]) -> bool {
    items.iter().all(|i| matches!(i.kind, TvKind::Object(_)))
}

/// `v[i]` for lists (number) and objects (string key).
pub fn index(v: &Tv, i: &Tv, span: Span) -> Tv {
    match (&v.kind, &i.kind) {
        (_, TvKind::Unknown(r)) => Tv::unknown(span, r.clone()),
        (TvKind::List(items), _) => match i.as_i64().and_then(|n| usize::try_from(n).ok()) {
            Some(n) if n < items.len() => items[n].clone(),
            _ => Tv::unknown(span, "index out of range or not a number"),
        },
        (TvKind::Object(_), _) => match i.as_str().and_then(|k| v.get(k)) {
            Some(x) => x.clone(),
            None => Tv::unknown(span, "key not present"),
        },
        _ => Tv::unknown(span, "cannot index this value"),
    }
}

/// Nesting depth of a value, counted no further than just past the cap.
fn value_depth(v: &Tv, at: usize) -> usize {
    if at > MAX_VALUE_DEPTH {
        return at;
    }
    match &v.kind {
        TvKind::List(items) => items
            .iter()
            .map(|i| value_depth(i, at + 1))
            .max()
            .unwrap_or(at),
        TvKind::Object(entries) => entries
            .iter()
            .map(|(_, _, i)| value_depth(i, at + 1))
            .max()
            .unwrap_or(at),
        _ => at,
    }
}

/// Size of a value in nodes, a long string counting as several (strings double as easily as
/// lists: `"${local.a}${local.a}"`).
fn node_count(v: &Tv) -> usize {
    1 + match &v.kind {
        TvKind::List(items) => items.iter().map(node_count).sum(),
        TvKind::Object(entries) => entries.iter().map(|(_, _, v)| node_count(v)).sum(),
        TvKind::String(s) | TvKind::Number(s) => s.len() / 16,
        _ => 0,
    }
}

/// Whether two evaluated values are the same, ignoring spans.
pub fn same_value(a: &Tv, b: &Tv) -> bool {
    match (&a.kind, &b.kind) {
        (TvKind::List(x), TvKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (TvKind::Object(x), TvKind::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p.0 == q.0 && same_value(&p.2, &q.2))
        }
        (TvKind::Unknown(_), _) | (_, TvKind::Unknown(_)) => false,
        (x, y) => x == y,
    }
}

/// Render a `templatefile()` template: each `${...}` evaluated with the template's variables
/// (named bare). Directives (`%{ for }`) are not rendered.
pub fn render_template(text: &str, vars: &Tv) -> Result<String, String> {
    if text.contains("%{") {
        return Err("template directives (`%{...}`) are not rendered".into());
    }
    let mut scope = Scope::new("");
    scope.template_vars = Some(vars.clone());
    let at = At {
        file: "",
        json: false,
    };
    let mut out = String::with_capacity(text.len());
    for piece in split_template(text)? {
        match piece {
            Piece::Literal(l) => out.push_str(&l),
            Piece::Expr(e) => {
                let node = parse_expression(&e).ok_or_else(|| {
                    format!("cannot parse the interpolation `${{{}}}`", short(&e))
                })?;
                let v = scope.eval(&node, at);
                match (&v.kind, v.render()) {
                    (TvKind::Unknown(r), _) => return Err(r.clone()),
                    (_, Some(t)) => out.push_str(&t),
                    _ => return Err("a list or object cannot be interpolated into a string".into()),
                }
            }
        }
        if out.len() > MAX_RENDERED_BYTES {
            return Err("rendered template too large".into());
        }
    }
    Ok(out)
}

/// Largest rendered template (a policy is at most a few KiB).
const MAX_RENDERED_BYTES: usize = 1024 * 1024;

/// Give every span of `v` the span `at`: used when a value written in one file is used in
/// another, so findings never point at a line of the wrong file.
pub fn respan(v: &mut Tv, at: Span) {
    v.span = at;
    match &mut v.kind {
        TvKind::List(items) => items.iter_mut().for_each(|i| respan(i, at)),
        TvKind::Object(entries) => entries.iter_mut().for_each(|(_, s, i)| {
            *s = at;
            respan(i, at);
        }),
        _ => {}
    }
}

fn respan_node(n: &mut Node, at: Span) {
    n.span = at;
    match &mut n.value {
        Value::Seq(items) => items.iter_mut().for_each(|i| respan_node(i, at)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| {
            e.key_span = at;
            respan_node(&mut e.value, at);
        }),
        Value::Expr(e) => match &mut e.kind {
            ExprKind::FuncCall { args, .. } => args.iter_mut().for_each(|a| respan_node(a, at)),
            ExprKind::Template { parts } => parts.iter_mut().for_each(|p| {
                if let TemplatePart::Interpolation(x) = p {
                    respan_node(x, at);
                }
            }),
            ExprKind::Conditional {
                cond,
                then,
                otherwise,
            } => {
                respan_node(cond, at);
                respan_node(then, at);
                respan_node(otherwise, at);
            }
            ExprKind::Operation { operands, .. } => {
                operands.iter_mut().for_each(|o| respan_node(o, at))
            }
            ExprKind::Traversal { steps, .. } => steps.iter_mut().for_each(|s| {
                if let TraversalStep::Index(x) = s {
                    respan_node(x, at);
                }
            }),
            ExprKind::Other => {}
        },
        _ => {}
    }
}

#[derive(Debug, PartialEq)]
enum Piece {
    Literal(String),
    Expr(String),
}

/// Split a Terraform JSON string into literal text and `${...}` expressions (braces and quoted
/// strings inside an interpolation balanced; `$${` is a literal `${`).
fn split_template(s: &str) -> Result<Vec<Piece>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' && chars.get(i + 1) == Some(&'$') && chars.get(i + 2) == Some(&'{') {
            lit.push_str("${");
            i += 3;
            continue;
        }
        if chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
            let mut j = i + 2;
            let mut level = 1usize;
            let mut in_str = false;
            while j < chars.len() {
                let c = chars[j];
                if in_str {
                    if c == '\\' {
                        j += 1;
                    } else if c == '"' {
                        in_str = false;
                    }
                } else if c == '"' {
                    in_str = true;
                } else if c == '{' {
                    level += 1;
                } else if c == '}' {
                    level -= 1;
                    if level == 0 {
                        break;
                    }
                }
                j += 1;
            }
            if level != 0 {
                return Err("unterminated `${` interpolation: expected a closing `}`".into());
            }
            if !lit.is_empty() {
                out.push(Piece::Literal(std::mem::take(&mut lit)));
            }
            let inner: String = chars[i + 2..j].iter().collect();
            out.push(Piece::Expr(
                inner
                    .trim()
                    .trim_start_matches('~')
                    .trim_end_matches('~')
                    .trim()
                    .to_string(),
            ));
            i = j + 1;
            continue;
        }
        lit.push(chars[i]);
        i += 1;
    }
    if !lit.is_empty() {
        out.push(Piece::Literal(lit));
    }
    Ok(out)
}

/// Parse one HCL expression: a plain reference (`var.x`, `aws_kms_key.main.arn`,
/// `local.tags["env"]`) directly, anything else by parsing `v = <text>` with the workspace's
/// HCL parser.
fn parse_expression(text: &str) -> Option<Node> {
    if let Some(node) = simple_traversal(text) {
        return Some(node);
    }
    let limits = Limits {
        max_bytes: 64 * 1024,
        ..Limits::default()
    };
    let doc = tollgate_syntax::parse(&format!("v = {text}\n"), Format::Hcl, &limits).ok()?;
    match &doc.root()?.value {
        Value::Map(entries) => entries
            .iter()
            .find(|e| e.key == "v")
            .map(|e| e.value.clone()),
        _ => None,
    }
}

/// `root.attr[0].attr["key"]` as a traversal node (spans are set by the caller).
fn simple_traversal(text: &str) -> Option<Node> {
    let zero = Span::line(1);
    let is_ident = |s: &str| {
        !s.is_empty()
            && s.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let mut steps = Vec::new();
    let mut rest = text.trim();
    let end = rest.find(['.', '[']).unwrap_or(rest.len());
    let root = &rest[..end];
    if !is_ident(root) {
        return None;
    }
    rest = &rest[end..];
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if !is_ident(&r[..end]) {
                return None;
            }
            steps.push(TraversalStep::Attr(r[..end].to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            let inner = r[..close].trim();
            let value = if let Some(q) = inner.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
                Value::String(q.to_string())
            } else if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit()) {
                Value::Number(inner.to_string())
            } else {
                return None;
            };
            steps.push(TraversalStep::Index(Node {
                span: zero,
                tag: None,
                value,
            }));
            rest = &r[close + 1..];
        } else {
            return None;
        }
    }
    Some(Node {
        span: zero,
        tag: None,
        value: Value::Expr(Box::new(tollgate_syntax::Expr {
            text: text.to_string(),
            kind: ExprKind::Traversal {
                root: root.to_string(),
                steps,
            },
        })),
    })
}

fn cond_text(n: &Node) -> String {
    match &n.value {
        Value::Expr(e) => short(&e.text),
        _ => "condition".into(),
    }
}

/// Expression text shortened for messages.
pub fn short(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() > 60 {
        let cut: String = t.chars().take(57).collect();
        format!("{cut}...")
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluate the attribute `v` of an HCL text with `locals` taken from a `locals` block and
    /// the given variables.
    fn eval_in(text: &str, vars: &[(&str, Tv)]) -> (Tv, Vec<EvalNote>) {
        let doc = tollgate_syntax::parse(text, Format::Hcl, &Limits::default()).expect("hcl");
        let root = doc.root().expect("root");
        let mut scope = Scope::new("");
        for (k, v) in vars {
            scope
                .vars
                .insert(k.to_string(), (Some("main.tf".into()), v.clone()));
        }
        for b in root.blocks("locals") {
            for e in &b.body {
                scope.locals.insert(
                    e.key.clone(),
                    Def {
                        file: "main.tf".into(),
                        node: e.value.clone(),
                        json: false,
                    },
                );
            }
        }
        let at = At {
            file: "main.tf",
            json: false,
        };
        let v = scope.eval(root.get("v").expect("attribute v"), at);
        (v, scope.take_notes())
    }

    fn s(x: &str) -> Tv {
        Tv::string(Span::line(1), x)
    }

    #[test]
    fn templates_join_parts_and_a_lone_interpolation_keeps_its_type() {
        let (v, _) = eval_in("v = \"arn:aws:s3:::${var.b}/*\"\n", &[("b", s("logs"))]);
        assert_eq!(v.as_str(), Some("arn:aws:s3:::logs/*"));
        let (v, _) = eval_in("v = \"${aws_kms_key.k.arn}\"\n", &[]);
        assert_eq!(v.ref_address(), Some("aws_kms_key.k"));
        let (v, _) = eval_in("v = \"key ${aws_kms_key.k.arn}\"\n", &[]);
        assert_eq!(v.as_str(), Some("key ${aws_kms_key.k.arn}"));
        let (v, _) = eval_in("v = \"x-${var.missing}\"\n", &[]);
        assert!(v.is_unknown());
    }

    #[test]
    fn variables_locals_indexes_and_conditionals() {
        let text = "locals {\n  m = { a = \"1\", b = [\"x\", \"y\"] }\n  pick = var.on ? local.m.a : \"0\"\n}\nv = [local.pick, local.m[\"b\"][1], local.m.b[0]]\n";
        let (v, _) = eval_in(text, &[("on", Tv::new(Span::line(1), TvKind::Bool(true)))]);
        let items: Vec<_> = v
            .as_list()
            .expect("list")
            .iter()
            .map(|i| i.as_str())
            .collect();
        assert_eq!(items, [Some("1"), Some("y"), Some("x")]);
        let text = "locals {\n  pick = var.on ? \"a\" : \"b\"\n  same = var.on ? \"a\" : \"a\"\n}\nv = [local.pick, local.same]\n";
        let (v, _) = eval_in(text, &[]);
        let items = v.as_list().expect("list");
        assert!(items[0].is_unknown(), "undecidable condition");
        assert_eq!(items[1].as_str(), Some("a"), "both branches agree");
    }

    #[test]
    fn merge_of_a_local_map_of_100000_keys() {
        // Parsed in chunks (one object literal of this size used to take minutes), then merged.
        let keys: String = (0..100_000)
            .map(|i| format!("    k{i} = \"v{i}\"\n"))
            .collect();
        let text = format!(
            "locals {{\n  a = {{\n{keys}  }}\n}}\nv = merge(local.a, {{ k5 = \"new\", extra = \"x\" }}, local.a, {{ k7 = \"late\" }})\n"
        );
        let (v, notes) = eval_in(&text, &[]);
        assert!(notes.is_empty(), "{notes:?}");
        let entries = v.as_object().expect("object");
        assert_eq!(entries.len(), 100_001);
        assert_eq!(v.get("k0").and_then(Tv::as_str), Some("v0"));
        assert_eq!(v.get("k99999").and_then(Tv::as_str), Some("v99999"));
        // Later objects win: the third argument wrote `k5` again, the fourth `k7`.
        assert_eq!(v.get("k5").and_then(Tv::as_str), Some("v5"));
        assert_eq!(v.get("k7").and_then(Tv::as_str), Some("late"));
        assert_eq!(v.get("extra").and_then(Tv::as_str), Some("x"));
        // The value of `k99999` still points at its line in the map.
        assert_eq!(v.get("k99999").unwrap().span.start.line, 100_002);
    }

    #[test]
    fn local_cycles_become_unknown_with_a_note() {
        let text = "locals {\n  a = local.b\n  b = \"${local.a}-x\"\n}\nv = local.a\n";
        let (v, notes) = eval_in(text, &[]);
        assert!(v.is_unknown());
        assert!(
            notes.iter().any(|n| n.message.contains("refers to itself")),
            "{notes:?}"
        );
    }

    #[test]
    fn doubling_locals_stop_at_the_copy_budget() {
        let mut text = String::from("locals {\n  l0 = [\"x\", \"x\"]\n");
        for i in 1..40 {
            text.push_str(&format!("  l{i} = [local.l{p}, local.l{p}]\n", p = i - 1));
        }
        text.push_str("}\nv = local.l39\n");
        let (v, _) = eval_in(&text, &[]);
        assert!(v.is_unknown(), "2^40 nodes are never built");
        // 25 levels: within the depth cap, so the size caps are what stops it.
        let mut text = String::from("locals {\n  s0 = \"xxxxxxxxxxxxxxxx\"\n");
        for i in 1..25 {
            text.push_str(&format!(
                "  s{i} = \"${{local.s{p}}}${{local.s{p}}}\"\n",
                p = i - 1
            ));
        }
        text.push_str("}\nv = local.s24\n");
        let (v, notes) = eval_in(&text, &[]);
        assert!(v.is_unknown(), "a 2^28-byte string is never built");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].message.contains("more than"), "{notes:?}");
    }

    #[test]
    fn chains_of_nesting_locals_stop_at_the_depth_cap() {
        // Evaluated bottom-up (each local is cached before the next refers to it), the value
        // would grow one level per local without the cap.
        let mut text = String::from("locals {\n  d0 = \"x\"\n");
        for i in 1..400 {
            text.push_str(&format!("  d{i} = [local.d{p}]\n", p = i - 1));
        }
        text.push_str("}\nv = [");
        for i in 0..400 {
            text.push_str(&format!("local.d{i}, "));
        }
        text.push_str("]\n");
        let (v, _) = eval_in(&text, &[]);
        let items = v.as_list().expect("list");
        assert!(!items[10].is_unknown());
        assert!(items[129].is_unknown(), "the first local past the cap");
        assert!(items.iter().all(|i| value_depth(i, 0) <= MAX_VALUE_DEPTH));
    }

    #[test]
    fn templates_render_with_bare_variable_names() {
        let vars = Tv::new(
            Span::line(1),
            TvKind::Object(vec![("b".into(), Span::line(1), s("logs"))]),
        );
        let out = render_template("{\"Resource\": \"arn:aws:s3:::${b}/*\"}", &vars);
        assert_eq!(
            out.as_deref(),
            Ok("{\"Resource\": \"arn:aws:s3:::logs/*\"}")
        );
        assert!(render_template("${missing}", &vars).is_err());
        assert!(render_template("%{ for x in y }${x}%{ endfor }", &vars).is_err());
    }

    #[test]
    fn heredoc_json_maps_lines_into_the_file() {
        let text = "v = <<EOT\n{\n  \"Statement\": [{\"Effect\": \"Allow\"}]\n}\nEOT\n";
        let (v, _) = eval_in(text, &[]);
        let json = super::super::heredoc::parse_json_string(&v).expect("json");
        let effect = json
            .get("Statement")
            .and_then(|s| s.as_list())
            .and_then(|l| l[0].get("Effect"))
            .expect("effect");
        assert_eq!(effect.as_str(), Some("Allow"));
        assert_eq!(effect.span.start.line, 3);
    }

    #[test]
    fn runtime_only_names_and_unsupported_expressions_are_unknown() {
        for text in [
            "v = each.value\n",
            "v = module.m.out\n",
            "v = [for x in var.l : x]\n",
            "v = var.l[*].arn\n",
            "v = base64gzip(\"a\")\n",
        ] {
            let list = Tv::new(Span::line(1), TvKind::List(vec![]));
            let (v, _) = eval_in(text, &[("l", list)]);
            assert!(v.is_unknown(), "{text}: {v:?}");
        }
        for text in ["v = file(\"../x.json\")\n", "v = file(\"/etc/passwd\")\n"] {
            let (v, _) = eval_in(text, &[]);
            assert!(v.is_unknown(), "{text}: never outside the root");
        }
        let (v, _) = eval_in("v = file(\"${path.module}/p.json\")\n", &[]);
        assert_eq!(
            v.kind,
            TvKind::File {
                path: "p.json".into(),
                vars: None
            }
        );
        // A splat over a resource still names that resource.
        let (v, _) = eval_in("v = aws_s3_bucket.b[*].arn\n", &[]);
        assert_eq!(v.ref_address(), Some("aws_s3_bucket.b"));
    }

    #[test]
    fn json_syntax_templates_split_and_simple_references_parse_without_hcl() {
        assert_eq!(
            split_template("a-${var.x}-$${lit}").expect("ok"),
            vec![
                Piece::Literal("a-".into()),
                Piece::Expr("var.x".into()),
                Piece::Literal("-${lit}".into())
            ]
        );
        assert!(split_template("${var.x").is_err());
        let n = simple_traversal("local.tags[\"env\"]").expect("traversal");
        assert!(
            matches!(&n.value, Value::Expr(e) if matches!(&e.kind, ExprKind::Traversal { root, steps } if root == "local" && steps.len() == 2))
        );
        assert!(simple_traversal("upper(var.x)").is_none());
    }
}
