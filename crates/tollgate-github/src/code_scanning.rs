//! Code-scanning upload: the SARIF log gzipped and base64-encoded, tied to the commit and ref,
//! then the processing status polled with backoff and its errors surfaced. Each SARIF run keeps
//! its own category through `automationDetails.id`.

use std::io::Write;
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::http::{Client, HttpError};

/// GitHub refuses uploads over 10 MB once compressed.
pub const MAX_GZIPPED_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct UploadOutcome {
    pub id: Option<String>,
    /// `complete`, `failed`, `pending` (still processing when polling stopped), or `dry-run`.
    pub status: String,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct PollPolicy {
    pub first_wait: Duration,
    pub max_wait: Duration,
    pub max_polls: u32,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            first_wait: Duration::from_secs(2),
            max_wait: Duration::from_secs(30),
            max_polls: 12,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the SARIF log is {0} bytes gzipped, over GitHub's 10 MB limit; hint: lower the number of results or split runs")]
    TooLarge(usize),
    #[error("cannot compress the SARIF log: {0}")]
    Compress(String),
    #[error(transparent)]
    Http(#[from] HttpError),
}

pub fn encode(sarif: &str) -> Result<String, UploadError> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(sarif.as_bytes())
        .map_err(|e| UploadError::Compress(e.to_string()))?;
    let bytes = gz
        .finish()
        .map_err(|e| UploadError::Compress(e.to_string()))?;
    if bytes.len() > MAX_GZIPPED_BYTES {
        return Err(UploadError::TooLarge(bytes.len()));
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// `repo` is `/repos/{owner}/{repo}`.
pub async fn upload(
    client: &mut Client,
    repo: &str,
    sarif: &str,
    commit_sha: &str,
    git_ref: &str,
    poll: &PollPolicy,
) -> Result<UploadOutcome, UploadError> {
    let body = json!({
        "commit_sha": commit_sha,
        "ref": git_ref,
        "sarif": encode(sarif)?,
        "tool_name": "tollgate",
    });
    let resp = client
        .post(&format!("{repo}/code-scanning/sarifs"), &body)
        .await?;
    let id = match resp.body.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Ok(UploadOutcome {
                id: None,
                status: "pending".into(),
                errors: vec!["GitHub returned no upload id to poll".into()],
            })
        }
    };
    if client.is_dry_run() {
        return Ok(UploadOutcome {
            id: Some(id),
            status: "dry-run".into(),
            errors: Vec::new(),
        });
    }
    let mut wait = poll.first_wait;
    for _ in 0..poll.max_polls {
        tokio::time::sleep(wait).await;
        let status = client
            .get(&format!("{repo}/code-scanning/sarifs/{id}"))
            .await?
            .body;
        let state = status
            .get("processing_status")
            .and_then(Value::as_str)
            .unwrap_or("pending")
            .to_string();
        if state != "pending" {
            let errors = status
                .get("errors")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            return Ok(UploadOutcome {
                id: Some(id),
                status: state,
                errors,
            });
        }
        wait = (wait * 2).min(poll.max_wait);
    }
    Ok(UploadOutcome {
        id: Some(id),
        status: "pending".into(),
        errors: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn encoding_round_trips() {
        let text = "{\"version\":\"2.1.0\",\"runs\":[]}";
        let b = base64::engine::general_purpose::STANDARD
            .decode(encode(text).unwrap())
            .unwrap();
        let mut out = String::new();
        flate2::read::GzDecoder::new(&b[..])
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }
}
