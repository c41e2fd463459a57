use serde::{Deserialize, Serialize};

/// A position in a text file: 1-based line, 1-based column counted in Unicode code points
/// (SARIF `columnKind: unicodeCodePoints`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const fn new(line: u32, col: u32) -> Self {
        Self { line, col }
    }
}

/// A region of a text file. `end` is exclusive in its column (the column just after the last
/// character, as SARIF's `endColumn`) and inclusive in its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub const fn new(start: Pos, end: Pos) -> Self {
        Self { start, end }
    }

    /// A span covering one whole line, used when only the line is known.
    pub const fn line(line: u32) -> Self {
        Self {
            start: Pos::new(line, 1),
            end: Pos::new(line, 1),
        }
    }

    /// The smallest span that covers both.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

impl Span {
    /// Whether `line` (1-based) falls within this span's lines.
    pub const fn contains_line(&self, line: u32) -> bool {
        self.start.line <= line && line <= self.end.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_line_is_inclusive() {
        let span = Span::new(Pos::new(3, 5), Pos::new(5, 1));
        assert!(!span.contains_line(2));
        assert!(span.contains_line(3));
        assert!(span.contains_line(5));
        assert!(!span.contains_line(6));
        assert!(Span::line(7).contains_line(7));
    }
}
