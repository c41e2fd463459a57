//! Helpers shared by the parsers: byte offsets to lines, and finding where a JSON key is
//! written so a package found through serde_json still knows its line.

/// Byte offset to 1-based line and column (in code points).
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { text, starts }
    }

    pub fn line(&self, offset: usize) -> u32 {
        (self.starts.partition_point(|&s| s <= offset)) as u32
    }

    /// Line `line` (1-based) without its line ending, as `str::lines` gives it.
    pub fn line_text(&self, line: u32) -> Option<&'a str> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        let l = self.text.get(start..end)?;
        let l = l.strip_suffix('\n').unwrap_or(l);
        Some(l.strip_suffix('\r').unwrap_or(l))
    }

    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.line(offset);
        let start = self.starts[line as usize - 1];
        let col = self.text[start..offset.min(self.text.len())]
            .chars()
            .count() as u32
            + 1;
        (line, col)
    }
}

/// Walks forward through a JSON text finding object keys in document order. serde_json keeps
/// key order (`preserve_order`), so visiting the parsed value in order and asking the cursor for
/// each key in turn finds each one's own occurrence, even when a key repeats in nested objects.
#[derive(Debug)]
pub struct KeyCursor<'a> {
    text: &'a str,
    pos: usize,
    index: LineIndex<'a>,
}

impl<'a> KeyCursor<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            pos: 0,
            index: LineIndex::new(text),
        }
    }

    /// Move past the next `"key":` and return its line, or `None` (the cursor stays) when
    /// there is none.
    pub fn key(&mut self, key: &str) -> Option<u32> {
        let quoted = serde_json::to_string(key).ok()?;
        let mut from = self.pos;
        while let Some(rel) = self.text[from..].find(&quoted) {
            let at = from + rel;
            let after = at + quoted.len();
            if self.text[after..].trim_start().starts_with(':') {
                self.pos = after;
                return Some(self.index.line(at));
            }
            from = after;
        }
        None
    }

    /// Move past the next `"key": {` (a key whose value is an object) and return its line.
    /// npm v1 lockfiles repeat package names as keys of `requires` maps (string values); this
    /// skips those.
    pub fn object_key(&mut self, key: &str) -> Option<u32> {
        let quoted = serde_json::to_string(key).ok()?;
        let mut from = self.pos;
        while let Some(rel) = self.text[from..].find(&quoted) {
            let at = from + rel;
            let after = at + quoted.len();
            let rest = self.text[after..].trim_start();
            if let Some(rest) = rest.strip_prefix(':') {
                if rest.trim_start().starts_with('{') {
                    self.pos = after;
                    return Some(self.index.line(at));
                }
            }
            from = after;
        }
        None
    }

    /// Move past the next `"key": "value"` pair and return its line.
    pub fn pair(&mut self, key: &str, value: &str) -> Option<u32> {
        let qk = serde_json::to_string(key).ok()?;
        let qv = serde_json::to_string(value).ok()?;
        let mut from = self.pos;
        while let Some(rel) = self.text[from..].find(&qk) {
            let at = from + rel;
            let after = at + qk.len();
            let rest = self.text[after..].trim_start();
            if let Some(rest) = rest.strip_prefix(':') {
                if rest.trim_start().starts_with(&qv) {
                    self.pos = after;
                    return Some(self.index.line(at));
                }
            }
            from = after;
        }
        None
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn seek(&mut self, pos: usize) {
        self.pos = pos.min(self.text.len());
    }
}

/// Parse a JSON lockfile whose top level must be an object.
pub(crate) fn json_object(
    text: &str,
    what: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, super::ParseErr> {
    match serde_json::from_str(text)? {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(super::ParseErr::new(
            1,
            1,
            format!("expected a JSON object at the top of {what}"),
        )),
    }
}

/// Line and column of a serde_json error, as `line:col`.
pub fn json_error(e: &serde_json::Error) -> (u32, u32, String) {
    // serde_json says column 0 for an error just after a line break (the end of a file that
    // ends with one); columns here are 1-based, so that is column 1 of the next line.
    (e.line() as u32, e.column().max(1) as u32, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_error_at_the_end_after_a_line_break_is_column_1() {
        let e = serde_json::from_str::<serde_json::Value>("{\"a\": [1,\n").unwrap_err();
        assert_eq!(e.column(), 0);
        let (line, col, _) = json_error(&e);
        assert_eq!((line, col), (2, 1));
    }

    #[test]
    fn lines_and_columns() {
        let idx = LineIndex::new("ab\ncé\n\nx");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(3), 2);
        assert_eq!(idx.line_col(7), (3, 1));
        assert_eq!(idx.line_col(8), (4, 1));
        assert_eq!(idx.line_col(4), (2, 2));
    }

    #[test]
    fn key_cursor_finds_repeated_keys_in_order() {
        let text = "{\n \"a\": {\"x\": 1},\n \"b\": {\n  \"x\": 2}, \"y\": \"x\"\n}";
        let mut c = KeyCursor::new(text);
        assert_eq!(c.key("a"), Some(2));
        assert_eq!(c.key("x"), Some(2));
        assert_eq!(c.key("x"), Some(4));
        // A value equal to the key is not a key.
        assert_eq!(c.key("x"), None);
        let mut c = KeyCursor::new(text);
        assert_eq!(c.pair("y", "x"), Some(4));
    }
}
