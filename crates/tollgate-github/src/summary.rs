//! The sticky summary comment: one issue comment found by its hidden marker, created once and
//! updated in place; left alone when its text would not change.

use serde_json::{json, Value};

use crate::http::{Client, HttpError};
use crate::markdown::{truncate_chars, SUMMARY_MARKER};

/// GitHub's limit for an issue comment, in characters (kept one under).
pub const COMMENT_LIMIT: usize = 65_535;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryAction {
    Created,
    Updated,
    Unchanged,
}

#[derive(Debug, Clone)]
pub struct SummaryOutcome {
    pub id: Option<u64>,
    pub action: SummaryAction,
}

pub fn body(report: &str) -> String {
    let report = truncate_chars(
        report,
        COMMENT_LIMIT - SUMMARY_MARKER.len() - 1,
        "_The summary was cut to fit GitHub's limit; the SARIF file and the check run have everything._",
    );
    format!("{SUMMARY_MARKER}\n{report}")
}

/// `issues` is `/repos/{owner}/{repo}/issues`.
pub async fn publish(
    client: &mut Client,
    issues: &str,
    pr: u64,
    report: &str,
) -> Result<SummaryOutcome, HttpError> {
    let text = body(report);
    let existing = client
        .get_all(&format!("{issues}/{pr}/comments"), 30)
        .await?
        .into_iter()
        .find(|c| {
            c.get("body")
                .and_then(Value::as_str)
                .is_some_and(|b| b.starts_with(SUMMARY_MARKER))
        });
    match existing {
        Some(c) => {
            let id = c.get("id").and_then(Value::as_u64);
            if c.get("body").and_then(Value::as_str) == Some(text.as_str()) {
                return Ok(SummaryOutcome {
                    id,
                    action: SummaryAction::Unchanged,
                });
            }
            let id_num = id.unwrap_or(0);
            match client
                .patch(
                    &format!("{issues}/comments/{id_num}"),
                    &json!({ "body": text }),
                )
                .await
            {
                Ok(_) => Ok(SummaryOutcome {
                    id,
                    action: SummaryAction::Updated,
                }),
                // Deleted meanwhile, or someone else's comment that copied the marker: start a
                // fresh one. If the token cannot write at all, creating fails the same way.
                Err(e) if matches!(e.status(), Some(403 | 404)) => {
                    tracing::warn!(
                        "summary comment {id_num} not editable ({e}); creating a new one"
                    );
                    create(client, issues, pr, &text).await
                }
                Err(e) => Err(e),
            }
        }
        None => create(client, issues, pr, &text).await,
    }
}

async fn create(
    client: &mut Client,
    issues: &str,
    pr: u64,
    text: &str,
) -> Result<SummaryOutcome, HttpError> {
    let resp = client
        .post(&format!("{issues}/{pr}/comments"), &json!({ "body": text }))
        .await?;
    Ok(SummaryOutcome {
        id: resp.body.get("id").and_then(Value::as_u64),
        action: SummaryAction::Created,
    })
}
