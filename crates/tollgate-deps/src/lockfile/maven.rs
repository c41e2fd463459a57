//! Maven `pom.xml`: the `<dependency>` elements of a POM, with versions resolved the way
//! Maven would from what the repository holds: `${property}` from the POM and its parents,
//! `<dependencyManagement>` versions for dependencies that give none, `${project.version}`
//! and `${project.parent.version}`. Parents are read only from the scanned tree (the
//! `<relativePath>`, default `../pom.xml`, checked against the parent's coordinates, never
//! outside the root, at most ten deep, cycles refused). A version that still cannot
//! be resolved is reported as unresolved (TG3001) with its line, never guessed; when a parent or
//! an imported BOM from a remote repository could have supplied it, the message names it.
//!
//! Plugin dependencies are build tooling and skipped; `test` scope marks a development
//! dependency. A small tag scanner, not a full XML parser: no entities are expanded and no
//! external document is ever fetched.

use std::collections::HashMap;

use super::text::LineIndex;
use super::{Includes, ParseErr};
use crate::package::{Package, Parsed, Unpinned};
use crate::Ecosystem;

mod inherit;

use inherit::{interpolate, lineage, Effective, Unresolved};

const MAX_DEPTH: usize = 64;

/// One `<dependency>` element: its child elements with their lines.
#[derive(Default)]
struct Dep {
    fields: HashMap<String, (String, u32)>,
    line: u32,
    /// Inside a `<plugin>`: build tooling, not shipped.
    in_plugin: bool,
    /// Inside `<dependencyManagement>`: supplies versions rather than adding a dependency.
    managed: bool,
}

impl Dep {
    fn get(&self, key: &str) -> Option<(&str, u32)> {
        self.fields.get(key).map(|(v, l)| (v.as_str(), *l))
    }
}

/// `<parent>`: the coordinates a POM inherits from.
#[derive(Default)]
struct ParentRef {
    group_id: String,
    artifact_id: String,
    version: Option<String>,
    /// `None`: Maven's default `../pom.xml`; `Some("")`: look only in remote repositories.
    relative_path: Option<String>,
}

impl ParentRef {
    fn coordinates(&self) -> String {
        match &self.version {
            Some(v) => format!("{}:{}:{v}", self.group_id, self.artifact_id),
            None => format!("{}:{}", self.group_id, self.artifact_id),
        }
    }
}

/// What one POM declares, before inheritance.
#[derive(Default)]
struct Pom {
    group_id: Option<String>,
    artifact_id: Option<String>,
    version: Option<String>,
    parent: Option<ParentRef>,
    properties: HashMap<String, String>,
    deps: Vec<Dep>,
}

impl Pom {
    /// The groupId Maven uses: the POM's own, else its parent's.
    fn effective_group(&self) -> Option<&str> {
        self.group_id
            .as_deref()
            .or(self.parent.as_ref().map(|p| p.group_id.as_str()))
    }

    fn effective_version(&self) -> Option<&str> {
        self.version
            .as_deref()
            .or(self.parent.as_ref().and_then(|p| p.version.as_deref()))
    }
}

/// Replace comments with spaces, keeping offsets and newlines.
fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("-->")
            .map_or(rest.len(), |e| start + e + 3);
        // One byte per byte of the comment, so offsets (and lines) stay where they were.
        out.extend(
            rest.as_bytes()[start..end]
                .iter()
                .map(|&b| if b == b'\n' { '\n' } else { ' ' }),
        );
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Read the parts of a POM the resolution needs.
fn scan(text: &str) -> Result<Pom, ParseErr> {
    let clean = blank_comments(text);
    let index = LineIndex::new(&clean);
    let mut stack: Vec<String> = Vec::new();
    let mut text_buf = String::new();
    let mut pom = Pom::default();
    let mut current: Option<Dep> = None;
    // The profile being read: whether it is active by default, and its properties. Only a
    // profile active by default applies to every build; the others depend on flags and
    // environments the scan cannot see.
    let mut profile: Option<(bool, Vec<(String, String)>)> = None;
    let mut pos = 0;
    while let Some(rel) = clean[pos..].find('<') {
        let at = pos + rel;
        text_buf.push_str(&clean[pos..at]);
        let Some(end_rel) = clean[at..].find('>') else {
            let (l, c) = index.line_col(at);
            return Err(ParseErr::new(l, c, "expected `>` to close the tag"));
        };
        let end = at + end_rel;
        let tag = &clean[at + 1..end];
        pos = end + 1;
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            if stack.last().map(String::as_str) != Some(name) {
                let (l, c) = index.line_col(at);
                return Err(ParseErr::new(
                    l,
                    c,
                    format!(
                        "expected `</{}>`, found `</{name}>`",
                        stack.last().map_or("", |s| s)
                    ),
                ));
            }
            let value = text_buf.trim().to_string();
            let in_project = stack.first().is_some_and(|s| s == "project");
            let path: Vec<&str> = stack.iter().skip(1).map(String::as_str).collect();
            if in_project {
                match path.as_slice() {
                    ["properties", key] => {
                        pom.properties.insert((*key).to_string(), value.clone());
                    }
                    ["profiles", "profile", "activation", "activeByDefault"] => {
                        if let Some((active, _)) = profile.as_mut() {
                            *active = value == "true";
                        }
                    }
                    ["profiles", "profile", "properties", key] => {
                        if let Some((_, props)) = profile.as_mut() {
                            props.push(((*key).to_string(), value.clone()));
                        }
                    }
                    ["profiles", "profile"] => {
                        // An active profile's properties win over the project's, as in Maven.
                        if let Some((true, props)) = profile.take() {
                            pom.properties.extend(props);
                        }
                    }
                    ["groupId"] => pom.group_id = Some(value.clone()),
                    ["artifactId"] => pom.artifact_id = Some(value.clone()),
                    ["version"] => pom.version = Some(value.clone()),
                    ["parent", field] => {
                        let parent = pom.parent.get_or_insert_with(ParentRef::default);
                        match *field {
                            "groupId" => parent.group_id = value.clone(),
                            "artifactId" => parent.artifact_id = value.clone(),
                            "version" => parent.version = Some(value.clone()),
                            "relativePath" => parent.relative_path = Some(value.clone()),
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            let parent = stack.len().checked_sub(2).map(|i| stack[i].as_str());
            if parent == Some("dependency") {
                if let Some(dep) = current.as_mut() {
                    dep.fields.insert(name.to_string(), (value, index.line(at)));
                }
            }
            if name == "dependency" {
                if let Some(done) = current.take() {
                    pom.deps.push(done);
                }
            }
            stack.pop();
            text_buf.clear();
            continue;
        }
        let self_closing = tag.ends_with('/');
        let name = tag
            .trim_end_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
        text_buf.clear();
        if self_closing {
            // `<relativePath/>` is meaningful: the parent is not to be looked for locally.
            if name == "relativePath"
                && stack.len() == 2
                && stack[0] == "project"
                && stack[1] == "parent"
            {
                pom.parent
                    .get_or_insert_with(ParentRef::default)
                    .relative_path = Some(String::new());
            }
            continue;
        }
        if name == "profile" && stack.len() == 2 && stack[0] == "project" && stack[1] == "profiles"
        {
            profile = Some((false, Vec::new()));
        }
        if name == "dependency" {
            current = Some(Dep {
                line: index.line(at),
                in_plugin: stack.iter().any(|s| s == "plugin"),
                managed: stack.iter().any(|s| s == "dependencyManagement"),
                ..Dep::default()
            });
        }
        stack.push(name);
        if stack.len() > MAX_DEPTH {
            let (l, c) = index.line_col(at);
            return Err(ParseErr::new(
                l,
                c,
                format!("nesting deeper than {MAX_DEPTH} elements"),
            ));
        }
    }
    Ok(pom)
}

/// Parse the POM at repository-relative `path`, reading its parents through `files`.
pub fn parse(path: &str, text: &str, files: &dyn Includes) -> Result<Parsed, ParseErr> {
    let pom = scan(text)?;
    let lineage = lineage(path, &pom, files);
    let model = Effective::new(&pom, lineage);
    let mut out = Parsed::default();
    for dep in pom.deps.iter().filter(|d| !d.in_plugin) {
        let field = |k: &str| {
            dep.get(k)
                .map(|(v, _)| interpolate(v, &model.props).unwrap_or_else(|_| v.to_string()))
        };
        let (Some(group), Some(artifact)) = (field("groupId"), field("artifactId")) else {
            out.skipped
                .push((dep.line, "dependency without groupId or artifactId".into()));
            continue;
        };
        let name = format!("{group}:{artifact}");
        let managed = if dep.managed {
            None
        } else {
            model.managed.get(&name)
        };
        let scope = dep
            .get("scope")
            .map(|(s, _)| s.to_string())
            .or_else(|| managed.and_then(|m| m.scope.clone()));
        if scope.as_deref() == Some("import") {
            // A BOM only manages versions; it is not shipped.
            continue;
        }
        let (raw, line) = match (
            dep.get("version"),
            managed.and_then(|m| m.version.as_deref()),
        ) {
            (Some((v, line)), _) => (v.to_string(), line),
            (None, Some(v)) => (v.to_string(), dep.line),
            // A managed entry without a version manages only scope or exclusions.
            (None, None) if dep.managed => continue,
            (None, None) => {
                let why = model.unresolved(
                    "no `<version>`, and no `<dependencyManagement>` of this POM or its parents in the repository manages it".into(),
                );
                out.unpinned
                    .push(unresolved(&name, "", path, dep.line, why));
                continue;
            }
        };
        let version = match interpolate(&raw, &model.props) {
            Ok(v) => v,
            Err(Unresolved::Missing(prop)) => {
                let why = model.unresolved(format!(
                    "version `{raw}`: property `{prop}` is defined neither in this POM nor in its parents in the repository"
                ));
                out.unpinned.push(unresolved(&name, &raw, path, line, why));
                continue;
            }
            Err(Unresolved::Runaway(prop)) => {
                let why = format!("version `{raw}`: property `{prop}` does not expand to a value (it refers back to itself)");
                out.unpinned.push(unresolved(&name, &raw, path, line, why));
                continue;
            }
        };
        if version.is_empty() || version.starts_with(['[', '(']) {
            let why = if version.is_empty() {
                "the `<version>` is empty".to_string()
            } else {
                format!("version `{raw}` is a range, not one version")
            };
            out.unpinned.push(unresolved(&name, &raw, path, line, why));
            continue;
        }
        let dev = scope.as_deref() == Some("test");
        out.packages
            .push(Package::new(Ecosystem::Maven, name, version, line).dev(dev));
    }
    Ok(out)
}

fn unresolved(name: &str, spec: &str, path: &str, line: u32, why: String) -> Unpinned {
    Unpinned {
        name: name.to_string(),
        spec: spec.to_string(),
        path: path.to_string(),
        line,
        reason: Some(why),
    }
}

#[cfg(test)]
mod tests;
