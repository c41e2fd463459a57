//! YAML through `yaml-rust2`'s event parser, built into spanned [`Node`]s.
//!
//! The parser's own `load` recurses once per nesting level, so this module pulls events one at
//! a time and keeps its own explicit stack: nesting is checked against the limit before a
//! level is opened, and hostile input can neither overflow the stack nor grow past the alias
//! budget. Events only carry a start marker, so end positions are found by reading the source
//! from there (see `yaml_end.rs`).

use std::collections::{HashMap, HashSet};

use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, ScanError, TScalarStyle};

use crate::lines::LineIndex;
use crate::node::dedup_keys;
use crate::yaml_end::{alias_end, block_indicator, scalar_end, tag_start};
use crate::yaml_scalar::{resolve_plain, resolve_tagged};
use crate::{
    Document, Entry, Format, Limits, Node, Pos, Span, SyntaxError, SyntaxErrorKind, Value,
};

/// Through the fast path when it is sure of the text (see `yaml_fast.rs`), otherwise as
/// written by events; if that fails, once more with the layouts PyYAML and the AWS tools accept
/// rewritten (see `yaml_relax.rs`), spans and error positions mapped back to the text.
pub(crate) fn parse(text: &str, limits: &Limits) -> Result<Document, SyntaxError> {
    if let Some(doc) = crate::yaml_fast::parse(text, limits) {
        return Ok(doc);
    }
    parse_events(text, limits)
}

/// The event path alone: `yaml-rust2`'s events, then the relaxed layouts.
pub(crate) fn parse_events(text: &str, limits: &Limits) -> Result<Document, SyntaxError> {
    let first = match parse_exact(text, limits) {
        Ok(doc) => return Ok(doc),
        Err(e) if e.kind != SyntaxErrorKind::Invalid => return Err(e),
        Err(e) => e,
    };
    let Some(relaxed) = crate::yaml_relax::relax(text) else {
        return Err(first);
    };
    match parse_exact(&relaxed.text, limits) {
        Ok(mut doc) => {
            relaxed.remap(&mut doc);
            Ok(doc)
        }
        Err(mut e) => {
            e.pos = e.pos.map(|p| relaxed.original(p));
            Err(e)
        }
    }
}

fn parse_exact(text: &str, limits: &Limits) -> Result<Document, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder {
        text,
        lines: LineIndex::new(text),
        limits,
        cursor: CharCursor::default(),
        by_line_col: positions_by_line_and_column(text),
        stack: Vec::new(),
        anchors: HashMap::new(),
        aliased: aliased_anchors(text),
        alias_nodes: 0,
        alias_bytes: 0,
        roots: Vec::new(),
        duplicates: Vec::new(),
    };
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            at_offending_escape(text, &builder.lines, scan_error(&e, text, &builder.lines))
        })?;
        if event == Event::StreamEnd {
            break;
        }
        builder.event(event, mark)?;
    }
    Ok(Document {
        format: Format::Yaml,
        roots: builder.roots,
        duplicate_keys: builder.duplicates,
    })
}

/// Ids of the anchors that some alias refers to, from a first pass over the events. Only those
/// anchored nodes are kept for copying: keeping every anchored node would let a file of nested
/// anchors that are never used (`&a [&b [&c [...]]]`) copy its content once per level.
/// Skipped when the text cannot hold both an anchor and an alias.
fn aliased_anchors(text: &str) -> HashSet<usize> {
    let mut ids = HashSet::new();
    if !(text.contains('&') && text.contains('*')) {
        return ids;
    }
    let mut parser = Parser::new_from_str(text);
    // An error ends the pass; the building pass reports it with its position.
    while let Ok((event, _)) = parser.next_token() {
        match event {
            Event::Alias(id) => {
                ids.insert(id);
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    ids
}

/// The scanner reports a bad escape at the start of its quoted scalar, which may be many lines
/// up: point at the escape itself.
fn at_offending_escape(text: &str, lines: &LineIndex<'_>, mut err: SyntaxError) -> SyntaxError {
    let Some(pos) = err
        .pos
        .filter(|_| err.message.contains("unknown escape character"))
    else {
        return err;
    };
    let start = lines.offset(pos);
    let rest = &text[start..];
    let mut chars = rest.char_indices();
    if chars.next().map(|(_, c)| c) != Some('"') {
        return err;
    }
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some((_, e)) if "0abt\tnvfre \"/\\N_LPxuU\r\n".contains(e) => {}
                _ => {
                    err.pos = Some(lines.pos(start + i));
                    break;
                }
            },
            _ => {}
        }
    }
    err
}

fn scan_error(e: &ScanError, text: &str, lines: &LineIndex<'_>) -> SyntaxError {
    let mark = e.marker();
    // The position comes from the marker's character index where that is exact, not from its
    // line and column: at the end of a text without a final line break the scanner counts one
    // line more than the text has. Where the index drifts (see `positions_by_line_and_column`)
    // the line and column place it, a line past the text's last standing for its end.
    let byte = if positions_by_line_and_column(text) {
        byte_at_line_and_column(lines, *mark)
    } else {
        text.char_indices()
            .nth(mark.index())
            .map_or(text.len(), |(b, _)| b)
    };
    // The scanner counts flow nesting in a `u8` and refuses the 256th level itself, before
    // this module sees the event; that is the same condition as our depth limit.
    let (kind, message) = if e.info() == "recursion limit exceeded" {
        (
            SyntaxErrorKind::TooDeep,
            "nesting deeper than 255 levels of flow collections".to_owned(),
        )
    } else {
        (SyntaxErrorKind::Invalid, e.info().to_owned())
    };
    SyntaxError::new(kind, Some(lines.pos(byte)), message)
}

/// Whether the markers' line and column, not their character index, must place nodes in `text`.
/// The scanner adds the bytes, not the characters, of a block scalar's (`|`, `>`) non-ASCII
/// text to its index, so in a text with such a scalar every node after it would be placed
/// further on, by a column per extra byte, lines further on after a long non-ASCII block (a
/// function's inline code with comments in Japanese). Its line and column stay right. In an
/// ASCII text index and byte offset are the same and the index is exact. Lines are counted
/// alike by the scanner and the line index unless a carriage return stands alone (a line
/// break for the scanner, not for the line index): such a text keeps the index.
fn positions_by_line_and_column(text: &str) -> bool {
    let bytes = text.as_bytes();
    !text.is_ascii()
        && !bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

/// Byte offset of a marker from its line (1-based) and column (0-based, in characters).
fn byte_at_line_and_column(lines: &LineIndex<'_>, mark: Marker) -> usize {
    let line = u32::try_from(mark.line()).unwrap_or(u32::MAX);
    let col = u32::try_from(mark.col()).map_or(u32::MAX, |c| c.saturating_add(1));
    lines.offset(Pos::new(line, col))
}

/// Maps the parser's character indices to byte offsets. Events arrive in source order, so the
/// cursor mostly walks forward and the whole file costs one pass.
#[derive(Default)]
struct CharCursor {
    chars: usize,
    bytes: usize,
}

impl CharCursor {
    fn byte_of(&mut self, text: &str, char_index: usize) -> usize {
        if char_index >= self.chars {
            let ahead = char_index - self.chars;
            let step = text[self.bytes..]
                .char_indices()
                .nth(ahead)
                .map_or(text.len() - self.bytes, |(i, _)| i);
            self.bytes += step;
        } else {
            let back = self.chars - char_index;
            self.bytes = text[..self.bytes]
                .char_indices()
                .rev()
                .nth(back - 1)
                .map_or(0, |(i, _)| i);
        }
        self.chars = char_index;
        self.bytes
    }
}

/// A collection being built.
struct Frame {
    is_map: bool,
    /// Written as `[...]`/`{...}`: its end is the closing bracket rather than its last child.
    flow: bool,
    start: Pos,
    anchor: usize,
    tag: Option<String>,
    /// How many of tag and anchor were written before the collection.
    prefixes: usize,
    items: Vec<Node>,
    entries: Vec<Entry>,
    /// Parallel to `entries`: whether the key was a plain, untagged `<<` (a merge key).
    merge: Vec<bool>,
    pending_key: Option<(Node, bool)>,
}

/// What an anchor stands for, with what copying it costs.
struct Anchored {
    node: Node,
    /// Nodes in the tree, charged to the alias budget on every copy.
    size: usize,
    /// Bytes of text in the tree (keys, scalars, tags), charged likewise.
    bytes: usize,
    /// Nesting levels in the tree, so a copy cannot push the document past `max_depth`.
    height: usize,
}

struct Builder<'t> {
    text: &'t str,
    lines: LineIndex<'t>,
    limits: &'t Limits,
    cursor: CharCursor,
    /// Whether node positions come from the markers' line and column rather than their
    /// character index (see [`positions_by_line_and_column`]).
    by_line_col: bool,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    aliased: HashSet<usize>,
    /// Nodes copied for aliases so far: the kept copy of each aliased anchor plus every
    /// expansion, checked against `max_alias_nodes`.
    alias_nodes: usize,
    /// Bytes of text copied for aliases so far, checked against `max_alias_bytes`.
    alias_bytes: usize,
    /// Keys written twice in one mapping.
    duplicates: Vec<crate::DuplicateKey>,
    roots: Vec<Node>,
}

impl Builder<'_> {
    fn event(&mut self, event: Event, mark: Marker) -> Result<(), SyntaxError> {
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let node = self.scalar(value, style, anchor, tag.as_ref(), mark);
                self.finish(node, anchor, style == TScalarStyle::Plain)
            }
            Event::SequenceStart(anchor, tag) => self.open(false, anchor, tag.as_ref(), mark),
            Event::MappingStart(anchor, tag) => self.open(true, anchor, tag.as_ref(), mark),
            Event::SequenceEnd | Event::MappingEnd => self.close(mark),
            Event::Alias(id) => self.alias(id, mark),
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd
            | Event::Nothing => Ok(()),
        }
    }

    fn byte(&mut self, mark: Marker) -> usize {
        if self.by_line_col {
            return byte_at_line_and_column(&self.lines, mark);
        }
        self.cursor.byte_of(self.text, mark.index())
    }

    /// Start of a node: its tag and anchor included, so a finding on `!Sub ...` shows the tag.
    fn start_pos(&mut self, mark: Marker, prefixes: usize) -> (usize, Pos) {
        let byte = self.byte(mark);
        let start = tag_start(self.text, byte, prefixes);
        (byte, self.lines.pos(start))
    }

    fn scalar(
        &mut self,
        value: String,
        style: TScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        mark: Marker,
    ) -> Node {
        let prefixes = usize::from(tag.is_some()) + usize::from(anchor > 0);
        let empty = value.is_empty() && style == TScalarStyle::Plain;
        let span = if empty && prefixes == 0 {
            // An absent value (`Key:`) is reported by the parser at the next token, often on
            // the next line; pin it right after its key instead.
            let at = self.empty_value_pos(mark);
            Span::new(at, at)
        } else {
            let mut byte = self.byte(mark);
            if matches!(style, TScalarStyle::Literal | TScalarStyle::Folded) {
                byte = block_indicator(self.text, byte);
            }
            let start_byte = tag_start(self.text, byte, prefixes);
            let start = self.lines.pos(start_byte);
            let end = if empty {
                // Only a tag or anchor is written (`!GetAZs` alone): end after it. A comment
                // after the tag (`! # note`) hides the tag from `tag_start`, which then stays
                // at the value's own mark on a later line; never end before that start.
                self.text[..byte].trim_end().len().max(start_byte)
            } else {
                scalar_end(self.text, byte, style, &value)
            };
            Span::new(start, self.lines.pos(end))
        };
        let (tag, value) = match tag {
            Some(tag) => resolve_tagged(tag, value, style),
            None if style == TScalarStyle::Plain => (None, resolve_plain(value)),
            None => (None, Value::String(value)),
        };
        Node { span, tag, value }
    }

    fn empty_value_pos(&mut self, mark: Marker) -> Pos {
        match self.stack.last() {
            Some(Frame {
                pending_key: Some((key, _)),
                ..
            }) => key.span.end,
            _ => {
                let byte = self.byte(mark);
                self.lines.pos(byte)
            }
        }
    }

    fn open(
        &mut self,
        is_map: bool,
        anchor: usize,
        tag: Option<&Tag>,
        mark: Marker,
    ) -> Result<(), SyntaxError> {
        let prefixes = usize::from(tag.is_some()) + usize::from(anchor > 0);
        let (byte, start) = self.start_pos(mark, prefixes);
        if self.stack.len() >= self.limits.max_depth {
            return Err(too_deep(self.lines.pos(byte), self.limits.max_depth));
        }
        let flow = matches!(self.text.as_bytes().get(byte), Some(b'[' | b'{'));
        if flow {
            self.unflow_indentless_parent(start, byte);
        }
        // Standard tags on collections (`!!map`) say nothing more; local ones are kept.
        let tag = tag.and_then(|t| resolve_tagged(t, String::new(), TScalarStyle::Plain).0);
        self.stack.push(Frame {
            is_map,
            flow,
            start,
            anchor,
            tag,
            prefixes,
            items: Vec::new(),
            entries: Vec::new(),
            merge: Vec::new(),
            pending_key: None,
        });
        Ok(())
    }

    /// An indentless block sequence whose first item is a flow collection (`key:\n- [x, y]`)
    /// is reported by the parser at that item's bracket, as the item is: two collections open
    /// at one bracket, and the outer one, taken for a flow sequence, would have ended at the
    /// next token after it. A flow collection's own first item never starts at its bracket, so
    /// the outer one is the block sequence, starting at its `-`.
    fn unflow_indentless_parent(&mut self, start: Pos, byte: usize) {
        let Some(parent) = self.stack.last_mut() else {
            return;
        };
        if parent.flow && !parent.is_map && parent.items.is_empty() && parent.start == start {
            parent.flow = false;
            let before = self.text[..byte].trim_end_matches(' ');
            if before.ends_with('-') {
                parent.start = self.lines.pos(before.len() - 1);
            }
        }
    }

    fn close(&mut self, mark: Marker) -> Result<(), SyntaxError> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let last_end = if frame.is_map {
            frame
                .entries
                .last()
                .map(|e| e.value.span.end.max(e.key_span.end))
        } else {
            frame.items.last().map(|n| n.span.end)
        };
        let (start, end) = if frame.flow {
            let byte = self.byte(mark);
            (frame.start, self.lines.pos(byte + 1))
        } else {
            (self.block_start(&frame), last_end.unwrap_or(frame.start))
        };
        let value = if frame.is_map {
            Value::Map(apply_merges(
                frame.entries,
                &frame.merge,
                &mut self.duplicates,
            )?)
        } else {
            Value::Seq(frame.items)
        };
        let node = Node {
            span: Span::new(start, end),
            tag: frame.tag,
            value,
        };
        self.finish(node, frame.anchor, false)
    }

    /// Start of a block collection. The parser marks it where it noticed the collection, not
    /// where it is written, so it is taken from the first child instead: back over a
    /// sequence's `-`, then over the collection's tag and anchor.
    fn block_start(&self, frame: &Frame) -> Pos {
        let first = if frame.is_map {
            frame.entries.first().map(|e| e.key_span.start)
        } else {
            frame.items.first().map(|n| n.span.start)
        };
        let Some(first) = first else {
            return frame.start;
        };
        let mut at = self.lines.offset(first);
        if !frame.is_map {
            let before = self.text[..at].trim_end_matches([' ', '\t']);
            if before.ends_with('-') {
                at = before.len() - 1;
            }
        }
        self.lines.pos(tag_start(self.text, at, frame.prefixes))
    }

    fn alias(&mut self, id: usize, mark: Marker) -> Result<(), SyntaxError> {
        let byte = self.byte(mark);
        let start = self.lines.pos(byte);
        let Some((size, bytes, height)) =
            self.anchors.get(&id).map(|a| (a.size, a.bytes, a.height))
        else {
            return Err(SyntaxError::new(
                SyntaxErrorKind::Invalid,
                Some(start),
                "alias refers to an anchor that is not complete yet: expected the anchored node to end before it is used",
            ));
        };
        self.charge_alias_nodes(size, bytes, start)?;
        if self.stack.len() + height > self.limits.max_depth {
            return Err(too_deep(start, self.limits.max_depth));
        }
        // Present: looked up above.
        let mut node = self.anchors[&id].node.clone();
        node.span = Span::new(start, self.lines.pos(alias_end(self.text, byte)));
        self.finish(node, 0, false)
    }

    fn charge_alias_nodes(
        &mut self,
        nodes: usize,
        bytes: usize,
        at: Pos,
    ) -> Result<(), SyntaxError> {
        self.alias_nodes = self.alias_nodes.saturating_add(nodes);
        self.alias_bytes = self.alias_bytes.saturating_add(bytes);
        if self.alias_bytes > self.limits.max_alias_bytes {
            return Err(SyntaxError::new(
                SyntaxErrorKind::AliasLimit,
                Some(at),
                format!(
                    "aliases expand to more than {} bytes of text; expected a document that does not repeat large values through aliases",
                    self.limits.max_alias_bytes
                ),
            ));
        }
        if self.alias_nodes > self.limits.max_alias_nodes {
            return Err(SyntaxError::new(
                SyntaxErrorKind::AliasLimit,
                Some(at),
                format!(
                    "aliases expand to more than {} nodes; expected a document without exponential alias expansion",
                    self.limits.max_alias_nodes
                ),
            ));
        }
        Ok(())
    }

    /// Keeps a copy of an anchored node that is aliased somewhere, then hands the node to its
    /// parent (or makes it a document root).
    fn finish(&mut self, node: Node, anchor: usize, plain: bool) -> Result<(), SyntaxError> {
        if anchor > 0 && self.aliased.contains(&anchor) {
            let Measure {
                size,
                bytes,
                height,
            } = measure(&node);
            self.charge_alias_nodes(size, bytes, node.span.start)?;
            self.anchors.insert(
                anchor,
                Anchored {
                    node: node.clone(),
                    size,
                    bytes,
                    height,
                },
            );
        }
        let Some(frame) = self.stack.last_mut() else {
            self.roots.push(node);
            return Ok(());
        };
        if !frame.is_map {
            frame.items.push(node);
            return Ok(());
        }
        match frame.pending_key.take() {
            None => {
                let is_merge = plain
                    && node.tag.is_none()
                    && matches!(&node.value, Value::String(s) if s == "<<");
                frame.pending_key = Some((node, is_merge));
            }
            Some((key, is_merge)) => {
                frame.entries.push(Entry {
                    key_span: key.span,
                    key: key_text(key),
                    value: node,
                });
                frame.merge.push(is_merge);
            }
        }
        Ok(())
    }
}

fn too_deep(at: Pos, max: usize) -> SyntaxError {
    SyntaxError::new(
        SyntaxErrorKind::TooDeep,
        Some(at),
        format!("nesting deeper than {max} levels"),
    )
}

/// What copying a tree costs.
struct Measure {
    size: usize,
    bytes: usize,
    height: usize,
}

/// Node count, text bytes and height of a tree. Recursion is bounded by the depth limit.
fn measure(node: &Node) -> Measure {
    let tag = node.tag.as_ref().map_or(0, String::len);
    let (children, keys): (Box<dyn Iterator<Item = &Node>>, usize) = match &node.value {
        Value::Seq(items) => (Box::new(items.iter()), 0),
        Value::Map(entries) => (
            Box::new(entries.iter().map(|e| &e.value)),
            entries.iter().map(|e| e.key.len()).sum(),
        ),
        Value::String(s) | Value::Number(s) => {
            return Measure {
                size: 1,
                bytes: tag + s.len(),
                height: 0,
            }
        }
        _ => {
            return Measure {
                size: 1,
                bytes: tag,
                height: 0,
            }
        }
    };
    let start = Measure {
        size: 1,
        bytes: tag + keys,
        height: 1,
    };
    children.fold(start, |acc, child| {
        let m = measure(child);
        Measure {
            size: acc.size + m.size,
            bytes: acc.bytes.saturating_add(m.bytes),
            height: acc.height.max(m.height + 1),
        }
    })
}

/// A map key as text: scalars as written; anything else (rare complex keys) as a short rendering.
/// Takes the key's own string rather than copying it: one allocation less per entry.
pub(crate) fn key_text(key: Node) -> String {
    match key.value {
        Value::String(s) | Value::Number(s) => s,
        value => Node { value, ..key }.display_text(),
    }
}

/// Applies merge keys (`<<: *base` or `<<: [*a, *b]`): merged entries come in where the `<<`
/// stood, keys written in the map itself win, and among several merged maps the first wins.
/// Then repeated keys are dropped, keeping the last, as CloudFormation does.
fn apply_merges(
    entries: Vec<Entry>,
    merge: &[bool],
    duplicates: &mut Vec<crate::DuplicateKey>,
) -> Result<Vec<Entry>, SyntaxError> {
    if !merge.contains(&true) {
        return Ok(dedup_keys(entries, duplicates));
    }
    let explicit: HashSet<String> = entries
        .iter()
        .zip(merge)
        .filter(|(_, m)| !**m)
        .map(|(e, _)| e.key.clone())
        .collect();
    let mut merged_keys = HashSet::new();
    let mut out = Vec::with_capacity(entries.len());
    for (entry, is_merge) in entries.into_iter().zip(merge) {
        if !is_merge {
            out.push(entry);
            continue;
        }
        let sources = match entry.value.value {
            Value::Map(map) => vec![map],
            Value::Seq(items) => items
                .into_iter()
                .map(|item| match item.value {
                    Value::Map(map) => Ok(map),
                    _ => Err(merge_error(item.span.start)),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(merge_error(entry.value.span.start)),
        };
        for source in sources {
            for e in source {
                if !explicit.contains(&e.key) && merged_keys.insert(e.key.clone()) {
                    out.push(e);
                }
            }
        }
    }
    Ok(dedup_keys(out, duplicates))
}

fn merge_error(at: Pos) -> SyntaxError {
    SyntaxError::new(
        SyntaxErrorKind::Invalid,
        Some(at),
        "merge key '<<' expects a map or a list of maps",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Document {
        parse(text, &Limits::default()).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn root(text: &str) -> Node {
        parse_ok(text).roots.remove(0)
    }

    fn sp(l1: u32, c1: u32, l2: u32, c2: u32) -> Span {
        Span::new(Pos::new(l1, c1), Pos::new(l2, c2))
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Timeout: 30\n      Name: 'q''s'\n      Tags: [a, \"b\"]\n";
        let r = root(text);
        assert_eq!(r.span, sp(1, 1, 7, 21));
        let fnode = r.path(&["Resources", "Fn"]).unwrap();
        assert_eq!(fnode.span, sp(3, 5, 7, 21));
        let ty = fnode.entry("Type").unwrap();
        assert_eq!(ty.key_span, sp(3, 5, 3, 9));
        assert_eq!(ty.value.span, sp(3, 11, 3, 32));
        let props = fnode.get("Properties").unwrap();
        assert_eq!(props.get("Timeout").unwrap().as_number_text(), Some("30"));
        let name = props.get("Name").unwrap();
        assert_eq!(name.as_str(), Some("q's"));
        assert_eq!(name.span, sp(6, 13, 6, 19));
        let tags = props.get("Tags").unwrap();
        assert_eq!(tags.span, sp(7, 13, 7, 21));
        assert_eq!(tags.as_seq().unwrap()[1].span, sp(7, 17, 7, 20));
    }

    #[test]
    fn multibyte_columns() {
        let r = root("名前: 値です\nk: 'é' # ü\n");
        let e = r.entry("名前").unwrap();
        assert_eq!(e.key_span, sp(1, 1, 1, 3));
        assert_eq!(e.value.span, sp(1, 5, 1, 8));
        assert_eq!(r.get("k").unwrap().span, sp(2, 4, 2, 7));
    }

    #[test]
    fn scalars_follow_the_core_schema_and_quotes_stay_strings() {
        let r = root("a: 1\nb: '1'\nc: true\nd: \"true\"\ne: ~\nf:\ng: 2012-10-17\nh: yes\ni: !!str 5\nj: 0x1F\n");
        assert_eq!(r.get("a").unwrap().value, Value::Number("1".into()));
        assert_eq!(r.get("b").unwrap().value, Value::String("1".into()));
        assert_eq!(r.get("c").unwrap().value, Value::Bool(true));
        assert_eq!(r.get("d").unwrap().value, Value::String("true".into()));
        assert!(r.get("e").unwrap().is_null());
        let f = r.get("f").unwrap();
        assert!(f.is_null());
        // The absent value sits right after its key, not on the next line.
        assert_eq!(f.span, sp(6, 2, 6, 2));
        assert_eq!(r.get("g").unwrap().as_str(), Some("2012-10-17"));
        assert_eq!(r.get("h").unwrap().as_str(), Some("yes"));
        let i = r.get("i").unwrap();
        assert_eq!((i.tag.as_deref(), i.as_str()), (None, Some("5")));
        assert_eq!(r.get("j").unwrap().as_number_text(), Some("0x1F"));
    }

    #[test]
    fn cloudformation_short_form_tags() {
        let text = "\
A: !Ref Bucket
B: !GetAtt Fn.Arn
C: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'
D: !If [IsProd, 1, 2]
E: !Join [',', [a, b]]
F: !Select [0, !GetAZs '']
G: !Split [',', !ImportValue Shared]
H: !FindInMap [Map, !Ref 'AWS::Region', Ami]
I: !Base64 hello
J: !Cidr [10.0.0.0/16, 4, 8]
K: !Equals [!Ref Env, prod]
L: !And [!Condition A, !Or [!Condition B, !Not [!Condition C]]]
M: !GetAZs
N: !Custom
  Nested: !Ref X
";
        let r = root(text);
        let tag = |k: &str| r.get(k).unwrap().tag.clone().unwrap();
        for (k, t) in [
            ("A", "!Ref"),
            ("B", "!GetAtt"),
            ("C", "!Sub"),
            ("D", "!If"),
            ("E", "!Join"),
            ("F", "!Select"),
            ("G", "!Split"),
            ("H", "!FindInMap"),
            ("I", "!Base64"),
            ("J", "!Cidr"),
            ("K", "!Equals"),
            ("L", "!And"),
            ("M", "!GetAZs"),
            ("N", "!Custom"),
        ] {
            assert_eq!(tag(k), t, "{k}");
        }
        let a = r.get("A").unwrap();
        assert_eq!(a.as_str(), Some("Bucket"));
        // The span starts at the tag.
        assert_eq!(a.span, sp(1, 4, 1, 15));
        let select = r.get("F").unwrap().as_seq().unwrap();
        assert_eq!(select[1].tag.as_deref(), Some("!GetAZs"));
        assert_eq!(select[1].as_str(), Some(""));
        let split = r.get("G").unwrap().as_seq().unwrap();
        assert_eq!(split[1].tag.as_deref(), Some("!ImportValue"));
        let and = r.get("L").unwrap().as_seq().unwrap();
        assert_eq!(and[0].tag.as_deref(), Some("!Condition"));
        let or = and[1].as_seq().unwrap();
        assert_eq!(or[1].tag.as_deref(), Some("!Not"));
        assert_eq!(
            or[1].as_seq().unwrap()[0].tag.as_deref(),
            Some("!Condition")
        );
        let m = r.get("M").unwrap();
        assert!(m.is_null());
        assert_eq!(m.span, sp(13, 4, 13, 11));
        assert_eq!(r.get("D").unwrap().span, sp(4, 4, 4, 22));
        let n = r.get("N").unwrap();
        assert_eq!(n.path(&["Nested"]).unwrap().tag.as_deref(), Some("!Ref"));
        assert_eq!(n.span.start, Pos::new(14, 4));
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "\
base: &base
  Runtime: python3.12
  Timeout: 3
list: &l [1, 2]
fn:
  <<: *base
  Timeout: 30
copy: *l
multi:
  <<: [{A: 1, B: 1}, {A: 2, C: 2}]
  C: 3
";
        let r = root(text);
        let f = r.get("fn").unwrap();
        assert_eq!(f.get("Runtime").unwrap().as_str(), Some("python3.12"));
        assert_eq!(f.get("Timeout").unwrap().as_number_text(), Some("30"));
        assert!(f.get("<<").is_none());
        assert_eq!(f.entries().len(), 2);
        let copy = r.get("copy").unwrap();
        assert_eq!(copy.as_seq().unwrap().len(), 2);
        // The copy's root keeps the alias's own span.
        assert_eq!(copy.span, sp(8, 7, 8, 9));
        let m = r.get("multi").unwrap();
        assert_eq!(m.get("A").unwrap().as_number_text(), Some("1"));
        assert_eq!(m.get("B").unwrap().as_number_text(), Some("1"));
        assert_eq!(m.get("C").unwrap().as_number_text(), Some("3"));
        // The anchored map's span includes its anchor.
        assert_eq!(r.get("list").unwrap().span, sp(4, 7, 4, 16));
    }

    #[test]
    fn sequences_of_maps_and_flow_maps() {
        let text = "Statement:\n  - Effect: Allow\n    Action: ['s3:*']\n  - {Effect: Deny, \"Sid\": x, NoValue}\n";
        let r = root(text);
        let statements = r.get("Statement").unwrap();
        assert_eq!(statements.span, sp(2, 3, 4, 38));
        let items = statements.as_seq().unwrap();
        assert_eq!(items[0].span, sp(2, 5, 3, 21));
        assert_eq!(
            items[0].path(&["Action"]).unwrap().as_seq().unwrap()[0].as_str(),
            Some("s3:*")
        );
        let deny = &items[1];
        assert_eq!(deny.span, sp(4, 5, 4, 38));
        assert_eq!(deny.entry("Sid").unwrap().key_span, sp(4, 20, 4, 25));
        let no_value = deny.entry("NoValue").unwrap();
        assert!(no_value.value.is_null());
        assert_eq!(no_value.value.span, sp(4, 37, 4, 37));
    }

    #[test]
    fn quoted_merge_key_is_an_ordinary_key() {
        let r = root("a: &a {x: 1}\nb:\n  '<<': *a\n");
        assert!(r.path(&["b", "<<", "x"]).is_some());
    }

    #[test]
    fn bad_merge_value_is_an_error() {
        let e = parse("b:\n  <<: 3\n", &Limits::default()).unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(2, 7)));
        assert!(e.message.contains("merge key"));
    }

    #[test]
    fn duplicate_keys_keep_the_last() {
        let r = root("a: 1\nb: 2\na: 3\n");
        assert_eq!(r.entries().len(), 2);
        assert_eq!(r.get("a").unwrap().as_number_text(), Some("3"));
        assert_eq!(r.entry("a").unwrap().key_span.start, Pos::new(3, 1));
    }

    #[test]
    fn multi_document_and_block_scalars() {
        let doc = parse_ok("a: |\n  line1\n  line2\nb: >-\n  folded\n  text\n---\n- x\n- y\n...\n");
        assert_eq!(doc.roots.len(), 2);
        let a = doc.roots[0].get("a").unwrap();
        assert_eq!(a.as_str(), Some("line1\nline2\n"));
        assert_eq!(a.span, sp(1, 4, 3, 8));
        let b = doc.roots[0].get("b").unwrap();
        assert_eq!(b.as_str(), Some("folded text"));
        assert_eq!(b.span, sp(4, 4, 6, 7));
        assert_eq!(doc.roots[1].span, sp(8, 1, 9, 4));
        assert!(parse_ok("").roots.is_empty());
        assert!(parse_ok("# only a comment\n").roots.is_empty());
    }

    #[test]
    fn crlf_and_multiline_plain() {
        let r = root("a: one\r\n  two\r\nb: x\r\n");
        let a = r.get("a").unwrap();
        assert_eq!(a.as_str(), Some("one two"));
        assert_eq!(a.span, sp(1, 4, 2, 6));
        assert_eq!(r.get("b").unwrap().span, sp(3, 4, 3, 5));
    }

    #[test]
    fn errors_carry_positions() {
        let e = parse("a: [1, 2\nb: 3\n", &Limits::default()).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::Invalid);
        assert!(e.pos.is_some());
        let e = parse("a: *nope\n", &Limits::default()).unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(1, 4)));
        assert!(e.message.contains("unknown anchor"), "{}", e.message);
        let e = parse("a: b: c\n", &Limits::default()).unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(1, 5)));
    }

    #[test]
    fn depth_limit() {
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        assert!(parse("a: [[1]]", &limits).is_ok());
        let e = parse("a:\n  b: [[1]]", &limits).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
        assert_eq!(e.pos, Some(Pos::new(2, 7)));
        // Aliases cannot smuggle depth past the limit either.
        let e = parse("x: &x [[1]]\ny: [*x]", &limits).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
    }

    #[test]
    fn alias_budget() {
        // The kept copy of `a` (4 nodes) counts, then each expansion (4 nodes).
        let limits = Limits {
            max_alias_nodes: 12,
            ..Limits::default()
        };
        assert!(parse("a: &a [1, 2, 3]\nb: [*a, *a]", &limits).is_ok());
        let e = parse("a: &a [1, 2, 3]\nb: [*a, *a, *a]", &limits).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::AliasLimit);
        assert_eq!(e.pos, Some(Pos::new(2, 13)));
    }
}
