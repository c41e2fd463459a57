//! Online mode: OSV's `querybatch` API (at most 1000 queries a request, pages followed), then
//! each advisory fetched once from `/v1/vulns/{id}` by a small pool of workers and judged by
//! the same matcher as offline. Fetched advisories are kept on disk, keyed by id and
//! `modified`, so a later run fetches only what changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use crate::http::{self, Attempt};
use crate::osv::Advisory;
use crate::store::DbError;
use crate::Ecosystem;

/// OSV's limit on queries per batch.
pub const MAX_BATCH: usize = 1000;
/// Advisory fetches in flight at once: enough to hide latency, few enough to be polite to
/// the API and light on a small CI machine.
pub const DEFAULT_WORKERS: usize = 8;
/// Pages followed per query before giving up (a hostile server could page forever).
const MAX_PAGES: usize = 100;
/// Largest response read.
const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// Longest id kept in the disk cache (it becomes a file name).
const MAX_CACHED_ID: usize = 128;
/// Cached advisories unused for this long are removed after a run.
const CACHE_UNUSED_FOR: Duration = Duration::from_secs(90 * 24 * 60 * 60);

#[derive(Debug)]
pub struct OnlineClient {
    base_url: String,
    /// The agent, or why none could be set up (an unusable proxy variable), said on use.
    agent: Result<ureq::Agent, String>,
    cache_dir: Option<PathBuf>,
    workers: usize,
}

#[derive(Deserialize)]
struct BatchResponse {
    #[serde(default)]
    results: Vec<BatchResult>,
}

#[derive(Deserialize, Default)]
struct BatchResult {
    #[serde(default)]
    vulns: Vec<VulnRef>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct VulnRef {
    id: String,
    /// When the advisory last changed; a cached copy with the same value is current.
    #[serde(default)]
    modified: Option<String>,
}

/// One package to ask about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
}

/// An advisory the API listed but that could not be fetched: the queries it was listed for
/// are not fully checked, and the caller must say so.
#[derive(Debug)]
pub struct FetchFailure {
    pub id: String,
    pub error: DbError,
    /// Indexes into the queries passed to [`OnlineClient::query`], ascending.
    pub queries: Vec<usize>,
}

/// What [`OnlineClient::query`] found.
#[derive(Debug, Default)]
pub struct OnlineResults {
    /// The advisories affecting each query, in the order of the queries.
    pub hits: Vec<Vec<Arc<Advisory>>>,
    /// Advisories that could not be fetched, in the order the API first listed them.
    pub failed: Vec<FetchFailure>,
    /// Advisories fetched over the network this time.
    pub fetched: usize,
    /// Advisories taken from the disk cache because they had not changed.
    pub cached: usize,
}

/// An id to fetch, with the `modified` stamp the batch gave for it.
struct Wanted {
    id: String,
    modified: Option<String>,
}

impl OnlineClient {
    /// `base_url` is the API root, default [`http::DEFAULT_OSV_API`].
    /// Proxy settings come from the environment (see [`OnlineClient::with_proxies`]).
    pub fn new(base_url: &str, timeout: Duration) -> Self {
        Self::with_proxies(base_url, timeout, &tollgate_proxy::ProxyEnv::from_env())
    }

    /// As [`OnlineClient::new`], through the proxy `proxies` names for `base_url`.
    pub fn with_proxies(
        base_url: &str,
        timeout: Duration,
        proxies: &tollgate_proxy::ProxyEnv,
    ) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            agent: http::agent(timeout, base_url, proxies).map_err(|e| e.to_string()),
            cache_dir: None,
            workers: DEFAULT_WORKERS,
        }
    }

    /// Keep fetched advisories in `dir` (created when needed) and reuse those whose
    /// `modified` stamp the API still reports.
    pub fn with_cache(mut self, dir: PathBuf) -> Self {
        self.cache_dir = Some(dir);
        self
    }

    /// Fetch at most `workers` advisories at once (at least one).
    pub fn with_workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// POST `body` as JSON when given, else GET; retried, and the answer read as JSON.
    fn json(
        &self,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, DbError> {
        let bytes = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| DbError::Http {
                url: url.into(),
                message: e.to_string(),
            })?;
        let agent = self.agent.as_ref().map_err(|message| DbError::Http {
            url: url.into(),
            message: message.clone(),
        })?;
        http::with_retries(url, || {
            let sent = match &bytes {
                Some(b) => agent
                    .post(url)
                    .header("Content-Type", "application/json")
                    .send(&b[..]),
                None => agent.get(url).call(),
            };
            let resp = match sent {
                Ok(r) => r,
                Err(e) if http::transient_error(&e) => {
                    return Ok(Attempt::Retry(http::describe(&e)))
                }
                Err(e) => {
                    return Err(DbError::Http {
                        url: url.into(),
                        message: http::describe(&e),
                    })
                }
            };
            self.read_json(url, resp)
        })
    }

    fn read_json(
        &self,
        url: &str,
        resp: ureq::http::Response<ureq::Body>,
    ) -> Result<Attempt<serde_json::Value>, DbError> {
        let status = resp.status().as_u16();
        if http::transient(status) {
            return Ok(Attempt::Retry(format!("HTTP {status}")));
        }
        if status != 200 {
            return Err(DbError::Http {
                url: url.into(),
                message: format!("expected HTTP 200, got {status}"),
            });
        }
        let mut body = resp.into_body();
        let bytes = match body.with_config().limit(MAX_RESPONSE_BYTES).read_to_vec() {
            Ok(b) => b,
            Err(e) if http::transient_error(&e) => return Ok(Attempt::Retry(http::describe(&e))),
            Err(e) => {
                return Err(DbError::Http {
                    url: url.into(),
                    message: http::describe(&e),
                })
            }
        };
        serde_json::from_slice(&bytes)
            .map(Attempt::Done)
            .map_err(|e| DbError::Http {
                url: url.into(),
                message: format!("expected an OSV JSON response: {e}"),
            })
    }

    /// The advisories listed for each query, in order.
    fn query_ids(&self, queries: &[Query]) -> Result<Vec<Vec<VulnRef>>, DbError> {
        let url = format!("{}/v1/querybatch", self.base_url);
        let mut out: Vec<Vec<VulnRef>> = queries.iter().map(|_| Vec::new()).collect();
        for (chunk_no, chunk) in queries.chunks(MAX_BATCH).enumerate() {
            let mut pending: Vec<(usize, Option<String>)> = (0..chunk.len())
                .map(|i| (chunk_no * MAX_BATCH + i, None))
                .collect();
            let mut pages = 0;
            while !pending.is_empty() && pages < MAX_PAGES {
                pages += 1;
                let body = json!({
                    "queries": pending.iter().map(|(i, token)| {
                        let q = &queries[*i];
                        let mut v = json!({
                            "package": {"name": q.name, "ecosystem": q.ecosystem.osv_name()},
                            "version": q.version,
                        });
                        if let Some(t) = token {
                            v["page_token"] = json!(t);
                        }
                        v
                    }).collect::<Vec<_>>()
                });
                let resp: BatchResponse = serde_json::from_value(self.json(&url, Some(&body))?)
                    .map_err(|e| DbError::Http {
                        url: url.clone(),
                        message: format!("expected a querybatch response: {e}"),
                    })?;
                if resp.results.len() != pending.len() {
                    return Err(DbError::Http {
                        url: url.clone(),
                        message: format!(
                            "expected {} results, got {}",
                            pending.len(),
                            resp.results.len()
                        ),
                    });
                }
                let mut next = Vec::new();
                for ((i, _), result) in pending.iter().zip(resp.results) {
                    out[*i].extend(result.vulns);
                    if let Some(t) = result.next_page_token.filter(|t| !t.is_empty()) {
                        next.push((*i, Some(t)));
                    }
                }
                pending = next;
            }
        }
        Ok(out)
    }

    /// Fetch one advisory from the API.
    fn fetch(&self, id: &str) -> Result<(Advisory, serde_json::Value), DbError> {
        let url = format!("{}/v1/vulns/{}", self.base_url, encode(id));
        let value = self.json(&url, None)?;
        let advisory: Advisory =
            serde_json::from_value(value.clone()).map_err(|e| DbError::Http {
                url: url.clone(),
                message: format!("expected an OSV advisory: {e}"),
            })?;
        if advisory.id != id {
            return Err(DbError::Http {
                url,
                message: format!("expected advisory {id}, got {}", advisory.id),
            });
        }
        Ok((advisory, value))
    }

    /// The advisory `wanted` names: from the disk cache when its `modified` stamp matches,
    /// else fetched (and cached). The flag says whether the network was used.
    fn get(&self, wanted: &Wanted) -> Result<(Advisory, bool), DbError> {
        let cache = self
            .cache_dir
            .as_deref()
            .and_then(|d| cache_path(d, &wanted.id));
        if let (Some(path), Some(modified)) = (&cache, &wanted.modified) {
            let current = |a: &Advisory| a.id == wanted.id && a.modified.as_ref() == Some(modified);
            if let Some(a) = read_cached(path).filter(current) {
                mark_used(path);
                return Ok((a, false));
            }
        }
        let (advisory, raw) = self.fetch(&wanted.id)?;
        if let Some(path) = &cache {
            // The cache only saves time: a failed write costs a refetch next run, nothing more.
            if let Err(e) = write_cached(path, &raw) {
                tracing::debug!("not caching advisory {}: {e}", wanted.id);
            }
        }
        Ok((advisory, true))
    }

    /// Fetch every advisory in `wanted` with at most `self.workers` in flight; results in
    /// the order of `wanted`.
    fn get_all(&self, wanted: &[Wanted]) -> Vec<Result<(Advisory, bool), DbError>> {
        let next = AtomicUsize::new(0);
        let workers = self.workers.min(wanted.len());
        let mut slots: Vec<Option<Result<(Advisory, bool), DbError>>> =
            wanted.iter().map(|_| None).collect();
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(w) = wanted.get(i) else { break };
                            done.push((i, self.get(w)));
                        }
                        done
                    })
                })
                .collect();
            for handle in handles {
                // A worker that panicked leaves its ids empty; they are reported below.
                for (i, result) in handle.join().unwrap_or_default() {
                    slots[i] = Some(result);
                }
            }
        });
        slots
            .into_iter()
            .zip(wanted)
            .map(|(slot, w)| {
                slot.unwrap_or_else(|| {
                    Err(DbError::Http {
                        url: format!("{}/v1/vulns/{}", self.base_url, encode(&w.id)),
                        message: "the fetch did not complete".into(),
                    })
                })
            })
            .collect()
    }

    /// The advisories that affect each query, in order, and those that could not be fetched.
    /// Only a failed `querybatch` is an error: one advisory failing leaves the rest standing.
    pub fn query(&self, queries: &[Query]) -> Result<OnlineResults, DbError> {
        let listed = self.query_ids(queries)?;
        // Each id once, in the order first listed, so output and failures are deterministic.
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut wanted: Vec<Wanted> = Vec::new();
        for vuln in listed.iter().flatten() {
            position.entry(vuln.id.clone()).or_insert_with(|| {
                wanted.push(Wanted {
                    id: vuln.id.clone(),
                    modified: vuln.modified.clone(),
                });
                wanted.len() - 1
            });
        }
        let mut results = OnlineResults::default();
        let mut advisories: Vec<Option<Arc<Advisory>>> = Vec::with_capacity(wanted.len());
        let mut failures: Vec<Option<DbError>> = Vec::with_capacity(wanted.len());
        for outcome in self.get_all(&wanted) {
            match outcome {
                Ok((a, from_network)) => {
                    if from_network {
                        results.fetched += 1;
                    } else {
                        results.cached += 1;
                    }
                    advisories.push(Some(Arc::new(a)));
                    failures.push(None);
                }
                Err(e) => {
                    advisories.push(None);
                    failures.push(Some(e));
                }
            }
        }
        let mut failed_for: Vec<Vec<usize>> = wanted.iter().map(|_| Vec::new()).collect();
        for (qi, (q, vulns)) in queries.iter().zip(&listed).enumerate() {
            let name = q.ecosystem.normalize_name(&q.name);
            let mut list: Vec<Arc<Advisory>> = Vec::new();
            for vuln in vulns {
                let at = position[&vuln.id];
                match &advisories[at] {
                    Some(a) => {
                        let listed_twice = list.iter().any(|b| b.id == a.id);
                        if !listed_twice
                            && crate::matcher::affects(a, q.ecosystem, &name, &q.version)
                        {
                            list.push(a.clone());
                        }
                    }
                    None => {
                        if failed_for[at].last() != Some(&qi) {
                            failed_for[at].push(qi);
                        }
                    }
                }
            }
            results.hits.push(list);
        }
        if let Some(dir) = &self.cache_dir {
            prune_cache(dir, CACHE_UNUSED_FOR, std::time::SystemTime::now());
        }
        for ((w, error), queries) in wanted.into_iter().zip(failures).zip(failed_for) {
            if let Some(error) = error {
                results.failed.push(FetchFailure {
                    id: w.id,
                    error,
                    queries,
                });
            }
        }
        Ok(results)
    }
}

/// Where the advisory `id` is cached, or `None` for an id too long to be a file name.
fn cache_path(dir: &Path, id: &str) -> Option<PathBuf> {
    if id.is_empty() || id.len() > MAX_CACHED_ID {
        return None;
    }
    // `encode` leaves no `/`, `\` or NUL, so the name stays inside `dir`; a leading dot is
    // escaped so no id names `.` or `..`.
    let name = match encode(id) {
        e if e.starts_with('.') => format!("%2E{}", &e[1..]),
        e => e,
    };
    Some(dir.join(format!("{name}.json")))
}

fn read_cached(path: &Path) -> Option<Advisory> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_RESPONSE_BYTES {
        return None;
    }
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// A cached advisory was used: its modification time says so, for [`prune_cache`]. Best
/// effort: a read-only cache only ages out sooner.
fn mark_used(path: &Path) {
    let touched = std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(std::time::SystemTime::now()));
    if let Err(e) = touched {
        tracing::debug!("cannot mark {} as used: {e}", path.display());
    }
}

/// Remove cached advisories no scan has used for `unused_for`, so the cache holds what the
/// repositories scanned on this machine still depend on, not every advisory ever seen. Only
/// regular `*.json` files directly in `dir` are touched; links and folders are left alone.
fn prune_cache(dir: &Path, unused_for: Duration, now: std::time::SystemTime) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let stale = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > unused_for);
        if meta.is_file() && path.extension().is_some_and(|e| e == "json") && stale {
            if let Err(e) = std::fs::remove_file(&path) {
                tracing::debug!("cannot prune {}: {e}", path.display());
            }
        }
    }
}

fn write_cached(path: &Path, raw: &serde_json::Value) -> Result<(), DbError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| DbError::io(dir, e))?;
    }
    let bytes = serde_json::to_vec(raw).map_err(|e| DbError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    crate::store::index::write_atomic(path, &bytes)
}

/// Percent-encode an advisory id for a URL path (ids are `[A-Za-z0-9-:.]` in practice).
fn encode(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unused_cache_entries_are_pruned_and_used_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let now = std::time::SystemTime::now();
        let old = now - Duration::from_secs(100 * 24 * 60 * 60);
        let write = |name: &str, modified| {
            let path = dir.path().join(name);
            std::fs::write(&path, "{}").unwrap();
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(modified)
                .unwrap();
            path
        };
        let stale = write("GHSA-old.json", old);
        let used_again = write("GHSA-used.json", old);
        let fresh = write("GHSA-new.json", now);
        let other = write("notes.txt", old);
        std::fs::create_dir(dir.path().join("sub.json")).unwrap();
        mark_used(&used_again);
        prune_cache(dir.path(), CACHE_UNUSED_FOR, now + Duration::from_secs(1));
        assert!(!stale.exists());
        assert!(used_again.exists() && fresh.exists() && other.exists());
        assert!(dir.path().join("sub.json").is_dir());
    }

    #[test]
    fn cache_names_stay_inside_the_directory() {
        let dir = Path::new("/cache");
        assert_eq!(
            cache_path(dir, "GHSA-p6mc-m468-83gw"),
            Some(dir.join("GHSA-p6mc-m468-83gw.json"))
        );
        assert_eq!(
            cache_path(dir, "../../etc/passwd"),
            Some(dir.join("%2E.%2F..%2Fetc%2Fpasswd.json"))
        );
        assert_eq!(cache_path(dir, ".."), Some(dir.join("%2E..json")));
        assert_eq!(cache_path(dir, ""), None);
        assert_eq!(cache_path(dir, &"A".repeat(MAX_CACHED_ID + 1)), None);
    }
}
