//! The octocrab transport against servers that misbehave below the HTTP level: a server that
//! never answers, one that hangs up on every request, and API URLs that are not URLs. These
//! need no OpenAPI description, so they never skip. Proxy variables of the environment are
//! left out (`ProxyEnv::none`): the servers are local.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tollgate_github::http::Client;
use tollgate_github::{HttpError, ProxyEnv, RetryPolicy, Secret};

const TOKEN: &str = "ghp_TRANSPORTsecret0123456789";

fn policy(attempt_timeout: Duration) -> RetryPolicy {
    RetryPolicy {
        max_retries: 1,
        base_backoff: Duration::from_millis(5),
        max_wait: Duration::from_secs(1),
        secondary_wait: Duration::from_millis(5),
        mutation_interval: Duration::from_millis(1),
        attempt_timeout,
    }
}

/// The request head (request line and headers) as the server received it.
fn read_head(stream: &TcpStream) -> String {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            return head;
        }
        head.push_str(&line);
    }
}

/// What the test server does after reading a request head.
#[derive(Clone, Copy)]
enum Then {
    /// Keep the connection open and never answer.
    Hang,
    /// Close the connection without answering.
    HangUp,
    /// Answer with this status and JSON body.
    Reply(u16, &'static str),
}

/// A server on 127.0.0.1 that keeps every request head it reads and then does `then`.
fn server(then: Then) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            seen.lock().unwrap().push(read_head(&stream));
            match then {
                Then::Hang => held.push(stream),
                Then::HangUp => {}
                Then::Reply(status, body) => {
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    stream.write_all(reply.as_bytes()).ok();
                }
            }
        }
    });
    (url, heads)
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_is_retried() {
    let (url, heads) = server(Then::Hang);
    let mut client = Client::new(&url, None, false, policy(Duration::from_millis(300)))
        .with_proxies(ProxyEnv::none());
    let err = client
        .get("/repos/acme/app/pulls/7/files")
        .await
        .unwrap_err();
    match &err {
        HttpError::Transport {
            message, attempts, ..
        } => {
            assert!(message.contains("no complete answer within 0.3s"), "{err}");
            assert_eq!(*attempts, 2);
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(heads.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn hang_ups_exhaust_the_retries_and_the_token_stays_out_of_errors() {
    let (url, heads) = server(Then::HangUp);
    let mut client = Client::new(
        &url,
        Some(Secret::new(TOKEN)),
        false,
        policy(Duration::from_secs(10)),
    )
    .with_proxies(ProxyEnv::none());
    let err = client
        .post(
            "/repos/acme/app/check-runs",
            &serde_json::json!({"name": "t"}),
        )
        .await
        .unwrap_err();
    let text = format!("{err}\n{err:?}\n{client:?}");
    assert!(
        text.contains("POST /repos/acme/app/check-runs") && text.contains("after 2 attempts"),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");
    // The token did go out, as a bearer token and nowhere else.
    let heads = heads.lock().unwrap();
    assert_eq!(heads.len(), 2);
    for head in heads.iter() {
        let auth: Vec<&str> = head
            .lines()
            .filter(|l| {
                l.to_ascii_lowercase()
                    .contains(TOKEN.to_ascii_lowercase().as_str())
            })
            .collect();
        assert_eq!(auth.len(), 1, "{head}");
        assert!(auth[0]
            .to_ascii_lowercase()
            .starts_with("authorization: bearer "));
        assert!(head
            .to_ascii_lowercase()
            .contains("accept: application/vnd.github+json"));
        assert!(head
            .to_ascii_lowercase()
            .contains("x-github-api-version: 2022-11-28"));
    }
}

#[tokio::test]
async fn an_api_url_that_is_not_a_url_is_named_and_nothing_is_sent() {
    for bad in ["api.github.com", "https://exa mple.com/api/v3"] {
        let mut client =
            Client::new(bad, None, false, RetryPolicy::default()).with_proxies(ProxyEnv::none());
        let err = client.get("/repos/acme/app").await.unwrap_err();
        assert!(matches!(err, HttpError::Setup { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains(bad) && text.contains("hint: github.com is https://api.github.com"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn exhausted_retries_say_what_github_answered_last() {
    let (url, _) = server(Then::Reply(502, r#"{"message":"Server Error"}"#));
    let mut client = Client::new(&url, None, false, policy(Duration::from_secs(10)))
        .with_proxies(ProxyEnv::none());
    let err = client.get("/repos/acme/app").await.unwrap_err();
    assert!(
        err.to_string().contains(
            "retries exhausted; the last answer was 502: Server Error (after 2 attempts)"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn every_method_goes_out_as_itself() {
    let (url, heads) = server(Then::Reply(200, "{}"));
    let mut client = Client::new(&url, None, false, policy(Duration::from_secs(10)))
        .with_proxies(ProxyEnv::none());
    let body = serde_json::json!({"k": "v"});
    for method in ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"] {
        let m = tollgate_github::http::Method::from_bytes(method.as_bytes()).unwrap();
        let send = method != "GET" && method != "HEAD";
        client
            .send(m, "/repos/acme/app", send.then_some(&body))
            .await
            .unwrap();
    }
    let lines: Vec<String> = heads
        .lock()
        .unwrap()
        .iter()
        .map(|h| h.lines().next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        lines,
        ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"]
            .map(|m| format!("{m} /repos/acme/app HTTP/1.1"))
    );
}

#[tokio::test]
async fn a_server_that_echoes_the_token_does_not_get_it_printed() {
    let (url, _) = server(Then::Reply(
        401,
        r#"{"message":"Bad credentials: ghp_TRANSPORTsecret0123456789"}"#,
    ));
    let mut client = Client::new(
        &url,
        Some(Secret::new(TOKEN)),
        false,
        policy(Duration::from_secs(10)),
    )
    .with_proxies(ProxyEnv::none());
    let err = client.get("/repos/acme/app").await.unwrap_err();
    let text = format!("{err}\n{err:?}");
    assert_eq!(err.status(), Some(401));
    assert!(text.contains("Bad credentials: ***"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
}
