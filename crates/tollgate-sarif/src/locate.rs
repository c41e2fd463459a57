//! Finding where a JSON path starts in the text, so errors found after parsing (a wrong
//! version, a result without a rule) still point at a line and column.
//!
//! The text has already been parsed successfully by serde_json (so it is well-formed and at
//! most 128 levels deep); this scanner only has to follow one path and skip everything else.

/// One step of a JSON path: an object member or an array element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// 1-based line and column (in Unicode code points) where the value at `path` starts.
pub fn locate(text: &str, path: &[Step]) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut pos = skip_ws(bytes, 0);
    for step in path {
        pos = match step {
            Step::Key(key) => member(bytes, pos, key)?,
            Step::Index(index) => element(bytes, pos, *index)?,
        };
    }
    Some(line_col(text, pos))
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && matches!(bytes[pos], b' ' | b'\t' | b'\n' | b'\r') {
        pos += 1;
    }
    pos
}

/// The position just after the string starting at `pos` (which is a `"`).
fn skip_string(bytes: &[u8], mut pos: usize) -> usize {
    pos += 1;
    while pos < bytes.len() {
        match bytes[pos] {
            b'\\' => pos += 2,
            b'"' => return pos + 1,
            _ => pos += 1,
        }
    }
    bytes.len()
}

/// The position just after the value starting at `pos`.
fn skip_value(bytes: &[u8], pos: usize) -> usize {
    match bytes.get(pos) {
        Some(b'"') => skip_string(bytes, pos),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut p = pos;
            while p < bytes.len() {
                match bytes[p] {
                    b'"' => {
                        p = skip_string(bytes, p);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return p + 1;
                        }
                    }
                    _ => {}
                }
                p += 1;
            }
            p
        }
        _ => {
            let mut p = pos;
            while p < bytes.len()
                && !matches!(bytes[p], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                p += 1;
            }
            p
        }
    }
}

/// Start of the value of member `key` of the object at `pos`.
fn member(bytes: &[u8], pos: usize, key: &str) -> Option<usize> {
    if bytes.get(pos) != Some(&b'{') {
        return None;
    }
    let mut p = skip_ws(bytes, pos + 1);
    let mut found = None;
    while bytes.get(p) == Some(&b'"') {
        let end = skip_string(bytes, p);
        // Keys are compared as written; SARIF property names never need escapes.
        let name = bytes.get(p + 1..end.saturating_sub(1)).unwrap_or_default();
        p = skip_ws(bytes, end);
        p = skip_ws(bytes, p + 1); // the colon
        if name == key.as_bytes() {
            // The last occurrence wins, as when serde_json builds a map.
            found = Some(p);
        }
        p = skip_ws(bytes, skip_value(bytes, p));
        if bytes.get(p) == Some(&b',') {
            p = skip_ws(bytes, p + 1);
        }
    }
    found
}

/// Start of element `index` of the array at `pos`.
fn element(bytes: &[u8], pos: usize, index: usize) -> Option<usize> {
    if bytes.get(pos) != Some(&b'[') {
        return None;
    }
    let mut p = skip_ws(bytes, pos + 1);
    let mut i = 0;
    while p < bytes.len() && bytes[p] != b']' {
        if i == index {
            return Some(p);
        }
        p = skip_ws(bytes, skip_value(bytes, p));
        if bytes.get(p) == Some(&b',') {
            p = skip_ws(bytes, p + 1);
        }
        i += 1;
    }
    None
}

fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text[..pos.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_path() {
        let text = "{\"a\": \"x\\\"}\", \"runs\": [\n  {\"r\": [1, {\"k\": [true]}]},\n  {\"é\": 1, \"m\": {}}\n]}";
        assert_eq!(locate(text, &[]), Some((1, 1)));
        assert_eq!(locate(text, &[Step::Key("runs")]), Some((1, 23)));
        assert_eq!(
            locate(
                text,
                &[
                    Step::Key("runs"),
                    Step::Index(0),
                    Step::Key("r"),
                    Step::Index(1)
                ]
            ),
            Some((2, 13))
        );
        assert_eq!(
            locate(text, &[Step::Key("runs"), Step::Index(1), Step::Key("m")]),
            Some((3, 17))
        );
        assert_eq!(locate(text, &[Step::Key("runs"), Step::Index(2)]), None);
        assert_eq!(locate(text, &[Step::Key("nope")]), None);
    }
}
