//! Where YAML nodes end and where their tags start. `yaml-rust2` reports only where a node's
//! content starts, so these read the source text from there.

use yaml_rust2::scanner::TScalarStyle;

/// Byte offset just past the scalar starting at byte `start` whose parsed text is `value`.
pub(crate) fn scalar_end(text: &str, start: usize, style: TScalarStyle, value: &str) -> usize {
    match style {
        TScalarStyle::DoubleQuoted => quoted_end(text, start, b'"'),
        TScalarStyle::SingleQuoted => quoted_end(text, start, b'\''),
        TScalarStyle::Plain => plain_end(text, start, value),
        TScalarStyle::Literal | TScalarStyle::Folded => block_end(text, start),
    }
}

/// End of a quoted scalar: after the closing quote. In double quotes a backslash escapes the
/// next byte; in single quotes `''` is an escaped quote. Multibyte characters never contain
/// these ASCII bytes, so a byte scan is exact.
fn quoted_end(text: &str, start: usize, quote: u8) -> usize {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// End of a plain scalar: walk the source and the folded value together. Inside a line both
/// are identical; a line break (with the next line's indentation) folds into a space or
/// newlines, so any whitespace run in the value matches any whitespace run in the source.
fn plain_end(text: &str, start: usize, value: &str) -> usize {
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let mut src = text[start..].char_indices().peekable();
    let mut val = value.chars().peekable();
    let mut end = start;
    while let Some(vc) = val.next() {
        if is_ws(vc) {
            while val.next_if(|&c| is_ws(c)).is_some() {}
            if src.next_if(|&(_, c)| is_ws(c)).is_none() {
                break;
            }
            while src.next_if(|&(_, c)| is_ws(c)).is_some() {}
            continue;
        }
        match src.next() {
            Some((i, sc)) if sc == vc => end = start + i + sc.len_utf8(),
            _ => break,
        }
    }
    end
}

/// End of a `|` or `>` block scalar starting at its indicator: the end of the last content
/// line, content being the lines indented at least as much as the first non-blank one after
/// the header, which must be indented deeper than the header's line.
fn block_end(text: &str, start: usize) -> usize {
    let header_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut end = text[start..header_end]
        .find([' ', '\t', '\r'])
        .map_or(header_end, |i| start + i);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let header_line = &text[line_start..header_end];
    let header_indent = indent_of(header_line);
    // At the top of a document (`--- |` or an unindented `|`) content may start at column 1.
    let min_indent =
        if header_indent == 0 && (header_line.starts_with("---") || start == line_start) {
            0
        } else {
            header_indent + 1
        };
    let mut content_indent = None;
    let mut pos = header_end;
    while pos < text.len() {
        let from = pos + 1;
        let to = text[from..].find('\n').map_or(text.len(), |i| from + i);
        pos = to;
        let line = text[from..to].trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let indent = indent_of(line);
        if indent == 0 && (line.starts_with("---") || line.starts_with("...")) {
            break;
        }
        match content_indent {
            None if indent >= min_indent => content_indent = Some(indent),
            Some(n) if indent >= n => {}
            _ => break,
        }
        end = from + line.trim_end().len();
    }
    end
}

/// The `|`/`>` indicator of a block scalar whose content the parser reports at `at`: the header
/// is the last non-blank line before it. Returns `at` when no header is found.
pub(crate) fn block_indicator(text: &str, at: usize) -> usize {
    let mut end = at;
    loop {
        let start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[start..end];
        let code = match line.find(" #") {
            Some(i) => &line[..i],
            None => line,
        }
        .trim_end();
        let header = code.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
        if header.ends_with(['|', '>']) {
            return start + header.len() - 1;
        }
        if !code.trim().is_empty() || start == 0 {
            return at;
        }
        end = start - 1;
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// End of an alias `*name` starting at `start`.
pub(crate) fn alias_end(text: &str, start: usize) -> usize {
    text.get(start + 1..)
        .and_then(|rest| {
            rest.find(|c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}'))
        })
        .map_or(text.len(), |i| start + 1 + i)
}

/// Start of a node's tag and/or anchor written before its content at `start`: steps back over
/// up to `prefixes` tokens beginning with `!` or `&`.
pub(crate) fn tag_start(text: &str, start: usize, prefixes: usize) -> usize {
    let mut at = start;
    for _ in 0..prefixes {
        let before = text[..at].trim_end_matches([' ', '\t', '\r', '\n']);
        // Step past the separator by its own width: a comment may hold multibyte whitespace
        // (U+00A0, U+3000), and one byte past its start is inside it.
        let token_start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace() || matches!(c, ',' | '[' | '{'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        if before[token_start..].starts_with(['!', '&']) {
            at = token_start;
        } else {
            break;
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_ends() {
        let t = r#"k: "a\"b" x"#;
        assert_eq!(scalar_end(t, 3, TScalarStyle::DoubleQuoted, ""), 9);
        let t = "k: 'it''s' x";
        assert_eq!(scalar_end(t, 3, TScalarStyle::SingleQuoted, ""), 10);
    }

    #[test]
    fn plain_multiline_end() {
        let t = "k: one two\n  three   # c\nz: 1";
        assert_eq!(scalar_end(t, 3, TScalarStyle::Plain, "one two three"), 18);
    }

    #[test]
    fn block_scalar_end() {
        let t = "a: |\n  x\n\n   y  \nb: 1\n";
        assert_eq!(
            &t[..scalar_end(t, 3, TScalarStyle::Literal, "")],
            "a: |\n  x\n\n   y"
        );
        let t = "a: |  # note\n\n  x\n";
        assert_eq!(block_indicator(t, t.len() - 2), 3);
        let t = "a: >-\nb: 1\n";
        assert_eq!(&t[..scalar_end(t, 3, TScalarStyle::Folded, "")], "a: >-");
    }

    #[test]
    fn tags_and_aliases() {
        let t = "k: !Sub &a x";
        assert_eq!(tag_start(t, 11, 2), 3);
        assert_eq!(tag_start(t, 11, 1), 8);
        let t = "[*ref, b]";
        assert_eq!(alias_end(t, 1), 5);
    }
}
