//! Code-scanning upload: the SARIF log gzipped and base64-encoded, tied to the commit and ref,
//! then the processing status polled with backoff and its errors surfaced. Each SARIF run keeps
//! its own category through `automationDetails.id`.

use std::io::Write;
use std::time::Duration;

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

/// The log as the upload sends it, gzipped and base64-encoded as it is written: the log's text
/// is never held whole, nor its gzipped bytes, only the base64 text of what fits GitHub's limit
/// (a log over it keeps only its size, for the error).
pub struct Encoder {
    gz: std::io::BufWriter<flate2::write::GzEncoder<Limited>>,
}

/// Gzipped bytes on their way to base64, counted, and dropped once over the limit.
struct Limited {
    base64:
        Option<base64::write::EncoderStringWriter<'static, base64::engine::GeneralPurpose, String>>,
    written: usize,
    limit: usize,
}

impl Write for Limited {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.written += buf.len();
        if self.written > self.limit {
            self.base64 = None;
        }
        if let Some(out) = &mut self.base64 {
            out.write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Default for Encoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Encoder {
    pub fn new() -> Self {
        Self::with_limit(MAX_GZIPPED_BYTES)
    }

    /// An encoder refusing logs over `limit` bytes gzipped instead of GitHub's 10 MB.
    pub fn with_limit(limit: usize) -> Self {
        let base64 =
            base64::write::EncoderStringWriter::new(&base64::engine::general_purpose::STANDARD);
        let limited = Limited {
            base64: Some(base64),
            written: 0,
            limit,
        };
        Self {
            gz: std::io::BufWriter::with_capacity(
                64 * 1024,
                flate2::write::GzEncoder::new(limited, flate2::Compression::default()),
            ),
        }
    }

    /// The encoded log, or why it cannot be uploaded.
    pub fn finish(self) -> EncodedSarif {
        let done = self
            .gz
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(flate2::write::GzEncoder::finish);
        EncodedSarif(match done {
            Err(e) => Err(Refused::Compress(e.to_string())),
            Ok(Limited {
                base64: Some(out), ..
            }) => Ok(out.into_inner()),
            Ok(Limited { written, .. }) => Err(Refused::TooLarge(written)),
        })
    }

    /// `write_log` writing the log into the encoder, then [`Self::finish`]. An error writing the
    /// log is the upload's error.
    pub fn encode(write_log: impl FnOnce(&mut Encoder) -> std::io::Result<()>) -> EncodedSarif {
        let mut encoder = Self::new();
        match write_log(&mut encoder) {
            Ok(()) => encoder.finish(),
            Err(e) => EncodedSarif(Err(Refused::Compress(e.to_string()))),
        }
    }
}

impl Write for Encoder {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.gz.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.gz.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.gz.flush()
    }
}

/// A SARIF log ready for the upload: gzipped and base64-encoded by an [`Encoder`], or the
/// reason it cannot be sent (over GitHub's limit), which the upload reports.
#[derive(Clone)]
pub struct EncodedSarif(Result<String, Refused>);

#[derive(Debug, Clone)]
enum Refused {
    TooLarge(usize),
    Compress(String),
}

impl EncodedSarif {
    /// The base64 text, or the upload's error.
    pub fn into_base64(self) -> Result<String, UploadError> {
        self.0.map_err(|refused| match refused {
            Refused::TooLarge(n) => UploadError::TooLarge(n),
            Refused::Compress(message) => UploadError::Compress(message),
        })
    }
}

impl std::fmt::Debug for EncodedSarif {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Ok(text) => write!(f, "EncodedSarif({} base64 chars)", text.len()),
            Err(refused) => write!(f, "EncodedSarif({refused:?})"),
        }
    }
}

/// SARIF result kinds that record a check rather than report a problem (`tollgate run
/// --include-passes` writes them). Code scanning would show them as alerts; they stay in the
/// log file for auditors and are taken out of what is uploaded.
const RECORD_KINDS: [&str; 3] = ["pass", "notApplicable", "open"];

/// How a log is changed for the upload, decided as each run and result is written: results
/// that only record a check (see [`RECORD_KINDS`]) are left out, and a scan of a subdirectory
/// has its paths made relative to the repository's root (see
/// [`crate::repo_paths::rebase_sarif_run`]). Nothing here needs more of the log than the run or
/// result at hand.
#[derive(Debug, Clone)]
pub struct UploadEdit {
    /// The scanned directory's place in the repository, as a URI path (`services/my%20api/`).
    encoded_prefix: String,
}

impl UploadEdit {
    /// For a scan of `path_prefix` (see [`crate::PublishOptions::path_prefix`]).
    pub fn new(path_prefix: &str) -> Self {
        Self {
            encoded_prefix: crate::context::url_path(&crate::repo_paths::normalize_prefix(
                path_prefix,
            )),
        }
    }

    /// Whether a result of this `kind` is uploaded.
    pub fn keeps(&self, kind: Option<&str>) -> bool {
        !kind.is_some_and(|k| RECORD_KINDS.contains(&k))
    }

    /// Whether [`Self::edit_run`] and [`Self::edit_result`] change anything.
    pub fn edits(&self) -> bool {
        !self.encoded_prefix.is_empty()
    }

    /// A run's members other than its results.
    pub fn edit_run(&self, run: &mut serde_json::Map<String, Value>) {
        crate::repo_paths::rebase_sarif_run(run, &self.encoded_prefix);
    }

    pub fn edit_result(&self, result: &mut Value) {
        crate::repo_paths::rebase_sarif_value(result, &self.encoded_prefix);
    }
}

/// `repo` is `/repos/{owner}/{repo}`; `sarif` is the log as [`UploadEdit`] and [`Encoder`]
/// made it.
pub async fn upload(
    client: &mut Client,
    repo: &str,
    sarif: EncodedSarif,
    commit_sha: &str,
    git_ref: &str,
    poll: &PollPolicy,
) -> Result<UploadOutcome, UploadError> {
    let body = json!({
        "commit_sha": commit_sha,
        "ref": git_ref,
        "sarif": sarif.into_base64()?,
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
    use base64::Engine;
    use std::io::Read;

    fn decoded(sarif: EncodedSarif) -> String {
        let b = base64::engine::general_purpose::STANDARD
            .decode(sarif.into_base64().unwrap())
            .unwrap();
        let mut out = String::new();
        flate2::read::GzDecoder::new(&b[..])
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn recorded_checks_are_not_uploaded() {
        let edit = UploadEdit::new("");
        for kind in ["pass", "notApplicable", "open"] {
            assert!(!edit.keeps(Some(kind)), "{kind}");
        }
        for kind in [None, Some("fail"), Some("review"), Some("informational")] {
            assert!(edit.keeps(kind), "{kind:?}");
        }
        assert!(!edit.edits());
        assert!(UploadEdit::new("services/api").edits());
        // `..` would leave the repository: the root.
        assert!(!UploadEdit::new("services/../..").edits());
    }

    #[test]
    fn encoding_round_trips() {
        let text = "{\"version\":\"2.1.0\",\"runs\":[]}";
        let encoded = Encoder::encode(|out| out.write_all(text.as_bytes()));
        assert_eq!(decoded(encoded), text);
        // Written in pieces, as a log is.
        let long: String = (0..20_000).map(|i| format!("{i},")).collect();
        let encoded = Encoder::encode(|out| {
            for piece in long.as_bytes().chunks(7) {
                out.write_all(piece)?;
            }
            Ok(())
        });
        assert_eq!(decoded(encoded), long);
    }

    /// Over the limit, only the size is kept, and the upload says it as before.
    #[test]
    fn a_log_over_the_limit_is_refused_with_its_gzipped_size() {
        // Text that does not compress: its gzipped size is about its own.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let text: String = (0..200_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b'!' + (state % 90) as u8)
            })
            .collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        let size = gz.finish().unwrap().len();
        let mut encoder = Encoder::with_limit(100_000);
        encoder.write_all(text.as_bytes()).unwrap();
        let error = encoder.finish().into_base64().unwrap_err();
        assert!(
            matches!(error, UploadError::TooLarge(n) if n == size),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("the SARIF log is {size} bytes gzipped, over GitHub's 10 MB limit; hint: lower the number of results or split runs")
        );
        let mut encoder = Encoder::with_limit(size);
        encoder.write_all(text.as_bytes()).unwrap();
        assert_eq!(decoded(encoder.finish()), text);
    }
}
