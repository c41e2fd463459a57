//! The languages handlers are read in, and turning tree-sitter positions into tollgate spans.

use std::num::NonZeroU16;
use std::sync::OnceLock;

use tollgate_syntax::{Pos, Span};
use tree_sitter::Node;

/// A handler language, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
}

impl Lang {
    /// The language of a file, by its extension (`.py`; `.js`, `.mjs`, `.cjs`; `.ts`, `.mts`,
    /// `.cts`).
    pub fn of_path(path: &str) -> Option<Lang> {
        let ext = path.rsplit_once('.')?.1;
        match ext {
            "py" => Some(Lang::Python),
            "js" | "mjs" | "cjs" => Some(Lang::JavaScript),
            "ts" | "mts" | "cts" => Some(Lang::TypeScript),
            _ => None,
        }
    }

    pub fn is_python(self) -> bool {
        self == Lang::Python
    }

    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
        }
    }
}

/// The grammar fields the trace reads, named as the Python, JavaScript and TypeScript grammars
/// name them. `Node::child_by_field_name` compares the name with every field name of the
/// grammar on each call, which was the largest single cost of the trace; [`NodeExt::field`]
/// uses ids looked up once per grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Alias,
    Alternative,
    Argument,
    Arguments,
    Attribute,
    Body,
    Condition,
    Consequence,
    Constructor,
    Declaration,
    Definition,
    Function,
    Index,
    Key,
    Left,
    ModuleName,
    Name,
    Object,
    Operator,
    Operators,
    Parameter,
    Parameters,
    Pattern,
    Property,
    Right,
    Source,
    Subscript,
    Value,
}

/// Field names, in the order of [`Field`]'s variants.
const FIELD_NAMES: [&str; 28] = [
    "alias",
    "alternative",
    "argument",
    "arguments",
    "attribute",
    "body",
    "condition",
    "consequence",
    "constructor",
    "declaration",
    "definition",
    "function",
    "index",
    "key",
    "left",
    "module_name",
    "name",
    "object",
    "operator",
    "operators",
    "parameter",
    "parameters",
    "pattern",
    "property",
    "right",
    "source",
    "subscript",
    "value",
];

/// One grammar's id for each [`Field`] (`None` where the grammar has no such field).
struct FieldIds {
    language: tree_sitter::Language,
    ids: [Option<NonZeroU16>; FIELD_NAMES.len()],
}

impl FieldIds {
    fn of(lang: Lang) -> Self {
        let language = lang.grammar();
        let ids = FIELD_NAMES.map(|name| language.field_id_for_name(name));
        Self { language, ids }
    }
}

fn field_ids() -> &'static [FieldIds; 3] {
    static IDS: OnceLock<[FieldIds; 3]> = OnceLock::new();
    IDS.get_or_init(|| {
        [
            FieldIds::of(Lang::Python),
            FieldIds::of(Lang::JavaScript),
            FieldIds::of(Lang::TypeScript),
        ]
    })
}

/// Field access by [`Field`] on a node of any of the handler grammars.
pub trait NodeExt<'t> {
    /// The first child in field `field`, like `child_by_field_name`.
    fn field(&self, field: Field) -> Option<Node<'t>>;
}

impl<'t> NodeExt<'t> for Node<'t> {
    fn field(&self, field: Field) -> Option<Node<'t>> {
        let language = self.language();
        let ids = field_ids().iter().find(|g| g.language == *language)?;
        ids.ids[field as usize].and_then(|id| self.child_by_field_id(id.get()))
    }
}

/// The span of `node` in `text`, with columns counted in code points as SARIF wants.
pub fn span_of(node: Node<'_>, text: &str) -> Span {
    Span::new(
        pos(text, node.start_byte(), node.start_position()),
        pos(text, node.end_byte(), node.end_position()),
    )
}

fn pos(text: &str, byte: usize, point: tree_sitter::Point) -> Pos {
    let line_start = byte.saturating_sub(point.column);
    let col = text
        .get(line_start..byte)
        .map_or(point.column, |prefix| prefix.chars().count());
    Pos::new(
        u32::try_from(point.row + 1).unwrap_or(u32::MAX),
        u32::try_from(col + 1).unwrap_or(u32::MAX),
    )
}

/// The source text of `node`.
pub fn text_of<'t>(node: Node<'_>, text: &'t str) -> &'t str {
    text.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// The value of a string literal without its quotes and prefixes, when it has no
/// interpolation (an f-string or template literal with `${}` is not constant).
pub fn string_value(node: Node<'_>, text: &str) -> Option<String> {
    match node.kind() {
        "string" => {
            let mut cursor = node.walk();
            if node
                .named_children(&mut cursor)
                .any(|c| c.kind() == "interpolation")
            {
                return None;
            }
            let raw = text_of(node, text);
            let body = raw.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            let quote = body.chars().next()?;
            let body = body.trim_start_matches(quote).trim_end_matches(quote);
            Some(body.to_string())
        }
        "template_string" => {
            let mut cursor = node.walk();
            if node
                .named_children(&mut cursor)
                .any(|c| c.kind() == "template_substitution")
            {
                return None;
            }
            Some(text_of(node, text).trim_matches('`').to_string())
        }
        _ => None,
    }
}

/// Whether `node` is a literal that holds no data from outside: strings without
/// interpolation, numbers, booleans, `None`/`null`.
pub fn is_constant(node: Node<'_>, text: &str) -> bool {
    match node.kind() {
        "string" | "template_string" => string_value(node, text).is_some(),
        "integer" | "float" | "number" | "true" | "false" | "none" | "null" | "undefined" => true,
        _ => false,
    }
}
