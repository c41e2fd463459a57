//! Repository paths: joining relative parts without ever leaving the scanned root, and turning
//! import specifiers into files of the same package.

use crate::lang::Lang;

/// The directory part of a repository path (`""` for a file at the root).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `dir` joined with `rel`, `.` and `..` resolved. None when the result would leave the root or
/// `rel` is absolute.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') || rel.contains('\\') || rel.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The file an import of `spec` in `from` names, if the package holds one. `exists` says
/// whether a repository path is a scanned file.
pub fn resolve_import(
    from: &str,
    lang: Lang,
    spec: &str,
    exists: &dyn Fn(&str) -> bool,
) -> Option<String> {
    let dir = parent(from);
    if lang.is_python() {
        let dots = spec.chars().take_while(|c| *c == '.').count();
        let rest = &spec[dots..];
        let rel = rest.replace('.', "/");
        let candidates = |base: &str| -> Option<String> {
            if rel.is_empty() {
                let init = join(base, "__init__.py")?;
                return exists(&init).then_some(init);
            }
            [format!("{rel}.py"), format!("{rel}/__init__.py")]
                .iter()
                .filter_map(|c| join(base, c))
                .find(|p| exists(p))
        };
        if dots > 0 {
            let mut base = dir.to_string();
            for _ in 1..dots {
                base = parent(&base).to_string();
            }
            return candidates(&base);
        }
        // An absolute import: the handler's own directory first, then each directory above
        // it (the code root is one of them).
        let mut base = dir.to_string();
        loop {
            if let Some(found) = candidates(&base) {
                return Some(found);
            }
            if base.is_empty() {
                return None;
            }
            base = parent(&base).to_string();
        }
    }
    if !spec.starts_with("./") && !spec.starts_with("../") {
        return None;
    }
    let base = join(dir, spec)?;
    let mut candidates = vec![base.clone()];
    for ext in [".js", ".mjs", ".cjs", ".ts", "/index.js", "/index.ts"] {
        candidates.push(format!("{base}{ext}"));
    }
    if let Some(stem) = base.strip_suffix(".js") {
        candidates.push(format!("{stem}.ts"));
    }
    candidates
        .into_iter()
        .find(|c| Lang::of_path(c).is_some() && exists(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_stay_inside_the_root() {
        assert_eq!(join("src/a", "../b/c.py").as_deref(), Some("src/b/c.py"));
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("src", "/etc/passwd"), None);
        assert_eq!(join("src", "./x/./y.js").as_deref(), Some("src/x/y.js"));
    }

    #[test]
    fn imports_resolve_to_package_files() {
        let files = [
            "src/app.py",
            "src/util.py",
            "src/pkg/__init__.py",
            "lib/h.js",
            "lib/u.ts",
        ];
        let exists = |p: &str| files.contains(&p);
        assert_eq!(
            resolve_import("src/app.py", Lang::Python, "util", &exists).as_deref(),
            Some("src/util.py")
        );
        assert_eq!(
            resolve_import("src/pkg/x.py", Lang::Python, "..util", &exists).as_deref(),
            Some("src/util.py")
        );
        assert_eq!(
            resolve_import("src/app.py", Lang::Python, "pkg", &exists).as_deref(),
            Some("src/pkg/__init__.py")
        );
        assert_eq!(
            resolve_import("src/app.py", Lang::Python, "os", &exists),
            None
        );
        assert_eq!(
            resolve_import("lib/h.js", Lang::JavaScript, "./u.js", &exists).as_deref(),
            Some("lib/u.ts")
        );
        assert_eq!(
            resolve_import("lib/h.js", Lang::JavaScript, "child_process", &exists),
            None
        );
    }
}
