//! Byte offset to (line, code-point column) conversion, built once per text.

use std::cell::Cell;

use crate::Pos;

/// Distance in bytes between column checkpoints.
const CHECKPOINT_BYTES: usize = 1024;

/// Line starts of a text, so that any byte offset maps to a [`Pos`] by binary search plus a
/// character count within that one line.
#[derive(Debug)]
pub(crate) struct LineIndex<'t> {
    text: &'t str,
    /// Byte offset at which each line starts; `starts[0] == 0`.
    starts: Vec<usize>,
    /// Whether each line is pure ASCII: then the column is a subtraction, with no counting.
    /// Empty when the whole text is ASCII.
    ascii: Vec<bool>,
    /// `(byte offset, position)` at the first character boundary of every 1 KiB of text, so
    /// that counting code points never starts more than 1 KiB back. Without them a minified
    /// one-line file with multibyte characters would cost time quadratic in its length.
    checkpoints: Vec<(usize, Pos)>,
    /// The line of the last lookup: parsers ask in source order, so the next offset is
    /// usually on that line or the next one, found without a binary search.
    last_line: Cell<usize>,
}

impl<'t> LineIndex<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let (ascii, checkpoints) = if text.is_ascii() {
            (Vec::new(), Vec::new())
        } else {
            let ascii = starts
                .iter()
                .zip(starts.iter().skip(1).map(|s| s - 1).chain([text.len()]))
                .map(|(&from, to)| text[from..to].is_ascii())
                .collect();
            (ascii, checkpoints(text))
        };
        Self {
            text,
            starts,
            ascii,
            checkpoints,
            last_line: Cell::new(0),
        }
    }

    /// The line (0-based) holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        let last = self.last_line.get();
        let starts = &self.starts;
        let line = if starts[last] <= offset && starts.get(last + 1).is_none_or(|&n| offset < n) {
            last
        } else if starts.get(last + 1).is_some_and(|&n| n <= offset)
            && starts.get(last + 2).is_none_or(|&n| offset < n)
        {
            last + 1
        } else {
            match starts.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i - 1,
            }
        };
        self.last_line.set(line);
        line
    }

    /// Position of byte offset `offset` (clamped to the text, and moved back to a character
    /// boundary if it falls inside one).
    pub(crate) fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_of(offset);
        let start = self.starts[line];
        if self.ascii.get(line).is_none_or(|a| *a) {
            return Pos::new(line as u32 + 1, (offset - start) as u32 + 1);
        }
        let after = self.checkpoints.partition_point(|(b, _)| *b <= offset);
        let (from, col) = match after.checked_sub(1).map(|i| self.checkpoints[i]) {
            Some((b, p)) if b >= start => (b, p.col),
            _ => (start, 1),
        };
        let col = col + self.text[from..offset].chars().count() as u32;
        Pos::new(line as u32 + 1, col)
    }

    /// Byte offset of `pos`, the inverse of [`LineIndex::pos`] (clamped to the text).
    pub(crate) fn offset(&self, pos: Pos) -> usize {
        let Some(&start) = self.starts.get((pos.line as usize).saturating_sub(1)) else {
            return self.text.len();
        };
        if self.ascii.is_empty() {
            // One byte per character everywhere.
            let skip = pos.col.saturating_sub(1) as usize;
            return start.saturating_add(skip).min(self.text.len());
        }
        let after = self.checkpoints.partition_point(|(_, p)| *p <= pos);
        let (from, col) = match after.checked_sub(1).map(|i| self.checkpoints[i]) {
            Some((b, p)) if p.line == pos.line => (b, p.col),
            _ => (start, 1),
        };
        let skip = pos.col.saturating_sub(col) as usize;
        self.text[from..]
            .char_indices()
            .nth(skip)
            .map_or(self.text.len(), |(i, _)| from + i)
    }

    /// Span from byte range `start..end`.
    pub(crate) fn span(&self, start: usize, end: usize) -> crate::Span {
        crate::Span::new(self.pos(start), self.pos(end))
    }
}

fn checkpoints(text: &str) -> Vec<(usize, Pos)> {
    let mut out = Vec::with_capacity(text.len() / CHECKPOINT_BYTES + 1);
    let mut next = 0;
    let (mut line, mut col) = (1u32, 1u32);
    for (i, c) in text.char_indices() {
        if i >= next {
            out.push((i, Pos::new(line, col)));
            next = i + CHECKPOINT_BYTES;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_multibyte_columns() {
        let text = "ab\nçé=x\n\nz";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(0), Pos::new(1, 1));
        assert_eq!(idx.pos(2), Pos::new(1, 3));
        assert_eq!(idx.pos(3), Pos::new(2, 1));
        // "çé" is four bytes but two code points.
        assert_eq!(idx.pos(7), Pos::new(2, 3));
        assert_eq!(idx.pos(8), Pos::new(2, 4));
        // Going backwards after a forward lookup still counts from the line start.
        assert_eq!(idx.pos(5), Pos::new(2, 2));
        assert_eq!(idx.pos(10), Pos::new(3, 1));
        assert_eq!(idx.pos(11), Pos::new(4, 1));
        assert_eq!(idx.pos(999), Pos::new(4, 2));
        for offset in [0, 2, 3, 5, 7, 8, 10, 11] {
            assert_eq!(idx.offset(idx.pos(offset)), offset);
        }
    }

    #[test]
    fn long_multibyte_line_uses_checkpoints() {
        let text = format!("x\n{}", "é".repeat(5000));
        let idx = LineIndex::new(&text);
        assert!(idx.checkpoints.len() > 5);
        for k in [0, 1, 511, 512, 513, 2999, 5000] {
            let offset = 2 + 2 * k;
            let pos = idx.pos(offset);
            assert_eq!(pos, Pos::new(2, k as u32 + 1));
            assert_eq!(idx.offset(pos), offset);
        }
    }

    #[test]
    fn offset_inside_a_character_moves_back() {
        let idx = LineIndex::new("é");
        assert_eq!(idx.pos(1), Pos::new(1, 1));
    }
}
