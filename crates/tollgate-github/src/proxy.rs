//! The GitHub client behind an HTTP proxy: every connection is a `CONNECT` tunnel opened
//! through the proxy, with TLS to GitHub inside it (the proxy sees the host name, never the
//! token or the traffic). Which proxy applies, if any, is decided by [`tollgate_proxy`] from
//! `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY`, as curl decides it.
//!
//! octocrab's default client has no proxy support; its documented way in is a custom service
//! ([`octocrab::OctocrabBuilder::with_service`]): a hyper client over hyper-rustls over the
//! tunnel connector below, under the same layers octocrab's own build adds (base URI, headers,
//! the token for the API host only).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine;
use http::header::{HeaderName, HeaderValue, ACCEPT, USER_AGENT};
use http::Uri;
use hyper_util::rt::TokioIo;
use octocrab::service::middleware::auth_header::AuthHeaderLayer;
use octocrab::service::middleware::base_uri::BaseUriLayer;
use octocrab::service::middleware::extra_headers::ExtraHeadersLayer;
use octocrab::{AuthState, Octocrab, OctocrabBuilder};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tollgate_proxy::ProxyUrl;

use crate::secret::Secret;

/// The proxy's answer to `CONNECT` may not be longer than this (status line and headers).
const MAX_CONNECT_RESPONSE: usize = 16 * 1024;

/// Opens a `CONNECT` tunnel through `proxy` to the destination the HTTP client asks for.
#[derive(Clone)]
pub struct TunnelConnector {
    proxy: Arc<ProxyUrl>,
}

impl TunnelConnector {
    pub fn new(proxy: ProxyUrl) -> Self {
        Self {
            proxy: Arc::new(proxy),
        }
    }

    async fn open(proxy: Arc<ProxyUrl>, dst: Uri) -> std::io::Result<TokioIo<TcpStream>> {
        let fail = |message: String| std::io::Error::other(format!("proxy {proxy}: {message}"));
        let host = dst
            .host()
            .ok_or_else(|| fail("the destination has no host".into()))?;
        let port = dst.port_u16().unwrap_or(match dst.scheme_str() {
            Some("http") => 80,
            _ => 443,
        });
        let authority = format!("{host}:{port}");
        let stream = TcpStream::connect((proxy.host().trim_matches(['[', ']']), proxy.port()))
            .await
            .map_err(|e| fail(format!("cannot connect: {e}")))?;
        let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some((user, password)) = proxy.credentials() {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            request.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
        }
        request.push_str("\r\n");
        let mut reader = BufReader::new(stream);
        reader
            .get_mut()
            .write_all(request.as_bytes())
            .await
            .map_err(|e| fail(format!("sending CONNECT: {e}")))?;
        // Read the answer's head byte by byte through the buffer, and no further: whatever
        // follows it belongs to the tunnel.
        let mut status_line = String::new();
        let mut read = 0;
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .await
                .map_err(|e| fail(format!("reading the answer to CONNECT: {e}")))?;
            read += n;
            if n == 0 {
                return Err(fail("closed the connection during CONNECT".into()));
            }
            if read > MAX_CONNECT_RESPONSE {
                return Err(fail("the answer to CONNECT is too long".into()));
            }
            if status_line.is_empty() {
                status_line = line.trim_end().to_string();
            } else if line.trim_end().is_empty() {
                break;
            }
        }
        let status = status_line.split_whitespace().nth(1).unwrap_or_default();
        if !status.starts_with('2') {
            let shown: String = status_line
                .chars()
                .take(200)
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            let hint = if status == "407" {
                "; hint: the proxy wants credentials: give them in the proxy URL (http://user:password@host:port)"
            } else {
                ""
            };
            return Err(fail(format!(
                "refused to tunnel to {authority}: `{shown}`{hint}"
            )));
        }
        if !reader.buffer().is_empty() {
            return Err(fail("sent data before the tunnel was open".into()));
        }
        Ok(TokioIo::new(reader.into_inner()))
    }
}

type Connecting = Pin<Box<dyn Future<Output = std::io::Result<TokioIo<TcpStream>>> + Send>>;

impl tower_service::Service<Uri> for TunnelConnector {
    type Response = TokioIo<TcpStream>;
    type Error = std::io::Error;
    type Future = Connecting;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        Box::pin(Self::open(self.proxy.clone(), dst))
    }
}

/// An octocrab client for the API at `base` whose connections go through `proxy`, with the headers
/// and token handling of octocrab's default build.
pub fn octocrab_via(
    proxy: ProxyUrl,
    base: Uri,
    token: Option<&Secret>,
) -> Result<Octocrab, String> {
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider)
        .map_err(|e| format!("no TLS roots: {e}"))?
        .https_or_http()
        .enable_http1()
        .wrap_connector(TunnelConnector::new(proxy));
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let headers: Vec<(HeaderName, HeaderValue)> = vec![
        (USER_AGENT, HeaderValue::from_static("octocrab")),
        (
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        ),
    ];
    let auth = match token {
        Some(t) => {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", t.expose()))
                .map_err(|_| "the token is not a valid header value".to_string())?;
            value.set_sensitive(true);
            Some(value)
        }
        None => None,
    };
    // Uploads go to the same host: the token is sent to the API host only.
    OctocrabBuilder::new_empty()
        .with_service(client)
        .with_layer(&BaseUriLayer::new(base.clone()))
        .with_layer(&ExtraHeadersLayer::new(Arc::new(headers)))
        .with_layer(&AuthHeaderLayer::new(auth, base.clone(), base))
        .with_auth(AuthState::None)
        .build()
        .map_err(|e| e.to_string())
}
