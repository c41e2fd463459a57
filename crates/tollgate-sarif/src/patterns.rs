//! The string patterns the SARIF schema gives some members (GUIDs, language tags, MIME types,
//! dotted-quad versions), checked by hand as the schema's regular expressions read them.

/// `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`
pub(crate) fn is_guid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            14 => (b'1'..=b'5').contains(b),
            19 => b"89abAB".contains(b),
            _ => b.is_ascii_hexdigit(),
        })
}

/// `^[a-zA-Z]{2}(-[a-zA-Z]{2})?$`
pub(crate) fn is_language(text: &str) -> bool {
    let bytes = text.as_bytes();
    let letters = |part: &[u8]| part.len() == 2 && part.iter().all(u8::is_ascii_alphabetic);
    match bytes.len() {
        2 => letters(bytes),
        5 => letters(&bytes[..2]) && bytes[2] == b'-' && letters(&bytes[3..]),
        _ => false,
    }
}

/// `[^/]+/.+`, unanchored: a character other than `/`, then a `/`, then any character other than
/// a line break.
pub(crate) fn is_mime_type(text: &str) -> bool {
    let mut seen_other = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if seen_other => {
                if chars.peek().is_some_and(|n| *n != '\n' && *n != '\r') {
                    return true;
                }
            }
            '/' => {}
            _ => seen_other = true,
        }
    }
    false
}

/// `[0-9]+(\.[0-9]+){3}`, unanchored: four dot-separated runs of digits somewhere in the text.
pub(crate) fn is_dotted_quad(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len()).any(|start| {
        let mut i = start;
        for part in 0..4 {
            if part > 0 {
                if bytes.get(i) != Some(&b'.') {
                    return false;
                }
                i += 1;
            }
            let digits = bytes[i.min(bytes.len())..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits == 0 {
                return false;
            }
            i += digits;
        }
        true
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_accept_and_refuse_as_the_schema_does() {
        assert!(is_guid("11111111-2222-4333-8444-555555555555"));
        assert!(!is_guid("11111111-2222-6333-8444-555555555555"));
        assert!(!is_guid("11111111-2222-4333-7444-555555555555"));
        assert!(!is_guid("########-####-####-####-############"));
        assert!(!is_guid("11111111-2222-4333-8444-55555555555"));
        assert!(is_language("en") && is_language("en-US"));
        assert!(!is_language("eng") && !is_language("en_US") && !is_language("e1"));
        assert!(is_mime_type("text/plain") && is_mime_type("a//b"));
        assert!(!is_mime_type("/plain") && !is_mime_type("text/") && !is_mime_type("text"));
        assert!(is_dotted_quad("1.2.3.4") && is_dotted_quad("v10.0.19041.1 (x)"));
        assert!(!is_dotted_quad("1.2.3") && !is_dotted_quad("1..2.3.4"));
    }
}
