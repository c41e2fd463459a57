//! Lockfile parsers. Each takes the file's text and returns the packages it pins, each with its
//! line; none executes anything. The kind is decided by the file name alone.

mod cargo;
mod composer;
mod gemfile;
mod gomod;
mod gradle;
mod maven;
mod npm;
mod pipfile;
mod pnpm;
mod python_toml;
mod requirements;
pub mod text;
mod toml_lock;
mod yarn;

use std::sync::Arc;

use crate::package::Parsed;
use crate::Ecosystem;

/// The lockfile formats the stage reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LockfileKind {
    CargoLock,
    /// `package-lock.json` (v1, v2, v3) and `npm-shrinkwrap.json`.
    NpmLock,
    /// `yarn.lock`, classic and berry.
    YarnLock,
    /// `pnpm-lock.yaml`, v5 to v9.
    PnpmLock,
    /// `requirements*.txt`.
    Requirements,
    PoetryLock,
    PipfileLock,
    UvLock,
    PdmLock,
    GoMod,
    /// `go.sum`, read only when no `go.mod` sits beside it.
    GoSum,
    GemfileLock,
    ComposerLock,
    GradleLockfile,
    /// Maven `pom.xml`, versions resolved through parents in the repository.
    MavenPom,
}

impl LockfileKind {
    /// Recognise a lockfile by its file name (the last path component).
    pub fn detect(file_name: &str) -> Option<LockfileKind> {
        Some(match file_name {
            "Cargo.lock" => LockfileKind::CargoLock,
            "package-lock.json" | "npm-shrinkwrap.json" => LockfileKind::NpmLock,
            "yarn.lock" => LockfileKind::YarnLock,
            "pnpm-lock.yaml" => LockfileKind::PnpmLock,
            "poetry.lock" => LockfileKind::PoetryLock,
            "Pipfile.lock" => LockfileKind::PipfileLock,
            "uv.lock" => LockfileKind::UvLock,
            "pdm.lock" => LockfileKind::PdmLock,
            "go.mod" => LockfileKind::GoMod,
            "go.sum" => LockfileKind::GoSum,
            "Gemfile.lock" | "gems.locked" => LockfileKind::GemfileLock,
            "composer.lock" => LockfileKind::ComposerLock,
            "gradle.lockfile" => LockfileKind::GradleLockfile,
            "pom.xml" => LockfileKind::MavenPom,
            name if name.starts_with("requirements") && name.ends_with(".txt") => {
                LockfileKind::Requirements
            }
            _ => return None,
        })
    }

    pub fn ecosystem(self) -> Ecosystem {
        match self {
            LockfileKind::CargoLock => Ecosystem::CratesIo,
            LockfileKind::NpmLock | LockfileKind::YarnLock | LockfileKind::PnpmLock => {
                Ecosystem::Npm
            }
            LockfileKind::Requirements
            | LockfileKind::PoetryLock
            | LockfileKind::PipfileLock
            | LockfileKind::UvLock
            | LockfileKind::PdmLock => Ecosystem::PyPi,
            LockfileKind::GoMod | LockfileKind::GoSum => Ecosystem::Go,
            LockfileKind::GemfileLock => Ecosystem::RubyGems,
            LockfileKind::ComposerLock => Ecosystem::Packagist,
            LockfileKind::GradleLockfile | LockfileKind::MavenPom => Ecosystem::Maven,
        }
    }
}

/// A lockfile that could not be read, with where and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{col}: {message}")]
pub struct LockfileError {
    pub path: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// A parser's error before the path is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseErr {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl ParseErr {
    pub fn new(line: u32, col: u32, message: impl Into<String>) -> Self {
        Self {
            line,
            col,
            message: message.into(),
        }
    }

    fn at(self, path: &str) -> LockfileError {
        LockfileError {
            path: path.to_string(),
            line: self.line,
            col: self.col,
            message: self.message,
        }
    }
}

impl From<serde_json::Error> for ParseErr {
    fn from(e: serde_json::Error) -> Self {
        let (line, col, msg) = text::json_error(&e);
        ParseErr::new(line, col, format!("expected valid JSON: {msg}"))
    }
}

/// Reads the files a requirements file includes with `-r`. The path is repository-relative
/// and already resolved against the including file; implementations refuse anything outside
/// the scanned root.
pub trait Includes {
    fn read(&self, path: &str) -> Result<Arc<str>, String>;
}

/// No includes available (a lone text, as in tests of other formats).
#[derive(Debug)]
pub struct NoIncludes;

impl Includes for NoIncludes {
    fn read(&self, path: &str) -> Result<Arc<str>, String> {
        Err(format!("cannot read included file {path}"))
    }
}

/// Parse `text`, the content of the lockfile at repository-relative `path`.
pub fn parse(
    kind: LockfileKind,
    path: &str,
    text: &str,
    includes: &dyn Includes,
) -> Result<Parsed, LockfileError> {
    // A bug tripped by one hostile lockfile costs that file only: it is reported as not
    // checked, and every other lockfile still is.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parse_unguarded(kind, path, text, includes)
    }))
    .unwrap_or_else(|_| {
        Err(LockfileError {
            path: path.to_string(),
            line: 1,
            col: 1,
            message: "the lockfile parser failed on this file, which was not checked; hint: please report it with the file".into(),
        })
    })
}

fn parse_unguarded(
    kind: LockfileKind,
    path: &str,
    text: &str,
    includes: &dyn Includes,
) -> Result<Parsed, LockfileError> {
    #[cfg(test)]
    if text.contains(tests::INJECTED_PANIC) {
        panic!("injected lockfile parser failure");
    }
    let result = match kind {
        LockfileKind::CargoLock => cargo::parse(text),
        LockfileKind::NpmLock => npm::parse(text),
        LockfileKind::YarnLock => yarn::parse(text),
        LockfileKind::PnpmLock => pnpm::parse(text),
        LockfileKind::Requirements => return requirements::parse(path, text, includes),
        LockfileKind::PoetryLock => python_toml::parse_poetry(text),
        LockfileKind::UvLock => python_toml::parse_uv(text),
        LockfileKind::PdmLock => python_toml::parse_pdm(text),
        LockfileKind::PipfileLock => pipfile::parse(text),
        LockfileKind::GoMod => gomod::parse_mod(text),
        LockfileKind::GoSum => gomod::parse_sum(text),
        LockfileKind::GemfileLock => gemfile::parse(text),
        LockfileKind::ComposerLock => composer::parse(text),
        LockfileKind::GradleLockfile => gradle::parse(text),
        LockfileKind::MavenPom => maven::parse(path, text, includes),
    };
    result.map_err(|e| e.at(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text that makes the parser panic in tests, to check what a panic costs.
    pub(super) const INJECTED_PANIC: &str = "<<panic here>>";

    #[test]
    fn a_parser_panic_is_an_error_naming_the_file() {
        let text = format!("requests==2.0.0\n{INJECTED_PANIC}\n");
        let err = parse(
            LockfileKind::Requirements,
            "app/requirements.txt",
            &text,
            &NoIncludes,
        )
        .unwrap_err();
        assert_eq!(err.path, "app/requirements.txt");
        assert!(err.message.contains("parser failed"), "{}", err.message);
        let fine = parse(
            LockfileKind::Requirements,
            "requirements.txt",
            "requests==2.0.0\n",
            &NoIncludes,
        );
        assert_eq!(fine.unwrap().packages.len(), 1);
    }

    #[test]
    fn detects_by_name() {
        assert_eq!(
            LockfileKind::detect("requirements-dev.txt"),
            Some(LockfileKind::Requirements)
        );
        assert_eq!(
            LockfileKind::detect("requirements.txt"),
            Some(LockfileKind::Requirements)
        );
        assert_eq!(
            LockfileKind::detect("npm-shrinkwrap.json"),
            Some(LockfileKind::NpmLock)
        );
        assert_eq!(LockfileKind::detect("package.json"), None);
        assert_eq!(LockfileKind::detect("requirements.in"), None);
    }
}
