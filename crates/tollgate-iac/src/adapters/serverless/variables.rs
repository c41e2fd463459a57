//! Serverless Framework variables: `${self:custom.x}`, `${self:provider.stage}`,
//! `${opt:stage, 'dev'}` (CLI options are unknown at scan time, so the fallback applies),
//! `${sls:stage}`, `${file(./other.yml)}` and `${file(./other.yml):key}` (YAML or JSON files
//! inside the scanned root, read through a loader), and sources only known at deploy time
//! (`env`, `ssm`, `cf`, `s3`, `aws`...) as unknown. Variables nest (`${self:custom.${sls:stage}.table}`). The result is the
//! same node tree with every string resolved; an unresolvable value becomes an expression node
//! whose text says why, which every reader treats as unknown.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

use tollgate_syntax::{Expr, ExprKind, Node, Span, Value};

/// How deep `self:` references may chain, and how deep the tree is walked.
const MAX_DEPTH: usize = 32;

/// Deepest value a `self:` reference may stand for (the parser caps the file's own nesting;
/// references resolved one after another could otherwise nest without end).
const MAX_VALUE_DEPTH: usize = 128;

/// Most nodes the resolved tree may grow to (`a: [${self:b}, ${self:b}]` doubles at each
/// step: without a cap a few lines would exhaust memory).
const MAX_NODES: usize = 1_000_000;

/// Most `${file(...)}` includes followed for one service, and how deep they may nest.
const MAX_INCLUDES: usize = 64;
const MAX_INCLUDE_DEPTH: usize = 4;

/// Reads a repository-relative file of the scan into its parsed document, or says why not.
pub type Loader<'a> = &'a dyn Fn(&str) -> Result<Arc<tollgate_syntax::Document>, String>;
/// Longest string a value with variables may resolve to (`${self:a}${self:a}` doubles at each
/// step); a longer one is unknown.
pub const MAX_STRING_BYTES: usize = 1024 * 1024;

/// Resolves variables against one `serverless.yml` root.
pub struct Resolver<'a> {
    root: &'a Node,
    stack: RefCell<Vec<String>>,
    /// Resolved `self:` addresses, so each is resolved once.
    cache: RefCell<HashMap<String, Result<Node, String>>>,
    /// Nodes produced so far.
    produced: Cell<usize>,
    /// Where `${file(...)}` paths start (the service file's directory) and how files are read.
    includes: Option<(String, Loader<'a>)>,
    /// Files being included (a cycle is refused) and how many were included so far.
    including: RefCell<Vec<String>>,
    included: Cell<usize>,
    /// Caps reached, with where: for notes.
    notes: RefCell<Vec<(Span, String)>>,
}

impl<'a> Resolver<'a> {
    pub fn new(root: &'a Node) -> Self {
        Self {
            root,
            stack: RefCell::new(Vec::new()),
            cache: RefCell::new(HashMap::new()),
            produced: Cell::new(0),
            includes: None,
            including: RefCell::new(Vec::new()),
            included: Cell::new(0),
            notes: RefCell::new(Vec::new()),
        }
    }

    /// Also resolve `${file(...)}` relative to `dir` (repository-relative) through `loader`.
    pub fn with_files(mut self, dir: &str, loader: Loader<'a>) -> Self {
        self.includes = Some((dir.to_string(), loader));
        self
    }

    /// The caps resolution reached (once each), with where.
    pub fn take_notes(&self) -> Vec<(Span, String)> {
        std::mem::take(&mut self.notes.borrow_mut())
    }

    /// `node` with every variable resolved.
    pub fn resolve(&self, node: &Node) -> Node {
        self.tree(node, 0)
    }

    /// Count `n` produced nodes; false once over the budget.
    fn charge(&self, n: usize) -> bool {
        let before = self.produced.get();
        let total = before.saturating_add(n);
        self.produced.set(total);
        if total > MAX_NODES && before <= MAX_NODES {
            self.notes.borrow_mut().push((
                self.root.span,
                format!("variables resolve to more than {MAX_NODES} values (a long string counting one per 16 bytes); the rest are treated as unknown"),
            ));
        }
        total <= MAX_NODES
    }

    fn tree(&self, node: &Node, depth: usize) -> Node {
        tollgate_core::budget::check();
        if depth > MAX_DEPTH {
            return unknown(node.span, "nested too deeply to resolve");
        }
        if !self.charge(1) {
            return unknown(node.span, "too many values to resolve");
        }
        let value = match &node.value {
            Value::String(s) if s.contains("${") => return self.string(s, node.span, depth),
            Value::Seq(items) => {
                Value::Seq(items.iter().map(|i| self.tree(i, depth + 1)).collect())
            }
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|e| tollgate_syntax::Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: self.tree(&e.value, depth + 1),
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        Node {
            span: node.span,
            tag: node.tag.clone(),
            value,
        }
    }

    /// A string holding variables: a string that is one variable takes the variable's value
    /// (which may be a map or a list); otherwise the parts are joined.
    fn string(&self, s: &str, span: Span, depth: usize) -> Node {
        let pieces = match split(s) {
            Ok(p) => p,
            Err(why) => return unknown(span, &why),
        };
        if let [Piece::Var(inner)] = pieces.as_slice() {
            return match self.variable(inner, span, depth) {
                Ok(mut n) => {
                    n.span = span;
                    n
                }
                Err(why) => unknown(span, &why),
            };
        }
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push_str(&t),
                Piece::Var(inner) => match self.variable(&inner, span, depth) {
                    Ok(n) => match scalar_text(&n) {
                        Some(t) if out.len() + t.len() > MAX_STRING_BYTES => {
                            let why = format!("the value resolves to a string of more than {MAX_STRING_BYTES} bytes; it is treated as unknown");
                            // Said once: every later use of the value reaches the cap again.
                            let mut notes = self.notes.borrow_mut();
                            if !notes.iter().any(|(_, n)| *n == why) {
                                notes.push((span, why.clone()));
                            }
                            return unknown(span, &why);
                        }
                        Some(t) => out.push_str(&t),
                        None => {
                            return unknown(span, "a variable inside a string is not a plain value")
                        }
                    },
                    Err(why) => return unknown(span, &why),
                },
            }
        }
        Node {
            span,
            tag: None,
            value: Value::String(out),
        }
    }

    /// The text between `${` and `}`: nested variables first, then the comma-separated sources
    /// in order, the first one that resolves winning.
    fn variable(&self, inner: &str, span: Span, depth: usize) -> Result<Node, String> {
        if depth > MAX_DEPTH {
            return Err("variables nest too deeply to resolve".into());
        }
        let inner = if inner.contains("${") {
            let n = self.string(inner, span, depth + 1);
            scalar_text(&n).ok_or_else(|| unknown_reason(&n))?
        } else {
            inner.to_string()
        };
        let mut first_err = None;
        for source in split_sources(&inner) {
            match self.source(source.trim(), span, depth) {
                Ok(n) if !matches!(n.value, Value::Null) => return Ok(n),
                Ok(_) => {}
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        Err(first_err.unwrap_or_else(|| format!("`${{{inner}}}` resolves to nothing")))
    }

    fn source(&self, source: &str, span: Span, depth: usize) -> Result<Node, String> {
        let literal = |v: Value| {
            Ok(Node {
                span,
                tag: None,
                value: v,
            })
        };
        if let Some(q) = source
            .strip_prefix('\'')
            .and_then(|q| q.strip_suffix('\''))
            .or_else(|| source.strip_prefix('"').and_then(|q| q.strip_suffix('"')))
        {
            return literal(Value::String(q.to_string()));
        }
        if matches!(source, "true" | "false") {
            return literal(Value::Bool(source == "true"));
        }
        if !source.is_empty() && source.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return literal(Value::Number(source.to_string()));
        }
        let (kind, address) = source.split_once(':').unwrap_or((source, ""));
        match kind.trim() {
            "self" => self.self_ref(address.trim(), depth),
            "opt" => Err(format!(
                "CLI option `--{}` is only known at deploy time",
                address.trim()
            )),
            "sls" => match address.trim() {
                "stage" => self
                    .self_ref("provider.stage", depth)
                    .or_else(|_| literal(Value::String("dev".into()))),
                other => Err(format!("`sls:{other}` is only known at deploy time")),
            },
            "env" => Err(format!(
                "environment variable `{}` is only known at deploy time",
                address.trim()
            )),
            other if other.starts_with("file(") => {
                self.file_ref(other, address.trim(), span, depth)
            }
            other => Err(format!(
                "`{other}:` variables are only known at deploy time"
            )),
        }
    }

    /// A value written as one whole-file include, `${file(./resources.yml)}`: the file's path
    /// and document, read through the loader; `None` for anything else or what cannot be read.
    pub fn whole_include(&self, node: &Node) -> Option<(String, Arc<tollgate_syntax::Document>)> {
        let (dir, loader) = self.includes.as_ref()?;
        let path = whole_include_path(dir, node)?;
        loader(&path).ok().map(|doc| (path, doc))
    }

    /// `file(./path.yml)` with an optional `:key.path` into it. The file's values are resolved
    /// against this service (`${self:...}` inside it means the service) and spanned at the
    /// variable, since findings point into the service file.
    fn file_ref(
        &self,
        kind: &str,
        address: &str,
        span: Span,
        depth: usize,
    ) -> Result<Node, String> {
        let Some((dir, loader)) = &self.includes else {
            return Err("values from other files are not read".into());
        };
        let raw = kind
            .strip_prefix("file(")
            .and_then(|k| k.strip_suffix(')'))
            .ok_or("expected `file(path)`")?
            .trim()
            .trim_matches(['\'', '"']);
        let path = include_path(dir, raw)?;
        let lower = path.to_ascii_lowercase();
        if ![".yml", ".yaml", ".json"]
            .iter()
            .any(|x| lower.ends_with(x))
        {
            // JavaScript and TypeScript files would have to be run; never done.
            return Err(format!(
                "`{raw}` is not a YAML or JSON file; it is not read"
            ));
        }
        if self.including.borrow().contains(&path)
            || self.including.borrow().len() >= MAX_INCLUDE_DEPTH
        {
            return Err(format!("`{raw}` includes itself or nests too deeply"));
        }
        if self.included.get() >= MAX_INCLUDES {
            return Err(format!("more than {MAX_INCLUDES} files included"));
        }
        self.included.set(self.included.get() + 1);
        let doc = loader(&path)?;
        let mut node = doc.root().ok_or_else(|| format!("`{raw}` is empty"))?;
        for part in address.split('.').filter(|p| !p.is_empty()) {
            node = match &node.value {
                Value::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => node.get(part),
            }
            .ok_or_else(|| format!("`{address}` is not defined in `{raw}`"))?;
        }
        self.including.borrow_mut().push(path);
        let mut resolved = self.tree(node, depth + 1);
        self.including.borrow_mut().pop();
        if tree_depth(&resolved, 0) > MAX_VALUE_DEPTH {
            return Err("value nested too deeply to resolve".into());
        }
        respan(&mut resolved, span);
        Ok(resolved)
    }

    /// `self:custom.tables.main` (with `[0]`-free dotted paths; numeric parts index lists).
    fn self_ref(&self, address: &str, depth: usize) -> Result<Node, String> {
        if let Some(hit) = self.cache.borrow().get(address) {
            if let Ok(n) = hit {
                if !self.charge(node_count(n)) {
                    return Err("too many values to resolve".into());
                }
            }
            return hit.clone();
        }
        if self.stack.borrow().iter().any(|a| a == address) {
            return Err(format!("`self:{address}` refers to itself"));
        }
        let mut node = self.root;
        for part in address.split('.').filter(|p| !p.is_empty()) {
            node = match &node.value {
                Value::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => node.get(part),
            }
            .ok_or_else(|| format!("`self:{address}` is not defined"))?;
        }
        self.stack.borrow_mut().push(address.to_string());
        let resolved = self.tree(node, depth + 1);
        self.stack.borrow_mut().pop();
        let result = match &resolved.value {
            Value::Expr(_) => Err(unknown_reason(&resolved)),
            _ if tree_depth(&resolved, 0) > MAX_VALUE_DEPTH => {
                Err("value nested too deeply to resolve".into())
            }
            _ if !self.charge(node_count(&resolved)) => Err("too many values to resolve".into()),
            _ => Ok(resolved),
        };
        self.cache
            .borrow_mut()
            .insert(address.to_string(), result.clone());
        result
    }
}

/// Nesting depth of a tree, counted no further than just past the cap.
fn tree_depth(n: &Node, at: usize) -> usize {
    if at > MAX_VALUE_DEPTH {
        return at;
    }
    match &n.value {
        Value::Seq(items) => items
            .iter()
            .map(|i| tree_depth(i, at + 1))
            .max()
            .unwrap_or(at),
        Value::Map(entries) => entries
            .iter()
            .map(|e| tree_depth(&e.value, at + 1))
            .max()
            .unwrap_or(at),
        _ => at,
    }
}

/// Size of a tree in nodes, a long string counting as several.
fn node_count(n: &Node) -> usize {
    1 + match &n.value {
        Value::Seq(items) => items.iter().map(node_count).sum(),
        Value::Map(entries) => entries.iter().map(|e| node_count(&e.value)).sum(),
        Value::String(s) => s.len() / 16,
        _ => 0,
    }
}

/// An unknown value: an expression node whose text says why.
pub fn unknown(span: Span, why: &str) -> Node {
    Node {
        span,
        tag: None,
        value: Value::Expr(Box::new(Expr {
            text: why.to_string(),
            kind: ExprKind::Other,
        })),
    }
}

fn unknown_reason(n: &Node) -> String {
    match &n.value {
        Value::Expr(e) => e.text.clone(),
        _ => "not a plain value".into(),
    }
}

fn scalar_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Var(String),
}

/// Split into text and top-level `${...}` variables (nested `${` kept inside).
fn split(s: &str) -> Result<Vec<Piece>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
            let mut level = 1;
            let mut j = i + 2;
            while j < chars.len() {
                match chars[j] {
                    '{' => level += 1,
                    '}' => {
                        level -= 1;
                        if level == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            if level != 0 {
                return Err("unterminated `${` variable: expected a closing `}`".into());
            }
            let inner: String = chars[i + 2..j].iter().collect();
            if is_variable(&inner) {
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Var(inner));
            } else {
                // `${AWS::Region}`, `${Bucket.Arn}`: CloudFormation's `Fn::Sub` syntax, which the
                // framework leaves for CloudFormation to fill in.
                text.push_str("${");
                text.push_str(&inner);
                text.push('}');
            }
            i = j + 1;
        } else {
            text.push(chars[i]);
            i += 1;
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

/// Whether the text between `${` and `}` is a Serverless variable: its first source is
/// `source:address` (`self:`, `opt:`, `file(./x.yml):`...), a quoted literal, or holds a nested
/// variable. Anything else, a pseudo parameter (`AWS::Region`, whose `::` is no source) or a
/// resource (`Bucket.Arn`), is CloudFormation's, as the framework's own variable syntax decides.
fn is_variable(inner: &str) -> bool {
    if inner.contains("${") {
        return true;
    }
    let first = split_sources(inner).first().map_or("", |s| s.trim());
    if first.starts_with('\'') || first.starts_with('"') {
        return true;
    }
    let name_end = first
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(first.len());
    if name_end == 0 {
        return false;
    }
    let rest = &first[name_end..];
    // `file(./x.yml)` and other sources with parameters: the whole value, or an `:address` in it.
    if let Some(r) = rest.strip_prefix('(') {
        return match r.find(')') {
            Some(close) => {
                let after = &r[close + 1..];
                after.is_empty() || (after.starts_with(':') && !after.starts_with("::"))
            }
            None => false,
        };
    }
    rest.starts_with(':') && !rest.starts_with("::")
}

/// `opt:stage, self:provider.stage, 'dev'` → its sources (commas inside quotes kept).
fn split_sources(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, ',') => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// The repository-relative path of `raw`, written relative to `dir`; an absolute path, a home
/// path or one leaving the scanned root is refused.
fn include_path(dir: &str, raw: &str) -> Result<String, String> {
    if raw.starts_with('/') || raw.starts_with('~') || raw.contains(':') || raw.contains('\\') {
        return Err(format!(
            "`{raw}` is outside the scanned directory; it is not read"
        ));
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in raw.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or_else(|| {
                    format!("`{raw}` is outside the scanned directory; it is not read")
                })?;
            }
            s => parts.push(s),
        }
    }
    Ok(parts.join("/"))
}

/// Every span of `n` moved to `span` (its values were written in another file).
fn respan(n: &mut Node, span: Span) {
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        n.span = span;
        match &mut n.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for e in entries.iter_mut() {
                    e.key_span = span;
                    stack.push(&mut e.value);
                }
            }
            _ => {}
        }
    }
}

/// The repository-relative path of a value written as one whole YAML or JSON file include,
/// `${file(./resources.yml)}`, relative to `dir`.
pub fn whole_include_path(dir: &str, node: &Node) -> Option<String> {
    let text = node.as_str()?.trim();
    let raw = text.strip_prefix("${file(")?.strip_suffix(")}")?;
    let raw = raw.trim().trim_matches(['\'', '"']);
    let path = include_path(dir, raw).ok()?;
    let lower = path.to_ascii_lowercase();
    [".yml", ".yaml", ".json"]
        .iter()
        .any(|x| lower.ends_with(x))
        .then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_syntax::{Format, Limits};

    fn resolved(yaml: &str) -> Node {
        let doc = tollgate_syntax::parse(yaml, Format::Yaml, &Limits::default()).expect("yaml");
        let root = doc.root().expect("root").clone();
        Resolver::new(&root).resolve(&root)
    }

    fn text_at<'n>(n: &'n Node, path: &[&str]) -> Option<&'n str> {
        n.path(path).and_then(Node::as_str)
    }

    fn is_unknown(n: &Node, path: &[&str]) -> bool {
        matches!(n.path(path).map(|v| &v.value), Some(Value::Expr(_)))
    }

    #[test]
    fn self_opt_defaults_and_sls_stage() {
        let n = resolved(
            "provider:\n  stage: ${opt:stage, 'dev'}\ncustom:\n  table: orders-${self:provider.stage}\n  s: ${sls:stage}\nx: ${self:custom.table}\n",
        );
        assert_eq!(text_at(&n, &["provider", "stage"]), Some("dev"));
        assert_eq!(text_at(&n, &["x"]), Some("orders-dev"));
        assert_eq!(text_at(&n, &["custom", "s"]), Some("dev"));
    }

    #[test]
    fn cloudformation_substitutions_are_left_to_cloudformation() {
        let n = resolved(
            "service: orders\na: arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${self:service}\nb: ${Bucket.Arn}/*\nc: ${AWS::NoValue}\nd: ${file(./missing.yml):x, 'dflt'}\n",
        );
        assert_eq!(
            text_at(&n, &["a"]),
            Some("arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders")
        );
        assert_eq!(text_at(&n, &["b"]), Some("${Bucket.Arn}/*"));
        assert_eq!(text_at(&n, &["c"]), Some("${AWS::NoValue}"));
        assert!(is_variable("self:custom.x"));
        assert!(is_variable("file(./a.yml):b"));
        assert!(is_variable("file(./functions/a.yml)"));
        assert!(is_variable("'literal'"));
        assert!(!is_variable("AWS::Region"));
        assert!(!is_variable("Bucket.Arn"));
        assert!(!is_variable("Table"));
    }

    #[test]
    fn deploy_time_sources_are_unknown_and_fallbacks_apply() {
        let n = resolved(
            "a: ${env:SECRET}\nb: ${ssm:/app/key}\nc: ${cf:stack.Output}\nd: ${env:X, 'fallback'}\ne: ${opt:region}\nf: pre-${env:Y}\n",
        );
        for k in ["a", "b", "c", "e", "f"] {
            assert!(is_unknown(&n, &[k]), "{k} should be unknown");
        }
        assert_eq!(text_at(&n, &["d"]), Some("fallback"));
    }

    #[test]
    fn nested_variables_and_whole_values() {
        let n = resolved(
            "custom:\n  dev:\n    table: t-dev\n  tags:\n    DataClassification: PII\nstage: dev\nx: ${self:custom.${self:stage}.table}\ntags: ${self:custom.tags}\n",
        );
        assert_eq!(text_at(&n, &["x"]), Some("t-dev"));
        assert_eq!(text_at(&n, &["tags", "DataClassification"]), Some("PII"));
    }

    #[test]
    fn doubling_references_stop_at_the_node_budget() {
        let mut yaml = String::from("l0: [x, x]\n");
        for i in 1..40 {
            yaml.push_str(&format!(
                "l{i}: ['${{self:l{p}}}', '${{self:l{p}}}']\n",
                p = i - 1
            ));
        }
        let n = resolved(&yaml);
        let l39 = n.get("l39").expect("l39");
        let unknown_inside = matches!(l39.value, Value::Expr(_))
            || l39
                .as_seq()
                .is_some_and(|s| matches!(s[0].value, Value::Expr(_)));
        assert!(unknown_inside);
        let mut yaml = String::from("s0: xxxxxxxxxxxxxxxx\n");
        for i in 1..40 {
            yaml.push_str(&format!(
                "s{i}: '${{self:s{p}}}${{self:s{p}}}'\n",
                p = i - 1
            ));
        }
        let n = resolved(&yaml);
        assert!(
            is_unknown(&n, &["s39"]),
            "a 2^44-byte string is never built"
        );
    }

    #[test]
    fn chains_of_nesting_references_stop_at_the_depth_cap() {
        let mut yaml = String::from("d0: x\n");
        for i in 1..300 {
            yaml.push_str(&format!("d{i}: ['${{self:d{p}}}']\n", p = i - 1));
        }
        let n = resolved(&yaml);
        let first = |key: &str| n.get(key).and_then(Node::as_seq).map(|s| s[0].clone());
        assert!(first("d10").is_some_and(|v| !matches!(v.value, Value::Expr(_))));
        assert!(
            first("d130").is_some_and(|v| matches!(v.value, Value::Expr(_))),
            "past the cap"
        );
        assert!(n
            .entries()
            .iter()
            .all(|e| tree_depth(&e.value, 0) <= MAX_VALUE_DEPTH + 1));
    }

    #[test]
    fn self_cycles_are_unknown_not_a_hang() {
        let n = resolved("a: ${self:b}\nb: ${self:a}\nc: ${self:missing.key}\n");
        assert!(is_unknown(&n, &["a"]));
        assert!(is_unknown(&n, &["c"]));
    }
}
