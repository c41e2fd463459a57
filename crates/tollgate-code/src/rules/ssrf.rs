//! TG6006: the function requests a URL or host taken from untrusted event data.

use tollgate_core::{Rule, Severity};

use super::{code_rule, Call, SinkMatch, SinkRule, SANITIZER_NOTE};
use crate::taint::SinkClass;

pub struct Ssrf;

/// Python HTTP calls whose first argument (or `url=`) is the URL.
const PY_URL_FIRST: &[&str] = &[
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.patch",
    "requests.delete",
    "requests.head",
    "requests.options",
    "urllib.request.urlopen",
    "urllib.request.Request",
    "urllib.urlopen",
    "urllib2.urlopen",
    "httpx.get",
    "httpx.post",
    "httpx.stream",
    "http.client.HTTPConnection",
    "http.client.HTTPSConnection",
    "aiohttp.request",
];
/// Python calls with the method first and the URL second.
const PY_URL_SECOND: &[&str] = &[
    "requests.request",
    "httpx.request",
    "urllib3.request",
    "urllib3.PoolManager().request",
    "urllib3.PoolManager().urlopen",
];
/// JavaScript clients whose first argument is the URL (or an options object with `url`).
const JS_CLIENTS: &[&str] = &[
    "fetch",
    "axios",
    "axios.get",
    "axios.post",
    "axios.put",
    "axios.patch",
    "axios.delete",
    "axios.head",
    "axios.request",
    "got",
    "got.get",
    "got.post",
    "request",
    "request.get",
    "request.post",
    "needle",
    "node-fetch",
    "http.get",
    "http.request",
    "https.get",
    "https.request",
    "undici.request",
    "undici.fetch",
];

impl SinkRule for Ssrf {
    fn meta(&self) -> Rule {
        code_rule(
            "TG6006",
            "code-ssrf",
            Severity::Medium,
            "Request to a URL taken from event data",
            "CWE-918",
            "OWASP-SAS-1",
        )
        .equivalents(["python.requests.security.ssrf"])
        .description(
            "The function sends an HTTP request (`requests`, `urllib`, `urllib3`, `http.client`, \
             `httpx`, `fetch`, `axios`, `got`, `request`, `http(s).get`) to a URL or host that \
             comes from its event. In Lambda that reaches the function's own credentials \
             endpoint, internal VPC services, and anything the role may call.",
        )
        .remediation(format!(
            "Build the URL from a constant base and check the host: \
             `if urlparse(url).hostname not in ALLOWED_HOSTS: raise ...`, \
             `if (!ALLOWED_HOSTS.includes(new URL(u).hostname)) throw ...`. {SANITIZER_NOTE}"
        ))
    }

    fn class(&self) -> SinkClass {
        SinkClass::Ssrf
    }

    fn check_call(&self, call: &Call) -> Option<SinkMatch> {
        let class = SinkClass::Ssrf;
        let url = if call.lang.is_python() {
            if call.is(PY_URL_FIRST) {
                call.param(0, "url")
                    .or_else(|| call.kw("host"))
                    .and_then(|a| a.tainted_for(class))
            } else if call.is(PY_URL_SECOND) {
                call.param(1, "url").and_then(|a| a.tainted_for(class))
            } else {
                None
            }
        } else if call.is(JS_CLIENTS) {
            let first = call.arg(0)?;
            match first
                .prop("url")
                .or_else(|| first.prop("host"))
                .or_else(|| first.prop("hostname"))
            {
                Some(p) => p.taint.as_ref().filter(|t| !t.is_cleared(class)),
                None if first.props.is_empty() => first.tainted_for(class),
                None => None,
            }
        } else {
            None
        }?;
        SinkMatch::new(url, call.name())
    }
}
