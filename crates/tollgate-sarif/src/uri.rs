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
