//! Layouts that PyYAML, cfn-lint and the SAM CLI accept and `yaml-rust2` refuses, rewritten
//! into equivalent YAML for a second parse, with a map from the rewritten columns back to the
//! ones the user wrote.
//!
//! Two rewrites, each meaning exactly what was written:
//! - Continuation lines of a flow collection or a quoted scalar that sit at or left of the
//!   column of the line it started on are indented past it (whitespace there is folded away
//!   or ignored).
//! - A single-pair mapping written without braces inside a flow sequence
//!   (`!Sub [ "${ID}", ID: !Select [0, [x]] ]`) is braced (`{ID: !Select [0, [x]]}`), which is
//!   what it means; `yaml-rust2` refuses it when the value is itself a collection.
//!
//! Only used after the text failed to parse as written, so valid documents are untouched.

use std::collections::HashMap;

use crate::{Document, Node, Pos, Span, Value};

/// The rewritten text and, for each rewritten line, the original column of every character.
pub(crate) struct Relaxed {
    pub text: String,
    /// 1-based line -> for each 0-based character index of the rewritten line (and one past
    /// its end), the 1-based column it had in the original line.
    columns: HashMap<u32, Vec<u32>>,
}

impl Relaxed {
    /// The position in the original text of a position in the rewritten one.
    pub fn original(&self, p: Pos) -> Pos {
        match self.columns.get(&p.line) {
            Some(map) if p.col >= 1 => {
                let i = (p.col - 1) as usize;
                let col = match map.get(i) {
                    Some(c) => *c,
                    // Past the end of the line: keep the distance from its end.
                    None => map.last().copied().unwrap_or(1) + (i + 1 - map.len()) as u32,
                };
                Pos::new(p.line, col)
            }
            _ => p,
        }
    }

    fn span(&self, s: Span) -> Span {
        Span::new(self.original(s.start), self.original(s.end))
    }

    /// Move every span of `doc` back to the original text.
    pub fn remap(&self, doc: &mut Document) {
        for d in &mut doc.duplicate_keys {
            d.dropped = self.span(d.dropped);
            d.kept = self.span(d.kept);
        }
        let mut stack: Vec<&mut Node> = doc.roots.iter_mut().collect();
        while let Some(node) = stack.pop() {
            node.span = self.span(node.span);
            match &mut node.value {
                Value::Seq(items) => stack.extend(items.iter_mut()),
                Value::Map(entries) => {
                    for e in entries.iter_mut() {
                        e.key_span = self.span(e.key_span);
                        stack.push(&mut e.value);
                    }
                }
                _ => {}
            }
        }
    }
}

/// An insertion of `text` before the character `at` (0-based) of line `line` (0-based).
struct Edit {
    line: usize,
    at: usize,
    text: String,
}

/// An open flow collection.
struct Flow {
    seq: bool,
    /// Where the current item of a sequence starts (line, character), once it has started.
    item: Option<(usize, usize)>,
    /// The current item of a sequence holds a `:` mapping indicator at this level.
    pair: bool,
}

#[derive(Default)]
struct Lexer {
    edits: Vec<Edit>,
    flows: Vec<Flow>,
    quote: Option<char>,
    /// Indentation continuation lines need: one past the column of the line where the open
    /// flow collection or quoted scalar started.
    required: usize,
    /// The column a block scalar's content must be indented past, while inside one.
    block_scalar: Option<usize>,
    /// A scalar or collection may start here (a quote opens a quoted scalar).
    value_start: bool,
}

/// The rewritten text, or `None` when there is nothing to rewrite.
pub(crate) fn relax(text: &str) -> Option<Relaxed> {
    let mut lx = Lexer::default();
    let lines: Vec<&str> = text.split('\n').collect();
    for (li, line) in lines.iter().enumerate() {
        lx.line(li, line);
    }
    if lx.edits.is_empty() {
        return None;
    }
    Some(apply(&lines, lx.edits))
}

impl Lexer {
    fn line(&mut self, li: usize, line: &str) {
        let chars: Vec<char> = line.trim_end_matches('\r').chars().collect();
        let leading = chars.iter().take_while(|c| **c == ' ').count();
        let blank = chars[leading..].iter().all(|c| c.is_whitespace());
        if let Some(parent) = self.block_scalar {
            if blank || leading > parent {
                return;
            }
            self.block_scalar = None;
        }
        let continuing = !self.flows.is_empty() || self.quote.is_some();
        let mut start = 0;
        let mut line_required = self.required;
        let marker = (line.starts_with("---") || line.starts_with("..."))
            && chars.get(3).is_none_or(|c| c.is_whitespace());
        // A document marker, and a tab where a flow line's indentation goes, stay as written:
        // PyYAML refuses both too (it accepts a tab before a quoted continuation).
        let tabbed = chars.get(leading) == Some(&'\t') && self.quote.is_none();
        if continuing {
            if !blank && !marker && !tabbed && leading < self.required {
                self.edits.push(Edit {
                    line: li,
                    at: 0,
                    text: " ".repeat(self.required - leading),
                });
            }
        } else {
            if marker {
                start = 3;
            }
            // Sequence markers count as indentation: `- {a: 1,` continues past the `{`.
            let mut i = leading.max(start);
            while chars.get(i) == Some(&'-') && chars.get(i + 1).is_none_or(|c| *c == ' ') {
                i += 1;
                while chars.get(i) == Some(&' ') {
                    i += 1;
                }
            }
            line_required = i + 1;
            self.value_start = true;
        }
        let mut i = start;
        while i < chars.len() {
            let c = chars[i];
            if let Some(q) = self.quote {
                if q == '"' && c == '\\' {
                    i += 2;
                    continue;
                }
                if c == q {
                    if q == '\'' && chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    self.quote = None;
                    self.value_start = false;
                }
                i += 1;
                continue;
            }
            let in_flow = !self.flows.is_empty();
            let next = chars.get(i + 1).copied();
            let prev = i.checked_sub(1).map(|p| chars[p]);
            match c {
                ' ' | '\t' => {}
                '#' if prev.is_none_or(char::is_whitespace) => break,
                '"' | '\'' if self.value_start => {
                    self.begin_item(li, i);
                    if !in_flow {
                        self.required = line_required;
                    }
                    self.quote = Some(c);
                    self.value_start = false;
                }
                '[' | '{' if self.value_start || in_flow => {
                    self.begin_item(li, i);
                    if !in_flow {
                        self.required = line_required;
                    }
                    self.flows.push(Flow {
                        seq: c == '[',
                        item: None,
                        pair: false,
                    });
                    self.value_start = true;
                }
                ']' | '}' if in_flow => {
                    self.end_item(li, i);
                    self.flows.pop();
                    self.value_start = false;
                }
                ',' if in_flow => {
                    self.end_item(li, i);
                    self.value_start = true;
                }
                ':' if next.is_none_or(|n| n.is_whitespace())
                    || (in_flow
                        && (next.is_some_and(|n| ",[]{}".contains(n))
                            || prev.is_some_and(|p| p == '"' || p == '\''))) =>
                {
                    if let Some(top) = self.flows.last_mut() {
                        // An implicit key is one line long: `[ key\n : value ]` stays invalid.
                        if top.seq && top.item.is_some_and(|(l, _)| l == li) {
                            top.pair = true;
                        }
                    }
                    self.value_start = true;
                }
                '-' | '?' if self.value_start && !in_flow && next.is_none_or(|n| n == ' ') => {}
                '!' | '&' if self.value_start => {
                    self.begin_item(li, i);
                    while i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
                        if in_flow && ",[]{}".contains(chars[i + 1]) {
                            break;
                        }
                        i += 1;
                    }
                }
                '|' | '>' if self.value_start && !in_flow => {
                    let header_end = chars[i + 1..]
                        .iter()
                        .position(|c| !(c.is_ascii_digit() || *c == '-' || *c == '+'))
                        .map_or(chars.len(), |p| i + 1 + p);
                    let after: String = chars[header_end..].iter().collect();
                    let after = after.trim_start();
                    if after.is_empty() || after.starts_with('#') {
                        self.block_scalar = Some(line_required.saturating_sub(1));
                        return;
                    }
                    self.value_start = false;
                }
                _ => {
                    if self.value_start {
                        self.begin_item(li, i);
                        self.value_start = false;
                    }
                }
            }
            i += 1;
        }
    }

    /// Something starts at (line, character): the current item of an enclosing sequence
    /// starts there if it has not started yet.
    fn begin_item(&mut self, li: usize, at: usize) {
        if let Some(top) = self.flows.last_mut() {
            if top.seq && top.item.is_none() {
                top.item = Some((li, at));
            }
        }
    }

    /// The current item of the innermost collection ends before (line, character): a bare
    /// pair in a sequence gets its braces.
    fn end_item(&mut self, li: usize, at: usize) {
        let Some(top) = self.flows.last_mut() else {
            return;
        };
        if let (true, true, Some((sl, sc))) = (top.seq, top.pair, top.item) {
            self.edits.push(Edit {
                line: sl,
                at: sc,
                text: "{".into(),
            });
            self.edits.push(Edit {
                line: li,
                at,
                text: "}".into(),
            });
        }
        top.item = None;
        top.pair = false;
    }
}

fn apply(lines: &[&str], mut edits: Vec<Edit>) -> Relaxed {
    edits.sort_by_key(|e| (e.line, e.at));
    let mut columns = HashMap::new();
    let mut out = String::new();
    let mut pending = edits.into_iter().peekable();
    for (li, line) in lines.iter().enumerate() {
        if li > 0 {
            out.push('\n');
        }
        if pending.peek().is_none_or(|e| e.line != li) {
            out.push_str(line);
            continue;
        }
        let mut map = Vec::new();
        let chars: Vec<char> = line.chars().collect();
        for (ci, ch) in chars.iter().enumerate() {
            while let Some(e) = pending.next_if(|e| e.line == li && e.at == ci) {
                out.push_str(&e.text);
                map.extend(std::iter::repeat_n(ci as u32 + 1, e.text.chars().count()));
            }
            out.push(*ch);
            map.push(ci as u32 + 1);
        }
        while let Some(e) = pending.next_if(|e| e.line == li) {
            out.push_str(&e.text);
            map.extend(std::iter::repeat_n(
                chars.len() as u32 + 1,
                e.text.chars().count(),
            ));
        }
        map.push(chars.len() as u32 + 1);
        columns.insert(li as u32 + 1, map);
    }
    Relaxed { text: out, columns }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_are_indented_and_bare_pairs_braced() {
        let r = relax("A:\n  B: [a,\nb]\n").expect("rewritten");
        assert_eq!(r.text, "A:\n  B: [a,\n   b]\n");
        assert_eq!(r.original(Pos::new(3, 4)), Pos::new(3, 1));
        let r = relax("A: [ x, ID: !S [0, [y]] ]\n").expect("rewritten");
        assert_eq!(r.text, "A: [ x, {ID: !S [0, [y]] }]\n");
        assert_eq!(r.original(Pos::new(1, 10)), Pos::new(1, 9));
        assert!(relax("A: [a, b]\nB: 'it''s'\nC: |\n  [ 'x\n").is_none());
    }
}
