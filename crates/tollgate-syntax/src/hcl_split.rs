//! Large HCL object literals, parsed in chunks.
//!
//! `hcl-edit` keeps an object's items in a vector and, before inserting each one, compares its
//! key with every key already read, so an object of `n` items takes time in `n²`: a local map
//! of 100,000 keys did not parse within a minute. An object with more than
//! [`SPLIT_ITEMS`] items is therefore handed to it in pieces: a scan of the text (which knows
//! strings, templates, heredocs and comments) finds such objects and the line breaks and
//! commas that end their items; the file is parsed with each of them blanked to `{ }`, and each
//! run of [`SPLIT_ITEMS`] items is parsed on its own as an object. Blanking keeps every byte
//! offset, so spans need only the chunk's offset added. Keys repeated across chunks are found
//! here with a hash set, as `hcl-edit` finds them within one. Objects of at most
//! [`SPLIT_ITEMS`] items, which is every object of ordinary configurations, are parsed as they
//! are.

use std::collections::{HashMap, HashSet};

use hcl_edit::expr::{Expression, Object, ObjectKey};
use hcl_edit::Span as _;

/// Items (line breaks and commas ending one, to be exact) per chunk, and the size past which an
/// object is split. A chunk costs `SPLIT_ITEMS²` key comparisons at most.
pub(crate) const SPLIT_ITEMS: usize = 512;

/// An object literal with more than the split size of items.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LargeObject {
    /// Byte offsets of its `{` and its `}`.
    pub open: usize,
    pub close: usize,
    /// Byte offsets just after each line break or comma ending an item.
    pub ends: Vec<usize>,
}

/// One piece of a large object, parsed: `base` is what its offsets add up to in the file.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub base: usize,
    pub object: Object,
}

/// Where the scan is: what an opening or closing character means depends on it.
enum Frame {
    /// A file or block body: `{` opens a block, `=` starts an attribute's expression.
    Body,
    /// An attribute's expression, which ends at a line break outside brackets.
    Attr,
    Object {
        open: usize,
        ends: Vec<usize>,
        /// `{for k, v in x : k => v}` is not a list of items.
        for_expr: bool,
    },
    /// `[...]` or `(...)`.
    Bracket,
    /// `${...}` or `%{...}` inside a string or heredoc.
    Interp,
    /// A quoted string.
    Str,
    /// A heredoc whose closing marker is `text[from..to]`.
    Heredoc { from: usize, to: usize },
}

/// The object literals of `text` with more than `split` items, in the order they close (an
/// inner one before the one holding it).
pub(crate) fn large_objects(text: &str, split: usize) -> Vec<LargeObject> {
    let b = text.as_bytes();
    let mut stack = vec![Frame::Body];
    let mut found = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let top = stack.last_mut().expect("the body frame is never popped");
        match top {
            Frame::Str => match c {
                b'\\' => i += 1,
                b'"' | b'\n' => {
                    stack.pop();
                }
                b'$' | b'%' => i = template_start(b, i, &mut stack),
                _ => {}
            },
            Frame::Heredoc { from, to } => {
                let (from, to) = (*from, *to);
                if c == b'\n' {
                    if let Some(end) = heredoc_end(b, i + 1, &b[from..to]) {
                        stack.pop();
                        i = end;
                        continue;
                    }
                } else if c == b'$' || c == b'%' {
                    i = template_start(b, i, &mut stack);
                }
            }
            Frame::Body => match c {
                b'#' => i = line_end(b, i),
                b'/' if next == Some(b'/') => i = line_end(b, i),
                b'/' if next == Some(b'*') => i = block_comment_end(b, i),
                b'"' => stack.push(Frame::Str),
                b'=' => stack.push(Frame::Attr),
                b'{' => stack.push(Frame::Body),
                b'}' if stack.len() > 1 => {
                    stack.pop();
                }
                _ => {}
            },
            Frame::Attr | Frame::Object { .. } | Frame::Bracket | Frame::Interp => match c {
                b'#' => i = line_end(b, i),
                b'/' if next == Some(b'/') => i = line_end(b, i),
                b'/' if next == Some(b'*') => i = block_comment_end(b, i),
                b'"' => stack.push(Frame::Str),
                b'<' if next == Some(b'<') => {
                    if let Some((from, to, body)) = heredoc_start(b, i) {
                        stack.push(Frame::Heredoc { from, to });
                        i = match heredoc_end(b, body, &b[from..to]) {
                            Some(end) => {
                                stack.pop();
                                end
                            }
                            None => body,
                        };
                        continue;
                    }
                }
                b'{' => stack.push(Frame::Object {
                    open: i,
                    ends: Vec::new(),
                    for_expr: starts_with_for(b, i + 1),
                }),
                b'[' | b'(' => stack.push(Frame::Bracket),
                b']' | b')' if matches!(top, Frame::Bracket) => {
                    stack.pop();
                }
                b'}' => match top {
                    Frame::Attr => {
                        // A one-line block `b { a = 1 }`: the brace closes the block.
                        stack.pop();
                        continue;
                    }
                    Frame::Object { .. } => {
                        if let Some(Frame::Object {
                            open,
                            ends,
                            for_expr,
                        }) = stack.pop()
                        {
                            if !for_expr && ends.len() > split {
                                found.push(LargeObject {
                                    open,
                                    close: i,
                                    ends,
                                });
                            }
                        }
                    }
                    Frame::Interp => {
                        stack.pop();
                    }
                    _ => {}
                },
                b'\n' if matches!(top, Frame::Attr) => {
                    stack.pop();
                }
                b'\n' | b',' => {
                    if let Frame::Object { ends, .. } = top {
                        ends.push(i + 1);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    found
}

/// After a `$` or `%` at `i` in a string or heredoc: opens an interpolation or directive on
/// `${`/`%{`, skips the escapes `$${`/`%%{`. Returns the offset of the last byte consumed.
fn template_start(b: &[u8], i: usize, stack: &mut Vec<Frame>) -> usize {
    match (b.get(i + 1), b.get(i + 2)) {
        (Some(b'{'), _) => {
            stack.push(Frame::Interp);
            i + 1
        }
        (Some(x), Some(b'{')) if *x == b[i] => i + 2,
        _ => i,
    }
}

/// The offset of the line break ending the comment at `i` (the break itself is left to the
/// caller: it may end an item), or the last byte.
fn line_end(b: &[u8], i: usize) -> usize {
    match b[i..].iter().position(|&c| c == b'\n') {
        Some(n) => i + n - 1,
        None => b.len(),
    }
}

/// The offset of the `/` closing the block comment opened at `i`, or the end of the text.
fn block_comment_end(b: &[u8], i: usize) -> usize {
    match b[i + 2..].windows(2).position(|w| w == b"*/") {
        Some(n) => i + 2 + n + 1,
        None => b.len(),
    }
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || !c.is_ascii()
}

/// `<<ID` or `<<-ID` and a line break at `i`: the marker's range and where the body starts.
fn heredoc_start(b: &[u8], i: usize) -> Option<(usize, usize, usize)> {
    let mut j = i + 2;
    if b.get(j) == Some(&b'-') {
        j += 1;
    }
    let from = j;
    if !b
        .get(j)
        .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_' || !c.is_ascii())
    {
        return None;
    }
    while b.get(j).is_some_and(|&c| is_ident_byte(c)) {
        j += 1;
    }
    let to = j;
    if b.get(j) == Some(&b'\r') {
        j += 1;
    }
    (b.get(j) == Some(&b'\n')).then_some((from, to, j + 1))
}

/// When the line starting at `at` closes a heredoc with `marker` (spaces or tabs, the marker,
/// then no identifier character), the offset just after the marker.
fn heredoc_end(b: &[u8], at: usize, marker: &[u8]) -> Option<usize> {
    let mut j = at;
    while b.get(j).is_some_and(|&c| c == b' ' || c == b'\t') {
        j += 1;
    }
    let end = j + marker.len();
    (b.get(j..end) == Some(marker) && !b.get(end).is_some_and(|&c| is_ident_byte(c))).then_some(end)
}

/// Whether the object opened just before `at` is a `for` expression: its first word is `for`
/// followed by something other than `=` or `:` (which would make `for` a key).
fn starts_with_for(b: &[u8], at: usize) -> bool {
    let skip = |mut j: usize| {
        while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
            j += 1;
        }
        j
    };
    let j = skip(at);
    if b.get(j..j + 3) != Some(b"for") || b.get(j + 3).is_some_and(|&c| is_ident_byte(c)) {
        return false;
    }
    !matches!(b.get(skip(j + 3)), Some(b'=' | b':'))
}

/// `text` with the inside of every object of `large` that lies within `range` replaced by
/// spaces (the braces kept), so that it parses as an empty object at the same offsets.
pub(crate) fn blanked(text: &str, range: std::ops::Range<usize>, large: &[LargeObject]) -> String {
    let mut bytes = text.as_bytes()[range.clone()].to_vec();
    for l in large {
        if l.open >= range.start && l.close < range.end {
            bytes[l.open + 1 - range.start..l.close - range.start].fill(b' ');
        }
    }
    // Only whole characters between ASCII braces were replaced, by ASCII.
    String::from_utf8(bytes).expect("blanking keeps UTF-8")
}

/// Why a chunk could not be read: the parser's error, with the chunk's base offset, or (for
/// a chunk that parsed as something other than an object, which only a scan mistake could
/// cause) the offset where the chunk starts.
pub(crate) enum ChunkError {
    Parse {
        base: usize,
        error: hcl_edit::parser::Error,
    },
    NotObject(usize),
}

/// The chunks of `object`: runs of `split` items, each parsed as an object of its own (with
/// the large objects nested in it blanked, to be filled in from their own chunks).
pub(crate) fn parse_chunks(
    text: &str,
    object: &LargeObject,
    large: &[LargeObject],
    split: usize,
) -> Result<Vec<Chunk>, ChunkError> {
    let mut bounds = vec![object.open + 1];
    bounds.extend(object.ends.iter().skip(split - 1).step_by(split).copied());
    bounds.push(object.close);
    let mut chunks = Vec::with_capacity(bounds.len());
    for w in bounds.windows(2) {
        let (from, to) = (w[0], w[1]);
        if from >= to {
            continue;
        }
        // `{` + the items + `}`: offset 1 of the chunk is offset `from` of the file.
        let base = from - 1;
        let source = format!("{{{}}}", blanked(text, from..to, large));
        match hcl_edit::parser::parse_expr(&source) {
            Ok(Expression::Object(object)) => chunks.push(Chunk { base, object }),
            Ok(_) => return Err(ChunkError::NotObject(from)),
            Err(error) => return Err(ChunkError::Parse { base, error }),
        }
    }
    Ok(chunks)
}

/// The first key of `chunks` that an earlier item of the same object already has, as
/// `hcl-edit` compares them (an identifier and a quoted string are different keys; decoration
/// such as spaces and comments is ignored): its file offset.
pub(crate) fn repeated_key(text: &str, chunks: &[Chunk]) -> Option<usize> {
    let mut seen: HashSet<(u8, String)> = HashSet::new();
    for chunk in chunks {
        for (key, _) in chunk.object.iter() {
            let id = match key {
                ObjectKey::Ident(ident) => (0, ident.as_str().to_owned()),
                ObjectKey::Expression(Expression::String(s)) => (1, s.value().clone()),
                ObjectKey::Expression(e) => {
                    let source = e
                        .span()
                        .and_then(|r| text.get(r.start + chunk.base..r.end + chunk.base))
                        .unwrap_or_default();
                    (2, source.split_whitespace().collect())
                }
            };
            if !seen.insert(id) {
                return Some(key.span().map_or(chunk.base, |r| r.start + chunk.base));
            }
        }
    }
    None
}

/// Chunks of every large object, by the offset of its `{`.
pub(crate) type ChunkMap = HashMap<usize, Vec<Chunk>>;
