//! Layout of the downloaded advisory database: `<cache>/<ecosystem>/all.zip`, its index
//! `all.idx` and `meta.json` (validators for conditional requests and the download time).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::store::index::write_atomic;
use crate::store::DbError;
use crate::Ecosystem;

/// Days after which a cached database is stale.
pub const MAX_AGE_DAYS: i64 = 7;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// When the server last confirmed this copy (download or 304), Unix seconds.
    pub checked_at: i64,
}

pub fn ecosystem_dir(cache: &Path, eco: Ecosystem) -> PathBuf {
    cache.join(eco.osv_name())
}

pub fn zip_path(cache: &Path, eco: Ecosystem) -> PathBuf {
    ecosystem_dir(cache, eco).join("all.zip")
}

/// The zip's index sits beside it, as [`crate::AdvisoryDb::open`] looks for it.
pub fn index_path(cache: &Path, eco: Ecosystem) -> PathBuf {
    zip_path(cache, eco).with_extension("idx")
}

pub fn meta_path(cache: &Path, eco: Ecosystem) -> PathBuf {
    ecosystem_dir(cache, eco).join("meta.json")
}

/// The cached database of `eco`, if complete.
pub fn cached(cache: &Path, eco: Ecosystem) -> Option<(PathBuf, Meta)> {
    let zip = zip_path(cache, eco);
    if !zip.is_file() {
        return None;
    }
    let meta = std::fs::read(meta_path(cache, eco)).ok()?;
    let meta: Meta = serde_json::from_slice(&meta).ok()?;
    Some((zip, meta))
}

pub fn write_meta(cache: &Path, eco: Ecosystem, meta: &Meta) -> Result<(), DbError> {
    let bytes = serde_json::to_vec_pretty(meta).map_err(|e| DbError::Invalid {
        path: meta_path(cache, eco),
        message: e.to_string(),
    })?;
    write_atomic(&meta_path(cache, eco), &bytes)
}

/// `$TOLLGATE_CACHE_DIR`, else `$XDG_CACHE_HOME/tollgate/osv`, else `~/.cache/tollgate/osv`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = var("TOLLGATE_CACHE_DIR") {
        return Some(dir);
    }
    let base = var("XDG_CACHE_HOME").or_else(|| var("HOME").map(|h| h.join(".cache")))?;
    Some(base.join("tollgate").join("osv"))
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Whole days between `checked_at` and `today`.
pub fn age_days(checked_at: i64, today: time::Date) -> i64 {
    let checked = time::OffsetDateTime::from_unix_timestamp(checked_at)
        .map(|t| t.date())
        .unwrap_or(today);
    (today - checked).whole_days()
}
