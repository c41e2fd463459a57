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

/// `text` with every unsafe character (see [`is_unsafe`]) written as a visible escape
/// (`\u{1b}`); line breaks and tabs stay. Borrowed when nothing had to change.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
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

/// [`sanitize_finding`] for a notification's message.
pub fn sanitize_notification(note: &mut crate::Notification) {
    clean(&mut note.message);
}

fn clean(text: &mut String) {
    if let Cow::Owned(safe) = visible(text) {
        *text = safe;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
