//! The package ecosystems tollgate understands, named as OSV names them.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::version;

/// A package ecosystem, with OSV's spelling (`crates.io`, `npm`, `PyPI`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ecosystem {
    #[serde(rename = "crates.io")]
    CratesIo,
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "PyPI")]
    PyPi,
    #[serde(rename = "Go")]
    Go,
    #[serde(rename = "RubyGems")]
    RubyGems,
    #[serde(rename = "Packagist")]
    Packagist,
    #[serde(rename = "Maven")]
    Maven,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 7] = [
        Ecosystem::CratesIo,
        Ecosystem::Npm,
        Ecosystem::PyPi,
        Ecosystem::Go,
        Ecosystem::RubyGems,
        Ecosystem::Packagist,
        Ecosystem::Maven,
    ];

    /// The name OSV uses in `affected[].package.ecosystem` and in its bucket paths.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPi => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::Maven => "Maven",
        }
    }

    /// Parse an OSV ecosystem name. OSV may add a suffix (`Debian:11`); ecosystems tollgate
    /// does not scan give `None`.
    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        let base = name.split(':').next().unwrap_or(name);
        Ecosystem::ALL
            .into_iter()
            .find(|e| e.osv_name().eq_ignore_ascii_case(base))
    }

    /// The package name as advisories and lockfiles are matched: PyPI names are normalised as
    /// PEP 503 says, Packagist names are case-insensitive, the others are exact.
    pub fn normalize_name(self, name: &str) -> String {
        match self {
            Ecosystem::PyPi => {
                let mut out = String::with_capacity(name.len());
                let mut sep = false;
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        sep = true;
                    } else {
                        if sep && !out.is_empty() {
                            out.push('-');
                        }
                        sep = false;
                        out.push(c.to_ascii_lowercase());
                    }
                }
                out
            }
            Ecosystem::Packagist => name.trim().to_ascii_lowercase(),
            _ => name.trim().to_string(),
        }
    }

    /// Order two versions of this ecosystem. Total: versions a scheme cannot parse are still
    /// ordered (after a documented fallback) so a range check never panics on odd input.
    pub fn compare(self, a: &str, b: &str) -> Ordering {
        match self {
            Ecosystem::CratesIo | Ecosystem::Npm => version::semver::compare(a, b),
            Ecosystem::Go => version::go::compare(a, b),
            Ecosystem::PyPi => version::pep440::compare(a, b),
            Ecosystem::RubyGems => version::rubygems::compare(a, b),
            Ecosystem::Maven => version::maven::compare(a, b),
            Ecosystem::Packagist => version::packagist::compare(a, b),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.osv_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osv_names_round_trip() {
        for e in Ecosystem::ALL {
            assert_eq!(Ecosystem::from_osv(e.osv_name()), Some(e));
        }
        assert_eq!(Ecosystem::from_osv("Debian:11"), None);
        assert_eq!(Ecosystem::from_osv("pypi"), Some(Ecosystem::PyPi));
    }

    #[test]
    fn pypi_names_follow_pep503() {
        assert_eq!(
            Ecosystem::PyPi.normalize_name("Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(
            Ecosystem::PyPi.normalize_name("zope.interface"),
            "zope-interface"
        );
        assert_eq!(Ecosystem::PyPi.normalize_name("a__b"), "a-b");
        assert_eq!(Ecosystem::Npm.normalize_name("React"), "React");
    }
}
