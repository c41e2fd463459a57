//! Shared by the integration tests: a scan context over a fixture directory, the fixture
//! advisory database as a zip, and a one-thread HTTP server on 127.0.0.1.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tollgate_core::{Config, FileKind, ScanContext, SourceFile};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let kind = if tollgate_deps::LockfileKind::detect(&name).is_some() {
                FileKind::Lockfile(name)
            } else {
                FileKind::Other
            };
            let size = std::fs::metadata(&path).unwrap().len();
            out.push(SourceFile {
                path: rel,
                abs: path,
                kind,
                size,
            });
        }
    }
}

pub fn context(root: &Path, today: time::Date) -> ScanContext {
    context_with(root, today, Config::default())
}

pub fn context_with(root: &Path, today: time::Date, config: Config) -> ScanContext {
    let mut files = Vec::new();
    walk(root, root, &mut files);
    ScanContext::new(root.to_path_buf(), files, Arc::new(config), today)
}

pub fn today() -> time::Date {
    time::macros::date!(2026 - 11 - 28)
}

/// The fixture advisories packed as an OSV `all.zip` (deflated, as OSV serves them).
pub fn fixture_zip() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let root = fixtures().join("osv");
        let mut files = Vec::new();
        for eco in std::fs::read_dir(&root).unwrap() {
            for f in std::fs::read_dir(eco.unwrap().path()).unwrap() {
                files.push(f.unwrap().path());
            }
        }
        files.sort();
        for f in files {
            zip.start_file(f.file_name().unwrap().to_string_lossy(), opts)
                .unwrap();
            zip.write_all(&std::fs::read(&f).unwrap()).unwrap();
        }
        zip.finish().unwrap();
    }
    buf.into_inner()
}

/// One recorded request: method, path, headers (lowercased names), body.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the handler answers: raw bytes written to the socket as they are (so a test can send
/// a truncated body), then the connection is closed.
pub type Handler = dyn Fn(&Request) -> Vec<u8> + Send + Sync;

pub struct Server {
    pub base: String,
    pub requests: Arc<Mutex<Vec<Request>>>,
}

/// Serve on 127.0.0.1 with `handler`, one connection at a time, until the test ends.
pub fn serve(handler: Box<Handler>) -> Server {
    serve_with(Arc::from(handler), false)
}

/// Serve on 127.0.0.1 with `handler`, each connection on its own thread, so a client's
/// parallel requests really are in flight together.
pub fn serve_concurrent(handler: Box<Handler>) -> Server {
    serve_with(Arc::from(handler), true)
}

fn serve_with(handler: Arc<Handler>, concurrent: bool) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let log = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (handler, log) = (handler.clone(), log.clone());
            if concurrent {
                std::thread::spawn(move || answer(stream, &*handler, &log));
            } else {
                answer(stream, &*handler, &log);
            }
        }
    });
    Server { base, requests }
}

/// Read one request from `stream`, log it and write the handler's answer.
fn answer(mut stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    let req = Request {
        method,
        path,
        headers,
        body,
    };
    let response = handler(&req);
    log.lock().unwrap().push(req);
    let _ = stream.write_all(&response);
    let _ = stream.flush();
}

/// A complete HTTP/1.1 response.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// A cached database of the fixture advisories for every ecosystem, `days` old.
pub fn cached_db(cache: &Path, days: i64) {
    use tollgate_deps::cache;
    for eco in tollgate_deps::Ecosystem::ALL {
        std::fs::create_dir_all(cache::ecosystem_dir(cache, eco)).unwrap();
        std::fs::write(cache::zip_path(cache, eco), fixture_zip()).unwrap();
        let checked_at = today().midnight().assume_utc().unix_timestamp() - days * 86_400;
        let meta = cache::Meta {
            url: "http://127.0.0.1/x".into(),
            checked_at,
            ..Default::default()
        };
        cache::write_meta(cache, eco, &meta).unwrap();
    }
}
