//! A fake GitHub REST server on 127.0.0.1 for the publishing tests. Every request's path,
//! query and body are checked against GitHub's OpenAPI description, every answer is built
//! from the description's own examples and checked against the response schema; failures are
//! collected in `violations`. Faults can be queued per operation.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tollgate_github::diff::parse_patch;

use super::openapi::OpenApi;

#[derive(Debug, Clone)]
pub enum Fault {
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: Value,
    },
    /// Read the request, then close the connection without answering.
    Drop,
}

impl Fault {
    pub fn secondary_rate_limit() -> Fault {
        Fault::Status {
            status: 403,
            headers: vec![("retry-after".into(), "1".into())],
            body: json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "documentation_url": "https://docs.github.com/rest"}),
        }
    }
    pub fn too_many() -> Fault {
        Fault::Status {
            status: 429,
            headers: vec![("retry-after".into(), "0".into())],
            body: json!({"message": "Too Many Requests"}),
        }
    }
    pub fn bad_gateway() -> Fault {
        Fault::Status {
            status: 502,
            headers: vec![],
            body: json!({"message": "Server Error"}),
        }
    }
    pub fn not_in_diff() -> Fault {
        Fault::Status {
            status: 422,
            headers: vec![],
            body: json!({"message": "Unprocessable Entity", "errors": ["line must be part of the diff"]}),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub op: String,
    pub body: Option<Value>,
    pub authorization: Option<String>,
    pub status: u16,
}

#[derive(Default)]
pub struct State {
    pub prefix: String,
    pub read_only: bool,
    pub pr_files: Vec<Value>,
    pub check_runs: BTreeMap<u64, Value>,
    pub annotations: BTreeMap<u64, Vec<Value>>,
    pub review_comments: Vec<Value>,
    pub reviews: Vec<Value>,
    pub issue_comments: Vec<Value>,
    pub sarifs: Vec<Value>,
    pub faults: HashMap<String, VecDeque<Fault>>,
    pub log: Vec<Recorded>,
    pub violations: Vec<String>,
    next_id: u64,
}

pub struct FakeGitHub {
    pub api: Arc<OpenApi>,
    pub state: Arc<Mutex<State>>,
    pub url: String,
}

impl FakeGitHub {
    /// Start on a free port; `prefix` is `""` for github.com or `/api/v3` for GHES.
    pub fn start(api: Arc<OpenApi>, prefix: &str) -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}{prefix}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            prefix: prefix.to_string(),
            next_id: 1000,
            ..State::default()
        }));
        let (s, a) = (state.clone(), api.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (s, a) = (s.clone(), a.clone());
                std::thread::spawn(move || serve(stream, &a, &s));
            }
        });
        FakeGitHub { api, state, url }
    }

    pub fn set_files(&self, files: &[(&str, &str)]) {
        let mut st = self.state.lock().unwrap();
        st.pr_files = files
            .iter()
            .map(|(name, patch)| {
                json!({
                    "sha": "bbcd538c8e72b8c175046e27cc8f907076331401",
                    "filename": name, "status": "modified",
                    "additions": 1, "deletions": 0, "changes": 1,
                    "blob_url": "https://github.com/o/r/blob/x/f", "raw_url": "https://github.com/o/r/raw/x/f",
                    "contents_url": "https://api.github.com/repos/o/r/contents/f", "patch": patch
                })
            })
            .collect();
    }

    pub fn fail_next(&self, op: &str, fault: Fault) {
        self.state
            .lock()
            .unwrap()
            .faults
            .entry(op.to_string())
            .or_default()
            .push_back(fault);
    }

    pub fn count(&self, op: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|r| r.op == op)
            .count()
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }
}

fn serve(stream: TcpStream, api: &OpenApi, state: &Mutex<State>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut raw = vec![0; len];
    reader.read_exact(&mut raw).ok();
    let body: Option<Value> =
        (len > 0).then(|| serde_json::from_slice(&raw).unwrap_or(json!({"unparsable": true})));

    let (status, extra, reply) = handle(api, state, &method, &target, &headers, body);
    let Some(reply) = reply else {
        return; // dropped connection
    };
    let text = reply.to_string();
    let mut out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        text.len()
    );
    for (k, v) in extra {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&text);
    let mut stream = stream;
    stream.write_all(out.as_bytes()).ok();
}

type Reply = (u16, Vec<(String, String)>, Option<Value>);

fn handle(
    api: &OpenApi,
    state: &Mutex<State>,
    method: &str,
    target: &str,
    headers: &HashMap<String, String>,
    body: Option<Value>,
) -> Reply {
    let mut st = state.lock().unwrap();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let Some(path) = path.strip_prefix(&st.prefix.clone()).map(str::to_string) else {
        let msg = format!("{method} {target}: outside the API prefix {}", st.prefix);
        st.violations.push(msg);
        return (404, vec![], Some(json!({"message": "Not Found"})));
    };
    let (op, params) = match api.find(method, &path) {
        Ok(x) => x,
        Err(e) => {
            st.violations.push(e);
            return (404, vec![], Some(json!({"message": "Not Found"})));
        }
    };
    let mut fail = |e: String| st_push(&mut st.violations, e);
    if let Err(e) = api.check_query(op, query) {
        fail(e);
    }
    if let Err(e) = api.check_request(op, body.as_ref()) {
        fail(e);
    }
    if headers.get("accept").map(String::as_str) != Some("application/vnd.github+json") {
        fail(format!(
            "{}: accept header is not application/vnd.github+json",
            op.id
        ));
    }
    let record = |st: &mut State, status: u16| {
        st.log.push(Recorded {
            method: method.to_string(),
            path: path.clone(),
            op: op.id.clone(),
            body: body.clone(),
            authorization: headers.get("authorization").cloned(),
            status,
        })
    };
    if let Some(fault) = st.faults.get_mut(&op.id).and_then(VecDeque::pop_front) {
        return match fault {
            Fault::Drop => {
                record(&mut st, 0);
                (0, vec![], None)
            }
            Fault::Status {
                status,
                headers,
                body,
            } => {
                record(&mut st, status);
                (status, headers, Some(body))
            }
        };
    }
    if st.read_only && method != "GET" {
        record(&mut st, 403);
        return (
            403,
            vec![],
            Some(
                json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest"}),
            ),
        );
    }
    let page: usize = query
        .split('&')
        .find_map(|p| p.strip_prefix("page="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let paged = |items: &[Value]| -> Value {
        Value::Array(
            items
                .iter()
                .skip((page - 1) * 100)
                .take(100)
                .cloned()
                .collect(),
        )
    };
    let id = st.next_id;
    let (status, reply) = match op.id.as_str() {
        "checks/create" | "checks/update" => {
            let b = body.clone().unwrap_or(json!({}));
            let run_id = params
                .get("check_run_id")
                .and_then(|v| v.parse().ok())
                .unwrap_or(id);
            st.next_id += 1;
            let mut run = st.check_runs.get(&run_id).cloned().unwrap_or_else(|| {
                let mut r = api.example("check-run-example-of-in-progress-conclusion");
                r["id"] = json!(run_id);
                r
            });
            for k in [
                "name",
                "head_sha",
                "status",
                "conclusion",
                "completed_at",
                "started_at",
            ] {
                if let Some(v) = b.get(k) {
                    run[k] = v.clone();
                }
            }
            if let Some(o) = b.get("output") {
                for k in ["title", "summary", "text"] {
                    if let Some(v) = o.get(k) {
                        run["output"][k] = v.clone();
                    }
                }
                let list = st.annotations.entry(run_id).or_default();
                list.extend(
                    o.get("annotations")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                );
                run["output"]["annotations_count"] = json!(list.len());
            }
            st.check_runs.insert(run_id, run.clone());
            (if op.id == "checks/create" { 201 } else { 200 }, run)
        }
        "pulls/list-files" => (200, paged(&st.pr_files.clone())),
        "pulls/list-review-comments" => (200, paged(&st.review_comments.clone())),
        "issues/list-comments" => (200, paged(&st.issue_comments.clone())),
        "pulls/create-review" => {
            let b = body.clone().unwrap_or(json!({}));
            let comments = b
                .get("comments")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let Some(bad) = comments.iter().find(|c| !line_in_diff(&st.pr_files, c)) {
                let _ = bad;
                (
                    422,
                    json!({"message": "Unprocessable Entity", "errors": ["line must be part of the diff"]}),
                )
            } else {
                st.next_id += 1;
                for c in comments {
                    let rc = review_comment(api, &mut st, &c);
                    st.review_comments.push(rc);
                }
                let mut r = api.example("pull-request-review");
                r["id"] = json!(id);
                r["body"] = b.get("body").cloned().unwrap_or(json!(""));
                r["state"] = json!("COMMENTED");
                st.reviews.push(r.clone());
                (200, r)
            }
        }
        "pulls/create-review-comment" => {
            let c = body.clone().unwrap_or(json!({}));
            if !line_in_diff(&st.pr_files, &c) {
                (
                    422,
                    json!({"message": "Unprocessable Entity", "errors": ["line must be part of the diff"]}),
                )
            } else {
                let rc = review_comment(api, &mut st, &c);
                st.review_comments.push(rc.clone());
                (201, rc)
            }
        }
        "pulls/update-review-comment" => {
            update_body(&mut st.review_comments, &params, body.as_ref())
        }
        "issues/create-comment" => {
            st.next_id += 1;
            let mut c = api.example("issue-comment");
            c["id"] = json!(id);
            c["body"] = body
                .as_ref()
                .and_then(|b| b.get("body"))
                .cloned()
                .unwrap_or(json!(""));
            st.issue_comments.push(c.clone());
            (201, c)
        }
        "issues/update-comment" => update_body(&mut st.issue_comments, &params, body.as_ref()),
        "code-scanning/upload-sarif" => {
            st.next_id += 1;
            st.sarifs.push(body.clone().unwrap_or_default());
            let mut r = api.example("code-scanning-sarif-upload");
            r["id"] = json!(format!("sarif-{id}"));
            (202, r)
        }
        "code-scanning/get-sarif" => (200, api.example("code-scanning-sarif-upload-status")),
        other => {
            st.violations
                .push(format!("the fake does not implement {other}"));
            (404, json!({"message": "Not Found"}))
        }
    };
    if (200..300).contains(&status) {
        if let Err(e) = api.check_response(op, status, &reply) {
            st.violations.push(e);
        }
    }
    record(&mut st, status);
    (status, vec![], Some(reply))
}

/// PATCH of a comment's body, for review and issue comments alike.
fn update_body(
    list: &mut [Value],
    params: &HashMap<String, String>,
    body: Option<&Value>,
) -> (u16, Value) {
    let cid: u64 = params["comment_id"].parse().unwrap();
    let new_body = body
        .and_then(|b| b.get("body"))
        .cloned()
        .unwrap_or(json!(""));
    match list.iter_mut().find(|c| c["id"] == json!(cid)) {
        Some(c) => {
            c["body"] = new_body;
            (200, c.clone())
        }
        None => (404, json!({"message": "Not Found"})),
    }
}

fn st_push(v: &mut Vec<String>, e: String) {
    v.push(e);
}

fn line_in_diff(files: &[Value], c: &Value) -> bool {
    let path = c["path"].as_str().unwrap_or_default();
    let line = c["line"].as_u64().unwrap_or(0) as u32;
    files
        .iter()
        .find(|f| f["filename"] == path)
        .and_then(|f| f["patch"].as_str())
        .and_then(|p| parse_patch(path, p).ok())
        .is_some_and(|d| d.hunk_of(line).is_some())
}

fn review_comment(api: &OpenApi, st: &mut State, c: &Value) -> Value {
    let id = st.next_id;
    st.next_id += 1;
    let mut rc = api.example("pull-request-review-comment-2");
    rc["id"] = json!(id);
    for k in ["path", "body", "line", "side", "start_line", "start_side"] {
        if let Some(v) = c.get(k) {
            rc[k] = v.clone();
        }
    }
    rc
}
