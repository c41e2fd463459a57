//! What a lockfile declares: packages at exact versions, each with the line it is declared on.

use serde::{Deserialize, Serialize};

use crate::Ecosystem;

/// One resolved package of a lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The name as the lockfile writes it (advisories are matched on the normalised name).
    pub name: String,
    pub version: String,
    /// 1-based line where the package is declared.
    pub line: u32,
    /// Only needed for development (npm `dev`, Poetry `dev` group, Maven `test` scope...).
    pub dev: bool,
    /// The repository-relative file that declares it when that is not the lockfile scanned
    /// (a requirements file pulled in with `-r`); `line` is in that file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_in: Option<String>,
}

impl Package {
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        line: u32,
    ) -> Self {
        Self {
            ecosystem,
            name: name.into(),
            version: version.into(),
            line,
            dev: false,
            declared_in: None,
        }
    }

    pub fn dev(mut self, dev: bool) -> Self {
        self.dev = dev;
        self
    }
}

/// A requirement that does not pin one version (`requests>=2`), reported by TG3001 rather
/// than guessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unpinned {
    pub name: String,
    /// The specifier as written (`>=2,<3`, or empty for none).
    pub spec: String,
    /// The file that declares it (an included requirements file may differ from the one scanned).
    pub path: String,
    pub line: u32,
    /// Why no single version could be determined, when the specifier alone does not say
    /// (a Maven version whose property or managing parent is not in the repository).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Everything one lockfile yields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub packages: Vec<Package>,
    pub unpinned: Vec<Unpinned>,
    /// Entries skipped with a reason (`line`, message); reported as notes.
    pub skipped: Vec<(u32, String)>,
}

#[cfg(test)]
impl Parsed {
    /// (name, version, line, dev) of each package, for compact test expectations.
    pub fn quads(&self) -> Vec<(&str, &str, u32, bool)> {
        self.packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line, p.dev))
            .collect()
    }

    /// (name, version, line) of each package.
    pub fn triples(&self) -> Vec<(&str, &str, u32)> {
        self.packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect()
    }
}
