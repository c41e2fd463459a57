//! `tollgate db update`: download each ecosystem's OSV `all.zip` into the cache, conditionally
//! (ETag / Last-Modified), check it by reading every entry and building its index, and only
//! then replace the old copy with a rename. A failed or interrupted download leaves the
//! previous database as it was.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cache::{self, Meta};
use crate::http::{self, Attempt};
use crate::store::{self, DbError};
use crate::Ecosystem;
use tollgate_proxy::ProxyEnv;

/// Largest archive accepted (the biggest OSV ecosystems are a few hundred MB).
pub const MAX_DOWNLOAD_BYTES: u64 = 4 * 1024 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct UpdateOptions {
    pub ecosystems: Vec<Ecosystem>,
    /// Bucket holding `<ecosystem>/all.zip`; default [`http::DEFAULT_OSV_BUCKET`].
    pub base_url: String,
    pub cache_dir: PathBuf,
    /// Whole-request timeout per download.
    pub timeout: Duration,
    /// Proxy settings (default: from `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`).
    pub proxies: ProxyEnv,
}

impl UpdateOptions {
    /// Every ecosystem, from the public OSV bucket, into `cache_dir`.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            ecosystems: Ecosystem::ALL.to_vec(),
            base_url: http::DEFAULT_OSV_BUCKET.to_string(),
            cache_dir: cache_dir.into(),
            timeout: Duration::from_secs(30 * 60),
            proxies: ProxyEnv::from_env(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOutcome {
    Downloaded {
        bytes: u64,
        advisories: usize,
    },
    /// The server said the cached copy is current (304).
    NotModified,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcosystemUpdate {
    pub ecosystem: Ecosystem,
    pub outcome: UpdateOutcome,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateSummary {
    pub updated: Vec<EcosystemUpdate>,
}

/// Update every requested ecosystem. Ecosystems that fail are listed in the error; the others
/// are updated all the same.
pub fn update_db(opts: &UpdateOptions) -> Result<UpdateSummary, DbError> {
    let agent = http::agent(opts.timeout, &opts.base_url, &opts.proxies)?;
    let mut summary = UpdateSummary::default();
    let mut failures = Vec::new();
    for &eco in &opts.ecosystems {
        match update_one(&agent, opts, eco) {
            Ok(outcome) => summary.updated.push(EcosystemUpdate {
                ecosystem: eco,
                outcome,
                path: cache::zip_path(&opts.cache_dir, eco),
            }),
            Err(e) => failures.push((eco, e)),
        }
    }
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(DbError::Update(failures))
    }
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn update_one(
    agent: &ureq::Agent,
    opts: &UpdateOptions,
    eco: Ecosystem,
) -> Result<UpdateOutcome, DbError> {
    let url = format!(
        "{}/{}/all.zip",
        opts.base_url.trim_end_matches('/'),
        eco.osv_name()
    );
    let dir = cache::ecosystem_dir(&opts.cache_dir, eco);
    std::fs::create_dir_all(&dir).map_err(|e| DbError::io(&dir, e))?;
    let previous = cache::cached(&opts.cache_dir, eco).map(|(_, m)| m);
    let tmp = dir.join(format!("all.zip.part-{}", std::process::id()));
    let result = http::with_retries(&url, || {
        let mut req = agent.get(&url);
        if let Some(prev) = &previous {
            if let Some(etag) = &prev.etag {
                req = req.header("If-None-Match", etag);
            }
            if let Some(lm) = &prev.last_modified {
                req = req.header("If-Modified-Since", lm);
            }
        }
        let resp = match req.call() {
            Ok(r) => r,
            Err(e) if http::transient_error(&e) => return Ok(Attempt::Retry(http::describe(&e))),
            Err(e) => {
                return Err(DbError::Http {
                    url: url.clone(),
                    message: http::describe(&e),
                })
            }
        };
        let status = resp.status().as_u16();
        if status == 304 && previous.is_some() {
            return Ok(Attempt::Done(None));
        }
        if http::transient(status) {
            return Ok(Attempt::Retry(format!("HTTP {status}")));
        }
        if status != 200 {
            return Err(DbError::Http {
                url: url.clone(),
                message: format!("expected HTTP 200, got {status}"),
            });
        }
        let etag = header(&resp, "etag");
        let last_modified = header(&resp, "last-modified");
        match download(resp, &tmp) {
            Ok(bytes) => Ok(Attempt::Done(Some((bytes, etag, last_modified)))),
            // A connection dropped mid-body is worth another try.
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Ok(Attempt::Retry(format!("download interrupted: {e}")))
            }
        }
    });
    let fetched = match result {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let Some((bytes, etag, last_modified)) = fetched else {
        let mut meta = previous.unwrap_or_default();
        meta.checked_at = cache::now_unix();
        cache::write_meta(&opts.cache_dir, eco, &meta)?;
        return Ok(UpdateOutcome::NotModified);
    };
    let advisories = match install(&opts.cache_dir, eco, &tmp) {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    cache::write_meta(
        &opts.cache_dir,
        eco,
        &Meta {
            url,
            etag,
            last_modified,
            checked_at: cache::now_unix(),
        },
    )?;
    Ok(UpdateOutcome::Downloaded { bytes, advisories })
}

fn download(resp: ureq::http::Response<ureq::Body>, tmp: &Path) -> Result<u64, String> {
    let expected = resp.body().content_length();
    let mut reader = resp
        .into_body()
        .into_with_config()
        .limit(MAX_DOWNLOAD_BYTES)
        .reader();
    let mut file = std::fs::File::create(tmp).map_err(|e| e.to_string())?;
    let n = std::io::copy(&mut reader, &mut file).map_err(|e| e.to_string())?;
    file.flush().map_err(|e| e.to_string())?;
    file.sync_all().map_err(|e| e.to_string())?;
    if let Some(len) = expected {
        if n != len {
            return Err(format!("received {n} of {len} bytes"));
        }
    }
    Ok(n)
}

/// Check the downloaded archive by reading every entry, then move it into place and save its
/// index. Returns the number of advisories.
fn install(cache_dir: &Path, eco: Ecosystem, tmp: &Path) -> Result<usize, DbError> {
    let zip_path = cache::zip_path(cache_dir, eco);
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(
        std::fs::File::open(tmp).map_err(|e| DbError::io(tmp, e))?,
    ))
    .map_err(|e| DbError::Zip {
        path: tmp.to_path_buf(),
        message: format!("downloaded archive is damaged ({e}); the previous database is kept"),
    })?;
    let mut index = store::index_zip(&mut zip, tmp, String::new())?;
    if index.advisories == 0 {
        return Err(DbError::Invalid {
            path: tmp.to_path_buf(),
            message: "downloaded archive holds no OSV advisories; the previous database is kept"
                .into(),
        });
    }
    drop(zip);
    std::fs::rename(tmp, &zip_path).map_err(|e| DbError::io(&zip_path, e))?;
    index.fingerprint = store::zip_fingerprint(&zip_path)?;
    index.save(&cache::index_path(cache_dir, eco))?;
    Ok(index.advisories)
}
