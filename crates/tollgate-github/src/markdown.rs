//! Text helpers shared by the reporters: GitHub's length limits (counted in characters),
//! hidden markers that let a re-run find its own comments, and markdown escaping.

/// Marks the sticky summary comment.
pub const SUMMARY_MARKER: &str = "<!-- tollgate:summary -->";
const FP_PREFIX: &str = "<!-- tollgate:fp=";

/// The hidden marker a review comment carries: the finding's rule and fingerprint, and
/// `fixed` once the finding is gone.
pub fn fp_marker(key: &str, fixed: bool) -> String {
    if fixed {
        format!("{FP_PREFIX}{key} state=fixed -->")
    } else {
        format!("{FP_PREFIX}{key} -->")
    }
}

/// The key and fixed-state of the marker in `body`, if any.
pub fn parse_fp_marker(body: &str) -> Option<(String, bool)> {
    let start = body.find(FP_PREFIX)? + FP_PREFIX.len();
    let rest = &body[start..];
    let end = rest.find("-->")?;
    let inner = rest[..end].trim();
    let (key, fixed) = match inner.strip_suffix("state=fixed") {
        Some(k) => (k.trim(), true),
        None => (inner, false),
    };
    (!key.is_empty() && !key.contains(char::is_whitespace)).then(|| (key.to_string(), fixed))
}

/// Cut `text` to at most `max` characters, ending with `note` when anything was cut. The cut
/// falls on a line boundary when one is near, so tables and lists stay whole.
pub fn truncate_chars(text: &str, max: usize, note: &str) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let keep = max.saturating_sub(note.chars().count() + 2);
    let byte_end = text
        .char_indices()
        .nth(keep)
        .map(|(i, _)| i)
        .unwrap_or(text.len());
    let mut head = &text[..byte_end];
    if let Some(nl) = head.rfind('\n') {
        if nl > byte_end / 2 {
            head = &head[..nl];
        }
    }
    format!("{head}\n\n{note}")
}

/// Text from a scanned file or a tool made safe inside a markdown table cell (kept in
/// tollgate-core so the compliance report escapes the same way).
pub use tollgate_core::display::markdown_escape as escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip() {
        let m = fp_marker("TG1001/abc123", false);
        assert_eq!(
            parse_fp_marker(&format!("text\n{m}")),
            Some(("TG1001/abc123".into(), false))
        );
        let f = fp_marker("TG1001/abc123", true);
        assert_eq!(parse_fp_marker(&f), Some(("TG1001/abc123".into(), true)));
        assert_eq!(parse_fp_marker("no marker"), None);
    }

    #[test]
    fn escapes_what_github_would_render() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("[x](http://e)"), "\\[x\\]\\(http:\u{200B}//e\\)");
        assert_eq!(escape("<img src=x>"), "&lt;img src\\=x&gt;");
        assert_eq!(escape("**bold**\nnext"), "\\*\\*bold\\*\\*\\\\nnext");
        assert_eq!(
            escape("cc @octocat and @org/team"),
            "cc @\u{200B}octocat and @\u{200B}org/team"
        );
        assert_eq!(escape("fixes #12"), "fixes \\#\u{200B}12");
        assert_eq!(escape("see www.evil.test"), "see www\u{200B}\\.evil\\.test");
        assert_eq!(
            escape("https://evil.test/x"),
            "https:\u{200B}//evil\\.test/x"
        );
        assert_eq!(escape("\x1b[31mred"), "\\\\u\\{1b\\}\\[31mred");
        assert_eq!(escape("a &amp; b"), "a &amp;amp; b");
    }

    #[test]
    fn truncation_respects_char_limit() {
        let text = "é".repeat(70_000);
        let cut = truncate_chars(&text, 65_535, "(truncated)");
        assert!(cut.chars().count() <= 65_535);
        assert!(cut.ends_with("(truncated)"));
        assert_eq!(truncate_chars("short", 10, "x"), "short");
    }
}
