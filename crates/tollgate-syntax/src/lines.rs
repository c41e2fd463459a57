//! Byte offset to (line, code-point column) conversion, built once per text.

use std::cell::Cell;

use crate::Pos;

/// Line starts of a text, so that any byte offset maps to a [`Pos`] by binary search plus a
/// character count within that one line.
#[derive(Debug)]
pub(crate) struct LineIndex<'t> {
    text: &'t str,
    /// Byte offset at which each line starts; `starts[0] == 0`.
    starts: Vec<usize>,
    /// Whether each line is pure ASCII: then the column is a subtraction, with no counting.
    ascii: Vec<bool>,
    /// Last non-ASCII lookup `(byte offset, column)`. Parsers ask for positions mostly in
    /// increasing order, so counting resumes from here instead of from the line start; without
    /// it a minified one-line file with multibyte characters would cost quadratic time.
    cursor: Cell<(usize, u32)>,
}

impl<'t> LineIndex<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
                ascii.push(line_ascii);
                line_ascii = true;
            } else if !b.is_ascii() {
                line_ascii = false;
            }
        }
        ascii.push(line_ascii);
        Self {
            text,
            starts,
            ascii,
            cursor: Cell::new((0, 1)),
        }
    }

    /// Position of byte offset `offset` (clamped to the text, and moved back to a character
    /// boundary if it falls inside one).
    pub(crate) fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let col = if self.ascii[line] {
            (offset - start) as u32 + 1
        } else {
            let (cur_off, cur_col) = self.cursor.get();
            let (from, base) = if cur_off >= start && cur_off <= offset {
                (cur_off, cur_col)
            } else {
                (start, 1)
            };
            let col = base + self.text[from..offset].chars().count() as u32;
            self.cursor.set((offset, col));
            col
        };
        Pos::new(line as u32 + 1, col)
    }

    /// Byte offset of `pos`, the inverse of [`LineIndex::pos`] (clamped to the text).
    pub(crate) fn offset(&self, pos: Pos) -> usize {
        let Some(&start) = self.starts.get((pos.line as usize).saturating_sub(1)) else {
            return self.text.len();
        };
        let skip = pos.col.saturating_sub(1) as usize;
        self.text[start..]
            .char_indices()
            .nth(skip)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// Span from byte range `start..end`.
    pub(crate) fn span(&self, start: usize, end: usize) -> crate::Span {
        crate::Span::new(self.pos(start), self.pos(end))
    }
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
    fn offset_inside_a_character_moves_back() {
        let idx = LineIndex::new("é");
        assert_eq!(idx.pos(1), Pos::new(1, 1));
    }
}
