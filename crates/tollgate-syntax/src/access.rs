//! Read-only accessors on the tree, so that adapters never match on [`Value`] by hand for the
//! common questions ("is there a key", "what string is there").

use crate::{Block, Entry, Node, Value};

/// Longest rendering of a scalar by [`Node::display_text`], in characters; keeps messages short
/// and never echoes a whole (possibly secret) blob.
const DISPLAY_MAX_CHARS: usize = 80;

fn last_entry<'a>(entries: &'a [Entry], key: &str) -> Option<&'a Entry> {
    entries.iter().rev().find(|e| e.key == key)
}

impl Node {
    /// Entries of a map, or of an HCL block's body; empty for anything else.
    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            Value::Block(block) => &block.body,
            _ => &[],
        }
    }

    /// The entry with key `key` in a map (or HCL block body). When a key is repeated (HCL blocks
    /// of one type, or a YAML/JSON map written with duplicates before they were merged) the
    /// last one wins, as AWS and Terraform read it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        last_entry(self.entries(), key)
    }

    /// The value at `key`; see [`Node::entry`] for repeated keys.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follows keys one after another: `node.path(&["Properties", "Handler"])`.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The HCL blocks with identifier `ident` directly in this body, in source order.
    pub fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.entries()
            .iter()
            .filter(move |e| e.key == ident)
            .filter_map(|e| match &e.value.value {
                Value::Block(block) => Some(&**block),
                _ => None,
            })
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean, also from the strings `"true"`/`"false"` in any case, because CloudFormation
    /// accepts `Enabled: "true"` and templates use it.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// A number as written in the source (`"0x1F"`, `"1.5e3"`).
    pub fn as_number_text(&self) -> Option<&str> {
        match &self.value {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_block(&self) -> Option<&Block> {
        match &self.value {
            Value::Block(block) => Some(block),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A short rendering for messages: scalars verbatim (long ones cut with `…`), the tag if
    /// any in front, collections as `{...}` / `[...]`, expressions as their source text.
    pub fn display_text(&self) -> String {
        let body = match &self.value {
            Value::Null => "null".to_owned(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => shorten(n),
            Value::String(s) => shorten(s),
            Value::Seq(_) => "[...]".to_owned(),
            Value::Map(_) => "{...}".to_owned(),
            Value::Block(block) => format!("{} {{...}}", block.ident),
            Value::Expr(expr) => shorten(&expr.text),
        };
        match &self.tag {
            Some(tag) => format!("{tag} {body}"),
            None => body,
        }
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(DISPLAY_MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

impl Block {
    /// The label at `index` (`resource "aws_s3_bucket" "logs"`: 0 is the type, 1 the name).
    pub fn label(&self, index: usize) -> Option<&str> {
        self.labels.get(index).map(|(l, _)| l.as_str())
    }

    /// The body's entry `key`; the last one when repeated.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        last_entry(&self.body, key)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Nested blocks with identifier `ident`, in source order.
    pub fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.body
            .iter()
            .filter(move |e| e.key == ident)
            .filter_map(|e| e.value.as_block())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Pos, Span};

    fn sp() -> Span {
        Span::new(Pos::new(1, 1), Pos::new(1, 2))
    }

    fn n(value: Value) -> Node {
        Node {
            span: sp(),
            tag: None,
            value,
        }
    }

    fn e(key: &str, value: Value) -> Entry {
        Entry {
            key: key.to_owned(),
            key_span: sp(),
            value: n(value),
        }
    }

    #[test]
    fn get_path_and_last_duplicate_wins() {
        let inner = Value::Map(vec![e("Handler", Value::String("index.main".into()))]);
        let root = n(Value::Map(vec![
            e("Props", Value::Null),
            e("Props", inner),
            e("Flag", Value::String("TRUE".into())),
        ]));
        assert_eq!(
            root.path(&["Props", "Handler"]).and_then(Node::as_str),
            Some("index.main")
        );
        assert_eq!(root.get("Flag").and_then(Node::as_bool), Some(true));
        assert!(root.get("Missing").is_none());
        assert!(root.path(&["Flag", "x"]).is_none());
        assert_eq!(root.entries().len(), 3);
        assert!(n(Value::Null).entries().is_empty());
        assert!(n(Value::Null).is_null());
        assert_eq!(root.display_text(), "{...}");
    }

    #[test]
    fn blocks_by_ident() {
        let block = |ident: &str, label: &str| {
            n(Value::Block(Box::new(Block {
                ident: ident.to_owned(),
                labels: vec![(label.to_owned(), sp())],
                body: vec![e("bucket", Value::String(label.to_owned()))],
            })))
        };
        let body = n(Value::Map(vec![
            Entry {
                key: "resource".into(),
                key_span: sp(),
                value: block("resource", "a"),
            },
            e("other", Value::Bool(false)),
            Entry {
                key: "resource".into(),
                key_span: sp(),
                value: block("resource", "b"),
            },
        ]));
        let labels: Vec<_> = body.blocks("resource").filter_map(|b| b.label(0)).collect();
        assert_eq!(labels, ["a", "b"]);
        let first = body.blocks("resource").next().unwrap();
        assert_eq!(first.get("bucket").and_then(Node::as_str), Some("a"));
        assert_eq!(body.get("other").and_then(Node::as_bool), Some(false));
    }

    #[test]
    fn display_text_is_short() {
        let long = "x".repeat(200);
        let shown = n(Value::String(long)).display_text();
        assert_eq!(shown.chars().count(), DISPLAY_MAX_CHARS + 1);
        let mut tagged = n(Value::String("Bucket".into()));
        tagged.tag = Some("!Ref".into());
        assert_eq!(tagged.display_text(), "!Ref Bucket");
        assert_eq!(n(Value::Seq(vec![])).display_text(), "[...]");
        assert_eq!(
            n(Value::Number("0x1F".into())).as_number_text(),
            Some("0x1F")
        );
    }
}
