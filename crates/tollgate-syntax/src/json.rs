//! A small recursive-descent JSON parser that keeps the span of every key and value.
//!
//! Written by hand rather than layered over serde_json so that every node carries exact
//! positions, numbers stay as written, and nesting is checked before each recursion.

use crate::lines::LineIndex;
use crate::node::dedup_keys;
use crate::{Document, Entry, Format, Limits, Node, SyntaxError, SyntaxErrorKind, Value};

/// Ceiling on nesting whatever the limits say: the parser recurses once per level, and an
/// unoptimised build spends a few KiB of stack per level, so this keeps it well inside a
/// 2 MiB thread stack. Equal to the default limit.
const MAX_NESTING: usize = 256;

pub(crate) fn parse(text: &str, limits: &Limits) -> Result<Document, SyntaxError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        i: 0,
        lines: LineIndex::new(text),
        max_depth: limits.max_depth.min(MAX_NESTING),
        duplicates: Vec::new(),
        items: Vec::new(),
        entries: Vec::new(),
    };
    p.skip_ws();
    let root = p.value(0)?;
    p.skip_ws();
    if p.i < p.bytes.len() {
        return Err(p.err(
            p.i,
            format!(
                "expected end of input after the JSON value, found {}",
                p.found()
            ),
        ));
    }
    Ok(Document {
        format: Format::Json,
        roots: vec![root],
        duplicate_keys: p.duplicates,
    })
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    /// Byte offset of the next unread byte.
    i: usize,
    lines: LineIndex<'t>,
    max_depth: usize,
    duplicates: Vec<crate::DuplicateKey>,
    /// Items and entries of the open arrays and objects, each one's above its parent's:
    /// moved into one exactly sized vector when it closes, instead of each growing its own.
    items: Vec<Node>,
    entries: Vec<Entry>,
}

impl Parser<'_> {
    fn err(&self, at: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError::new(SyntaxErrorKind::Invalid, Some(self.lines.pos(at)), message)
    }

    /// What stands at the cursor, for "expected X, found Y" messages.
    fn found(&self) -> String {
        match self.text[self.i..].chars().next() {
            None => "end of input".to_owned(),
            Some(c) => format!("{c:?}"),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn node(&self, start: usize, value: Value) -> Node {
        Node {
            span: self.lines.span(start, self.i),
            tag: None,
            value,
        }
    }

    /// A value starting at the cursor; `depth` counts the containers around it.
    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.i;
        match self.peek() {
            Some(b'{') | Some(b'[') => {
                if depth >= self.max_depth {
                    return Err(SyntaxError::new(
                        SyntaxErrorKind::TooDeep,
                        Some(self.lines.pos(start)),
                        format!("nesting deeper than {} levels", self.max_depth),
                    ));
                }
                if self.peek() == Some(b'{') {
                    self.object(depth + 1)
                } else {
                    self.array(depth + 1)
                }
            }
            Some(b'"') => {
                let s = self.string()?;
                Ok(self.node(start, Value::String(s)))
            }
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                let text = self.text[start..self.i].to_owned();
                // Rejected as serde_json (and so the tools that read these files) rejects it:
                // a number no 64-bit float can hold, `1e999`.
                if text.parse::<f64>().is_ok_and(f64::is_infinite) {
                    return Err(self.err(
                        start,
                        format!("number out of range: {text} does not fit a 64-bit float"),
                    ));
                }
                Ok(self.node(start, Value::Number(text)))
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            _ => Err(self.err(
                start,
                format!("expected a JSON value, found {}", self.found()),
            )),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Node, SyntaxError> {
        let start = self.i;
        if !self.bytes[start..].starts_with(word.as_bytes()) {
            return Err(self.err(
                start,
                format!("expected a JSON value, found {}", self.found()),
            ));
        }
        self.i += word.len();
        Ok(self.node(start, value))
    }

    fn object(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.i;
        self.i += 1;
        let from = self.entries.len();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(self.node(start, Value::Map(Vec::new())));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.err(
                    self.i,
                    format!("expected a string key in object, found {}", self.found()),
                ));
            }
            let key_start = self.i;
            let key = self.string()?;
            let key_span = self.lines.span(key_start, self.i);
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.err(
                    self.i,
                    format!("expected ':' after object key, found {}", self.found()),
                ));
            }
            self.i += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            self.entries.push(Entry {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    let entries = self.entries.drain(from..).collect();
                    let entries = dedup_keys(entries, &mut self.duplicates);
                    return Ok(self.node(start, Value::Map(entries)));
                }
                _ => {
                    return Err(self.err(
                        self.i,
                        format!(
                            "expected ',' or '}}' after object member, found {}",
                            self.found()
                        ),
                    ))
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let start = self.i;
        self.i += 1;
        let from = self.items.len();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(self.node(start, Value::Seq(Vec::new())));
        }
        loop {
            self.skip_ws();
            let item = self.value(depth)?;
            self.items.push(item);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    let items = self.items.drain(from..).collect();
                    return Ok(self.node(start, Value::Seq(items)));
                }
                _ => {
                    return Err(self.err(
                        self.i,
                        format!(
                            "expected ',' or ']' after array element, found {}",
                            self.found()
                        ),
                    ))
                }
            }
        }
    }

    /// A string at the cursor (which is on its opening quote), escapes decoded.
    fn string(&mut self) -> Result<String, SyntaxError> {
        let open = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let run = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // Only ASCII bytes stop the run, so both ends are character boundaries.
            out.push_str(&self.text[run..self.i]);
            match self.peek() {
                None => return Err(self.err(open, "unterminated string: expected a closing '\"'")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => {
                    return Err(self.err(
                        self.i,
                        "control character in string: expected it escaped (\\n, \\t, \\u00XX)",
                    ))
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let at = self.i;
        self.i += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.i += 1;
                let unit = self.hex4(at)?;
                let c = if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    if !self.bytes[self.i..].starts_with(b"\\u") {
                        return Err(self.err(at, "unpaired surrogate: expected a \\uDC00-\\uDFFF escape after it"));
                    }
                    self.i += 2;
                    let low = self.hex4(at)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.err(at, "unpaired surrogate: expected a \\uDC00-\\uDFFF escape after it"));
                    }
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                } else {
                    char::from_u32(unit)
                };
                out.push(c.ok_or_else(|| self.err(at, "unpaired surrogate in \\u escape"))?);
                return Ok(());
            }
            _ => {
                return Err(self.err(
                    at,
                    format!(
                        "invalid escape in string: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX, found \\{}",
                        self.text[self.i..].chars().next().map_or(String::new(), String::from)
                    ),
                ))
            }
        };
        self.i += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self, escape_at: usize) -> Result<u32, SyntaxError> {
        let digits = self.bytes.get(self.i..self.i + 4).unwrap_or_default();
        if digits.len() != 4 || !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(self.err(escape_at, "invalid \\u escape: expected four hex digits"));
        }
        self.i += 4;
        // Four ASCII hex digits always parse.
        Ok(u32::from_str_radix(&self.text[self.i - 4..self.i], 16).unwrap_or(0))
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    /// Checks the number grammar; the caller keeps the text.
    fn number(&mut self) -> Result<(), SyntaxError> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => {
                return Err(self.err(
                    self.i,
                    format!("expected a digit in number, found {}", self.found()),
                ))
            }
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err(
                    self.i,
                    format!(
                        "expected a digit after '.' in number, found {}",
                        self.found()
                    ),
                ));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err(
                    self.i,
                    format!(
                        "expected a digit in number exponent, found {}",
                        self.found()
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Pos, Span};

    fn parse_ok(text: &str) -> Node {
        parse(text, &Limits::default()).unwrap().roots.remove(0)
    }

    /// Found by fuzzing against serde_json, which refuses numbers out of a float's range.
    #[test]
    fn numbers_beyond_a_float_are_rejected_as_serde_json_does() {
        let e = parse("[1, -1e999]", &Limits::default()).unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(1, 5)));
        assert!(e.message.contains("out of range"), "{}", e.message);
        assert!(serde_json::from_str::<serde_json::Value>("[1, -1e999]").is_err());
        // Tiny and huge-but-finite numbers are fine, as in serde_json.
        parse_ok("[1e-999, 0e999999, 18446744073709551616]");
    }

    fn parse_err(text: &str) -> SyntaxError {
        parse(text, &Limits::default()).unwrap_err()
    }

    #[test]
    fn spans_of_keys_and_values() {
        let root =
            parse_ok("{\n  \"Name\": \"x\",\n  \"Size\": 10.5e2,\n  \"On\": [true, null]\n}");
        assert_eq!(root.span, Span::new(Pos::new(1, 1), Pos::new(5, 2)));
        let e = root.entry("Name").unwrap();
        assert_eq!(e.key_span, Span::new(Pos::new(2, 3), Pos::new(2, 9)));
        assert_eq!(e.value.span, Span::new(Pos::new(2, 11), Pos::new(2, 14)));
        assert_eq!(root.get("Size").unwrap().as_number_text(), Some("10.5e2"));
        let on = root.get("On").unwrap().as_seq().unwrap();
        assert_eq!(on[1].span, Span::new(Pos::new(4, 16), Pos::new(4, 20)));
        assert!(on[1].is_null());
    }

    #[test]
    fn multibyte_columns_are_code_points() {
        let root = parse_ok("{\"é\": \"日本\", \"k\": 1}");
        let k = root.entry("k").unwrap();
        // `{"é": "日本", ` is 12 code points, so "k" starts at column 13.
        assert_eq!(k.key_span.start, Pos::new(1, 13));
        assert_eq!(
            root.get("é").unwrap().span,
            Span::new(Pos::new(1, 7), Pos::new(1, 11))
        );
    }

    #[test]
    fn escapes_and_surrogate_pairs() {
        let root = parse_ok(r#"["a\"\\\/\b\f\n\r\t", "\u00e9\ud83d\ude00", "\u0041"]"#);
        let items = root.as_seq().unwrap();
        assert_eq!(items[0].as_str(), Some("a\"\\/\u{8}\u{c}\n\r\t"));
        assert_eq!(items[1].as_str(), Some("é😀"));
        assert_eq!(items[2].as_str(), Some("A"));
    }

    #[test]
    fn duplicate_keys_keep_the_last() {
        let root = parse_ok(r#"{"a": 1, "b": 2, "a": 3}"#);
        assert_eq!(root.entries().len(), 2);
        assert_eq!(root.get("a").unwrap().as_number_text(), Some("3"));
    }

    #[test]
    fn errors_say_what_was_expected_and_where() {
        let e = parse_err("{\n  \"a\": 1\n  \"b\": 2\n}");
        assert_eq!(e.kind, SyntaxErrorKind::Invalid);
        assert_eq!(e.pos, Some(Pos::new(3, 3)));
        assert_eq!(
            e.message,
            "expected ',' or '}' after object member, found '\"'"
        );

        let e = parse_err("[1, 2 3]");
        assert_eq!(e.pos, Some(Pos::new(1, 7)));
        assert!(e
            .message
            .starts_with("expected ',' or ']' after array element"));

        let e = parse_err("{\"a\" 1}");
        assert_eq!(e.message, "expected ':' after object key, found '1'");
        assert_eq!(e.pos, Some(Pos::new(1, 6)));

        assert_eq!(
            parse_err("").message,
            "expected a JSON value, found end of input"
        );
        assert_eq!(parse_err("[1] x").pos, Some(Pos::new(1, 5)));
        assert_eq!(
            parse_err("\"abc").message,
            "unterminated string: expected a closing '\"'"
        );
        assert_eq!(parse_err("[01]").pos, Some(Pos::new(1, 3)));
        assert_eq!(parse_err("[1.]").pos, Some(Pos::new(1, 4)));
        assert_eq!(parse_err("[1e+]").pos, Some(Pos::new(1, 5)));
        assert_eq!(parse_err("[-]").pos, Some(Pos::new(1, 3)));
        assert_eq!(parse_err("[tru]").pos, Some(Pos::new(1, 2)));
        assert_eq!(parse_err("\"\\x\"").pos, Some(Pos::new(1, 2)));
        assert!(parse_err("\"\\ud800\"")
            .message
            .contains("unpaired surrogate"));
        assert!(parse_err("\"\\udc00\"")
            .message
            .contains("unpaired surrogate"));
        assert!(parse_err("\"\\u12\"").message.contains("four hex digits"));
        assert!(parse_err("\"a\tb\"").message.contains("control character"));
        assert!(parse_err("{,}").message.contains("expected a string key"));
    }

    #[test]
    fn depth_limit_is_checked_before_recursing() {
        let limits = Limits {
            max_depth: 3,
            ..Limits::default()
        };
        assert!(parse("[[[1]]]", &limits).is_ok());
        let e = parse("[[{\"a\": [1]}]]", &limits).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
        assert_eq!(e.pos, Some(Pos::new(1, 9)));
    }

    #[test]
    fn truncated_inputs_never_panic() {
        let full = r#"{"a": [1, -2.5e3, "x\u00e9\ud83d\ude00", {"b": null}], "c": true}"#;
        for end in 0..full.len() {
            if full.is_char_boundary(end) {
                let _ = parse(&full[..end], &Limits::default());
            }
        }
    }
}
