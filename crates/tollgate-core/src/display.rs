//! Text from scanned files and tools made safe to show. A file name or a template's string
//! can hold terminal escape sequences (git accepts any byte but `/` and NUL in a name), and
//! bidirectional-override characters that make a terminal or a web page show text in another
//! order than it is read; neither may reach a person's terminal or a pull request as it is.

use std::borrow::Cow;

/// Whether `c` must not be shown raw: control characters (C0, DEL, C1) other than the line
/// break and tab, and the Unicode bidirectional embedding, override and isolate controls.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `text` is printable ASCII, line breaks and tabs only, so that it holds no unsafe
/// character: nearly every finding's texts, told by a byte scan rather than char by char.
fn plain_ascii(text: &str) -> bool {
    // Chunk by chunk, each without an early exit: a loop the compiler vectorises.
    text.as_bytes().chunks(32).all(|chunk| {
        chunk.iter().fold(true, |plain, &b| {
            plain & (matches!(b, b' '..=b'~') | (b == b'\n') | (b == b'\t'))
        })
    })
}

/// `text` with every unsafe character (see [`is_unsafe`]) written as a visible escape
/// (`\u{1b}`); line breaks and tabs stay. Borrowed when nothing had to change.
pub fn visible(text: &str) -> Cow<'_, str> {
    if plain_ascii(text) || !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`visible`] on one line: line breaks and tabs escaped too (`\n`, `\r`, `\t`), for a file
/// name in a `-->` line or a list item, where a break would forge the next line.
pub fn visible_line(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| is_unsafe(c) || matches!(c, '\n' | '\r' | '\t'))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Make a finding's texts safe to show in every output (see [`visible`]). Its path is left as
/// it is: it names the file, and each output escapes it in its own way.
pub fn sanitize_finding(finding: &mut crate::Finding) {
    clean(&mut finding.message);
    if let Some(resource) = finding.resource.as_mut() {
        clean(resource);
    }
    for related in &mut finding.related {
        clean(&mut related.message);
    }
    if let Some(suppression) = finding.suppression.as_mut() {
        clean(&mut suppression.justification);
    }
}

/// [`sanitize_finding`] for a rule whose texts come from the scanned repository (a policy's
/// METADATA or `# title:` comment): its name, title, description, remediation and tags. The
/// `rules` and `explain` commands print them as they are.
pub fn sanitize_rule(rule: &mut crate::Rule) {
    clean(&mut rule.name);
    clean(&mut rule.title);
    clean(&mut rule.description);
    clean(&mut rule.remediation);
    for tag in &mut rule.tags {
        clean(tag);
    }
}

/// [`sanitize_finding`] for a notification's message.
pub fn sanitize_notification(note: &mut crate::Notification) {
    clean(&mut note.message);
}

fn clean(text: &mut String) {
    if let Cow::Owned(safe) = visible(text) {
        *text = safe;
    }
}

/// Zero-width space: put after `@` or `#`, or inside `://` and `www.`, it keeps the text
/// looking the same while GitHub no longer sees a mention, a cross-reference or a bare link.
const BREAK: char = '\u{200B}';

/// Text from a scanned file or a tool made safe inside a markdown table cell or a one-line
/// list item, as GitHub renders it: markdown punctuation is escaped (no emphasis, links,
/// images, headings or broken tables), `<`, `>` and `&` become entities (no HTML), `@user`,
/// `@org/team` and `#123` are broken with a zero-width space (no mentions or notifications,
/// no cross-references), so are bare `http://`, `https://` and `www.` links, and line breaks
/// and control characters are escaped.
pub fn markdown_escape(text: &str) -> String {
    let text = visible_line(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | '"' | '\'' | '=' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
        match c {
            '@' => out.push(BREAK),
            '#' if chars.peek().is_some_and(char::is_ascii_digit) => out.push(BREAK),
            ':' if chars.peek() == Some(&'/') => out.push(BREAK),
            'w' | 'W'
                if (out.ends_with("www") || out.ends_with("WWW")) && chars.peek() == Some(&'.') =>
            {
                out.push(BREAK)
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunked scan agrees with the byte-by-byte definition for every character
    /// that matters, wherever it stands in a chunk.
    #[test]
    fn plain_ascii_is_told_at_every_position() {
        for special in (0u8..0x80)
            .map(char::from)
            .chain(['\u{80}', '\u{202E}', '\u{e9}'])
        {
            for at in 0..40 {
                let text = format!("{}{special}{}", "a".repeat(at), "b".repeat(40 - at));
                let want = text
                    .bytes()
                    .all(|b| matches!(b, b' '..=b'~' | b'\n' | b'\t'));
                assert_eq!(plain_ascii(&text), want, "{text:?}");
            }
        }
    }

    #[test]
    fn escapes_what_would_drive_a_terminal_or_reorder_text() {
        assert_eq!(visible("plain\ttext\nnext"), "plain\ttext\nnext");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(
            visible("\x1b]8;;http://e\x07x"),
            "\\u{1b}]8;;http://e\\u{7}x"
        );
        assert_eq!(visible("a\u{202E}fdp.exe"), "a\\u{202e}fdp.exe");
        assert_eq!(visible("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(visible_line("a\nb\r\tc\x1b"), "a\\nb\\r\\tc\\u{1b}");
        assert_eq!(visible_line("back\\slash.yaml"), "back\\slash.yaml");
    }
}
