//! The GitHub client through an HTTP proxy: a CONNECT proxy on 127.0.0.1 tunnels to a local
//! API server; `NO_PROXY` sends the request direct; a proxy's password is never printed.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tollgate_github::http::Client;
use tollgate_github::{ProxyEnv, RetryPolicy, Secret};
use tollgate_proxy::test_support::ConnectProxy;

const TOKEN: &str = "ghs_PROXIEDtoken0123456789";
const PASSWORD: &str = "pr0xy-Pa55";

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 0,
        base_backoff: Duration::from_millis(5),
        max_wait: Duration::from_secs(1),
        secondary_wait: Duration::from_millis(5),
        mutation_interval: Duration::from_millis(1),
        attempt_timeout: Duration::from_secs(10),
    }
}

/// An API server on 127.0.0.1 answering `{}` to everything; keeps each request's head.
fn api_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v3", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                head.push_str(&line);
            }
            seen.lock().unwrap().push(head);
            let body = "{}";
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(reply.as_bytes()).ok();
        }
    });
    (url, heads)
}

fn vars(pairs: &[(&str, String)]) -> ProxyEnv {
    let pairs = pairs.to_vec();
    let pairs: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    ProxyEnv::from_vars(move |name| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    })
}

#[tokio::test]
async fn requests_go_through_the_proxy_with_its_credentials() {
    let (api, heads) = api_server();
    let proxy = ConnectProxy::start();
    let proxy_url = format!("http://ci-bot:{PASSWORD}@127.0.0.1:{}", proxy.port);
    let mut client = Client::new(&api, Some(Secret::new(TOKEN)), false, policy())
        .with_proxies(vars(&[("HTTP_PROXY", proxy_url)]));
    client.get("/repos/acme/app").await.unwrap();
    client
        .post(
            "/repos/acme/app/check-runs",
            &serde_json::json!({"name": "t"}),
        )
        .await
        .unwrap();
    let authority = api
        .trim_start_matches("http://")
        .trim_end_matches("/api/v3")
        .to_string();
    let requests = proxy.requests.lock().unwrap().clone();
    assert!(!requests.is_empty());
    assert!(
        requests.iter().all(|c| c.authority == authority),
        "{requests:?}"
    );
    // Basic base64("ci-bot:pr0xy-Pa55")
    assert!(requests
        .iter()
        .all(|c| c.authorization.as_deref() == Some("Basic Y2ktYm90OnByMHh5LVBhNTU=")));
    // Inside the tunnel the API saw the request as usual, token included.
    let heads = heads.lock().unwrap();
    assert_eq!(heads.len(), 2);
    assert!(
        heads[0].starts_with("GET /api/v3/repos/acme/app HTTP/1.1"),
        "{}",
        heads[0]
    );
    assert!(heads[1].starts_with("POST /api/v3/repos/acme/app/check-runs"));
    assert!(heads
        .iter()
        .all(|h| h.to_ascii_lowercase().contains(&format!(
            "authorization: bearer {}",
            TOKEN.to_ascii_lowercase()
        ))));
    assert!(!format!("{client:?}").contains(PASSWORD));
}

#[tokio::test]
async fn no_proxy_sends_the_request_direct() {
    let (api, heads) = api_server();
    let proxy = ConnectProxy::start();
    for no_proxy in ["127.0.0.1", "127.0.0.0/8", "*"] {
        let mut client = Client::new(&api, None, false, policy()).with_proxies(vars(&[
            ("HTTP_PROXY", proxy.url.clone()),
            ("NO_PROXY", format!("example.com, {no_proxy}")),
        ]));
        client.get("/repos/acme/app").await.unwrap();
    }
    assert_eq!(heads.lock().unwrap().len(), 3);
    assert_eq!(proxy.authorities(), Vec::<String>::new());
    // HTTPS_PROXY is for https:// URLs only: this plain-http API goes direct too.
    let mut client = Client::new(&api, None, false, policy())
        .with_proxies(vars(&[("HTTPS_PROXY", proxy.url.clone())]));
    client.get("/repos/acme/app").await.unwrap();
    assert_eq!(proxy.authorities(), Vec::<String>::new());
}

#[tokio::test]
async fn a_refusing_proxy_is_named_without_its_password() {
    let (api, heads) = api_server();
    let proxy = ConnectProxy::answering(Some(407));
    let proxy_url = format!("http://ci-bot:{PASSWORD}@127.0.0.1:{}", proxy.port);
    let mut client = Client::new(&api, Some(Secret::new(TOKEN)), false, policy())
        .with_proxies(vars(&[("ALL_PROXY", proxy_url)]));
    let err = client.get("/repos/acme/app").await.unwrap_err();
    let text = format!("{err}\n{err:?}\n{client:?}");
    assert!(
        text.contains("407") && text.contains("hint: the proxy wants credentials"),
        "{text}"
    );
    assert!(
        text.contains(&format!("http://***@127.0.0.1:{}", proxy.port)),
        "{text}"
    );
    assert!(!text.contains(PASSWORD) && !text.contains(TOKEN), "{text}");
    assert!(heads.lock().unwrap().is_empty());
    // A proxy variable that is set but unusable stops the client before anything is sent.
    let mut client = Client::new(&api, None, false, policy()).with_proxies(vars(&[(
        "HTTP_PROXY",
        format!("socks5://ci-bot:{PASSWORD}@127.0.0.1:1"),
    )]));
    let err = client.get("/repos/acme/app").await.unwrap_err().to_string();
    assert!(
        err.contains("$HTTP_PROXY") && !err.contains(PASSWORD),
        "{err}"
    );
}
