//! The small blocking HTTP client used by `db update` and online mode: rustls, proxies from
//! the usual environment variables (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`), and retries with
//! backoff for transient failures.

use std::time::Duration;

use crate::store::DbError;

pub const DEFAULT_OSV_BUCKET: &str = "https://osv-vulnerabilities.storage.googleapis.com";
pub const DEFAULT_OSV_API: &str = "https://api.osv.dev";

/// Attempts per request, and the first backoff (doubled each time).
const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

pub fn agent(timeout: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        // Statuses are handled by the callers (304, retries on 5xx).
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(timeout))
        .user_agent(concat!("tollgate/", env!("CARGO_PKG_VERSION")))
        .build();
    ureq::Agent::new_with_config(config)
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
