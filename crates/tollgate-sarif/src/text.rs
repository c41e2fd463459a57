//! Plain text from the small markdown rules are written in, for SARIF's `text` fields (viewers
//! that show `text` show it raw, so `**` and backticks would be noise there).

/// Drop emphasis markers, code backticks and heading hashes, and write links as
/// `label (url)`. Code fences keep their content. Good enough for rule prose; not a full
/// markdown renderer.
pub fn plain(markdown: &str) -> String {
    let mut lines = Vec::new();
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            continue;
        }
        let line = trimmed
            .strip_prefix('#')
            .map(|rest| rest.trim_start_matches('#').trim_start())
            .unwrap_or(line);
        lines.push(inline(line));
    }
    lines.join("\n")
}

fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("**").or_else(|| rest.strip_prefix("__")) {
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix('`') {
            rest = after;
            continue;
        }
        if rest.starts_with('[') {
            if let Some((label, url, after)) = link(rest) {
                out.push_str(label);
                out.push_str(" (");
                out.push_str(url);
                out.push(')');
                rest = after;
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `[label](url)` at the start of `text`: (label, url, rest).
fn link(text: &str) -> Option<(&str, &str, &str)> {
    let close = text.find("](")?;
    let label = &text[1..close];
    let after = &text[close + 2..];
    let end = after.find(')')?;
    Some((label, &after[..end], &after[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn strips_markup() {
        assert_eq!(
            plain("## How to fix\n\nSet **`DeadLetterConfig`** per [docs](https://x/y)."),
            "How to fix\n\nSet DeadLetterConfig per docs (https://x/y)."
        );
        assert_eq!(plain("```yaml\na: 1\n```"), "a: 1");
        assert_eq!(plain("snake_case [unclosed"), "snake_case [unclosed");
    }
}
