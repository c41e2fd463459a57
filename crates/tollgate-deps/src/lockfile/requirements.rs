//! `requirements*.txt`: `name[extras]==1.2.3 ; markers --hash=...` lines, line continuations,
//! comments and `-r` includes (relative to the including file, never outside the scanned
//! root). Only exact pins (`==1.2.3`, `===1.2.3`) are checked; anything else is reported as an
//! unpinned requirement rather than guessed.

use std::collections::HashSet;

use super::{Includes, LockfileError};
use crate::package::{Package, Parsed, Unpinned};
use crate::Ecosystem;

/// Deepest chain of `-r` includes followed.
const MAX_INCLUDE_DEPTH: usize = 16;

/// Resolve `target` against the directory of `from` (both repository-relative). `None` when it
/// is absolute or climbs out of the root.
pub fn resolve_relative(from: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.starts_with('\\') || target.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for comp in target.split(['/', '\\']) {
        match comp {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// Logical lines: continuations joined, comments removed, each with its first physical line.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        if buf.is_empty() {
            start = i as u32 + 1;
        }
        let (body, continued) = match raw.trim_end().strip_suffix('\\') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        buf.push_str(body);
        buf.push(' ');
        if !continued {
            let line = strip_comment(&buf).trim().to_string();
            if !line.is_empty() {
                out.push((start, line));
            }
            buf.clear();
        }
    }
    let line = strip_comment(&buf).trim().to_string();
    if !line.is_empty() {
        out.push((start, line));
    }
    out
}

/// pip treats `#` at the start or after whitespace as a comment (a URL fragment is not one).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

fn option_value<'a>(line: &'a str, short: &str, long: &str) -> Option<&'a str> {
    for flag in [long, short] {
        if let Some(rest) = line.strip_prefix(flag) {
            let rest = rest.strip_prefix('=').unwrap_or(rest);
            if flag == short
                || rest.starts_with(' ')
                || line.as_bytes().get(flag.len()) == Some(&b'=')
            {
                return Some(rest.trim());
            }
        }
    }
    None
}

struct Walker<'a> {
    /// The file being scanned; packages from its includes say where they are declared.
    root: &'a str,
    includes: &'a dyn Includes,
    visited: HashSet<String>,
    out: Parsed,
}

impl Walker<'_> {
    fn file(&mut self, path: &str, text: &str, depth: usize) {
        for (line, content) in logical_lines(text) {
            if content.starts_with('-') {
                self.option(path, line, &content, depth);
            } else {
                self.requirement(path, line, &content);
            }
        }
    }

    fn option(&mut self, path: &str, line: u32, content: &str, depth: usize) {
        let Some(target) = option_value(content, "-r", "--requirement") else {
            // Index options, constraints (-c: they pin nothing that gets installed), editables.
            return;
        };
        let target = target.split_whitespace().next().unwrap_or("");
        let Some(resolved) = resolve_relative(path, target) else {
            self.out.skipped.push((
                line,
                format!(
                    "{path}: include `{target}` points outside the scanned directory, not followed"
                ),
            ));
            return;
        };
        if depth >= MAX_INCLUDE_DEPTH || !self.visited.insert(resolved.clone()) {
            return;
        }
        match self.includes.read(&resolved) {
            Ok(text) => self.file(&resolved, &text, depth + 1),
            Err(e) => self.out.skipped.push((
                line,
                format!("{path}: cannot read included `{target}`: {e}"),
            )),
        }
    }

    fn requirement(&mut self, path: &str, line: u32, content: &str) {
        // Per-requirement options (`--hash=...`) and environment markers do not change the pin.
        let spec = content.split(" --").next().unwrap_or(content);
        let spec = spec.split(';').next().unwrap_or(spec).trim();
        if spec.contains("://") || spec.contains(" @ ") || spec.contains('@') {
            self.out.skipped.push((
                line,
                format!("{path}: direct URL requirement `{spec}` is not checked"),
            ));
            return;
        }
        let name_end = spec
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(spec.len());
        let name = &spec[..name_end];
        if name.is_empty() {
            self.out.skipped.push((
                line,
                format!("{path}: cannot read a requirement from `{spec}`"),
            ));
            return;
        }
        let mut rest = spec[name_end..].trim_start();
        if rest.starts_with('[') {
            rest = rest.find(']').map_or("", |i| rest[i + 1..].trim_start());
        }
        let version_spec: String = rest
            .trim_start_matches('(')
            .trim_end_matches(')')
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let pinned = version_spec
            .strip_prefix("===")
            .or_else(|| version_spec.strip_prefix("=="))
            .filter(|v| !v.is_empty() && !v.contains([',', '*', '<', '>', '!', '~', '=']));
        match pinned {
            Some(version) => self.push(path, name, version, line),
            None => self.out.unpinned.push(Unpinned {
                name: name.to_string(),
                spec: version_spec,
                path: path.to_string(),
                line,
                reason: None,
            }),
        }
    }

    fn push(&mut self, path: &str, name: &str, version: &str, line: u32) {
        let mut package = Package::new(Ecosystem::PyPi, name, version, line);
        if path != self.root {
            package.declared_in = Some(path.to_string());
        }
        self.out.packages.push(package);
    }
}

pub fn parse(path: &str, text: &str, includes: &dyn Includes) -> Result<Parsed, LockfileError> {
    let mut walker = Walker {
        root: path,
        includes,
        visited: HashSet::from([path.to_string()]),
        out: Parsed::default(),
    };
    walker.file(path, text, 0);
    Ok(walker.out)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use super::*;
    use crate::lockfile::NoIncludes;

    struct Files(HashMap<&'static str, &'static str>);

    impl Includes for Files {
        fn read(&self, path: &str) -> Result<Arc<str>, String> {
            self.0
                .get(path)
                .map(|t| Arc::from(*t))
                .ok_or_else(|| format!("{path} not found"))
        }
    }

    #[test]
    fn pins_markers_hashes_extras() {
        let text = "# comment\n\
requests[security,socks]==2.19.1 ; python_version >= \"3.6\" \\\n    --hash=sha256:63b52e3c866428a224f97cab011de738c36aec0185aa91cfacd418b5d58911d1\n\
Django===3.2.0\n\
flask>=1.0\n\
numpy\n\
urllib3 == 1.24.1  # pinned\n\
pkg @ https://example.com/pkg-1.0.whl\n\
-e .\n\
--index-url https://pypi.org/simple\n\
six==1.*\n";
        let parsed = parse("requirements.txt", text, &NoIncludes).unwrap();
        let got = parsed.triples();
        assert_eq!(
            got,
            vec![
                ("requests", "2.19.1", 2),
                ("Django", "3.2.0", 4),
                ("urllib3", "1.24.1", 7)
            ]
        );
        let unpinned: Vec<_> = parsed
            .unpinned
            .iter()
            .map(|u| (u.name.as_str(), u.spec.as_str(), u.line))
            .collect();
        assert_eq!(
            unpinned,
            vec![
                ("flask", ">=1.0", 5),
                ("numpy", "", 6),
                ("six", "==1.*", 11)
            ]
        );
        assert_eq!(parsed.skipped.len(), 1);
    }

    #[test]
    fn includes_are_relative_and_stay_inside() {
        let files = Files(HashMap::from([
            ("svc/base.txt", "jinja2==2.10\n-r ../common/shared.txt\n"),
            ("common/shared.txt", "pyyaml==5.3\n-r ../svc/base.txt\n"),
        ]));
        let text = "-r base.txt\n--requirement=../../etc/passwd\n-r /etc/passwd\nflask==0.12\n";
        let parsed = parse("svc/requirements.txt", text, &files).unwrap();
        let got: Vec<_> = parsed
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.line, p.declared_in.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("jinja2", 1, Some("svc/base.txt")),
                ("pyyaml", 1, Some("common/shared.txt")),
                ("flask", 4, None),
            ]
        );
        assert_eq!(parsed.skipped.len(), 2, "{:?}", parsed.skipped);
    }

    #[test]
    fn relative_resolution() {
        assert_eq!(
            resolve_relative("a/b/req.txt", "../c.txt"),
            Some("a/c.txt".into())
        );
        assert_eq!(
            resolve_relative("req.txt", "sub/x.txt"),
            Some("sub/x.txt".into())
        );
        assert_eq!(resolve_relative("req.txt", "../x.txt"), None);
        assert_eq!(resolve_relative("a/req.txt", "C:/x.txt"), None);
    }
}
