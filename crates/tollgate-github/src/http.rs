//! GitHub's REST API over octocrab, with the house rules on top: primary and secondary rate
//! limits as GitHub documents them, exponential backoff with a cap, retries on 5xx and dropped
//! connections, at most one mutating request per pacing interval, and a dry-run mode that
//! records requests instead of sending them.
//!
//! octocrab carries the requests (base URI for GitHub Enterprise Server, TLS, the token in the
//! `Authorization` header); its own `retry` feature is left off because it retries blindly and
//! does not read `retry-after` or `x-ratelimit-reset`, which GitHub requires clients to honour.
//! The raw `_get`/`_post`/`_patch`/`_delete` calls hand back the status, headers and body
//! untouched, so the retry decisions below see exactly what GitHub answered.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
pub use http::Method;
use http_body_util::{BodyExt, Limited};
use octocrab::Octocrab;
use serde_json::Value;

use crate::secret::Secret;
use tollgate_proxy::ProxyEnv;

/// Responses larger than this are refused (the biggest we read are paginated lists).
const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// How the client waits and retries.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts after the first one.
    pub max_retries: u32,
    /// First backoff for 5xx and connection errors; doubles each time.
    pub base_backoff: Duration,
    /// No single wait is longer than this; a rate limit that asks for more ends the request.
    pub max_wait: Duration,
    /// Wait for a secondary rate limit that gives no `retry-after` (GitHub says: at least a
    /// minute).
    pub secondary_wait: Duration,
    /// Minimum spacing of POST/PATCH/PUT/DELETE requests (GitHub asks for one per second).
    pub mutation_interval: Duration,
    /// No attempt (connect, send, read the whole answer) takes longer than this; a server that
    /// stops answering counts as a dropped connection and is retried.
    pub attempt_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 5,
            base_backoff: Duration::from_secs(1),
            max_wait: Duration::from_secs(15 * 60),
            secondary_wait: Duration::from_secs(60),
            mutation_interval: Duration::from_secs(1),
            attempt_timeout: Duration::from_secs(120),
        }
    }
}

/// An answer from the API (or the dry run's stand-in).
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{method} {path}: GitHub answered {status}: {message}")]
    Status {
        method: String,
        path: String,
        status: u16,
        message: String,
    },
    #[error("{method} {path}: {message} (after {attempts} attempts)")]
    Transport {
        method: String,
        path: String,
        message: String,
        attempts: u32,
    },
    #[error("{method} {path}: rate limited and the wait of {wait_secs}s exceeds the cap")]
    RateLimited {
        method: String,
        path: String,
        wait_secs: u64,
    },
    /// The client could not be set up (bad API URL, no TLS roots); nothing was sent.
    #[error("cannot set up the GitHub client: {message}")]
    Setup { message: String },
    #[error("{method} {path}: the response is not JSON: {message}")]
    Decode {
        method: String,
        path: String,
        message: String,
    },
}

impl HttpError {
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The token may not write here: 403 "Resource not accessible by integration" (fork pull
    /// requests, missing `permissions:`). Rate limits never get here: they are retried.
    pub fn is_forbidden(&self) -> bool {
        match self {
            HttpError::Status {
                status, message, ..
            } => *status == 403 || message.contains("Resource not accessible"),
            _ => false,
        }
    }

    pub fn is_validation(&self) -> bool {
        self.status() == Some(422)
    }
}

/// One request as it was (or, in a dry run, would have been) made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    /// A short description of the body: keys, sizes, key values.
    pub summary: String,
}

impl std::fmt::Display for RequestRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if !self.summary.is_empty() {
            write!(f, " {}", self.summary)?;
        }
        Ok(())
    }
}

pub struct Client {
    /// Built on the first real request: octocrab needs a running tokio runtime, and a dry run
    /// needs no client at all.
    octo: Option<Octocrab>,
    api_url: String,
    token: Option<Secret>,
    dry_run: bool,
    policy: RetryPolicy,
    /// Which proxy, if any, the API URL is reached through.
    proxies: ProxyEnv,
    last_mutation: Option<Instant>,
    next_dry_id: u64,
    pub(crate) requests: Vec<RequestRecord>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.api_url)
            .field("token", &self.token)
            .field("dry_run", &self.dry_run)
            .field("proxies", &self.proxies)
            .finish()
    }
}

/// One attempt's answer: status, headers and body text.
type Answer = (u16, HeaderMap, String);

impl Client {
    /// A client that reads its proxy settings from the environment (`HTTPS_PROXY`, ...).
    pub fn new(api_url: &str, token: Option<Secret>, dry_run: bool, policy: RetryPolicy) -> Self {
        Self {
            octo: None,
            api_url: api_url.trim_end_matches('/').to_string(),
            token,
            dry_run,
            policy,
            proxies: ProxyEnv::from_env(),
            last_mutation: None,
            next_dry_id: 1,
            requests: Vec::new(),
        }
    }

    /// Use these proxy settings instead of the environment's.
    pub fn with_proxies(mut self, proxies: ProxyEnv) -> Self {
        self.proxies = proxies;
        self
    }

    pub fn is_dry_run(&self) -> bool {
        self.dry_run
    }

    pub fn requests(&self) -> &[RequestRecord] {
        &self.requests
    }

    pub async fn get(&mut self, path: &str) -> Result<ApiResponse, HttpError> {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, body: &Value) -> Result<ApiResponse, HttpError> {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&mut self, path: &str, body: &Value) -> Result<ApiResponse, HttpError> {
        self.send(Method::PATCH, path, Some(body)).await
    }

    /// Every page of a list endpoint (`per_page=100`), up to `max_pages`.
    pub async fn get_all(&mut self, path: &str, max_pages: u32) -> Result<Vec<Value>, HttpError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        for page in 1..=max_pages {
            let resp = self
                .get(&format!("{path}{sep}per_page=100&page={page}"))
                .await?;
            let items = match resp.body {
                Value::Array(items) => items,
                _ => break,
            };
            let n = items.len();
            out.extend(items);
            if n < 100 {
                break;
            }
        }
        Ok(out)
    }

    /// `path` is relative to the API root (`/repos/...`), as GitHub documents it.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<ApiResponse, HttpError> {
        self.requests.push(RequestRecord {
            method: method.to_string(),
            path: path.to_string(),
            summary: body.map(summarize).unwrap_or_default(),
        });
        if self.dry_run {
            return Ok(self.dry_answer(&method));
        }
        let transport = |message: String, attempts: u32| HttpError::Transport {
            method: method.to_string(),
            path: path.to_string(),
            message,
            attempts,
        };
        let octo = self.octocrab()?;
        let mutating = method != Method::GET;
        let mut attempt: u32 = 0;
        // What GitHub said last, for the error when the retries run out.
        let mut last = String::new();
        loop {
            if mutating {
                self.pace().await;
            }
            let outcome = self.once(&octo, &method, path, body).await;
            let wait = match outcome {
                Ok((status, headers, text)) => {
                    if (200..300).contains(&status) {
                        return parse_body(&method, path, status, &text);
                    }
                    let message = self.redact(error_message(&text));
                    last = format!("; the last answer was {status}: {message}");
                    match self.rate_limit_wait(status, &headers, &message, attempt) {
                        Some(wait) => wait,
                        None if status >= 500 => self.backoff(attempt),
                        None => {
                            return Err(HttpError::Status {
                                method: method.to_string(),
                                path: path.to_string(),
                                status,
                                message,
                            })
                        }
                    }
                }
                Err(message) => {
                    if attempt >= self.policy.max_retries {
                        return Err(transport(message, attempt + 1));
                    }
                    self.backoff(attempt)
                }
            };
            if attempt >= self.policy.max_retries {
                return Err(transport(format!("retries exhausted{last}"), attempt + 1));
            }
            if wait > self.policy.max_wait {
                return Err(HttpError::RateLimited {
                    method: method.to_string(),
                    path: path.to_string(),
                    wait_secs: wait.as_secs(),
                });
            }
            tracing::warn!(
                "{method} {path}: retrying in {:.1}s (attempt {})",
                wait.as_secs_f64(),
                attempt + 2
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// The octocrab client, built once. The token goes in as a personal token, which octocrab
    /// sends as `Authorization: Bearer` only to the API host.
    fn octocrab(&mut self) -> Result<Octocrab, HttpError> {
        if let Some(o) = &self.octo {
            return Ok(o.clone());
        }
        let bad_url = || {
            HttpError::Setup {
            message: format!(
                "the API URL {:?} is not an http(s) URL; hint: github.com is https://api.github.com, GitHub Enterprise Server https://HOST/api/v3",
                self.api_url
            ),
        }
        };
        // Without a scheme octocrab would take the host for a path and send nothing useful.
        if !(self.api_url.starts_with("https://") || self.api_url.starts_with("http://")) {
            return Err(bad_url());
        }
        let proxy = self
            .proxies
            .proxy_for(&self.api_url)
            .map_err(|e| HttpError::Setup {
                message: e.to_string(),
            })?;
        if let Some(proxy) = proxy {
            tracing::debug!("reaching {} through the proxy {proxy}", self.api_url);
            let base: http::Uri = self.api_url.parse().map_err(|_| bad_url())?;
            let octo = crate::proxy::octocrab_via(proxy, base, self.token.as_ref()).map_err(
                |message| HttpError::Setup {
                    message: self.redact(message),
                },
            )?;
            self.octo = Some(octo.clone());
            return Ok(octo);
        }
        let mut builder = Octocrab::builder()
            .base_uri(self.api_url.as_str())
            .map_err(|_| bad_url())?
            .add_header(
                http::header::ACCEPT,
                "application/vnd.github+json".to_string(),
            );
        if let Some(t) = &self.token {
            builder = builder.personal_token(t.expose().to_string());
        }
        let octo = builder.build().map_err(|e| HttpError::Setup {
            message: self.redact(chain(&e)),
        })?;
        self.octo = Some(octo.clone());
        Ok(octo)
    }

    /// One attempt: status, headers and body text, or a transport error message. The message
    /// is built from the error chain (never from the request) and scrubbed of the token anyway.
    async fn once(
        &self,
        octo: &Octocrab,
        method: &Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        let attempt = async {
            let resp = match *method {
                Method::GET => octo._get(path).await,
                Method::PATCH => octo._patch(path, body).await,
                Method::POST => octo._post(path, body).await,
                Method::PUT => octo._put(path, body).await,
                Method::DELETE => octo._delete(path, body).await,
                // No reporter sends anything else; the same headers and body handling anyway.
                _ => {
                    let builder = http::Request::builder().method(method.clone()).uri(path);
                    match octo.build_request(builder, body) {
                        Ok(request) => octo.execute(request).await,
                        Err(e) => Err(e),
                    }
                }
            }
            .map_err(|e| chain(&e))?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let bytes = Limited::new(resp.into_body(), MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|e| chain(&*e))?
                .to_bytes();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            Ok::<Answer, String>((status, headers, text))
        };
        let limit = self.policy.attempt_timeout;
        match tokio::time::timeout(limit, attempt).await {
            Ok(result) => result.map_err(|m| self.redact(m)),
            Err(_) => Err(format!(
                "no complete answer within {:.1}s",
                limit.as_secs_f64()
            )),
        }
    }

    /// `text` with the token, should anything ever echo it, replaced by `***`, and so are the
    /// credentials of any URL it quotes (a proxy's).
    fn redact(&self, text: String) -> String {
        let text = tollgate_proxy::redact(&text);
        match &self.token {
            Some(t) if !t.expose().is_empty() && text.contains(t.expose()) => {
                text.replace(t.expose(), "***")
            }
            _ => text,
        }
    }

    /// How long to wait before retrying a rate-limited answer, or `None` when it is not one.
    fn rate_limit_wait(
        &self,
        status: u16,
        headers: &HeaderMap,
        message: &str,
        attempt: u32,
    ) -> Option<Duration> {
        if status != 403 && status != 429 {
            return None;
        }
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        if let Some(secs) = header("retry-after").and_then(|v| v.parse::<u64>().ok()) {
            return Some(Duration::from_secs(secs));
        }
        if header("x-ratelimit-remaining") == Some("0") {
            if let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.parse::<u64>().ok()) {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                // One extra second: the reset time is rounded down to the second.
                return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
            }
        }
        let lower = message.to_ascii_lowercase();
        if status == 429 || lower.contains("secondary rate limit") || lower.contains("abuse") {
            let exp = self
                .policy
                .secondary_wait
                .saturating_mul(1 << attempt.min(6));
            return Some(exp.min(self.policy.max_wait));
        }
        None
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.policy
            .base_backoff
            .saturating_mul(1 << attempt.min(16))
            .min(self.policy.max_wait)
    }

    async fn pace(&mut self) {
        if let Some(last) = self.last_mutation {
            let since = last.elapsed();
            if since < self.policy.mutation_interval {
                tokio::time::sleep(self.policy.mutation_interval - since).await;
            }
        }
        self.last_mutation = Some(Instant::now());
    }

    /// What a dry run pretends GitHub answered: lists are empty, created things get an id.
    fn dry_answer(&mut self, method: &Method) -> ApiResponse {
        if *method == Method::GET {
            return ApiResponse {
                status: 200,
                body: Value::Array(Vec::new()),
            };
        }
        let id = self.next_dry_id;
        self.next_dry_id += 1;
        ApiResponse {
            status: 201,
            body: serde_json::json!({ "id": id, "processing_status": "complete" }),
        }
    }
}

/// An error and its causes on one line ("Service Error: client error (SendRequest): connection
/// closed before message completed"), each cause once.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

fn parse_body(
    method: &Method,
    path: &str,
    status: u16,
    text: &str,
) -> Result<ApiResponse, HttpError> {
    if text.trim().is_empty() {
        return Ok(ApiResponse {
            status,
            body: Value::Null,
        });
    }
    serde_json::from_str(text)
        .map(|body| ApiResponse { status, body })
        .map_err(|e| HttpError::Decode {
            method: method.to_string(),
            path: path.to_string(),
            message: e.to_string(),
        })
}

/// GitHub's error text: `message` plus any `errors[].message`/`errors[]` strings, shortened.
fn error_message(text: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return text.chars().take(200).collect();
    };
    let mut msg = v
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("no message")
        .to_string();
    if let Some(errors) = v.get("errors").and_then(Value::as_array) {
        let details: Vec<String> = errors
            .iter()
            .filter_map(|e| {
                e.as_str()
                    .map(str::to_string)
                    .or_else(|| e.get("message").and_then(Value::as_str).map(str::to_string))
            })
            .collect();
        if !details.is_empty() {
            msg.push_str(": ");
            msg.push_str(&details.join("; "));
        }
    }
    msg.chars().take(500).collect()
}

/// A one-line description of a request body for dry runs and logs: object keys with short
/// scalar values, string lengths, array lengths.
pub fn summarize(v: &Value) -> String {
    fn go(v: &Value, depth: usize, out: &mut String) {
        match v {
            Value::Object(map) if depth < 2 => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    match v {
                        Value::Object(_) | Value::Array(_) => go(v, depth + 1, out),
                        Value::String(s) if s.chars().count() > 40 => {
                            out.push_str(&format!("({} chars)", s.chars().count()))
                        }
                        other => {
                            out.push('=');
                            out.push_str(&other.to_string());
                        }
                    }
                }
                out.push('}');
            }
            Value::Object(map) => out.push_str(&format!("{{{} keys}}", map.len())),
            Value::Array(items) => out.push_str(&format!("[{}]", items.len())),
            other => out.push_str(&other.to_string()),
        }
    }
    let mut out = String::new();
    go(v, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_keys_and_sizes() {
        let body = serde_json::json!({
            "name": "tollgate", "output": {"summary": "x".repeat(100), "annotations": [1, 2]}
        });
        assert_eq!(
            summarize(&body),
            "{name=\"tollgate\", output{summary(100 chars), annotations[2]}}"
        );
    }

    #[test]
    fn error_text_joins_details() {
        let text = r#"{"message":"Validation Failed","errors":["line must be part of the diff"]}"#;
        assert_eq!(
            error_message(text),
            "Validation Failed: line must be part of the diff"
        );
    }

    #[test]
    fn debug_hides_the_token() {
        let c = Client::new(
            "https://api.github.com",
            Some(Secret::new("ghp_x")),
            false,
            RetryPolicy::default(),
        );
        assert!(!format!("{c:?}").contains("ghp_x"));
    }
}
