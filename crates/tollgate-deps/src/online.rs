//! Online mode: OSV's `querybatch` API (at most 1000 queries a request, pages followed), then
//! each advisory fetched once from `/v1/vulns/{id}` and judged by the same matcher as offline.

use std::collections::HashMap;
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
/// Pages followed per query before giving up (a hostile server could page forever).
const MAX_PAGES: usize = 100;
/// Largest response read.
const MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug)]
pub struct OnlineClient {
    base_url: String,
    agent: ureq::Agent,
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
}

/// One package to ask about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
}

impl OnlineClient {
    /// `base_url` is the API root, default [`http::DEFAULT_OSV_API`].
    pub fn new(base_url: &str, timeout: Duration) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            agent: http::agent(timeout),
        }
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
        http::with_retries(url, || {
            let sent = match &bytes {
                Some(b) => self
                    .agent
                    .post(url)
                    .header("Content-Type", "application/json")
                    .send(&b[..]),
                None => self.agent.get(url).call(),
            };
            let resp = match sent {
                Ok(r) => r,
                Err(e) if http::transient_error(&e) => return Ok(Attempt::Retry(e.to_string())),
                Err(e) => {
                    return Err(DbError::Http {
                        url: url.into(),
                        message: e.to_string(),
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
            Err(e) if http::transient_error(&e) => return Ok(Attempt::Retry(e.to_string())),
            Err(e) => {
                return Err(DbError::Http {
                    url: url.into(),
                    message: e.to_string(),
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

    /// Advisory ids for each query, in order.
    fn query_ids(&self, queries: &[Query]) -> Result<Vec<Vec<String>>, DbError> {
        let url = format!("{}/v1/querybatch", self.base_url);
        let mut out = vec![Vec::new(); queries.len()];
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
                    out[*i].extend(result.vulns.into_iter().map(|v| v.id));
                    if let Some(t) = result.next_page_token.filter(|t| !t.is_empty()) {
                        next.push((*i, Some(t)));
                    }
                }
                pending = next;
            }
        }
        Ok(out)
    }

    /// The advisories that affect each query, in order.
    pub fn query(&self, queries: &[Query]) -> Result<Vec<Vec<Arc<Advisory>>>, DbError> {
        let ids = self.query_ids(queries)?;
        let mut fetched: HashMap<String, Arc<Advisory>> = HashMap::new();
        let mut out = Vec::with_capacity(queries.len());
        for (q, ids) in queries.iter().zip(ids) {
            let mut list = Vec::new();
            for id in ids {
                let advisory =
                    match fetched.get(&id) {
                        Some(a) => a.clone(),
                        None => {
                            let url = format!("{}/v1/vulns/{}", self.base_url, encode(&id));
                            let a: Advisory = serde_json::from_value(self.json(&url, None)?)
                                .map_err(|e| DbError::Http {
                                    url: url.clone(),
                                    message: format!("expected an OSV advisory: {e}"),
                                })?;
                            let a = Arc::new(a);
                            fetched.insert(id.clone(), a.clone());
                            a
                        }
                    };
                let name = q.ecosystem.normalize_name(&q.name);
                if crate::matcher::affects(&advisory, q.ecosystem, &name, &q.version) {
                    list.push(advisory);
                }
            }
            out.push(list);
        }
        Ok(out)
    }
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
