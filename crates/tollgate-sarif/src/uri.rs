//! Repository paths as SARIF URIs and back.
//!
//! SARIF `artifactLocation.uri` is a URI reference, so a path with a space, `#`, `%` or a
//! non-ASCII letter has to be percent-encoded or GitHub (and the schema's `uri-reference`
//! format) will misread it.

use std::path::{Component, Path, PathBuf};

/// Whether `b` may stand as itself in a path segment. `:` is encoded too, so a first segment
/// such as `c:x` can never be mistaken for a scheme.
fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b'@'
        )
}

fn push_encoded(out: &mut String, text: &str) {
    for &b in text.as_bytes() {
        if b == b'/' || is_plain(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// A repository-relative path (`src/my file#1.yaml`) as a relative URI (`src/my%20file%231.yaml`).
/// Repository paths always separate with `/`; a backslash is part of a name (`back\slash.yaml`
/// is one file on Linux) and is encoded as `%5C`, so the URI names that file and no other.
pub fn encode_path(path: &str) -> String {
    let trimmed = path.trim_start_matches("./");
    let mut out = String::with_capacity(trimmed.len());
    push_encoded(&mut out, trimmed);
    out
}

/// Undo percent-encoding. Malformed escapes are kept as written rather than refused: the
/// result is only ever used as a path to show or compare.
pub fn decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `text` is an absolute URI as RFC 3986 (and the SARIF schema's `uri` format) defines
/// it: a scheme, no character outside the URI alphabet, every `%` followed by two hex digits.
pub fn is_valid_uri(text: &str) -> bool {
    fluent_uri::Uri::parse(text).is_ok()
}

/// Whether `text` is a URI reference (absolute or relative) as RFC 3986 defines it.
pub fn is_valid_uri_reference(text: &str) -> bool {
    fluent_uri::UriRef::parse(text).is_ok()
}

/// A URI reference from another tool made valid while naming the same thing: every byte a URI
/// cannot hold as itself (a space, a byte-order mark, a non-ASCII letter, a `%` that starts no
/// escape) percent-encoded, and the rest kept as written (`src/a%ZZ.py` -> `src/a%25ZZ.py`,
/// which decodes back to the name the tool wrote). When the delimiters kept that way still do
/// not make a URI reference (`1:x` reads as a bad scheme), they are encoded too.
pub fn reencode_reference(text: &str) -> String {
    let with_delimiters = encode_for_reference(text, true);
    if is_valid_uri_reference(&with_delimiters) {
        return with_delimiters;
    }
    encode_for_reference(text, false)
}

fn encode_for_reference(text: &str, keep_delimiters: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &b) in bytes.iter().enumerate() {
        let escape_starts = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        let keep = escape_starts
            || is_plain(b)
            || b == b'/'
            || (keep_delimiters && matches!(b, b':' | b'?' | b'#' | b'[' | b']'));
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether `text` is an RFC 3339 date-time (`2026-12-06T21:40:14.5Z`, `...+01:00`), as the
/// SARIF schema's `date-time` format wants. Leap seconds are refused: a timestamp from another
/// tool is only ever dropped for it.
pub fn is_rfc3339_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(range)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let (Some(hour), Some(minute), Some(second)) = (digits(11..13), digits(14..16), digits(17..19))
    else {
        return false;
    };
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't'))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let count = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if count == 0 {
            return false;
        }
        rest = &fraction[count..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    }
}

/// A `file://` URI for a directory, ending with `/` as `originalUriBaseIds` requires.
pub fn dir_uri(dir: &Path) -> String {
    let mut uri = path_uri(dir);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// A `file://` URI for an absolute path.
pub fn path_uri(path: &Path) -> String {
    // Only Windows separates with a backslash; elsewhere it is a character of a name.
    let mut text = path.to_string_lossy().into_owned();
    if cfg!(windows) {
        text = text.replace('\\', "/");
    }
    if !text.starts_with('/') {
        // Windows drive paths (`C:/x`) become `file:///C:/x`.
        text.insert(0, '/');
    }
    let mut out = String::from("file://");
    for (i, segment) in text.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        // Keep a drive letter's colon readable: `file:///C:/`.
        if i == 1 && segment.len() == 2 && segment.ends_with(':') {
            out.push_str(segment);
        } else {
            push_encoded(&mut out, segment);
        }
    }
    out
}

/// The local path a `file:` URI names (`file:///a/b%20c` -> `/a/b c`), or `None` for another
/// scheme or a remote host.
pub fn file_uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = strip_prefix_ignore_case(uri, "file:")?;
    let path = if let Some(after) = rest.strip_prefix("//") {
        // `file://host/path`: only an empty host or localhost names this machine.
        let (host, path) = match after.find('/') {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        };
        if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
            return None;
        }
        path
    } else {
        rest
    };
    let decoded = decode(path);
    // `/C:/x` is a Windows drive path.
    let bytes = decoded.as_bytes();
    if bytes.len() >= 3 && bytes[0] == b'/' && bytes[2] == b':' && bytes[1].is_ascii_alphabetic() {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Whether a URI reference has a scheme (`https:`, `file:`), i.e. is absolute.
pub fn has_scheme(uri: &str) -> bool {
    let Some(colon) = uri.find(':') else {
        return false;
    };
    let scheme = &uri[..colon];
    // A one-letter "scheme" is a Windows drive (`C:\x`), not a URI.
    scheme.len() > 1
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Resolve `.` and `..` without touching the file system (the paths come from an untrusted log
/// and may not exist here). `..` above the root stays at the root.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `root` with `/` separators, when it lies under it.
pub fn relative_to(path: &Path, root: &Path) -> Option<String> {
    let rel = normalize(path)
        .strip_prefix(normalize(root))
        .ok()?
        .to_path_buf();
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_what_a_uri_cannot_hold() {
        assert_eq!(encode_path("a b/c#1%.yaml"), "a%20b/c%231%25.yaml");
        assert_eq!(encode_path("./x/é.tf"), "x/%C3%A9.tf");
        assert_eq!(encode_path("c:x"), "c%3Ax");
        assert_eq!(decode("a%20b/c%231%25.yaml"), "a b/c#1%.yaml");
        assert_eq!(decode("x/%C3%A9.tf"), "x/é.tf");
        assert_eq!(decode("bad%2"), "bad%2");
        assert_eq!(decode("bad%zz"), "bad%zz");
        // A backslash is a character of a Linux file name, not a separator.
        assert_eq!(encode_path("dir/back\\slash.yaml"), "dir/back%5Cslash.yaml");
        assert_eq!(decode("dir/back%5Cslash.yaml"), "dir/back\\slash.yaml");
    }

    #[test]
    fn uris_are_checked_and_references_reencoded() {
        assert!(is_valid_uri("https://example.com/rules/A?x=1#f"));
        assert!(!is_valid_uri("https://example.com/\u{feff}tool"));
        assert!(!is_valid_uri("https://example.com/%ZZ"));
        assert!(!is_valid_uri("relative/path"));
        assert!(is_valid_uri_reference("relative/path%20x"));
        assert!(!is_valid_uri_reference("a b"));
        assert_eq!(reencode_reference("src/a%ZZ.py"), "src/a%25ZZ.py");
        assert_eq!(reencode_reference("src/b\u{feff}.py"), "src/b%EF%BB%BF.py");
        assert_eq!(
            reencode_reference("https://h/a b?q#f"),
            "https://h/a%20b?q#f"
        );
        assert_eq!(decode(&reencode_reference("x y%2")), "x y%2");
        // A colon before any slash reads as a scheme, and `1` cannot start one.
        assert_eq!(reencode_reference("1:x"), "1%3Ax");
        for odd in ["//[x", "a#b#c", "http://h:port/", "?#[]"] {
            assert!(is_valid_uri_reference(&reencode_reference(odd)), "{odd}");
        }
    }

    #[test]
    fn date_times_are_rfc_3339() {
        for good in [
            "2026-12-06T21:40:14Z",
            "2024-02-29T00:00:00.123456789+01:30",
            "2026-01-01t00:00:00z",
        ] {
            assert!(is_rfc3339_date_time(good), "{good}");
        }
        for bad in [
            "2026-12-06",
            "2026 -12-06T21:40:14Z",
            "2026-12-06T21:40:14.Z",
            "2025-02-29T00:00:00Z",
            "2026-12-06T24:00:00Z",
            "2026-12-06T21:40:14+24:00",
            "2026-12-06T21:40:14",
            "2026-12-06T21:40:14Zx",
            "2026-12-06T21:40:1é",
        ] {
            assert!(!is_rfc3339_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn file_uris_round_trip() {
        let uri = dir_uri(Path::new("/home/me/my repo"));
        assert_eq!(uri, "file:///home/me/my%20repo/");
        assert_eq!(
            file_uri_to_path("file:///home/me/my%20repo/a.yaml").unwrap(),
            PathBuf::from("/home/me/my repo/a.yaml")
        );
        assert_eq!(
            file_uri_to_path("file:/x/y").unwrap(),
            PathBuf::from("/x/y")
        );
        assert!(file_uri_to_path("file://elsewhere/x").is_none());
        assert!(file_uri_to_path("https://x/y").is_none());
        assert!(has_scheme("https://x") && has_scheme("file:///x"));
        assert!(!has_scheme("C:\\x") && !has_scheme("a/b"));
    }

    #[test]
    fn relative_paths_stay_inside() {
        let root = Path::new("/r/repo");
        assert_eq!(
            relative_to(Path::new("/r/repo/./a/../b/c.tf"), root).unwrap(),
            "b/c.tf"
        );
        assert!(relative_to(Path::new("/r/repo/../other/x"), root).is_none());
    }
}
