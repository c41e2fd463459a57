//! TG3002: a manifest that declares dependencies with no lockfile beside it (or above it, for
//! workspaces).

use std::collections::HashSet;

use tollgate_core::{Finding, Location, Span};

use crate::rules::NO_LOCKFILE;

/// Lockfiles that satisfy each manifest.
fn lockfiles_for(manifest: &str) -> Option<&'static [&'static str]> {
    Some(match manifest {
        "package.json" => &[
            "package-lock.json",
            "npm-shrinkwrap.json",
            "yarn.lock",
            "pnpm-lock.yaml",
        ],
        "pyproject.toml" => &[
            "poetry.lock",
            "uv.lock",
            "pdm.lock",
            "Pipfile.lock",
            "requirements.txt",
        ],
        "Pipfile" => &["Pipfile.lock"],
        "Gemfile" => &["Gemfile.lock"],
        "composer.json" => &["composer.lock"],
        _ => return None,
    })
}

/// The key under which the manifest declares dependencies, and whether it declares any: the
/// first line holding one of the keys that is followed by a non-empty value.
fn declares_dependencies(manifest: &str, text: &str) -> Option<u32> {
    let keys: &[&str] = match manifest {
        "package.json" => &[
            "\"dependencies\"",
            "\"devDependencies\"",
            "\"optionalDependencies\"",
        ],
        "composer.json" => &["\"require\""],
        "pyproject.toml" => &[
            "dependencies",
            "[tool.poetry.dependencies]",
            "[project.optional-dependencies]",
        ],
        "Pipfile" => &["[packages]", "[dev-packages]"],
        "Gemfile" => &["gem "],
        _ => return None,
    };
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(key) = keys.iter().find(|k| t.starts_with(**k)) else {
            continue;
        };
        if manifest == "Gemfile" {
            return Some(i as u32 + 1);
        }
        let rest = t[key.len()..].trim_start();
        let rest = rest
            .strip_prefix([':', '='])
            .unwrap_or(rest)
            .trim()
            .trim_end_matches(',');
        let declares = match rest {
            "{}" | "[]" => false,
            // An opening bracket or a table header: something must follow before it closes.
            "{" | "[" | "" => lines[i + 1..]
                .iter()
                .map(|l| l.trim())
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .is_some_and(|n| !n.starts_with(['}', ']', '['])),
            _ => true,
        };
        if declares {
            return Some(i as u32 + 1);
        }
    }
    None
}

/// Findings for manifests (path, text) given every path of the inventory.
pub fn check(manifests: &[(String, String)], all_paths: &HashSet<&str>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (path, text) in manifests {
        let (dir, file) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
        let Some(locks) = lockfiles_for(file) else {
            continue;
        };
        if path
            .split('/')
            .any(|c| c == "node_modules" || c == "vendor")
        {
            continue;
        }
        let Some(line) = declares_dependencies(file, text) else {
            continue;
        };
        // Same directory, or any directory above it (workspaces lock at the root).
        let mut d = Some(dir);
        let mut found = false;
        while let Some(cur) = d {
            let prefix = if cur.is_empty() {
                String::new()
            } else {
                format!("{cur}/")
            };
            if locks
                .iter()
                .any(|l| all_paths.contains(format!("{prefix}{l}").as_str()))
                || (file == "pyproject.toml"
                    && all_paths.iter().any(|p| {
                        p.strip_prefix(&prefix).is_some_and(|f| {
                            !f.contains('/') && f.starts_with("requirements") && f.ends_with(".txt")
                        })
                    }))
            {
                found = true;
                break;
            }
            d = if cur.is_empty() {
                None
            } else {
                Some(cur.rsplit_once('/').map_or("", |(p, _)| p))
            };
        }
        if found {
            continue;
        }
        out.push(
            Finding::new(
                NO_LOCKFILE,
                tollgate_core::Severity::Low,
                format!(
                    "{path} declares dependencies but no lockfile ({}) is committed with it.",
                    locks.join(", ")
                ),
                Location::at(path.clone(), Span::line(line)),
            )
            .resource(path.clone())
            .evidence(file),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(files: &[(&str, &str)], others: &[&str]) -> Vec<String> {
        let manifests: Vec<(String, String)> = files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        let mut all: HashSet<&str> = files.iter().map(|(p, _)| *p).collect();
        all.extend(others.iter().copied());
        check(&manifests, &all)
            .into_iter()
            .map(|f| {
                format!(
                    "{}:{}",
                    f.location.path,
                    f.location.start_line().unwrap_or(0)
                )
            })
            .collect()
    }

    #[test]
    fn package_json_without_lock_fires() {
        let pkg = "{\n  \"name\": \"fn\",\n  \"dependencies\": {\n    \"lodash\": \"^4\"\n  }\n}\n";
        assert_eq!(
            run(&[("fn/package.json", pkg)], &[]),
            vec!["fn/package.json:3"]
        );
        assert!(run(&[("fn/package.json", pkg)], &["fn/package-lock.json"]).is_empty());
        // A workspace root lockfile covers the packages below it.
        assert!(run(&[("packages/a/package.json", pkg)], &["yarn.lock"]).is_empty());
        let empty = "{\n  \"name\": \"fn\",\n  \"dependencies\": {}\n}\n";
        assert!(run(&[("package.json", empty)], &[]).is_empty());
    }

    #[test]
    fn pyproject_and_gemfile() {
        let py = "[project]\nname = \"svc\"\ndependencies = [\n  \"requests>=2\",\n]\n";
        assert_eq!(
            run(&[("svc/pyproject.toml", py)], &[]),
            vec!["svc/pyproject.toml:3"]
        );
        assert!(run(
            &[("svc/pyproject.toml", py)],
            &["svc/requirements-prod.txt"]
        )
        .is_empty());
        assert!(run(&[("svc/pyproject.toml", py)], &["svc/uv.lock"]).is_empty());
        let gem = "source 'https://rubygems.org'\ngem 'rails'\n";
        assert_eq!(run(&[("Gemfile", gem)], &[]), vec!["Gemfile:2"]);
        assert!(run(&[("Gemfile", gem)], &["Gemfile.lock"]).is_empty());
    }
}
