//! A CONNECT proxy on 127.0.0.1 for the network tests of the crates that use this one: it
//! records what each client asked for (the authority of `CONNECT` and any
//! `Proxy-Authorization`), then tunnels the bytes both ways, or refuses with a status of the
//! test's choice. Only with the `test-support` feature.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One `CONNECT` request as the proxy received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connect {
    /// `host:port` the client asked to reach.
    pub authority: String,
    /// The `Proxy-Authorization` header's value, if any.
    pub authorization: Option<String>,
}

pub struct ConnectProxy {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Connect>>>,
}

impl ConnectProxy {
    /// A proxy that tunnels every request.
    pub fn start() -> ConnectProxy {
        Self::answering(None)
    }

    /// A proxy that refuses every request with `status` (`407`), or tunnels with `None`.
    pub fn answering(refuse: Option<u16>) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test proxy");
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = seen.clone();
                std::thread::spawn(move || serve(client, refuse, &seen));
            }
        });
        ConnectProxy {
            url: format!("http://127.0.0.1:{port}"),
            port,
            requests,
        }
    }

    /// The authorities asked for so far.
    pub fn authorities(&self) -> Vec<String> {
        self.requests
            .lock()
            .map(|r| r.iter().map(|c| c.authority.clone()).collect())
            .unwrap_or_default()
    }
}

fn serve(client: TcpStream, refuse: Option<u16>, seen: &Mutex<Vec<Connect>>) {
    let Ok(read_half) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut first = String::new();
    if reader.read_line(&mut first).unwrap_or(0) == 0 {
        return;
    }
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("proxy-authorization") {
                authorization = Some(value.trim().to_string());
            }
        }
    }
    let mut parts = first.split_whitespace();
    let (method, authority) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if let Ok(mut s) = seen.lock() {
        s.push(Connect {
            authority: authority.to_string(),
            authorization,
        });
    }
    let mut client = client;
    if let Some(status) = refuse {
        let _ = client.write_all(
            format!("HTTP/1.1 {status} Refused\r\nProxy-Authenticate: Basic realm=\"t\"\r\ncontent-length: 0\r\n\r\n")
                .as_bytes(),
        );
        return;
    }
    let upstream = match (method, TcpStream::connect(authority)) {
        ("CONNECT", Ok(upstream)) => upstream,
        _ => {
            let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
            return;
        }
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let (Ok(mut to_upstream), Ok(mut from_upstream)) = (upstream.try_clone(), upstream.try_clone())
    else {
        return;
    };
    let mut client_out = client;
    // Reading through the same buffered reader: bytes the client sent right after its request
    // head are already in its buffer.
    std::thread::spawn(move || {
        let mut reader = reader;
        let _ = copy(&mut reader, &mut to_upstream);
        let _ = to_upstream.shutdown(Shutdown::Write);
    });
    let _ = copy(&mut from_upstream, &mut client_out);
    let _ = client_out.shutdown(Shutdown::Both);
}

fn copy(from: &mut impl Read, to: &mut impl Write) -> std::io::Result<()> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        to.write_all(&buf[..n])?;
    }
}
