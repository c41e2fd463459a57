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
//! dependency. Read with `roxmltree`: CDATA and the predefined and character entities are
//! handled, a document type declaration is refused and no external document is ever fetched.

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

/// Most elements a POM may hold: far above any real build (the largest public POMs have a
/// few thousand), low enough that a hostile one cannot exhaust memory.
const MAX_NODES: u32 = 1_000_000;

/// The text of an element: its text and CDATA children joined (entities already expanded by
/// the parser), trimmed as Maven trims values.
fn element_text(node: roxmltree::Node) -> String {
    let mut out = String::new();
    for child in node.children().filter(roxmltree::Node::is_text) {
        out.push_str(child.text().unwrap_or(""));
    }
    out.trim().to_string()
}

/// Read the parts of a POM the resolution needs. A real XML parser: CDATA sections and
/// entities are read as XML defines them, a document type declaration is refused (so no
/// entity is defined by the file and nothing external is ever fetched).
fn scan(text: &str) -> Result<Pom, ParseErr> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| {
        // The caller names the position; roxmltree's message ends with it too.
        let at = e.pos();
        let message = e.to_string();
        let message = message
            .strip_suffix(&format!(" at {at}"))
            .unwrap_or(&message);
        ParseErr::new(at.row, at.col, format!("not well-formed XML: {message}"))
    })?;
    let index = LineIndex::new(text);
    let root = doc.root_element();
    let mut pom = Pom::default();
    if root.tag_name().name() != "project" {
        return Ok(pom);
    }
    let mut stack = vec!["project"];
    walk(root, &mut stack, &index, &mut pom)?;
    Ok(pom)
}

/// Visit the children of `node`, whose element names from `<project>` down are `stack`, in
/// document order, so that later declarations override earlier ones as in Maven.
fn walk<'input>(
    node: roxmltree::Node<'_, 'input>,
    stack: &mut Vec<&'input str>,
    index: &LineIndex,
    pom: &mut Pom,
) -> Result<(), ParseErr> {
    for child in node.children().filter(roxmltree::Node::is_element) {
        let name = child.tag_name().name();
        let line = index.line(child.range().start);
        if stack.len() >= MAX_DEPTH {
            let (l, c) = index.line_col(child.range().start);
            return Err(ParseErr::new(
                l,
                c,
                format!("nesting deeper than {MAX_DEPTH} elements"),
            ));
        }
        let path = &stack[1..];
        match (path, name) {
            (["properties"], key) => {
                pom.properties.insert(key.to_string(), element_text(child));
            }
            ([], "groupId") => pom.group_id = Some(element_text(child)),
            ([], "artifactId") => pom.artifact_id = Some(element_text(child)),
            ([], "version") => pom.version = Some(element_text(child)),
            (["parent"], field) => {
                let parent = pom.parent.get_or_insert_with(ParentRef::default);
                let value = element_text(child);
                match field {
                    "groupId" => parent.group_id = value,
                    "artifactId" => parent.artifact_id = value,
                    "version" => parent.version = Some(value),
                    // `<relativePath/>` is meaningful: the parent is not to be looked for
                    // locally.
                    "relativePath" => parent.relative_path = Some(value),
                    _ => {}
                }
            }
            (["profiles"], "profile") => read_profile(child, pom),
            (_, "dependency") => {
                pom.deps.push(read_dependency(child, stack, index, line));
                continue;
            }
            _ => {}
        }
        stack.push(name);
        walk(child, stack, index, pom)?;
        stack.pop();
    }
    Ok(())
}

/// A `<profile>`: only one active by default applies to every build (the others depend on
/// flags and environments the scan cannot see); its properties win over the project's.
fn read_profile(profile: roxmltree::Node, pom: &mut Pom) {
    fn child<'a, 'input>(
        parent: roxmltree::Node<'a, 'input>,
        name: &str,
    ) -> Option<roxmltree::Node<'a, 'input>> {
        parent
            .children()
            .find(|n| n.is_element() && n.tag_name().name() == name)
    }
    let active = child(profile, "activation")
        .and_then(|a| child(a, "activeByDefault"))
        .is_some_and(|a| element_text(a) == "true");
    if !active {
        return;
    }
    if let Some(props) = child(profile, "properties") {
        for prop in props.children().filter(roxmltree::Node::is_element) {
            pom.properties
                .insert(prop.tag_name().name().to_string(), element_text(prop));
        }
    }
}

/// One `<dependency>` element: its child elements with the lines they start on.
fn read_dependency(node: roxmltree::Node, stack: &[&str], index: &LineIndex, line: u32) -> Dep {
    let fields = node
        .children()
        .filter(roxmltree::Node::is_element)
        .map(|field| {
            let at = index.line(field.range().start);
            (
                field.tag_name().name().to_string(),
                (element_text(field), at),
            )
        })
        .collect();
    Dep {
        fields,
        line,
        in_plugin: stack.contains(&"plugin"),
        managed: stack.contains(&"dependencyManagement"),
    }
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
