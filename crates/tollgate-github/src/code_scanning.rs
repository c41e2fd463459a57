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

/// SARIF result kinds that record a check rather than report a problem (`tollgate run
/// --include-passes` writes them). Code scanning would show them as alerts; they stay in the
/// log file for auditors and are taken out of what is uploaded.
const RECORD_KINDS: [&str; 3] = ["pass", "notApplicable", "open"];

/// `sarif` without its results of kind `pass`, `notApplicable` or `open`; the text itself
/// when it has none (or cannot be read, which the upload then reports).
pub fn without_evaluations(sarif: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    // Most logs have no such result: spare them a parse.
    if !RECORD_KINDS
        .iter()
        .any(|k| sarif.contains(&format!("\"{k}\"")))
    {
        return Cow::Borrowed(sarif);
    }
    let Ok(mut log) = serde_json::from_str::<Value>(sarif) else {
        return Cow::Borrowed(sarif);
    };
    let mut removed = false;
    for run in log
        .get_mut("runs")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(results) = run.get_mut("results").and_then(Value::as_array_mut) {
            let before = results.len();
            results.retain(|r| {
                !r.get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| RECORD_KINDS.contains(&k))
            });
            removed |= results.len() != before;
        }
    }
    if !removed {
        return Cow::Borrowed(sarif);
    }
    serde_json::to_string(&log).map_or(Cow::Borrowed(sarif), Cow::Owned)
}

/// `repo` is `/repos/{owner}/{repo}`. Results that only record a check (see
/// [`without_evaluations`]) are not uploaded.
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
        "sarif": encode(&without_evaluations(sarif))?,
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
    fn recorded_checks_are_not_uploaded() {
        let log = json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "tollgate"}}, "results": [
            {"ruleId": "TG1201", "message": {"text": "fails"}, "level": "warning"},
            {"ruleId": "TG1201", "kind": "pass", "level": "none", "message": {"text": "TG1201 passed `T`."}},
            {"ruleId": "TG1201", "kind": "notApplicable", "level": "none", "message": {"text": "n/a"}},
            {"ruleId": "TG1201", "kind": "open", "level": "none", "message": {"text": "unknown"}},
            {"ruleId": "X1", "kind": "fail", "message": {"text": "a plugin's failure"}}
        ]}]})
        .to_string();
        let kept: Value = serde_json::from_str(&without_evaluations(&log)).unwrap();
        let results = kept["runs"][0]["results"].as_array().unwrap();
        let texts: Vec<&str> = results
            .iter()
            .map(|r| r["message"]["text"].as_str().unwrap())
            .collect();
        assert_eq!(texts, vec!["fails", "a plugin's failure"]);
        // Nothing to take out: the very same text.
        let plain = "{\"version\":\"2.1.0\",\"runs\":[]}";
        assert!(matches!(
            without_evaluations(plain),
            std::borrow::Cow::Borrowed(t) if t == plain
        ));
    }

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
