//! A fast path for the block YAML that CloudFormation, SAM and Serverless templates are written
//! in: block maps and sequences, one-line plain and quoted scalars, short local tags (`!Ref`,
//! `!Sub`...), comments, and one-line flow collections.
//!
//! `yaml-rust2` decodes the text into characters, tokens and events and `yaml.rs` then finds
//! each node's end again in the source; this reads the bytes once, line by line, and knows
//! every span as it goes. It builds exactly the [`Document`] the event path builds (same
//! values, spans, tags and repeated keys) or gives up with `None` on anything it is not sure
//! of: anchors, aliases, merge keys, block scalars, multi-line scalars and flow collections,
//! escapes, tabs, carriage returns, directives, several documents, complex keys, and any text
//! the event path would refuse. The caller then runs the event path, which keeps every limit,
//! error message and relaxed layout; errors never come from here.
//!
//! Nesting is kept on explicit stacks and checked against the depth limit before each level
//! opens (giving up at the limit, so that the event path reports it).

use std::cell::Cell;

use crate::node::dedup_keys;
use crate::yaml::key_text;
use crate::yaml_scalar::resolve_plain;
use crate::{Document, DuplicateKey, Entry, Format, Limits, Node, Pos, Span, Value};

/// Longest key accepted, in bytes: the scanner refuses a key whose `:` is more than 1024
/// characters after its start.
const MAX_KEY_BYTES: usize = 1000;

/// Longest non-ASCII line accepted: columns there are counted in characters, forward from the
/// last one counted, and a line whose nodes ask in another order would cost time quadratic
/// in its length.
const MAX_NON_ASCII_LINE: usize = 4096;

/// The document `text` holds, or `None` when the event path must decide.
pub(crate) fn parse(text: &str, limits: &Limits) -> Option<Document> {
    let all_ascii = plain_characters(text)?;
    let mut p = Fast {
        text,
        b: text.as_bytes(),
        max_depth: limits.max_depth,
        stack: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
        root: None,
        duplicates: Vec::new(),
        line: Line::default(),
        resume: None,
        last_col: Cell::new((0, 0)),
    };
    let mut at = 0;
    let mut no = 0u32;
    loop {
        let end = p.b[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(p.b.len(), |i| at + i);
        no = no.checked_add(1)?;
        let ascii = all_ascii || text[at..end].is_ascii();
        if !ascii && end - at > MAX_NON_ASCII_LINE {
            return None;
        }
        p.line = Line {
            start: at,
            end,
            no,
            ascii,
        };
        p.line_content()?;
        if let Some((next, next_no)) = p.resume.take() {
            // A block scalar read the lines up to `next`.
            if next >= p.b.len() {
                break;
            }
            at = next;
            no = next_no - 1;
            continue;
        }
        if end == p.b.len() {
            break;
        }
        at = end + 1;
    }
    while !p.stack.is_empty() {
        p.close()?;
    }
    Some(Document {
        format: Format::Yaml,
        roots: p.root.into_iter().collect(),
        duplicate_keys: p.duplicates,
    })
}

/// Whether the text holds only characters this path handles alike: no control character but
/// the line feed (the scanner stops at NUL; tabs and carriage returns have rules of their
/// own), no byte-order mark and no Unicode line separators. Returns whether it is all ASCII.
fn plain_characters(text: &str) -> Option<bool> {
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) || b == b'\n')
    {
        return Some(true);
    }
    let odd = |c: char| {
        (c.is_control() && c != '\n') || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
    };
    (!text.chars().any(odd)).then_some(false)
}

#[derive(Default, Clone, Copy)]
struct Line {
    start: usize,
    /// Offset of the line feed ending the line, or the text's length.
    end: usize,
    /// 1-based.
    no: u32,
    ascii: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Seq,
}

/// A tag as written (`!Ref`) and where it starts.
struct Tag {
    text: String,
    at: Pos,
}

/// What a block collection waits for on the lines below.
enum Pending {
    /// A key whose value starts on a later line, with the tag written after its colon if any.
    Key {
        key: String,
        span: Span,
        tag: Option<Tag>,
    },
    /// A sequence item that is only a tag (`- !If`): its collection follows on the lines below.
    TaggedItem(Tag),
}

/// A block collection being built.
struct Frame {
    kind: Kind,
    /// Column (0-based) of its keys or dashes.
    indent: usize,
    /// A sequence written at its parent key's own indentation (`key:` then `- item`): it ends
    /// at the first line of that indentation that is not an item.
    indentless: bool,
    start: Pos,
    tag: Option<String>,
    /// Where its items or entries start in [`Fast::items`] or [`Fast::entries`].
    from: usize,
    pending: Option<Pending>,
}

/// What a flow collection expects next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Just opened: an item or the closing bracket.
    Start,
    /// After a comma: an item.
    Item,
    /// After a map key and its colon: the value.
    Value,
    /// After an item: a comma or the closing bracket.
    Separator,
}

/// A flow collection being built.
struct FlowFrame {
    kind: Kind,
    start: Pos,
    tag: Option<String>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    key: Option<(String, Span)>,
    need: Need,
}

/// A scalar read from one line: where it starts and ends, and its value.
struct Scalar {
    start: usize,
    end: usize,
    value: Value,
    plain: bool,
}

/// Most levels of flow collections: the scanner refuses the 256th.
const MAX_FLOW_DEPTH: usize = 200;

struct Fast<'t> {
    text: &'t str,
    b: &'t [u8],
    max_depth: usize,
    stack: Vec<Frame>,
    /// Items and entries of the open block collections, each collection's above its
    /// parent's: moved into one exactly sized vector when the collection closes, instead of
    /// each collection growing its own.
    items: Vec<Node>,
    entries: Vec<Entry>,
    root: Option<Node>,
    duplicates: Vec<DuplicateKey>,
    line: Line,
    /// Where the next line to read starts, and its number, after a block scalar read ahead.
    resume: Option<(usize, u32)>,
    /// The last byte offset [`Fast::pos`] counted a column for on a non-ASCII line, and
    /// that column (0-based).
    last_col: Cell<(usize, usize)>,
}

fn is_flow_indicator(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

/// Characters of a tag's name that the scanner reads as one `!name` handle.
fn is_tag_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl Fast<'_> {
    fn pos(&self, offset: usize) -> Pos {
        let line = self.line;
        let col = if line.ascii {
            offset - line.start
        } else {
            // Counted on from the last position asked on this line when it lies before, so
            // that a line of many nodes costs its length once, not once per node.
            let (from, base) = match self.last_col.get() {
                (at, col) if at >= line.start && at <= offset => (at, col),
                _ => (line.start, 0),
            };
            let col = base + self.text[from..offset].chars().count();
            self.last_col.set((offset, col));
            col
        };
        Pos::new(line.no, col as u32 + 1)
    }

    fn at(&self, i: usize) -> Option<u8> {
        (i < self.line.end).then(|| self.b[i])
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while i < self.line.end && self.b[i] == b' ' {
            i += 1;
        }
        i
    }

    /// `-` followed by a space or the end of the line: a block sequence entry.
    fn is_dash(&self, i: usize) -> bool {
        self.at(i) == Some(b'-') && matches!(self.at(i + 1), None | Some(b' '))
    }

    /// `:` followed by a space or the end of the line: a block mapping value.
    fn is_colon(&self, i: usize) -> bool {
        self.at(i) == Some(b':') && matches!(self.at(i + 1), None | Some(b' '))
    }

    /// Whether only spaces and a comment follow `i` (a `#` must come after a space).
    fn rest_is_empty(&self, i: usize) -> bool {
        let j = self.skip_spaces(i);
        j == self.line.end || (j > i && self.b[j] == b'#')
    }

    /// Whether one more level may open with `flow` flow levels already open on top of the
    /// block stack. Gives up one level early: the event path reports the limit.
    fn may_open(&self, flow: usize) -> bool {
        self.stack.len() + flow + 1 < self.max_depth && flow < MAX_FLOW_DEPTH
    }

    fn tag_pending(&self) -> bool {
        matches!(
            self.stack.last().and_then(|top| top.pending.as_ref()),
            Some(Pending::TaggedItem(_) | Pending::Key { tag: Some(_), .. })
        )
    }

    fn line_content(&mut self) -> Option<()> {
        let Line { start, end, .. } = self.line;
        let i = self.skip_spaces(start);
        if i == end {
            return Some(());
        }
        if self.b[i] == b'#' {
            // The event path finds a tagged collection's start by reading back from its first
            // child over whitespace only; a comment in between changes where it lands.
            return (!self.tag_pending()).then_some(());
        }
        // Directives and document markers are the event path's.
        if i == start {
            let head = &self.b[i..end.min(i + 3)];
            if self.b[i] == b'%' || head == b"---" || head == b"..." {
                return None;
            }
        }
        let indent = i - start;
        let dash = self.is_dash(i);
        loop {
            let Some(top) = self.stack.last_mut() else {
                if self.root.is_some() {
                    return None;
                }
                return self.block_node(i, None);
            };
            if top.pending.is_some() {
                if indent > top.indent {
                    let tag = match top.pending.as_mut()? {
                        Pending::Key { tag, .. } => tag.take(),
                        Pending::TaggedItem(_) => match top.pending.take() {
                            Some(Pending::TaggedItem(tag)) => Some(tag),
                            _ => None,
                        },
                    };
                    return self.block_node(i, tag);
                }
                if indent == top.indent && dash && top.kind == Kind::Map {
                    let tag = match top.pending.as_mut()? {
                        Pending::Key { tag, .. } => tag.take(),
                        Pending::TaggedItem(_) => return None,
                    };
                    return self.open_seq(i, tag, true);
                }
                self.empty_value()?;
                continue;
            }
            if indent < top.indent || (top.indentless && indent == top.indent && !dash) {
                self.close()?;
                continue;
            }
            if indent > top.indent {
                return None;
            }
            return match (top.kind, dash) {
                (Kind::Seq, true) => self.seq_item(i),
                (Kind::Map, false) => self.map_entry(i),
                _ => None,
            };
        }
    }

    /// A block node at the first character `i` of its line: a sequence, a map, or (at the top
    /// of the document) a one-line flow collection.
    fn block_node(&mut self, i: usize, tag: Option<Tag>) -> Option<()> {
        if self.is_dash(i) {
            return self.open_seq(i, tag, false);
        }
        if self.stack.is_empty() && tag.is_none() && matches!(self.b[i], b'[' | b'{') {
            let (node, next) = self.flow(i, None)?;
            if !self.rest_is_empty(next) {
                return None;
            }
            self.root = Some(node);
            return Some(());
        }
        self.open_map(i, tag)?;
        self.map_entry(i)
    }

    fn open_seq(&mut self, dash: usize, tag: Option<Tag>, indentless: bool) -> Option<()> {
        self.open(Kind::Seq, dash, tag, indentless)?;
        self.seq_item(dash)
    }

    fn open_map(&mut self, key: usize, tag: Option<Tag>) -> Option<()> {
        self.open(Kind::Map, key, tag, false)
    }

    /// Opens a block collection whose first dash or key is at `at`; it starts at its tag if
    /// it has one.
    fn open(&mut self, kind: Kind, at: usize, tag: Option<Tag>, indentless: bool) -> Option<()> {
        if !self.may_open(0) {
            return None;
        }
        let (start, tag) = match tag {
            Some(t) => (t.at, Some(t.text)),
            None => (self.pos(at), None),
        };
        let from = match kind {
            Kind::Map => self.entries.len(),
            Kind::Seq => self.items.len(),
        };
        self.stack.push(Frame {
            kind,
            indent: at - self.line.start,
            indentless,
            start,
            tag,
            from,
            pending: None,
        });
        Some(())
    }

    /// `- item` with the dash at `dash`, in the sequence on top of the stack. A dash alone on
    /// its line is left to the event path, which places such a sequence's start differently.
    fn seq_item(&mut self, dash: usize) -> Option<()> {
        let j = self.skip_spaces(dash + 1);
        let c = self.at(j).filter(|&c| c != b'#')?;
        if self.is_dash(j) {
            return self.open_seq(j, None, false);
        }
        if c == b'!' {
            let (tag, k) = self.tag(j)?;
            let k = self.skip_spaces(k);
            if k == self.line.end {
                self.stack.last_mut()?.pending = Some(Pending::TaggedItem(tag));
                return Some(());
            }
            let node = self.value(k, Some(tag))?;
            return self.deliver(node);
        }
        if matches!(c, b'[' | b'{' | b'|' | b'>') {
            let node = self.value(j, None)?;
            return self.deliver(node);
        }
        let scalar = self.scalar(j, false)?;
        let k = self.skip_spaces(scalar.end);
        if self.is_colon(k) {
            self.open_map(j, None)?;
            return self.entry_value(scalar, k + 1);
        }
        if !self.rest_is_empty(scalar.end) {
            return None;
        }
        let node = self.scalar_node(scalar, None);
        self.deliver(node)
    }

    /// `key: value` at `i`, in the map on top of the stack.
    fn map_entry(&mut self, i: usize) -> Option<()> {
        let key = self.scalar(i, false)?;
        let k = self.skip_spaces(key.end);
        if !self.is_colon(k) {
            return None;
        }
        self.entry_value(key, k + 1)
    }

    /// What follows a key's colon (at `after - 1`), in the map on top of the stack.
    fn entry_value(&mut self, key: Scalar, after: usize) -> Option<()> {
        if after - key.start > MAX_KEY_BYTES
            || (key.plain && matches!(&key.value, Value::String(s) if s == "<<"))
        {
            return None;
        }
        let key_node = self.scalar_node(key, None);
        let pending = Pending::Key {
            span: key_node.span,
            key: key_text(key_node),
            tag: None,
        };
        self.stack.last_mut()?.pending = Some(pending);
        let j = self.skip_spaces(after);
        let Some(c) = self.at(j) else {
            return Some(());
        };
        if c == b'#' {
            return (j > after).then_some(());
        }
        if self.is_dash(j) {
            return None;
        }
        let node = if c == b'!' {
            let (tag, k) = self.tag(j)?;
            let k = self.skip_spaces(k);
            if k == self.line.end {
                // `Key: !Tag` with the tagged collection on the next lines.
                if let Some(Pending::Key { tag: slot, .. }) = &mut self.stack.last_mut()?.pending {
                    *slot = Some(tag);
                }
                return Some(());
            }
            self.value(k, Some(tag))?
        } else {
            self.value(j, None)?
        };
        self.deliver(node)
    }

    /// A value that ends its line: a flow collection or a scalar, then only a comment.
    fn value(&mut self, i: usize, tag: Option<Tag>) -> Option<Node> {
        if tag.is_none() && matches!(self.b[i], b'|' | b'>') {
            return self.block_scalar(i);
        }
        if matches!(self.b[i], b'[' | b'{') {
            let (node, next) = self.flow(i, tag)?;
            return self.rest_is_empty(next).then_some(node);
        }
        let scalar = self.scalar(i, false)?;
        if !self.rest_is_empty(scalar.end) {
            return None;
        }
        Some(self.scalar_node(scalar, tag))
    }

    /// A `|` or `>` block scalar whose indicator is at `i`, read as the scanner reads it, for
    /// the plain cases only: clipped or stripped (`|-`), no indentation indicator, nothing
    /// after the header, no line of spaces only, content indented deeper than the collection
    /// holding it, and in folded scalars no line indented deeper than the first. The lines it
    /// spans are then skipped by the main loop (`resume`).
    fn block_scalar(&mut self, i: usize) -> Option<Node> {
        let literal = self.b[i] == b'|';
        let mut k = i + 1;
        let strip = self.at(k) == Some(b'-');
        if strip {
            k += 1;
        }
        if k != self.line.end || self.line.end == self.b.len() {
            return None;
        }
        let parent = self.stack.last()?.indent;
        let text = self.text;
        let mut value = String::new();
        let mut at = self.line.end + 1;
        let mut no = self.line.no;
        let mut indent = None;
        // Empty lines since the header or the last content line.
        let mut empty = 0;
        // Line number, start and end (trailing whitespace trimmed, as `yaml_end` ends it) of
        // the last content line.
        let mut last = None;
        while at < text.len() {
            let end = self.b[at..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(text.len(), |e| at + e);
            let line = &text[at..end];
            let spaces = line.len() - line.trim_start_matches(' ').len();
            if line.is_empty() {
                empty += 1;
            } else if line.trim().is_empty() || !line.is_ascii() {
                // Spaces only, or Unicode spaces that `yaml_end` reads as blank. And the
                // scanner counts a block scalar's non-ASCII characters so that the positions
                // of everything after it drift (`t` in `s: |-\n  é\nt: 1` is put one column
                // right): left to the event path, which keeps that behaviour.
                return None;
            } else {
                let n = *indent.get_or_insert(spaces);
                if n <= parent {
                    return None;
                }
                if spaces < n {
                    break;
                }
                if spaces > n && !literal {
                    return None;
                }
                let breaks = match (last.is_some(), literal) {
                    (false, _) => empty,
                    (true, true) => empty + 1,
                    (true, false) if empty == 0 => {
                        value.push(' ');
                        0
                    }
                    (true, false) => empty,
                };
                value.extend(std::iter::repeat_n('\n', breaks));
                value.push_str(&line[n..]);
                empty = 0;
                last = Some((no + 1, at, at + line.trim_end().len()));
            }
            no += 1;
            at = end + 1;
        }
        let (end_no, end_start, end) = last?;
        if !strip {
            value.push('\n');
        }
        let end_line = &text[end_start..end];
        let end_col = if end_line.is_ascii() {
            end_line.len()
        } else {
            end_line.chars().count()
        };
        self.resume = Some((at, no + 1));
        Some(Node {
            span: Span::new(self.pos(i), Pos::new(end_no, end_col as u32 + 1)),
            tag: None,
            value: Value::String(value),
        })
    }

    /// `!name` at `i`, followed by a space or the end of the line; returns it and where it ends.
    /// Other tags (`!!str`, `!`, `!a!b`, `!<...>`, escapes) are the event path's.
    fn tag(&self, i: usize) -> Option<(Tag, usize)> {
        let mut k = i + 1;
        while k < self.line.end && is_tag_char(self.b[k]) {
            k += 1;
        }
        if k == i + 1 || !matches!(self.at(k), None | Some(b' ')) {
            return None;
        }
        let tag = Tag {
            text: self.text[i..k].to_owned(),
            at: self.pos(i),
        };
        Some((tag, k))
    }

    /// A one-line quoted or plain scalar at `i`.
    fn scalar(&self, i: usize, flow: bool) -> Option<Scalar> {
        match self.b[i] {
            b'\'' => self.single_quoted(i),
            b'"' => self.double_quoted(i),
            _ => self.plain(i, flow),
        }
    }

    fn single_quoted(&self, i: usize) -> Option<Scalar> {
        let mut value = String::new();
        let mut from = i + 1;
        let mut k = from;
        loop {
            if k >= self.line.end {
                return None;
            }
            if self.b[k] == b'\'' {
                if self.at(k + 1) == Some(b'\'') {
                    value.push_str(&self.text[from..=k]);
                    k += 2;
                    from = k;
                    continue;
                }
                value.push_str(&self.text[from..k]);
                return Some(Scalar {
                    start: i,
                    end: k + 1,
                    value: Value::String(value),
                    plain: false,
                });
            }
            k += 1;
        }
    }

    /// Without escapes only: a backslash is the event path's.
    fn double_quoted(&self, i: usize) -> Option<Scalar> {
        let rest = &self.b[i + 1..self.line.end];
        let k = i + 1 + rest.iter().position(|&b| b == b'"' || b == b'\\')?;
        if self.b[k] == b'\\' {
            return None;
        }
        Some(Scalar {
            start: i,
            end: k + 1,
            value: Value::String(self.text[i + 1..k].to_owned()),
            plain: false,
        })
    }

    /// A plain scalar on one line, read as the scanner reads it: words separated by spaces,
    /// ending before `: `, ` #`, the end of the line, and in flow context before `,[]{}` and
    /// a `:` followed by one of them. Whether a following line continues it is decided by the
    /// caller's indentation rules (a more indented line makes this path give up).
    fn plain(&self, i: usize, flow: bool) -> Option<Scalar> {
        let b = self.b;
        let end = self.line.end;
        let c = b[i];
        let next = self.at(i + 1);
        let indicator = matches!(
            c,
            b'-' | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
        );
        // Of the indicators, only `-` may start a plain scalar here, before a character that
        // is not a space (nor, in flow context, a flow indicator).
        if indicator
            && !(c == b'-' && next.is_some_and(|n| n != b' ' && !(flow && is_flow_indicator(n))))
        {
            return None;
        }
        let stops_at = |k: usize| -> bool {
            match b[k] {
                b' ' => true,
                b':' => match (k + 1 < end).then(|| b[k + 1]) {
                    None | Some(b' ') => true,
                    Some(n) => flow && is_flow_indicator(n),
                },
                x => flow && is_flow_indicator(x),
            }
        };
        let mut k = i;
        let mut last = i;
        loop {
            // A word.
            if flow && b[k] == b'-' && (k + 1 < end) && is_flow_indicator(b[k + 1]) {
                return None;
            }
            while k < end && !stops_at(k) {
                k += 1;
            }
            if k == last && k == i {
                return None;
            }
            last = k;
            let j = self.skip_spaces(k);
            if j == k || j == end || b[j] == b'#' || stops_at(j) {
                break;
            }
            k = j;
        }
        Some(Scalar {
            start: i,
            end: last,
            value: resolve_plain(self.text[i..last].to_owned()),
            plain: true,
        })
    }

    fn scalar_node(&self, s: Scalar, tag: Option<Tag>) -> Node {
        let (start, tag) = match tag {
            Some(t) => (t.at, Some(t.text)),
            None => (self.pos(s.start), None),
        };
        Node {
            span: Span::new(start, self.pos(s.end)),
            tag,
            value: s.value,
        }
    }

    /// Hands a finished node to the collection on top of the stack, or makes it the root.
    fn deliver(&mut self, node: Node) -> Option<()> {
        let Some(top) = self.stack.last_mut() else {
            if self.root.is_some() {
                return None;
            }
            self.root = Some(node);
            return Some(());
        };
        match (top.kind, top.pending.take()) {
            (Kind::Seq, None) => self.items.push(node),
            (Kind::Map, Some(Pending::Key { key, span, .. })) => self.entries.push(Entry {
                key,
                key_span: span,
                value: node,
            }),
            _ => return None,
        }
        Some(())
    }

    /// A key with nothing after it: null, placed right after the key as the event path does.
    /// A tag with nothing after it is the event path's.
    fn empty_value(&mut self) -> Option<()> {
        let top = self.stack.last_mut()?;
        match top.pending.take() {
            Some(Pending::Key {
                key,
                span,
                tag: None,
            }) => {
                self.entries.push(Entry {
                    key,
                    key_span: span,
                    value: Node {
                        span: Span::new(span.end, span.end),
                        tag: None,
                        value: Value::Null,
                    },
                });
                Some(())
            }
            _ => None,
        }
    }

    /// Closes the block collection on top of the stack.
    fn close(&mut self) -> Option<()> {
        if self.stack.last()?.pending.is_some() {
            self.empty_value()?;
        }
        let frame = self.stack.pop()?;
        let (end, value) = match frame.kind {
            Kind::Map => {
                let last = self.entries[frame.from..].last()?;
                let end = last.value.span.end.max(last.key_span.end);
                (
                    end,
                    Value::Map(dedup_keys(
                        self.entries.drain(frame.from..).collect(),
                        &mut self.duplicates,
                    )),
                )
            }
            Kind::Seq => (
                self.items[frame.from..].last()?.span.end,
                Value::Seq(self.items.drain(frame.from..).collect()),
            ),
        };
        self.deliver(Node {
            span: Span::new(frame.start, end),
            tag: frame.tag,
            value,
        })
    }

    /// A flow collection opening at `i` and closing on the same line; returns it and the
    /// offset just past its closing bracket.
    fn flow(&mut self, mut i: usize, mut tag: Option<Tag>) -> Option<(Node, usize)> {
        let mut open: Vec<FlowFrame> = Vec::new();
        loop {
            i = self.skip_spaces(i);
            let c = self.at(i)?;
            if let Some(top) = open.last_mut() {
                let closing = matches!((top.kind, c), (Kind::Seq, b']') | (Kind::Map, b'}'));
                if closing && matches!(top.need, Need::Start | Need::Separator) && tag.is_none() {
                    let frame = open.pop()?;
                    i += 1;
                    let node = self.flow_node(frame, i);
                    match open.last_mut() {
                        None => return Some((node, i)),
                        Some(parent) => add_to_flow(parent, node)?,
                    }
                    continue;
                }
                if top.need == Need::Separator {
                    if c != b',' {
                        return None;
                    }
                    top.need = Need::Item;
                    i += 1;
                    continue;
                }
            }
            if c == b'!' {
                if tag.is_some() {
                    return None;
                }
                let (t, k) = self.tag(i)?;
                tag = Some(t);
                i = k;
                continue;
            }
            if c == b'[' || c == b'{' {
                let key_expected = open
                    .last()
                    .is_some_and(|top| top.kind == Kind::Map && top.need != Need::Value);
                if key_expected || !self.may_open(open.len()) {
                    return None;
                }
                let (start, tag_text) = match tag.take() {
                    Some(t) => (t.at, Some(t.text)),
                    None => (self.pos(i), None),
                };
                open.push(FlowFrame {
                    kind: if c == b'[' { Kind::Seq } else { Kind::Map },
                    start,
                    tag: tag_text,
                    items: Vec::new(),
                    entries: Vec::new(),
                    key: None,
                    need: Need::Start,
                });
                i += 1;
                continue;
            }
            let scalar = self.scalar(i, true)?;
            let (end, plain) = (scalar.end, scalar.plain);
            let merge_key = plain && matches!(&scalar.value, Value::String(s) if s == "<<");
            let node = self.scalar_node(scalar, tag.take());
            let k = self.skip_spaces(end);
            let top = open.last_mut()?;
            match (top.kind, top.need) {
                (Kind::Map, Need::Start | Need::Item) => {
                    let colon =
                        k < self.line.end && self.b[k] == b':' && self.at(k + 1) == Some(b' ');
                    if node.tag.is_some() || merge_key || !colon || k - i > MAX_KEY_BYTES {
                        return None;
                    }
                    let span = node.span;
                    top.key = Some((key_text(node), span));
                    top.need = Need::Value;
                    i = k + 1;
                }
                _ => {
                    if self.at(k) == Some(b':') {
                        return None;
                    }
                    add_to_flow(top, node)?;
                    i = end;
                }
            }
        }
    }

    fn flow_node(&mut self, frame: FlowFrame, end: usize) -> Node {
        let value = match frame.kind {
            Kind::Map => Value::Map(dedup_keys(frame.entries, &mut self.duplicates)),
            Kind::Seq => Value::Seq(frame.items),
        };
        Node {
            span: Span::new(frame.start, self.pos(end)),
            tag: frame.tag,
            value,
        }
    }
}

/// Adds a finished node to a flow collection: an item, or the value of the key read last.
fn add_to_flow(top: &mut FlowFrame, node: Node) -> Option<()> {
    match (top.kind, top.need) {
        (Kind::Seq, Need::Start | Need::Item) => top.items.push(node),
        (Kind::Map, Need::Value) => {
            let (key, key_span) = top.key.take()?;
            top.entries.push(Entry {
                key,
                key_span,
                value: node,
            });
        }
        _ => return None,
    }
    top.need = Need::Separator;
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(text: &str) -> (Option<Document>, Document) {
        let limits = Limits::default();
        let events = crate::yaml::parse_events(text, &limits).expect("valid YAML");
        (parse(text, &limits), events)
    }

    #[test]
    fn takes_template_layouts_and_builds_the_event_paths_document() {
        for text in [
            "Resources:\n  Fn:\n    Type: AWS::Lambda::Function # c\n    Properties:\n      Role: !GetAtt Role.Arn\n      Tags: [a, 'b''c', {k: !Ref v}]\n      Empty:\n",
            "a:\n- x\n- !If [C, 1, \"2\"]\nb: 1\nb: 2\n",
            "- k: v\n  l:\n    - - 1\n      - 2\n- !Join\n  - ','\n  - [x, y]\n",
            "n: !Custom\n  Nested: !Sub 'x'\nm: {}\nl: []\n",
            "名前: 値です\nk: 'é' # ü\n",
            "# only a comment\n",
            "",
            "{a: 1, b: [x, y]}\n",
            "a: |\n  x\n\n   y # not a comment\nb: >-\n  folded\n  text\n\n\n  more\nc:\n  - |\n\n    in a sequence\n  - >\n    last",
            "s: |-\n    a b\n    x\n\n\nt: 1\n",
        ] {
            let (fast, events) = both(text);
            assert_eq!(fast.as_ref(), Some(&events), "{text:?}");
        }
    }

    #[test]
    fn leaves_everything_else_to_the_event_path() {
        for text in [
            "a: &x 1\nb: *x\n",
            "base: {a: 1}\nfn:\n  <<: {b: 2}\n",
            "a: |+\n  text\n",
            "a: |2\n  text\n",
            "a: | # c\n  text\n",
            "a: >\n  text\n   deeper\n",
            "a: |\n  \n  text\n",
            "a: |\nb: 1\n",
            "s: |-\n  é\nt: 1\n",
            "a: one\n  two\n",
            "a: 'one\n  two'\n",
            "a: \"tab\\there\"\n",
            "a: [1,\n  2]\n",
            "a:\tb\n",
            "a: b\r\n",
            "---\na: 1\n",
            "a: 1\n---\nb: 2\n",
            "%YAML 1.2\n---\na: 1\n",
            "? a\n: b\n",
            "a: !!str 1\n",
            "a: !\n",
            "a: !Tag # c\n  b: 1\n",
            "a: !GetAZs\nb: 1\n",
            "-\n  a: 1\n",
            "[a, b]: c\n",
            "a: [b: c]\n",
            "a: b: c\n",
            "plain root\n",
        ] {
            assert!(parse(text, &Limits::default()).is_none(), "{text:?}");
        }
    }
}
