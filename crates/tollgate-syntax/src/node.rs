use crate::Span;

/// Which parser a text goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Yaml,
    Json,
    Hcl,
}

/// Limits against hostile input. Every file in a pull request is attacker-controlled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest text accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of sequences, maps, blocks and expressions.
    pub max_depth: usize,
    /// Most nodes a YAML document may grow to through alias expansion (billion laughs).
    pub max_alias_nodes: usize,
    /// Most bytes of keys, scalars and tags alias expansion may copy: a few nodes holding a
    /// large scalar each, aliased many times, pass the node cap and still take gigabytes.
    pub max_alias_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_depth: 256,
            max_alias_nodes: 100_000,
            max_alias_bytes: 16 * 1024 * 1024,
        }
    }
}

/// One parsed file. YAML files may hold several documents (`---`); JSON and HCL hold one.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub format: Format,
    pub roots: Vec<Node>,
    /// Keys written more than once in one YAML or JSON mapping (the last one is kept), at most
    /// [`MAX_DUPLICATE_KEYS`] of them.
    pub duplicate_keys: Vec<DuplicateKey>,
}

/// Most repeated keys recorded for one document; a file repeating more says so once per key
/// up to here, and the rest are dropped silently as before.
pub const MAX_DUPLICATE_KEYS: usize = 100;

/// A key written again in the same mapping: the earlier value is dropped, as CloudFormation
/// and PyYAML-based tools do.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    pub key: String,
    /// The key whose value is dropped.
    pub dropped: Span,
    /// The later key whose value is kept.
    pub kept: Span,
}

impl Document {
    /// The first document's root, if any.
    pub fn root(&self) -> Option<&Node> {
        self.roots.first()
    }
}

/// A value with the span it was written at, and its YAML tag (`!Ref`, `!Sub`...) if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    /// The YAML tag as written, including the `!` (e.g. `!GetAtt`). Standard tags (`!!str`) are
    /// resolved by the parser and not kept.
    pub tag: Option<String>,
    pub value: Value,
}

/// A key of a map with its own span.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number as written (`1`, `1.5e3`, `0x1F`), so nothing is lost to float rounding.
    Number(String),
    String(String),
    Seq(Vec<Node>),
    /// Entries in source order. HCL bodies may repeat a key (several blocks of one type).
    Map(Vec<Entry>),
    /// HCL block: `resource "aws_s3_bucket" "logs" { ... }`.
    Block(Box<Block>),
    /// HCL expression that is not a literal (reference, function call, template, ...).
    Expr(Box<Expr>),
}

/// An HCL block: its labels and its body (attributes and nested blocks as entries).
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<(String, Span)>,
    pub body: Vec<Entry>,
}

/// A non-literal HCL expression, kept structured enough for an evaluator.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// The expression's source text, whitespace as written.
    pub text: String,
    pub kind: ExprKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `var.name`, `aws_kms_key.main.arn`, `local.tags["env"]`, `each.value`.
    Traversal {
        root: String,
        steps: Vec<TraversalStep>,
    },
    /// `jsonencode({...})`, `file("x")`.
    FuncCall { name: String, args: Vec<Node> },
    /// `"arn:aws:s3:::${var.bucket}/*"` or a heredoc with interpolations.
    Template { parts: Vec<TemplatePart> },
    /// `cond ? a : b`.
    Conditional {
        cond: Node,
        then: Node,
        otherwise: Node,
    },
    /// Unary or binary operation: `!x`, `a == b`, `a + 1`.
    Operation { op: String, operands: Vec<Node> },
    /// `[for ...]`, `{for ...}`, splat, and anything else kept only as text.
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TraversalStep {
    Attr(String),
    Index(Node),
    Splat,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Literal(String),
    Interpolation(Node),
    /// `%{ if }` / `%{ for }` directives, kept as text.
    Directive(String),
}

/// Removes repeated keys from a YAML or JSON map, keeping the last occurrence at its own place,
/// as CloudFormation does. HCL bodies do not go through this: there a repeated key is a list of
/// blocks.
pub(crate) fn dedup_keys(entries: Vec<Entry>, seen: &mut Vec<DuplicateKey>) -> Vec<Entry> {
    // Most maps are small and repeat no key: comparing every pair costs less than hashing.
    if entries.len() <= 16
        && !entries
            .iter()
            .enumerate()
            .any(|(i, e)| entries[..i].iter().any(|f| f.key == e.key))
    {
        return entries;
    }
    let mut last = std::collections::HashMap::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        last.insert(e.key.as_str(), i);
    }
    if last.len() == entries.len() {
        return entries;
    }
    for (i, e) in entries.iter().enumerate() {
        let Some(&kept) = last.get(e.key.as_str()).filter(|&&k| k != i) else {
            continue;
        };
        if seen.len() < MAX_DUPLICATE_KEYS {
            seen.push(DuplicateKey {
                key: e.key.clone(),
                dropped: e.key_span,
                kept: entries[kept].key_span,
            });
        }
    }
    let keep: Vec<bool> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| last.get(e.key.as_str()) == Some(&i))
        .collect();
    entries
        .into_iter()
        .zip(keep)
        .filter_map(|(e, k)| k.then_some(e))
        .collect()
}
