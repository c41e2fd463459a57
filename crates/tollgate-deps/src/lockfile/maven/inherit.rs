//! Maven inheritance as far as the repository shows it: the chain of parent POMs read from
//! the scanned tree, and the effective properties and managed versions a POM sees through it.

use std::collections::{HashMap, HashSet};

use super::{scan, Pom};
use crate::lockfile::Includes;

/// Parents followed above a POM; real projects use two or three.
pub const MAX_PARENTS: usize = 10;
/// `${...}` expansions within one value (a property may name another).
const MAX_EXPANSIONS: usize = 32;
/// Longest value an expansion may build.
const MAX_VALUE_LEN: usize = 4096;

/// The POMs one POM inherits from, as far as the repository holds them.
pub(super) struct Lineage {
    /// (path, POM) of each parent found in the scanned tree, nearest first.
    parents: Vec<(String, Pom)>,
    /// Why the chain stops short of its top: a parent that is not in the repository (named by
    /// its coordinates), outside the root, in a cycle or too far up.
    missing: Option<String>,
}

/// The directory part of a repository-relative path (`""` at the root).
pub(super) fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// `rel` (a `<relativePath>`: a POM file or the directory holding `pom.xml`) resolved against
/// the repository-relative `dir`; `None` when it leaves the scanned root or is absolute.
pub(super) fn join(dir: &str, rel: &str) -> Option<String> {
    if rel.starts_with(['/', '\\']) || rel.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    if !parts.last().is_some_and(|p| p.ends_with(".xml")) {
        parts.push("pom.xml");
    }
    Some(parts.join("/"))
}

/// Follow `<parent>` from the POM at `path` through the files of the scanned tree.
pub(super) fn lineage(path: &str, pom: &Pom, files: &dyn Includes) -> Lineage {
    let mut parents: Vec<(String, Pom)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::from([path.to_string()]);
    let missing = loop {
        let (child_path, child) = parents
            .last()
            .map_or((path, pom), |(p, pom)| (p.as_str(), pom));
        let Some(parent) = &child.parent else {
            break None;
        };
        let coords = parent.coordinates();
        if parents.len() >= MAX_PARENTS {
            break Some(format!(
                "parent {coords} is more than {MAX_PARENTS} levels up and was not followed"
            ));
        }
        let rel = parent.relative_path.as_deref().unwrap_or("../pom.xml");
        if rel.trim().is_empty() {
            break Some(format!(
                "parent {coords} comes from a remote repository (empty `<relativePath>`)"
            ));
        }
        let Some(candidate) = join(dir_of(child_path), rel.trim()) else {
            break Some(format!(
                "parent {coords} is not in the repository (`{rel}` from {child_path} leads outside the scanned directory)"
            ));
        };
        if !seen.insert(candidate.clone()) {
            break Some(format!(
                "parent {coords}: {candidate} is already among the parents (a cycle)"
            ));
        }
        let text = match files.read(&candidate) {
            Ok(t) => t,
            Err(e) => {
                break Some(format!(
                    "parent {coords} is not in the repository ({candidate}: {e})"
                ))
            }
        };
        let found = match scan(&text) {
            Ok(p) => p,
            Err(e) => {
                break Some(format!(
                    "parent {coords} could not be read ({candidate}:{}:{}: {})",
                    e.line, e.col, e.message
                ))
            }
        };
        let same = found.effective_group() == Some(parent.group_id.as_str())
            && found.artifact_id.as_deref() == Some(parent.artifact_id.as_str());
        if !same {
            break Some(format!(
                "parent {coords} is not in the repository ({candidate} is {}:{})",
                found.effective_group().unwrap_or("?"),
                found.artifact_id.as_deref().unwrap_or("?")
            ));
        }
        parents.push((candidate, found));
    };
    Lineage { parents, missing }
}

/// Why a `${...}` value did not resolve.
pub(super) enum Unresolved {
    /// The property is defined nowhere that was read.
    Missing(String),
    /// Expansion did not end (a property that names itself) or grew too large.
    Runaway(String),
}

/// Expand every `${name}` of `raw` from `props`, properties naming properties included.
pub(super) fn interpolate(
    raw: &str,
    props: &HashMap<String, String>,
) -> Result<String, Unresolved> {
    let mut value = raw.to_string();
    for _ in 0..MAX_EXPANSIONS {
        let Some(start) = value.find("${") else {
            return Ok(value);
        };
        let Some(len) = value[start..].find('}') else {
            return Err(Unresolved::Missing(value[start + 2..].to_string()));
        };
        let key = value[start + 2..start + len].to_string();
        let Some(found) = props.get(&key) else {
            return Err(Unresolved::Missing(key));
        };
        value.replace_range(start..start + len + 1, found);
        if value.len() > MAX_VALUE_LEN {
            return Err(Unresolved::Runaway(key));
        }
    }
    let key = value
        .find("${")
        .and_then(|s| value[s + 2..].split('}').next())
        .unwrap_or("")
        .to_string();
    Err(Unresolved::Runaway(key))
}

/// A version supplied by `<dependencyManagement>`.
pub(super) struct Managed {
    pub version: Option<String>,
    pub scope: Option<String>,
}

/// Everything a POM's dependencies are resolved against: its own declarations merged over
/// those of its parents, nearest winning, as Maven builds the effective model.
pub(super) struct Effective {
    pub props: HashMap<String, String>,
    pub managed: HashMap<String, Managed>,
    /// `import`-scoped BOMs (`group:artifact:version`): remote, so what they manage is unknown.
    boms: Vec<String>,
    missing: Option<String>,
}

impl Effective {
    pub(super) fn new(pom: &Pom, lineage: Lineage) -> Self {
        let chain: Vec<&Pom> = lineage
            .parents
            .iter()
            .rev()
            .map(|(_, p)| p)
            .chain([pom])
            .collect();
        let mut props: HashMap<String, String> = HashMap::new();
        for p in &chain {
            props.extend(p.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        // The model's own values; `${project.version}` in a parent means the child's version.
        let mut model = vec![
            ("project.groupId", pom.effective_group()),
            ("project.artifactId", pom.artifact_id.as_deref()),
            ("project.version", pom.effective_version()),
            ("pom.version", pom.effective_version()),
        ];
        if let Some(parent) = &pom.parent {
            model.extend([
                ("project.parent.groupId", Some(parent.group_id.as_str())),
                (
                    "project.parent.artifactId",
                    Some(parent.artifact_id.as_str()),
                ),
                ("project.parent.version", parent.version.as_deref()),
            ]);
        }
        for (key, value) in model {
            if let Some(v) = value {
                props.insert(key.to_string(), v.to_string());
            }
        }
        let mut managed = HashMap::new();
        let mut boms = Vec::new();
        for p in &chain {
            for dep in p.deps.iter().filter(|d| d.managed && !d.in_plugin) {
                let field = |k: &str| {
                    dep.get(k)
                        .map(|(v, _)| interpolate(v, &props).unwrap_or_else(|_| v.to_string()))
                };
                let (Some(group), Some(artifact)) = (field("groupId"), field("artifactId")) else {
                    continue;
                };
                let scope = dep.get("scope").map(|(s, _)| s.to_string());
                if scope.as_deref() == Some("import") {
                    boms.push(format!(
                        "{group}:{artifact}:{}",
                        field("version").unwrap_or_default()
                    ));
                    continue;
                }
                managed.insert(
                    format!("{group}:{artifact}"),
                    Managed {
                        version: dep.get("version").map(|(v, _)| v.to_string()),
                        scope,
                    },
                );
            }
        }
        Self {
            props,
            managed,
            boms,
            missing: lineage.missing,
        }
    }

    /// `what` could not be resolved, plus what outside the repository might have resolved it.
    pub(super) fn unresolved(&self, what: String) -> String {
        let mut out = what;
        if let Some(missing) = &self.missing {
            out.push_str(&format!("; {missing}, so what it defines is unknown"));
        }
        if !self.boms.is_empty() {
            out.push_str(&format!(
                "; imported BOM {} is not read",
                self.boms.join(", ")
            ));
        }
        out
    }
}
