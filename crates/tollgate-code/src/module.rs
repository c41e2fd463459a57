//! One source file parsed: its tree, what its names import, its functions and constants.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use std::cell::Cell;
use std::time::{Duration, Instant};

use tree_sitter::{Node, ParseOptions, ParseState, Parser, Tree};

use crate::lang::{is_constant, string_value, text_of, Field, Lang, NodeExt};

/// What a name brought in by an import stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Import {
    /// A library module or a member of one, as a canonical dotted name: `subprocess`,
    /// `subprocess.run`, `child_process.exec` (`node:` prefixes dropped).
    External(String),
    /// A file of the same package (repository path), or one name in it.
    Local {
        path: String,
        member: Option<String>,
    },
}

/// Where a function's node is, so it can be found again in the module's tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FnRef {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug)]
pub struct Module {
    pub path: String,
    pub lang: Lang,
    pub text: Arc<str>,
    pub tree: Tree,
    pub imports: HashMap<String, Import>,
    /// Top-level functions by name, and exported names (`exports.run = ...`) by their export.
    pub functions: HashMap<String, FnRef>,
    /// Module-level names bound to literals or collections of literals (allow-lists).
    pub constants: HashSet<String>,
    /// Top-level classes by name, each with its methods by name, so calls through an
    /// instance (`svc.run(x)`), the class (`Service.run(x)`) or `self`/`this` are followed.
    pub classes: HashMap<String, HashMap<String, FnRef>>,
    /// Set when the tree is nested deeper than [`MAX_TREE_DEPTH`]: nothing of the file is
    /// indexed or traced (see [`Problem::TooDeep`]).
    pub too_deep: bool,
}

/// How many levels deep a file's syntax tree may be for its code to be read. The trace and the
/// indexing walk the tree recursively, on threads with [`TRACE_STACK_BYTES`] of stack, so a
/// hostile file nested thousands of levels deep (`if (x) {` written 100,000 times) must stop
/// before them instead of overflowing the stack. No interpreter runs such code: CPython stops
/// at 200 nested parentheses and 100 indentation levels, and V8's stack gives out at a few
/// thousand nested blocks.
pub const MAX_TREE_DEPTH: usize = 2_000;

/// Stack of each thread that indexes and traces code: enough for recursion over
/// [`MAX_TREE_DEPTH`] levels with several calls per level, even in a debug build. Only the
/// pages a walk touches are ever backed by memory.
pub const TRACE_STACK_BYTES: usize = 256 << 20;

/// What is wrong with a file that tree-sitter parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// It does not parse cleanly: the first error's position. The rest is still read.
    Syntax { line: u32, col: u32 },
    /// Its tree is nested deeper than [`MAX_TREE_DEPTH`]: the position of the first node past
    /// that depth. The file is not read.
    TooDeep { line: u32, col: u32 },
}

fn line_col(p: tree_sitter::Point) -> (u32, u32) {
    (
        u32::try_from(p.row + 1).unwrap_or(u32::MAX),
        u32::try_from(p.column + 1).unwrap_or(u32::MAX),
    )
}

/// The first node found deeper than `limit` levels below the root, if any. A cursor walk,
/// without recursion, so any depth is safe to measure.
fn deeper_than(tree: &Tree, limit: usize) -> Option<Node<'_>> {
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        if depth > limit {
            return Some(cursor.node());
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return None;
            }
            depth -= 1;
        }
    }
}

impl Module {
    /// Parse `text`. `resolve` turns an import specifier into a repository path of the same
    /// package, when there is such a file (see [`crate::resolve`]).
    pub fn parse(
        path: &str,
        lang: Lang,
        text: Arc<str>,
        resolve: &dyn Fn(&str, Lang, &str) -> Option<String>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<(Module, Option<Problem>), ParseStop> {
        let tree = parse_tree(lang, &text, cancelled)?;
        let too_deep = deeper_than(&tree, MAX_TREE_DEPTH).map(|n| {
            let (line, col) = line_col(n.start_position());
            Problem::TooDeep { line, col }
        });
        let problem = too_deep.clone().or_else(|| {
            first_error(tree.root_node()).map(|n| {
                let (line, col) = line_col(n.start_position());
                Problem::Syntax { line, col }
            })
        });
        let mut module = Module {
            path: path.to_string(),
            lang,
            text,
            tree,
            imports: HashMap::new(),
            functions: HashMap::new(),
            constants: HashSet::new(),
            classes: HashMap::new(),
            too_deep: too_deep.is_some(),
        };
        if !module.too_deep {
            module.index(resolve);
        }
        Ok((module, problem))
    }

    /// Whether `name` is a top-level binding or export whose value is a call's result with no
    /// function of the module given to it (`export const alexa = builder.lambda()`,
    /// `exports.handler = serverless(app)`, `handler = Mangum(app)`): a handler built at run
    /// time, which exists although no function of that name is written here.
    pub fn built_at_run_time(&self, name: &str) -> bool {
        let text = &*self.text;
        let is_call = |n: Node<'_>| {
            matches!(
                unwrap_await(n).kind_name(),
                "call" | "call_expression" | "new_expression"
            )
        };
        let mut cursor = self.tree.root_node().walk();
        let statements: Vec<Node<'_>> = self.tree.root_node().named_children(&mut cursor).collect();
        statements.into_iter().any(|stmt| {
            let stmt = match stmt.kind_name() {
                "export_statement" => match stmt.field(Field::Declaration) {
                    Some(decl) => decl,
                    None => return false,
                },
                _ => stmt,
            };
            match stmt.kind_name() {
                "lexical_declaration" | "variable_declaration" => {
                    let mut c = stmt.walk();
                    let found = stmt.named_children(&mut c).any(|decl| {
                        decl.field(Field::Name)
                            .is_some_and(|n| text_of(n, text) == name)
                            && decl.field(Field::Value).is_some_and(is_call)
                    });
                    found
                }
                "expression_statement" => {
                    let Some(assign) = stmt.named_child(0).filter(|n| {
                        matches!(n.kind_name(), "assignment" | "assignment_expression")
                    }) else {
                        return false;
                    };
                    let (Some(left), Some(right)) =
                        (assign.field(Field::Left), assign.field(Field::Right))
                    else {
                        return false;
                    };
                    let target = text_of(left, text);
                    let bound = target
                        .strip_prefix("module.exports.")
                        .or_else(|| target.strip_prefix("exports."))
                        .unwrap_or(target);
                    bound == name && is_call(right)
                }
                _ => false,
            }
        })
    }

    /// The function node at `f`.
    pub fn function(&self, f: FnRef) -> Option<Node<'_>> {
        let mut node = self
            .tree
            .root_node()
            .descendant_for_byte_range(f.start, f.end)?;
        while !is_function(node.kind_name()) || node.start_byte() != f.start {
            node = node.parent()?;
        }
        Some(node)
    }

    fn index(&mut self, resolve: &dyn Fn(&str, Lang, &str) -> Option<String>) {
        let text = Arc::clone(&self.text);
        let root = self.tree.root_node();
        let mut imports = HashMap::new();
        let mut functions = HashMap::new();
        let mut constants = HashSet::new();
        let mut cursor = root.walk();
        let statements: Vec<Node<'_>> = root.named_children(&mut cursor).collect();
        let mut classes = HashMap::new();
        for stmt in &statements {
            if let Some((name, methods)) = class_methods(*stmt, &text) {
                classes.insert(name, methods);
            }
        }
        self.classes = classes;
        for stmt in statements {
            if self.lang.is_python() {
                python_statement(
                    stmt,
                    &text,
                    &self.path,
                    resolve,
                    &mut imports,
                    &mut functions,
                    &mut constants,
                );
            } else {
                js_statement(
                    stmt,
                    &text,
                    &self.path,
                    self.lang,
                    resolve,
                    &mut imports,
                    &mut functions,
                    &mut constants,
                );
            }
        }
        self.imports = imports;
        self.functions = functions;
        self.constants = constants;
    }
}

thread_local! {
    /// One parser per thread and language: a parser keeps its allocations between files, so
    /// a repository of small handlers is not dominated by setting parsers up and down.
    static PARSERS: std::cell::RefCell<HashMap<Lang, Parser>> =
        std::cell::RefCell::new(HashMap::new());
}

/// How long tree-sitter may spend on one file. It parses megabytes per second, so a file within
/// the size limit (5 MiB by default) takes a fraction of this; only text that sends its error
/// recovery down its slow paths gets here (700,000 lines of `};`, 2 MiB, took 14 s).
pub const PARSE_BUDGET: Duration = Duration::from_secs(2);

/// Why a parse gave no tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseStop {
    /// The scan was cancelled (its stage timeout) while the file was parsed.
    Cancelled,
    /// The parse ran past [`PARSE_BUDGET`].
    OverBudget,
    /// No parser for the language could be set up.
    Unavailable,
}

fn parse_tree(lang: Lang, text: &str, cancelled: &dyn Fn() -> bool) -> Result<Tree, ParseStop> {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let parser = match parsers.entry(lang) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let mut parser = Parser::new();
                parser
                    .set_language(&lang.grammar())
                    .map_err(|_| ParseStop::Unavailable)?;
                e.insert(parser)
            }
        };
        // tree-sitter asks every hundred or so steps whether to stop.
        let started = Instant::now();
        let stop = Cell::new(None);
        let mut progress = |_: &ParseState| {
            if cancelled() {
                stop.set(Some(ParseStop::Cancelled));
            } else if started.elapsed() > PARSE_BUDGET {
                stop.set(Some(ParseStop::OverBudget));
            }
            stop.get().is_some()
        };
        let bytes = text.as_bytes();
        let tree = parser.parse_with_options(
            &mut |at, _| bytes.get(at..).unwrap_or_default(),
            None,
            Some(ParseOptions::new().progress_callback(&mut progress)),
        );
        match tree {
            Some(tree) => Ok(tree),
            None => {
                // A parse that gave up leaves state behind.
                parser.reset();
                Err(stop.get().unwrap_or(ParseStop::Unavailable))
            }
        }
    })
}

pub fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "function_definition"
            | "function_declaration"
            | "generator_function_declaration"
            | "arrow_function"
            | "function_expression"
            | "function"
            | "lambda"
            | "method_definition"
    )
}

/// The function a handler wrapper is given: `middy(baseHandler).use(cors())`,
/// `wrap(async (event) => ...)`, `handler = with_logging(process)`. Walks down a chain of calls
/// and method calls and takes the first argument that is a function written inline or a name
/// bound to a function of the module, so the wrapped function is traced as the handler. `None`
/// when no call of the chain is given one (`serverless(app)`, a builder's `.lambda()`): the
/// handler is then a value built at run time.
fn wrapped_function(
    value: Node<'_>,
    text: &str,
    functions: &HashMap<String, FnRef>,
) -> Option<FnRef> {
    let mut node = value;
    // Chains are short; the bound keeps a hostile one from walking long.
    for _ in 0..32 {
        match node.kind_name() {
            "call_expression" | "call" => {
                if let Some(args) = node.field(Field::Arguments) {
                    let mut c = args.walk();
                    for arg in args.named_children(&mut c) {
                        if is_function(arg.kind_name()) {
                            return Some(fn_ref(arg));
                        }
                        if arg.kind_name() == "identifier" {
                            if let Some(f) = functions.get(text_of(arg, text)) {
                                return Some(*f);
                            }
                        }
                    }
                }
                node = node.field(Field::Function)?;
            }
            "member_expression" | "attribute" => node = node.field(Field::Object)?,
            "await_expression" | "parenthesized_expression" => node = node.named_child(0)?,
            _ => return None,
        }
    }
    None
}

/// A top-level class and its methods: Python `class C:` (decorated or not) with its `def`s,
/// JavaScript/TypeScript `class C { m() {} }` (exported or not, or `const C = class {}`).
fn class_methods(stmt: Node<'_>, text: &str) -> Option<(String, HashMap<String, FnRef>)> {
    let (name, body) = match stmt.kind_name() {
        "class_definition" | "class_declaration" => {
            (stmt.field(Field::Name)?, stmt.field(Field::Body)?)
        }
        "decorated_definition" => return class_methods(stmt.field(Field::Definition)?, text),
        "export_statement" => return class_methods(stmt.field(Field::Declaration)?, text),
        "lexical_declaration" | "variable_declaration" => {
            let decl = stmt.named_child(0)?;
            let value = decl.field(Field::Value)?;
            if value.kind_name() != "class" {
                return None;
            }
            (decl.field(Field::Name)?, value.field(Field::Body)?)
        }
        _ => return None,
    };
    let mut methods = HashMap::new();
    let mut c = body.walk();
    for member in body.named_children(&mut c) {
        let def = match member.kind_name() {
            "decorated_definition" => member.field(Field::Definition),
            "function_definition" | "method_definition" => Some(member),
            _ => None,
        };
        let Some(def) = def.filter(|d| is_function(d.kind_name())) else {
            continue;
        };
        if let Some(method) = def.field(Field::Name) {
            methods.insert(text_of(method, text).to_string(), fn_ref(def));
        }
    }
    Some((text_of(name, text).to_string(), methods))
}

/// The first error or missing node: down through the first child that holds an error, in a
/// loop (the tree may be deep).
fn first_error(node: Node<'_>) -> Option<Node<'_>> {
    if !node.has_error() {
        return None;
    }
    let mut node = node;
    loop {
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        let mut cursor = node.walk();
        let next = node.children(&mut cursor).find(|c| c.has_error());
        match next {
            Some(child) => node = child,
            None => return Some(node),
        }
    }
}

fn fn_ref(node: Node<'_>) -> FnRef {
    FnRef {
        start: node.start_byte(),
        end: node.end_byte(),
    }
}

/// Whether a module-level value is data fixed in the source: a literal, or a list, tuple,
/// set or dict of literals (`ALLOWED = {"a", "b"}`, `new Set(["a"])`, `frozenset(...)`).
fn is_constant_value(node: Node<'_>, text: &str) -> bool {
    if is_constant(node, text) {
        return true;
    }
    match node.kind_name() {
        "list" | "tuple" | "set" | "array" => {
            let mut c = node.walk();
            let all = node
                .named_children(&mut c)
                .all(|n| is_constant_value(n, text));
            all
        }
        "dictionary" | "object" => {
            let mut c = node.walk();
            let all = node.named_children(&mut c).all(|pair| {
                pair.field(Field::Value)
                    .is_some_and(|v| is_constant_value(v, text))
            });
            all
        }
        "call" | "new_expression" | "call_expression" => {
            let args = node
                .field(Field::Arguments)
                .map(|a| {
                    let mut c = a.walk();
                    a.named_children(&mut c).collect::<Vec<_>>()
                })
                .unwrap_or_default();
            args.len() == 1 && is_constant_value(args[0], text)
        }
        _ => false,
    }
}

#[allow(clippy::too_many_arguments)]
fn python_statement(
    stmt: Node<'_>,
    text: &str,
    path: &str,
    resolve: &dyn Fn(&str, Lang, &str) -> Option<String>,
    imports: &mut HashMap<String, Import>,
    functions: &mut HashMap<String, FnRef>,
    constants: &mut HashSet<String>,
) {
    match stmt.kind_name() {
        "function_definition" => {
            if let Some(name) = stmt.field(Field::Name) {
                functions.insert(text_of(name, text).to_string(), fn_ref(stmt));
            }
        }
        "decorated_definition" => {
            if let Some(def) = stmt.field(Field::Definition) {
                python_statement(def, text, path, resolve, imports, functions, constants);
            }
        }
        "expression_statement" => {
            let Some(assign) = stmt
                .named_child(0)
                .filter(|n| n.kind_name() == "assignment")
            else {
                return;
            };
            let (Some(left), Some(right)) = (assign.field(Field::Left), assign.field(Field::Right))
            else {
                return;
            };
            if left.kind_name() == "identifier" && is_constant_value(right, text) {
                constants.insert(text_of(left, text).to_string());
            } else if left.kind_name() == "identifier" {
                if let Some(f) = wrapped_function(right, text, functions) {
                    functions.insert(text_of(left, text).to_string(), f);
                }
            }
        }
        "import_statement" => {
            let mut c = stmt.walk();
            for name in stmt.children_by_field_name("name", &mut c) {
                let (dotted, alias) = imported_name(name);
                let Some(dotted) = dotted else { continue };
                let module = text_of(dotted, text);
                let local = resolve(path, Lang::Python, module);
                match (alias, local) {
                    (Some(alias), Some(p)) => {
                        imports.insert(
                            text_of(alias, text).to_string(),
                            Import::Local {
                                path: p,
                                member: None,
                            },
                        );
                    }
                    (Some(alias), None) => {
                        imports.insert(
                            text_of(alias, text).to_string(),
                            Import::External(module.to_string()),
                        );
                    }
                    (None, Some(p)) => {
                        imports.insert(
                            module.to_string(),
                            Import::Local {
                                path: p,
                                member: None,
                            },
                        );
                    }
                    (None, None) => {
                        // `import os.path` binds `os`.
                        let first = module.split('.').next().unwrap_or(module);
                        imports.insert(first.to_string(), Import::External(first.to_string()));
                    }
                }
            }
        }
        "import_from_statement" => {
            let Some(module) = stmt.field(Field::ModuleName) else {
                return;
            };
            let module = text_of(module, text);
            let mut c = stmt.walk();
            for name in stmt.children_by_field_name("name", &mut c) {
                let (member, alias) = imported_name(name);
                let Some(member) = member else { continue };
                let member = text_of(member, text);
                let bound = alias.map_or(member, |a| text_of(a, text)).to_string();
                let joined = if module.ends_with('.') {
                    format!("{module}{member}")
                } else {
                    format!("{module}.{member}")
                };
                let import = if let Some(p) = resolve(path, Lang::Python, &joined) {
                    Import::Local {
                        path: p,
                        member: None,
                    }
                } else if let Some(p) = resolve(path, Lang::Python, module) {
                    Import::Local {
                        path: p,
                        member: Some(member.to_string()),
                    }
                } else {
                    Import::External(joined.trim_start_matches('.').to_string())
                };
                imports.insert(bound, import);
            }
        }
        _ => {}
    }
}

/// A Python import's name and its `as` alias: `os.path as p` gives (`os.path`, `p`), a plain
/// `json` gives (`json`, none).
fn imported_name(name: Node<'_>) -> (Option<Node<'_>>, Option<Node<'_>>) {
    match name.kind_name() {
        "aliased_import" => (name.field(Field::Name), name.field(Field::Alias)),
        _ => (Some(name), None),
    }
}

/// `require('x')` / `require("x")`: the specifier.
pub fn require_specifier(node: Node<'_>, text: &str) -> Option<String> {
    if node.kind_name() != "call_expression" {
        return None;
    }
    let callee = node.field(Field::Function)?;
    if text_of(callee, text) != "require" {
        return None;
    }
    let args = node.field(Field::Arguments)?;
    string_value(args.named_child(0)?, text)
}

fn js_import(
    spec: &str,
    path: &str,
    lang: Lang,
    resolve: &dyn Fn(&str, Lang, &str) -> Option<String>,
    member: Option<&str>,
) -> Import {
    match resolve(path, lang, spec) {
        Some(p) => Import::Local {
            path: p,
            member: member.map(str::to_string),
        },
        None => {
            let base = spec.strip_prefix("node:").unwrap_or(spec);
            // `fs/promises` offers the same calls as `fs`.
            let base = base.strip_suffix("/promises").unwrap_or(base);
            Import::External(match member {
                Some(m) => format!("{base}.{m}"),
                None => base.to_string(),
            })
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn js_statement(
    stmt: Node<'_>,
    text: &str,
    path: &str,
    lang: Lang,
    resolve: &dyn Fn(&str, Lang, &str) -> Option<String>,
    imports: &mut HashMap<String, Import>,
    functions: &mut HashMap<String, FnRef>,
    constants: &mut HashSet<String>,
) {
    match stmt.kind_name() {
        "function_declaration" | "generator_function_declaration" => {
            if let Some(name) = stmt.field(Field::Name) {
                functions.insert(text_of(name, text).to_string(), fn_ref(stmt));
            }
        }
        "export_statement" => {
            if let Some(decl) = stmt.field(Field::Declaration) {
                js_statement(
                    decl, text, path, lang, resolve, imports, functions, constants,
                );
            }
        }
        "lexical_declaration" | "variable_declaration" => {
            let mut c = stmt.walk();
            for decl in stmt.named_children(&mut c) {
                if decl.kind_name() != "variable_declarator" {
                    continue;
                }
                let (Some(name), Some(value)) = (decl.field(Field::Name), decl.field(Field::Value))
                else {
                    continue;
                };
                let value = unwrap_await(value);
                if let Some(spec) = require_specifier(value, text) {
                    bind_js_pattern(name, text, &spec, path, lang, resolve, imports);
                } else if is_function(value.kind_name()) && name.kind_name() == "identifier" {
                    functions.insert(text_of(name, text).to_string(), fn_ref(value));
                } else if let Some(f) = (name.kind_name() == "identifier")
                    .then(|| wrapped_function(value, text, functions))
                    .flatten()
                {
                    functions.insert(text_of(name, text).to_string(), f);
                } else if name.kind_name() == "identifier" && is_constant_value(value, text) {
                    constants.insert(text_of(name, text).to_string());
                } else if value.kind_name() == "member_expression" {
                    // `const exec = require('child_process').exec`
                    if let (Some(obj), Some(prop)) =
                        (value.field(Field::Object), value.field(Field::Property))
                    {
                        if let Some(spec) = require_specifier(obj, text) {
                            imports.insert(
                                text_of(name, text).to_string(),
                                js_import(&spec, path, lang, resolve, Some(text_of(prop, text))),
                            );
                        }
                    }
                }
            }
        }
        "import_statement" => {
            let Some(source) = stmt
                .field(Field::Source)
                .and_then(|s| string_value(s, text))
            else {
                return;
            };
            let mut c = stmt.walk();
            let clause = stmt
                .named_children(&mut c)
                .find(|n| n.kind_name() == "import_clause");
            let Some(clause) = clause else { return };
            let mut c2 = clause.walk();
            for part in clause.named_children(&mut c2) {
                match part.kind_name() {
                    "identifier" => {
                        imports.insert(
                            text_of(part, text).to_string(),
                            js_import(&source, path, lang, resolve, None),
                        );
                    }
                    "namespace_import" => {
                        if let Some(id) = part.named_child(0) {
                            imports.insert(
                                text_of(id, text).to_string(),
                                js_import(&source, path, lang, resolve, None),
                            );
                        }
                    }
                    "named_imports" => {
                        let mut c3 = part.walk();
                        for spec in part.named_children(&mut c3) {
                            if spec.kind_name() != "import_specifier" {
                                continue;
                            }
                            let Some(name) = spec.field(Field::Name) else {
                                continue;
                            };
                            let member = text_of(name, text);
                            let bound = spec
                                .field(Field::Alias)
                                .map_or(member, |a| text_of(a, text));
                            imports.insert(
                                bound.to_string(),
                                js_import(&source, path, lang, resolve, Some(member)),
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
        "expression_statement" => {
            let Some(assign) = stmt
                .named_child(0)
                .filter(|n| n.kind_name() == "assignment_expression")
            else {
                return;
            };
            let (Some(left), Some(right)) = (assign.field(Field::Left), assign.field(Field::Right))
            else {
                return;
            };
            let target = text_of(left, text);
            let export = target
                .strip_prefix("module.exports.")
                .or_else(|| target.strip_prefix("exports."));
            if let Some(export) = export {
                if is_function(right.kind_name()) {
                    functions.insert(export.to_string(), fn_ref(right));
                } else if right.kind_name() == "identifier" {
                    if let Some(f) = functions.get(text_of(right, text)).copied() {
                        functions.insert(export.to_string(), f);
                    }
                } else if let Some(f) = wrapped_function(right, text, functions) {
                    functions.insert(export.to_string(), f);
                }
            } else if target == "module.exports" && right.kind_name() == "object" {
                let mut c = right.walk();
                for entry in right.named_children(&mut c) {
                    let (key, local) = match entry.kind_name() {
                        "shorthand_property_identifier" => (entry, entry),
                        "pair" => match (entry.field(Field::Key), entry.field(Field::Value)) {
                            (Some(k), Some(v)) if is_function(v.kind_name()) => {
                                functions.insert(text_of(k, text).to_string(), fn_ref(v));
                                continue;
                            }
                            (Some(k), Some(v)) => (k, v),
                            _ => continue,
                        },
                        _ => continue,
                    };
                    if let Some(f) = functions.get(text_of(local, text)).copied() {
                        functions.insert(text_of(key, text).to_string(), f);
                    }
                }
            }
        }
        _ => {}
    }
}

fn unwrap_await(node: Node<'_>) -> Node<'_> {
    if node.kind_name() == "await_expression" {
        node.named_child(0).unwrap_or(node)
    } else {
        node
    }
}

/// Bind the names of `const x = require(spec)` / `const { a, b: c } = require(spec)`.
fn bind_js_pattern(
    name: Node<'_>,
    text: &str,
    spec: &str,
    path: &str,
    lang: Lang,
    resolve: &dyn Fn(&str, Lang, &str) -> Option<String>,
    imports: &mut HashMap<String, Import>,
) {
    match name.kind_name() {
        "identifier" => {
            imports.insert(
                text_of(name, text).to_string(),
                js_import(spec, path, lang, resolve, None),
            );
        }
        "object_pattern" => {
            let mut c = name.walk();
            for entry in name.named_children(&mut c) {
                let (member, bound) = match entry.kind_name() {
                    "shorthand_property_identifier_pattern" => (entry, entry),
                    "pair_pattern" => match (entry.field(Field::Key), entry.field(Field::Value)) {
                        (Some(k), Some(v)) => (k, v),
                        _ => continue,
                    },
                    _ => continue,
                };
                imports.insert(
                    text_of(bound, text).to_string(),
                    js_import(spec, path, lang, resolve, Some(text_of(member, text))),
                );
            }
        }
        _ => {}
    }
}
