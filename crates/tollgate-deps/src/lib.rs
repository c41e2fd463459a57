//! The dependency stage: lockfile parsers, version schemes, the OSV advisory store (local
//! directories, `all.zip` archives, a cached download, the online API) and the matcher that
//! turns advisories into findings at the exact lockfile line.

pub mod ecosystem;
pub mod lockfile;
pub mod package;
pub mod version;

pub use ecosystem::Ecosystem;
pub use lockfile::{LockfileError, LockfileKind};
pub use package::{Package, Parsed, Unpinned};
