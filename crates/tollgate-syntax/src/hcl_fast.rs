//! A direct reader of the HCL Terraform is written in, tried before `hcl-edit` (`hcl.rs`).
//!
//! `hcl-edit` keeps every token's decoration and span and parses with combinators that
//! backtrack; converting its tree into [`Node`]s then walks it again. This module reads the
//! text once and builds exactly the nodes `hcl.rs` builds (values, spans, expression kinds and
//! source texts, repeated blocks), following `hcl-edit`'s grammar where it matters: which
//! whitespace may hold line breaks (an expression may span lines only inside brackets,
//! parentheses, calls and interpolations, or after a list or call term), how a template's
//! literals are split, how `<<-` heredocs are dedented, operator precedence, and where each
//! span starts and ends.
//!
//! It returns `None` on anything it does not handle and on every text `hcl-edit` would refuse:
//! carriage returns, `%{}` directives and `~` strip markers, namespaced functions, object keys
//! other than names and plain strings, escapes in object keys, line breaks in quoted strings,
//! non-ASCII identifiers, a heredoc whose first line closes it, repeated attributes or object
//! keys, nesting past [`Limits::max_depth`] (as `hcl.rs` counts it) or past [`MAX_NEST`]
//! levels of its own (well within `hcl-edit`'s 64), more than [`MAX_OPS`] binary operators in
//! one attribute (`hcl-edit` allows 128 on a path), and any syntax error. `hcl.rs` then parses
//! the text, so errors and their messages are always `hcl-edit`'s.
//!
//! Every loop advances through the text; recursion goes through [`Parser::enter`], so depth
//! is bounded and time is linear in the text (times the bounded depth for whitespace that
//! nested terms ending at one place each look past).

use std::collections::HashSet;
use std::hash::Hash;

use crate::lines::LineIndex;
use crate::{
    Block, Document, Entry, Expr, ExprKind, Format, Limits, Node, Span, TemplatePart,
    TraversalStep, Value,
};

/// Levels of expressions, blocks and unary operands the reader enters before it gives up.
const MAX_NEST: usize = 40;
/// Binary operators in one attribute's expression before the reader gives up.
const MAX_OPS: usize = 100;

/// The reader gave up: the text goes to `hcl-edit`.
struct Bail;
type R<T> = Result<T, Bail>;

/// The document `hcl.rs` would build for `text`, or `None` where that is left to it.
pub(crate) fn parse(text: &str, limits: &Limits) -> Option<Document> {
    if text.as_bytes().contains(&b'\r') {
        return None;
    }
    let mut p = Parser {
        text,
        b: text.as_bytes(),
        i: 0,
        lines: LineIndex::new(text),
        max_depth: limits.max_depth,
        nest: 0,
        ops: 0,
        entries: Vec::new(),
        items: Vec::new(),
    };
    let entries = p.body(1).ok()?;
    if p.i != p.b.len() {
        return None;
    }
    let root = Node {
        span: p.lines.span(0, text.len()),
        tag: None,
        value: Value::Map(entries),
    };
    Some(Document {
        format: Format::Hcl,
        roots: vec![root],
        duplicate_keys: Vec::new(),
    })
}

/// A parsed expression: `start..end` is the extent `hcl-edit` gives it (a parenthesised
/// expression's includes the parentheses, its node is the inner one), `h` the levels of
/// compound expressions `hcl.rs` counts from this one down (0 for literals and names).
struct Ex {
    start: usize,
    end: usize,
    node: Node,
    h: usize,
}

/// A term before any traversal: a bare name is kept as a range, since a traversal may take it
/// as its root.
enum Head {
    Var(usize, usize),
    Ex(Ex),
}

/// Keys seen in one body or object: compared one by one while few, hashed beyond.
struct Seen<K> {
    small: Vec<K>,
    big: Option<HashSet<K>>,
}

impl<K: Eq + Hash + Clone> Seen<K> {
    fn new() -> Self {
        Self {
            small: Vec::new(),
            big: None,
        }
    }

    /// Whether `k` is new.
    fn insert(&mut self, k: K) -> bool {
        if let Some(big) = &mut self.big {
            return big.insert(k);
        }
        if self.small.contains(&k) {
            return false;
        }
        self.small.push(k);
        if self.small.len() > 32 {
            self.big = Some(self.small.drain(..).collect());
        }
        true
    }
}

fn is_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_continue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn max(a: usize, b: usize) -> usize {
    a.max(b)
}

struct Parser<'t> {
    text: &'t str,
    b: &'t [u8],
    i: usize,
    lines: LineIndex<'t>,
    max_depth: usize,
    nest: usize,
    ops: usize,
    /// Entries of the bodies and objects being read, and items of the lists and calls: each
    /// collection's are moved out, into a vector of their exact size, when it closes.
    entries: Vec<Entry>,
    items: Vec<Node>,
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn peek1(&self) -> Option<u8> {
        self.b.get(self.i + 1).copied()
    }

    fn at(&self, s: &[u8]) -> bool {
        self.b[self.i.min(self.b.len())..].starts_with(s)
    }

    fn expect(&mut self, c: u8) -> R<()> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    fn enter(&mut self) -> R<()> {
        self.nest += 1;
        if self.nest > MAX_NEST {
            return Err(Bail);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nest -= 1;
    }

    fn span(&self, start: usize, end: usize) -> Span {
        self.lines.span(start, end)
    }

    fn source(&self, start: usize, end: usize) -> String {
        self.text[start..end].to_owned()
    }

    fn expr_node(&self, start: usize, end: usize, kind: ExprKind) -> Node {
        Node {
            span: self.span(start, end),
            tag: None,
            value: Value::Expr(Box::new(Expr {
                text: self.source(start, end),
                kind,
            })),
        }
    }

    fn plain(&self, start: usize, end: usize, value: Value) -> Node {
        Node {
            span: self.span(start, end),
            tag: None,
            value,
        }
    }

    /// `/* */` comment at the cursor, skipped.
    fn block_comment(&mut self) -> R<()> {
        let from = self.i + 2;
        match self.b[from..].windows(2).position(|w| w == b"*/") {
            Some(n) => {
                self.i = from + n + 2;
                Ok(())
            }
            None => Err(Bail),
        }
    }

    /// Spaces, tabs and `/* */` comments (`hcl-edit`'s `sp`).
    fn sp(&mut self) -> R<()> {
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t')) {
                self.i += 1;
            }
            if self.at(b"/*") {
                self.block_comment()?;
            } else {
                return Ok(());
            }
        }
    }

    /// Whitespace including line breaks, and comments of all three kinds (`ws`).
    fn ws(&mut self) -> R<()> {
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n')) {
                self.i += 1;
            }
            match self.peek() {
                Some(b'#') => self.line_comment(),
                Some(b'/') if self.peek1() == Some(b'/') => self.line_comment(),
                Some(b'/') if self.peek1() == Some(b'*') => self.block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    fn wsn(&mut self, newlines: bool) -> R<()> {
        if newlines {
            self.ws()
        } else {
            self.sp()
        }
    }

    /// A `#` or `//` comment at the cursor, up to its line break (not taken).
    fn line_comment(&mut self) {
        if self.at(b"#") || self.at(b"//") {
            self.i = match self.b[self.i..].iter().position(|&c| c == b'\n') {
                Some(n) => self.i + n,
                None => self.b.len(),
            };
        }
    }

    /// An ASCII identifier; a non-ASCII character in or right after it is left to `hcl-edit`.
    fn ident(&mut self) -> R<(usize, usize)> {
        let start = self.i;
        if !self.peek().is_some_and(is_start) {
            return Err(Bail);
        }
        self.i += 1;
        while self.peek().is_some_and(is_continue) {
            self.i += 1;
        }
        if self.peek().is_some_and(|c| c >= 0x80) {
            return Err(Bail);
        }
        Ok((start, self.i))
    }

    /// The entries of a body at nesting level `depth`, up to a `}` or the end (not taken).
    fn body(&mut self, depth: usize) -> R<Vec<Entry>> {
        let from = self.entries.len();
        let mut attrs: Seen<&'t str> = Seen::new();
        loop {
            let save = self.i;
            self.ws()?;
            match self.peek() {
                Some(c) if is_start(c) => {}
                Some(c) if c >= 0x80 => return Err(Bail),
                _ => {
                    self.i = save;
                    break;
                }
            }
            let entry = self.structure(depth, &mut attrs)?;
            self.entries.push(entry);
            self.sp()?;
            self.line_comment();
            match self.peek() {
                Some(b'\n') => self.i += 1,
                None => {}
                _ => return Err(Bail),
            }
        }
        self.ws()?;
        Ok(self.entries.drain(from..).collect())
    }

    fn structure(&mut self, depth: usize, attrs: &mut Seen<&'t str>) -> R<Entry> {
        let start = self.i;
        let (ks, ke) = self.ident()?;
        self.sp()?;
        match self.peek() {
            Some(b'=') => {
                let text = self.text;
                if !attrs.insert(&text[ks..ke]) {
                    return Err(Bail);
                }
                self.attribute(ks, ke, depth + 1)
            }
            Some(b'{') => self.block(start, ks, ke, Vec::new(), depth),
            Some(c) if c == b'"' || is_start(c) => {
                let mut labels = Vec::new();
                loop {
                    let from = self.i;
                    match self.peek() {
                        Some(b'"') => {
                            let s = self.plain_string()?;
                            labels.push((s, self.span(from, self.i)));
                        }
                        Some(c) if is_start(c) => {
                            let (s, e) = self.ident()?;
                            labels.push((self.source(s, e), self.span(s, e)));
                        }
                        Some(c) if c >= 0x80 => return Err(Bail),
                        _ => break,
                    }
                    self.sp()?;
                }
                if self.peek() != Some(b'{') {
                    return Err(Bail);
                }
                self.block(start, ks, ke, labels, depth)
            }
            _ => Err(Bail),
        }
    }

    /// `= value` of the attribute named `text[ks..ke]`, its value at nesting level `depth`.
    fn attribute(&mut self, ks: usize, ke: usize, depth: usize) -> R<Entry> {
        let key_span = self.span(ks, ke);
        self.expect(b'=')?;
        self.sp()?;
        self.ops = 0;
        let value = self.expr(false)?;
        if value.h > 0 && depth + value.h - 1 > self.max_depth {
            return Err(Bail);
        }
        Ok(Entry {
            key: self.source(ks, ke),
            key_span,
            value: value.node,
        })
    }

    /// A block whose `{` is at the cursor, in a body at level `depth`.
    fn block(
        &mut self,
        start: usize,
        ks: usize,
        ke: usize,
        labels: Vec<(String, Span)>,
        depth: usize,
    ) -> R<Entry> {
        if depth + 1 > self.max_depth {
            return Err(Bail);
        }
        self.enter()?;
        self.i += 1;
        let save = self.i;
        self.sp()?;
        self.line_comment();
        let body = if self.peek() == Some(b'\n') {
            self.i += 1;
            self.body(depth + 1)?
        } else {
            // One-line block: `{}` or `{ name = value }`.
            self.i = save;
            self.sp()?;
            let mut body = Vec::new();
            match self.peek() {
                Some(c) if is_start(c) => {
                    let (s, e) = self.ident()?;
                    self.sp()?;
                    body.push(self.attribute(s, e, depth + 2)?);
                    self.sp()?;
                }
                Some(c) if c >= 0x80 => return Err(Bail),
                _ => {}
            }
            body
        };
        self.expect(b'}')?;
        self.leave();
        let ident = self.source(ks, ke);
        Ok(Entry {
            key: ident.clone(),
            key_span: self.span(ks, ke),
            value: Node {
                span: self.span(start, self.i),
                tag: None,
                value: Value::Block(Box::new(Block {
                    ident,
                    labels,
                    body,
                })),
            },
        })
    }

    /// An expression; `newlines` is whether line breaks may separate its terms and operators
    /// (`hcl-edit`'s parse state, which a list or call term turns on for the rest of it).
    fn expr(&mut self, newlines: bool) -> R<Ex> {
        self.enter()?;
        let mut st = newlines;
        let mut cur = self.term(&mut st)?;
        loop {
            let save = self.i;
            self.wsn(st)?;
            match (self.peek(), self.peek1()) {
                (Some(b'?'), Some(_)) => {
                    self.i += 1;
                    self.wsn(st)?;
                    let then = self.expr(st)?;
                    self.wsn(st)?;
                    self.expect(b':')?;
                    self.wsn(st)?;
                    let otherwise = self.expr(st)?;
                    let (start, end) = (cur.start, otherwise.end);
                    let h = 1 + max(cur.h, max(then.h, otherwise.h));
                    let node = self.expr_node(
                        start,
                        end,
                        ExprKind::Conditional {
                            cond: cur.node,
                            then: then.node,
                            otherwise: otherwise.node,
                        },
                    );
                    cur = Ex {
                        start,
                        end,
                        node,
                        h,
                    };
                    break;
                }
                (Some(c), Some(d))
                    if !(c == b'/' && (d == b'/' || d == b'*'))
                        && ((c == b'=' && d == b'=') || b"!<>+-*/%&|".contains(&c)) =>
                {
                    self.i = save;
                    cur = self.binary_ops(cur, st)?;
                }
                _ => {
                    self.i = save;
                    break;
                }
            }
        }
        self.leave();
        Ok(cur)
    }

    /// The binary operator at the cursor: its text and precedence.
    fn operator(&self) -> Option<(&'static str, u8)> {
        let d = self.peek1();
        Some(match self.peek()? {
            b'=' if d == Some(b'=') => ("==", 3),
            b'!' if d == Some(b'=') => ("!=", 3),
            b'<' if d == Some(b'=') => ("<=", 4),
            b'<' => ("<", 4),
            b'>' if d == Some(b'=') => (">=", 4),
            b'>' => (">", 4),
            b'+' => ("+", 5),
            b'-' => ("-", 5),
            b'*' => ("*", 6),
            b'/' if !matches!(d, Some(b'/' | b'*')) => ("/", 6),
            b'%' => ("%", 6),
            b'&' if d == Some(b'&') => ("&&", 2),
            b'|' if d == Some(b'|') => ("||", 1),
            _ => return None,
        })
    }

    /// A chain of binary operators after `first`, built by precedence, left-associative.
    fn binary_ops(&mut self, first: Ex, st: bool) -> R<Ex> {
        let mut ops: Vec<(&'static str, u8)> = Vec::new();
        let mut out: Vec<Ex> = vec![first];
        let mut pending: Vec<(&'static str, u8)> = Vec::new();
        loop {
            let save = self.i;
            self.wsn(st)?;
            let Some(op) = self.operator() else {
                if ops.is_empty() {
                    return Err(Bail);
                }
                self.i = save;
                break;
            };
            self.i += op.0.len();
            self.wsn(st)?;
            let mut inner = st;
            let term = self.term(&mut inner)?;
            self.ops += 1;
            if self.ops > MAX_OPS {
                return Err(Bail);
            }
            ops.push(op);
            while pending.last().is_some_and(|top| top.1 >= op.1) {
                let top = pending.pop().expect("checked");
                self.reduce(&mut out, top.0);
            }
            pending.push(op);
            out.push(term);
        }
        while let Some(top) = pending.pop() {
            self.reduce(&mut out, top.0);
        }
        Ok(out.pop().expect("one operand left"))
    }

    fn reduce(&self, out: &mut Vec<Ex>, op: &'static str) {
        let rhs = out.pop().expect("two operands");
        let lhs = out.pop().expect("two operands");
        let (start, end) = (lhs.start, rhs.end);
        let h = 1 + max(lhs.h, rhs.h);
        let node = self.expr_node(
            start,
            end,
            ExprKind::Operation {
                op: op.to_owned(),
                operands: vec![lhs.node, rhs.node],
            },
        );
        out.push(Ex {
            start,
            end,
            node,
            h,
        });
    }

    /// Whether a traversal operator follows (`.` but not `..`, or `[`), as `hcl-edit` peeks
    /// two bytes for it.
    fn traversal_follows(&self) -> bool {
        match (self.peek(), self.peek1()) {
            (Some(b'.'), Some(d)) => d != b'.',
            (Some(b'['), Some(_)) => true,
            _ => false,
        }
    }

    /// A term and any traversal after it.
    fn term(&mut self, st: &mut bool) -> R<Ex> {
        let start = self.i;
        let head = match self.peek().ok_or(Bail)? {
            b'"' => Head::Ex(self.string()?),
            b'[' => {
                *st = true;
                Head::Ex(self.list()?)
            }
            b'{' => Head::Ex(self.object(st)?),
            b'0'..=b'9' => {
                self.number()?;
                Head::Ex(self.number_ex(start))
            }
            b'<' => Head::Ex(self.heredoc()?),
            b'-' => Head::Ex(self.minus(*st)?),
            b'!' => Head::Ex(self.unary(*st)?),
            b'(' => Head::Ex(self.paren()?),
            c if is_start(c) => self.identlike(st)?,
            _ => return Err(Bail),
        };
        let save = self.i;
        self.wsn(*st)?;
        if self.traversal_follows() {
            return self.traversal(start, head, *st);
        }
        self.i = save;
        Ok(match head {
            Head::Ex(ex) => ex,
            Head::Var(s, e) => self.var(s, e),
        })
    }

    fn var(&self, s: usize, e: usize) -> Ex {
        let node = self.expr_node(
            s,
            e,
            ExprKind::Traversal {
                root: self.source(s, e),
                steps: Vec::new(),
            },
        );
        Ex {
            start: s,
            end: e,
            node,
            h: 0,
        }
    }

    fn traversal(&mut self, start: usize, head: Head, st: bool) -> R<Ex> {
        let mut steps = Vec::new();
        let mut h = 0;
        loop {
            let op = self.i;
            if self.peek() == Some(b'.') {
                self.i += 1;
                self.ws()?;
                match self.peek() {
                    Some(b'*') => {
                        self.i += 1;
                        steps.push(TraversalStep::Splat);
                    }
                    Some(b'0'..=b'9') => {
                        let from = self.i;
                        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                            self.i += 1;
                        }
                        let digits = &self.text[from..self.i];
                        if digits.len() > 18 || (digits.len() > 1 && digits.starts_with('0')) {
                            return Err(Bail);
                        }
                        let node = self.plain(op, self.i, Value::Number(digits.to_owned()));
                        steps.push(TraversalStep::Index(node));
                    }
                    Some(c) if is_start(c) => {
                        let (s, e) = self.ident()?;
                        steps.push(TraversalStep::Attr(self.source(s, e)));
                    }
                    _ => return Err(Bail),
                }
            } else {
                self.i += 1;
                self.ws()?;
                if self.peek() == Some(b'*') {
                    self.i += 1;
                    steps.push(TraversalStep::Splat);
                } else {
                    let index = self.expr(true)?;
                    h = max(h, index.h);
                    steps.push(TraversalStep::Index(index.node));
                }
                self.ws()?;
                self.expect(b']')?;
            }
            let save = self.i;
            self.wsn(st)?;
            if !self.traversal_follows() {
                self.i = save;
                break;
            }
        }
        let end = self.i;
        let (kind, h) = match head {
            Head::Var(s, e) => (
                ExprKind::Traversal {
                    root: self.source(s, e),
                    steps,
                },
                1 + h,
            ),
            // `func(x).attr`, `[a, b][0]`: kept as text, as `hcl.rs` does.
            Head::Ex(_) => (ExprKind::Other, 1),
        };
        Ok(Ex {
            start,
            end,
            node: self.expr_node(start, end, kind),
            h,
        })
    }

    /// A name: `null`, `true`, `false`, a variable, or a function call.
    fn identlike(&mut self, st: &mut bool) -> R<Head> {
        let (s, e) = self.ident()?;
        let save = self.i;
        self.wsn(*st)?;
        match (self.peek(), self.peek1()) {
            (Some(b':'), Some(b':')) => return Err(Bail),
            (Some(b'('), Some(_)) => return self.call(s, e, st).map(Head::Ex),
            _ => {}
        }
        self.i = save;
        let value = match &self.text[s..e] {
            "null" => Value::Null,
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Ok(Head::Var(s, e)),
        };
        Ok(Head::Ex(Ex {
            start: s,
            end: e,
            node: self.plain(s, e, value),
            h: 0,
        }))
    }

    /// `name(args)` with the cursor at `(`.
    fn call(&mut self, s: usize, e: usize, st: &mut bool) -> R<Ex> {
        *st = true;
        self.i += 1;
        let from = self.items.len();
        let mut h = 0;
        loop {
            let save = self.i;
            self.ws()?;
            if matches!(self.peek(), None | Some(b',' | b'.' | b')')) {
                self.i = save;
                break;
            }
            let arg = self.expr(true)?;
            h = max(h, arg.h);
            self.items.push(arg.node);
            self.ws()?;
            if self.peek() != Some(b',') {
                break;
            }
            let comma = self.i;
            self.i += 1;
            self.ws()?;
            let next = self.peek();
            self.i = comma + 1;
            if matches!(next, None | Some(b',' | b'.' | b')')) {
                // A trailing comma (taken just above) or `, ...`: no further argument.
                self.i = comma;
                break;
            }
        }
        if self.items.len() > from {
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'.') => {
                    if !self.at(b"...") {
                        return Err(Bail);
                    }
                    self.i += 3;
                }
                _ => {}
            }
        }
        self.ws()?;
        self.expect(b')')?;
        let kind = ExprKind::FuncCall {
            name: self.source(s, e),
            args: self.items.drain(from..).collect(),
        };
        Ok(Ex {
            start: s,
            end: self.i,
            node: self.expr_node(s, self.i, kind),
            h: 1 + h,
        })
    }

    /// Digits of a number at the cursor, as `hcl-edit` reads them (an exponent must have
    /// digits; a float must be finite).
    fn number(&mut self) -> R<()> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let mut float = false;
        if self.peek() == Some(b'.') && self.peek1().is_some_and(|c| c.is_ascii_digit()) {
            float = true;
            self.i += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            float = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return Err(Bail);
            }
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
        }
        let digits = &self.text[start..self.i];
        if digits.len() > 300 || (float && !digits.parse::<f64>().is_ok_and(f64::is_finite)) {
            return Err(Bail);
        }
        Ok(())
    }

    fn number_ex(&self, start: usize) -> Ex {
        let node = self.plain(start, self.i, Value::Number(self.source(start, self.i)));
        Ex {
            start,
            end: self.i,
            node,
            h: 0,
        }
    }

    /// `-` and a number (a negative number, spaces and all), or a unary minus.
    fn minus(&mut self, st: bool) -> R<Ex> {
        let start = self.i;
        self.i += 1;
        self.sp()?;
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.number()?;
            return Ok(self.number_ex(start));
        }
        self.i = start;
        self.unary(st)
    }

    /// `!` or `-` and the term it applies to.
    fn unary(&mut self, st: bool) -> R<Ex> {
        let start = self.i;
        let op = if self.peek() == Some(b'!') { "!" } else { "-" };
        self.i += 1;
        self.sp()?;
        self.enter()?;
        let mut inner = st;
        let operand = self.term(&mut inner)?;
        self.leave();
        let end = operand.end;
        let node = self.expr_node(
            start,
            end,
            ExprKind::Operation {
                op: op.to_owned(),
                operands: vec![operand.node],
            },
        );
        Ok(Ex {
            start,
            end,
            node,
            h: 1 + operand.h,
        })
    }

    /// `( expr )`: the inner node, with the parentheses' extent.
    fn paren(&mut self) -> R<Ex> {
        let start = self.i;
        self.i += 1;
        self.ws()?;
        let inner = self.expr(true)?;
        self.ws()?;
        self.expect(b')')?;
        Ok(Ex {
            start,
            end: self.i,
            node: inner.node,
            h: inner.h,
        })
    }

    /// Whether the bracket just read opens a `for` expression (`for` and a space, tab, line
    /// break or comment start, after any whitespace).
    fn for_follows(&mut self) -> R<bool> {
        let save = self.i;
        self.ws()?;
        let found = self.at(b"for")
            && matches!(
                self.b.get(self.i + 3),
                Some(b' ' | b'\t' | b'#' | b'/' | b'\n')
            );
        self.i = save;
        Ok(found)
    }

    /// `for k, v in coll :` of a `for` expression.
    fn for_intro(&mut self) -> R<()> {
        self.ws()?;
        self.i += 3;
        self.ws()?;
        self.ident()?;
        self.ws()?;
        if self.peek() == Some(b',') {
            self.i += 1;
            self.ws()?;
            self.ident()?;
            self.ws()?;
        }
        if !self.at(b"in") {
            return Err(Bail);
        }
        self.i += 2;
        self.ws()?;
        self.expr(false)?;
        self.ws()?;
        self.expect(b':')
    }

    /// An optional `if cond` ending a `for` expression.
    fn for_cond(&mut self) -> R<()> {
        let save = self.i;
        self.ws()?;
        if !self.at(b"if") {
            self.i = save;
            return Ok(());
        }
        self.i += 2;
        self.ws()?;
        self.expr(true)?;
        self.ws()
    }

    /// A `for` expression, kept as text.
    fn for_ex(&mut self, start: usize) -> Ex {
        Ex {
            start,
            end: self.i,
            node: self.expr_node(start, self.i, ExprKind::Other),
            h: 1,
        }
    }

    fn list(&mut self) -> R<Ex> {
        let start = self.i;
        self.i += 1;
        if self.for_follows()? {
            self.for_intro()?;
            self.ws()?;
            self.expr(true)?;
            self.ws()?;
            self.for_cond()?;
            self.expect(b']')?;
            return Ok(self.for_ex(start));
        }
        let from = self.items.len();
        let mut h = 0;
        loop {
            let save = self.i;
            self.ws()?;
            if self.peek() == Some(b']') {
                self.i = save;
                break;
            }
            let item = self.expr(true)?;
            h = max(h, item.h);
            self.items.push(item.node);
            self.ws()?;
            if self.peek() != Some(b',') {
                break;
            }
            self.i += 1;
        }
        self.ws()?;
        self.expect(b']')?;
        let items = self.items.drain(from..).collect();
        Ok(Ex {
            start,
            end: self.i,
            node: self.plain(start, self.i, Value::Seq(items)),
            h: 1 + h,
        })
    }

    fn object(&mut self, st: &mut bool) -> R<Ex> {
        let start = self.i;
        self.i += 1;
        if self.for_follows()? {
            *st = true;
            self.for_intro()?;
            self.ws()?;
            self.expr(false)?;
            self.ws()?;
            if !self.at(b"=>") {
                return Err(Bail);
            }
            self.i += 2;
            self.ws()?;
            self.expr(false)?;
            self.ws()?;
            if self.at(b"...") {
                self.i += 3;
                self.ws()?;
            }
            self.for_cond()?;
            self.expect(b'}')?;
            return Ok(self.for_ex(start));
        }
        let from = self.entries.len();
        let mut keys: Seen<(bool, &'t str)> = Seen::new();
        let mut h = 0;
        loop {
            self.ws()?;
            let ks = self.i;
            let (quoted, key) = match self.peek() {
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                Some(b'"') => {
                    let value = self.plain_string()?;
                    // Only keys written without escapes, so the text is the key.
                    let text = self.text;
                    let raw = &text[ks + 1..self.i - 1];
                    if value != raw {
                        return Err(Bail);
                    }
                    (true, raw)
                }
                Some(c) if is_start(c) => {
                    let (s, e) = self.ident()?;
                    let text = self.text;
                    let name = &text[s..e];
                    if matches!(name, "null" | "true" | "false") {
                        return Err(Bail);
                    }
                    (false, name)
                }
                _ => return Err(Bail),
            };
            let ke = self.i;
            if !keys.insert((quoted, key)) {
                return Err(Bail);
            }
            self.sp()?;
            match (self.peek(), self.peek1()) {
                (Some(b':'), d) if d != Some(b':') => {}
                (Some(b'='), d) if d != Some(b'=') => {}
                _ => return Err(Bail),
            }
            let key_span = self.span(ks, ke);
            self.i += 1;
            self.sp()?;
            let value = self.expr(false)?;
            h = max(h, value.h);
            self.entries.push(Entry {
                key: key.to_owned(),
                key_span,
                value: value.node,
            });
            self.sp()?;
            match self.peek() {
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                Some(b'\n' | b',') => self.i += 1,
                Some(b'#') => {
                    self.line_comment();
                    self.expect(b'\n')?;
                }
                Some(b'/') if self.peek1() == Some(b'/') => {
                    self.line_comment();
                    self.expect(b'\n')?;
                }
                _ => return Err(Bail),
            }
        }
        let entries = self.entries.drain(from..).collect();
        Ok(Ex {
            start,
            end: self.i,
            node: self.plain(start, self.i, Value::Map(entries)),
            h: 1 + h,
        })
    }

    /// A quoted string that must be plain (a block label or an object key).
    fn plain_string(&mut self) -> R<String> {
        match self.string()?.node.value {
            Value::String(s) => Ok(s),
            _ => Err(Bail),
        }
    }

    /// `\` escape at the cursor, decoded into `out`.
    fn escape(&mut self, out: &mut String) -> R<()> {
        self.i += 1;
        let c = self.peek().ok_or(Bail)?;
        self.i += 1;
        let simple = match c {
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'\\' => Some('\\'),
            b'"' => Some('"'),
            _ => None,
        };
        if let Some(ch) = simple {
            out.push(ch);
            return Ok(());
        }
        let digits = match c {
            b'u' => 4,
            b'U' => 8,
            _ => return Err(Bail),
        };
        let hex = self.b.get(self.i..self.i + digits).ok_or(Bail)?;
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return Err(Bail);
        }
        let hex = std::str::from_utf8(hex).map_err(|_| Bail)?;
        let code = u32::from_str_radix(hex, 16).map_err(|_| Bail)?;
        out.push(char::from_u32(code).ok_or(Bail)?);
        self.i += digits;
        Ok(())
    }

    /// `${ expr }` at the cursor.
    fn interpolation(&mut self) -> R<Ex> {
        self.i += 2;
        if self.peek() == Some(b'~') {
            return Err(Bail);
        }
        self.ws()?;
        let ex = self.expr(true)?;
        self.ws()?;
        self.expect(b'}')?;
        Ok(ex)
    }

    /// `$${`/`%%{` (an escaped marker, taken into `lit`), `%{` (a directive: given up), or
    /// `${` (an interpolation: returned). `None` when the cursor holds none of them.
    fn marker(&mut self, lit: &mut String) -> R<Option<Ex>> {
        if self.at(b"$${") {
            lit.push_str("${");
        } else if self.at(b"%%{") {
            lit.push_str("%{");
        } else if self.at(b"${") {
            return self.interpolation().map(Some);
        } else if self.at(b"%{") {
            return Err(Bail);
        } else {
            return Ok(None);
        }
        self.i += 3;
        Ok(None)
    }

    /// At a `$` or `%` of a template: an escaped marker or a literal character taken into
    /// the current literal, or an interpolation ending it.
    fn dollar(&mut self, els: &mut Elements) -> R<()> {
        let from = self.i;
        if let Some(ex) = self.marker(&mut els.lit)? {
            if !els.lit.is_empty() {
                els.parts.push(Part::Lit(std::mem::take(&mut els.lit)));
            }
            els.h = max(els.h, ex.h);
            els.parts.push(Part::Interp(ex.node));
        } else if self.i == from {
            els.lit.push(char::from(self.b[from]));
            self.i += 1;
        }
        Ok(())
    }

    /// Literal text from the cursor up to the next byte `stop` accepts (or the end).
    fn run(&mut self, lit: &mut String, stop: impl Fn(u8) -> bool) {
        let from = self.i;
        let n = self.b[from..]
            .iter()
            .position(|&c| stop(c))
            .unwrap_or(self.b.len() - from);
        self.i = from + n;
        lit.push_str(&self.text[from..self.i]);
    }

    /// A template's node: a `String` when it holds literals only (its height `plain_h`),
    /// else a `Template` expression.
    fn template(&self, start: usize, mut els: Elements, plain_h: usize) -> Ex {
        let end = self.i;
        if els.parts.iter().all(|p| matches!(p, Part::Lit(_))) {
            // Usually one literal or none: moved, not copied.
            let mut s = std::mem::take(&mut els.lit);
            for p in els.parts {
                if let Part::Lit(l) = p {
                    if s.is_empty() {
                        s = l;
                    } else {
                        s.push_str(&l);
                    }
                }
            }
            return Ex {
                start,
                end,
                node: self.plain(start, end, Value::String(s)),
                h: plain_h,
            };
        }
        let parts = els
            .parts
            .into_iter()
            .map(|p| match p {
                Part::Lit(l) => TemplatePart::Literal(l),
                Part::Interp(n) => TemplatePart::Interpolation(n),
            })
            .collect();
        Ex {
            start,
            end,
            node: self.expr_node(start, end, ExprKind::Template { parts }),
            h: 1 + els.h,
        }
    }

    /// A quoted string: a `String` value, or a `Template` expression with interpolations.
    fn string(&mut self) -> R<Ex> {
        let start = self.i;
        self.i += 1;
        let mut els = Elements::default();
        loop {
            match self.peek().ok_or(Bail)? {
                b'"' => {
                    self.i += 1;
                    break;
                }
                b'\n' => return Err(Bail),
                b'\\' => self.escape(&mut els.lit)?,
                b'$' | b'%' => self.dollar(&mut els)?,
                _ => self.run(&mut els.lit, |c| {
                    matches!(c, b'"' | b'\n' | b'\\' | b'$' | b'%')
                }),
            }
        }
        // A plain string's text stays in `els.lit`, to be moved into its node.
        if !els.parts.is_empty() {
            els.finish();
        }
        Ok(self.template(start, els, 0))
    }

    /// Whether the line starting at `at` closes a heredoc marked `delim`: spaces or tabs, the
    /// marker, then no identifier character.
    fn closes(&self, at: usize, delim: &str) -> R<bool> {
        let mut j = at;
        while matches!(self.b.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        if !self.b[j.min(self.b.len())..].starts_with(delim.as_bytes()) {
            return Ok(false);
        }
        match self.b.get(j + delim.len()) {
            None => Ok(true),
            Some(&c) if c >= 0x80 => Err(Bail),
            Some(&c) => Ok(!is_continue(c)),
        }
    }

    /// `<<ID` or `<<-ID` heredoc: a `String` value without interpolations, else a `Template`.
    fn heredoc(&mut self) -> R<Ex> {
        let start = self.i;
        if !self.at(b"<<") {
            return Err(Bail);
        }
        self.i += 2;
        let indent = self.peek() == Some(b'-');
        if indent {
            self.i += 1;
        }
        let (ds, de) = self.ident()?;
        let text = self.text;
        let delim = &text[ds..de];
        self.expect(b'\n')?;
        if self.closes(self.i, delim)? {
            return Err(Bail);
        }
        let mut els = Elements::default();
        loop {
            match self.peek().ok_or(Bail)? {
                b'\n' => {
                    if self.closes(self.i + 1, delim)? {
                        break;
                    }
                    els.lit.push('\n');
                    self.i += 1;
                }
                b'$' | b'%' => self.dollar(&mut els)?,
                _ => self.run(&mut els.lit, |c| matches!(c, b'\n' | b'$' | b'%')),
            }
        }
        // The line break before the closing marker ends the last literal.
        els.lit.push('\n');
        els.finish();
        self.i += 1;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
        self.i += delim.len();
        if indent {
            dedent(&mut els.parts);
        }
        // A heredoc is a compound expression to `hcl.rs`'s depth count even without
        // interpolations.
        Ok(self.template(start, els, 1))
    }
}

/// An element of a template.
enum Part {
    Lit(String),
    Interp(Node),
}

/// A template's elements as they are read: the literal being read, the elements before it,
/// and the height of the deepest interpolation.
#[derive(Default)]
struct Elements {
    parts: Vec<Part>,
    lit: String,
    h: usize,
}

impl Elements {
    /// Ends the literal being read, if any.
    fn finish(&mut self) {
        if !self.lit.is_empty() {
            self.parts.push(Part::Lit(std::mem::take(&mut self.lit)));
        }
    }
}

/// `<<-` heredocs: the smallest indentation of the literal lines that start a line is removed
/// from every line, unless an interpolation starts a line (as `hcl-edit` dedents).
fn dedent(elems: &mut [Part]) {
    let mut indent: Option<usize> = None;
    let mut skip_first = false;
    for e in elems.iter() {
        match e {
            Part::Lit(l) => {
                if let Some(n) = min_leading_whitespace(l, skip_first) {
                    indent = Some(indent.map_or(n, |i| i.min(n)));
                }
                skip_first = !l.ends_with('\n');
            }
            Part::Interp(_) if !skip_first => return,
            Part::Interp(_) => {}
        }
    }
    let Some(indent) = indent else { return };
    skip_first = false;
    for e in elems.iter_mut() {
        match e {
            Part::Lit(l) => {
                *l = dedent_by(l, indent, skip_first);
                skip_first = !l.ends_with('\n');
            }
            Part::Interp(_) => skip_first = true,
        }
    }
}

fn min_leading_whitespace(s: &str, skip_first: bool) -> Option<usize> {
    let mut least: Option<usize> = None;
    for (i, line) in s.lines().enumerate() {
        if (i == 0 && skip_first) || line.is_empty() {
            continue;
        }
        let n = line.chars().take_while(|c| c.is_whitespace()).count();
        if n == 0 {
            return None;
        }
        least = Some(least.map_or(n, |l| l.min(n)));
    }
    least
}

fn dedent_by(s: &str, n: usize, skip_first: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.lines().enumerate() {
        if i == 0 && skip_first {
            out.push_str(line);
        } else if !line.is_empty() {
            out.extend(line.chars().skip(n));
        }
        out.push('\n');
    }
    if out.ends_with('\n') && !s.ends_with('\n') {
        out.pop();
    }
    out
}
