//! The small blocking HTTP client used by `db update` and online mode: rustls, the proxy the
//! environment names for the server (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`,
//! read as curl reads them by `tollgate-proxy`, the same rules the GitHub client follows), and
//! retries with backoff for transient failures. ureq's own reading of those variables is
//! turned off: it differs from curl's (`NO_PROXY=example.com` would not cover its subdomains).

use std::time::Duration;

use tollgate_proxy::ProxyEnv;

use crate::store::DbError;

pub const DEFAULT_OSV_BUCKET: &str = "https://osv-vulnerabilities.storage.googleapis.com";
pub const DEFAULT_OSV_API: &str = "https://api.osv.dev";

/// Attempts per request, and the first backoff (doubled each time).
const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// An agent for requests to `base_url`, through the proxy `proxies` names for it, if any. A
/// proxy variable that is set but unusable is an error naming it (never its password).
pub fn agent(
    timeout: Duration,
    base_url: &str,
    proxies: &ProxyEnv,
) -> Result<ureq::Agent, DbError> {
    let setup = |message: String| DbError::Http {
        url: base_url.to_string(),
        message,
    };
    let proxy = match proxies
        .proxy_for(base_url)
        .map_err(|e| setup(e.to_string()))?
    {
        Some(proxy) => Some(
            ureq::Proxy::new(&proxy.url_with_credentials())
                .map_err(|e| setup(format!("proxy {proxy}: {}", describe(&e))))?,
        ),
        None => None,
    };
    let config = ureq::Agent::config_builder()
        .proxy(proxy)
        // Statuses are handled by the callers (304, retries on 5xx).
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(timeout))
        .user_agent(concat!("tollgate/", env!("CARGO_PKG_VERSION")))
        .build();
    Ok(ureq::Agent::new_with_config(config))
}

/// A transport error for a message: any credentials of a URL it quotes (a proxy's) redacted.
pub fn describe(e: &ureq::Error) -> String {
    tollgate_proxy::redact(&e.to_string())
}

/// A request's outcome as the retry loop sees it.
pub enum Attempt<T> {
    Done(T),
    /// Worth retrying (connection reset, 429, 5xx), with the reason.
    Retry(String),
}

/// Run `f` up to [`ATTEMPTS`] times with exponential backoff while it asks to retry.
pub fn with_retries<T>(
    url: &str,
    mut f: impl FnMut() -> Result<Attempt<T>, DbError>,
) -> Result<T, DbError> {
    let mut delay = FIRST_BACKOFF;
    let mut last = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            std::thread::sleep(delay);
            delay *= 2;
        }
        match f()? {
            Attempt::Done(v) => return Ok(v),
            Attempt::Retry(reason) => last = reason,
        }
    }
    Err(DbError::Http {
        url: url.to_string(),
        message: format!("gave up after {ATTEMPTS} attempts: {last}"),
    })
}

/// Whether a status is worth retrying.
pub fn transient(status: u16) -> bool {
    status == 429 || status >= 500
}

/// Whether a transport error is worth retrying (anything but a bad URL or TLS configuration).
pub fn transient_error(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Io(_)
            | ureq::Error::Timeout(_)
            | ureq::Error::ConnectionFailed
            | ureq::Error::HostNotFound
    )
}
