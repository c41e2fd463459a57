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

/// What the trace looks up on every node, per grammar: the id of each [`Field`] (`None` where
/// the grammar has no such field) and the name of each node kind by id.
struct Grammar {
    language: tree_sitter::Language,
    ids: [Option<NonZeroU16>; FIELD_NAMES.len()],
    /// `Node::kind` reads the name through C (`strlen`, then a UTF-8 check) on every call,
    /// and the trace asks it of nearly every node it visits; here the names are read once.
    kinds: Box<[&'static str]>,
}

impl Grammar {
    fn of(lang: Lang) -> Self {
        let language = lang.grammar();
        let ids = FIELD_NAMES.map(|name| language.field_id_for_name(name));
        let kinds = (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .unwrap_or("")
            })
            .collect();
        Self {
            language,
            ids,
            kinds,
        }
    }
}

fn grammars() -> &'static [Grammar; 3] {
    static GRAMMARS: OnceLock<[Grammar; 3]> = OnceLock::new();
    GRAMMARS.get_or_init(|| {
        [
            Grammar::of(Lang::Python),
            Grammar::of(Lang::JavaScript),
            Grammar::of(Lang::TypeScript),
        ]
    })
}

fn grammar_of(node: &Node<'_>) -> Option<&'static Grammar> {
    let language = node.language();
    grammars().iter().find(|g| g.language == *language)
}

/// Field access by [`Field`], and node kinds, on a node of any of the handler grammars.
pub trait NodeExt<'t> {
    /// The first child in field `field`, like `child_by_field_name`.
    fn field(&self, field: Field) -> Option<Node<'t>>;
    /// The node's kind, as `Node::kind` names it, from a table read once per grammar.
    fn kind_name(&self) -> &'static str;
}

impl<'t> NodeExt<'t> for Node<'t> {
    fn field(&self, field: Field) -> Option<Node<'t>> {
        let ids = grammar_of(self)?;
        ids.ids[field as usize].and_then(|id| self.child_by_field_id(id.get()))
    }

    fn kind_name(&self) -> &'static str {
        // `kind_id` is the public symbol, which has the name of the node's own symbol; the
        // error symbol and any id past the table are asked of tree-sitter.
        grammar_of(self)
            .and_then(|g| g.kinds.get(usize::from(self.kind_id())))
            .copied()
            .unwrap_or_else(|| self.kind())
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
    match node.kind_name() {
        "string" => {
            let mut cursor = node.walk();
            if node
                .named_children(&mut cursor)
                .any(|c| c.kind_name() == "interpolation")
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
                .any(|c| c.kind_name() == "template_substitution")
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
    match node.kind_name() {
        "string" | "template_string" => string_value(node, text).is_some(),
        "integer" | "float" | "number" | "true" | "false" | "none" | "null" | "undefined" => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every node's kind from the table is what tree-sitter names it, in every grammar,
    /// aliased nodes, anonymous tokens and error nodes included.
    #[test]
    fn kind_names_match_tree_sitter() {
        let sources = [
            (
                Lang::Python,
                "import os\nfrom a import b as c\n@d\ndef f(x, *a, **k):\n    return f\"{x!r}\" + os.system(x) if x else [y for y in x]\nclass C:\n    def m(self): pass\nx = )(\n",
            ),
            (
                Lang::JavaScript,
                "const { exec: run } = require('child_process');\nexport async function h(e) { return `a${e.b}` + run(e?.c ?? 1); }\nclass K { #p = 1; m() { return <div>{x}</div>; } }\nlet = = ;\n",
            ),
            (
                Lang::TypeScript,
                "import type { T } from './t';\nexport const h = async (e: T): Promise<string> => (e as any).body!;\nenum E { A = 1 }\nfunction f<T extends object>(x: T) { return x satisfies object; }\n)(\n",
            ),
        ];
        for (lang, source) in sources {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&lang.grammar()).expect("grammar");
            let tree = parser.parse(source, None).expect("parse");
            let mut cursor = tree.walk();
            let mut seen = 0;
            let mut errors = 0;
            loop {
                let node = cursor.node();
                assert_eq!(node.kind_name(), node.kind(), "{lang:?} at {node:?}");
                seen += 1;
                errors += usize::from(node.is_error());
                if cursor.goto_first_child() {
                    continue;
                }
                while !cursor.goto_next_sibling() {
                    if !cursor.goto_parent() {
                        break;
                    }
                }
                if cursor.node() == tree.root_node() {
                    break;
                }
            }
            assert!(seen > 40, "{lang:?}: only {seen} nodes");
            assert!(
                errors > 0,
                "{lang:?}: the source should hold a syntax error"
            );
        }
    }
}
