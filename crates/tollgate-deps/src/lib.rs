//! The dependency stage: lockfile parsers, version schemes, the OSV advisory store (local
//! directories, `all.zip` archives, a cached download, the online API) and the matcher that
//! turns advisories into findings at the exact lockfile line.

pub mod cache;
pub mod ecosystem;
mod http;
pub mod lockfile;
mod manifest;
pub mod matcher;
pub mod online;
pub mod osv;
pub mod package;
pub mod report;
pub mod rules;
pub mod severity;
mod stage;
pub mod store;
pub mod update;
pub mod version;

pub use cache::default_cache_dir;
pub use ecosystem::Ecosystem;
pub use http::{DEFAULT_OSV_API, DEFAULT_OSV_BUCKET};
pub use lockfile::{LockfileError, LockfileKind};
pub use package::{Package, Parsed, Unpinned};
pub use stage::{DepsOptions, DepsStage, MAX_FINDINGS_PER_LOCKFILE};
pub use store::{AdvisoryDb, DbError};
pub use update::{update_db, EcosystemUpdate, UpdateOptions, UpdateOutcome, UpdateSummary};
