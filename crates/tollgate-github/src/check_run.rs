//! The check run: created `in_progress`, annotations added in batches of 50, then completed
//! with the gate's conclusion. Summary and text stay under GitHub's 65,535 characters.

use serde_json::{json, Value};
use tollgate_core::{Finding, Severity};

use crate::http::{Client, HttpError};
use crate::markdown::truncate_chars;
use crate::publish::{now_rfc3339, Rejected, Verdict};
use crate::report;

/// GitHub accepts at most 50 annotations per request.
pub const ANNOTATION_BATCH: usize = 50;
/// GitHub's limit for `output.summary` and `output.text`, in characters.
pub const OUTPUT_LIMIT: usize = 65_535;
/// Beyond this the check run lists the rest in the summary only: the UI shows no more.
pub const MAX_ANNOTATIONS: usize = 1_000;

#[derive(Debug, Clone, Default)]
pub struct CheckRunOutcome {
    pub id: u64,
    pub annotations: usize,
    pub batches: usize,
    pub rejected: Vec<Rejected>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "failure",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// One annotation; columns only on single-line regions, as GitHub requires.
pub fn annotation(f: &Finding, title: Option<&str>) -> Value {
    let (start, end) = match f.location.region {
        Some(r) => (r.start, r.end),
        None => (tollgate_core::Pos::new(1, 1), tollgate_core::Pos::new(1, 1)),
    };
    let end_line = end.line.max(start.line);
    let mut a = json!({
        "path": f.location.path,
        "start_line": start.line.max(1),
        "end_line": end_line.max(1),
        "annotation_level": level(f.severity),
        "message": truncate_chars(&f.message, 64 * 1024 - 1, "…"),
        "title": truncate_chars(&format!("{} ({}){}", f.rule, f.severity,
            title.map(|t| format!(": {t}")).unwrap_or_default()), 255, "…"),
    });
    if start.line == end_line && f.location.region.is_some() && start.col > 0 {
        a["start_column"] = json!(start.col);
        a["end_column"] = json!(end.col.max(start.col));
    }
    if let Some(res) = &f.resource {
        a["raw_details"] = json!(format!("resource: {res}\nfingerprint: {}", f.fingerprint));
    }
    a
}

pub fn conclusion(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "success",
        Verdict::Fail | Verdict::Error => "failure",
    }
}

pub struct CheckRunInput<'a> {
    pub name: &'a str,
    pub head_sha: &'a str,
    pub title: String,
    pub summary: &'a str,
    pub findings: Vec<&'a Finding>,
    /// `Sync` so the publishing future can move between runtime threads.
    pub rule_title: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub verdict: Verdict,
}

/// Create the check run `in_progress`. Separate from the rest so a read-only token is
/// detected on the first write.
pub async fn create(
    client: &mut Client,
    base: &str,
    input: &CheckRunInput<'_>,
) -> Result<u64, HttpError> {
    let body = json!({
        "name": input.name,
        "head_sha": input.head_sha,
        "status": "in_progress",
        "started_at": now_rfc3339(),
        "output": output(input, None),
    });
    let resp = client.post(&format!("{base}/check-runs"), &body).await?;
    Ok(resp.body.get("id").and_then(Value::as_u64).unwrap_or(0))
}

/// The `output` object; the detailed `text` goes with the first and last request only, the
/// annotation batches in between carry just what GitHub requires.
fn output(input: &CheckRunInput<'_>, annotations: Option<Vec<Value>>) -> Value {
    let cut = "_Cut to fit GitHub's limit; the SARIF file has everything._";
    let mut o = json!({
        "title": input.title,
        "summary": truncate_chars(input.summary, OUTPUT_LIMIT, cut),
    });
    match annotations {
        Some(a) => o["annotations"] = Value::Array(a),
        None => {
            o["text"] = json!(truncate_chars(
                &report::details(&input.findings),
                OUTPUT_LIMIT,
                cut
            ))
        }
    }
    o
}

/// Add the annotations in batches and complete the run with the gate's conclusion.
pub async fn finish(
    client: &mut Client,
    base: &str,
    id: u64,
    input: &CheckRunInput<'_>,
) -> Result<CheckRunOutcome, HttpError> {
    let path = format!("{base}/check-runs/{id}");
    let mut outcome = CheckRunOutcome {
        id,
        ..CheckRunOutcome::default()
    };
    let items: Vec<(&Finding, Value)> = input
        .findings
        .iter()
        .take(MAX_ANNOTATIONS)
        .map(|f| (*f, annotation(f, (input.rule_title)(&f.rule).as_deref())))
        .collect();
    for batch in items.chunks(ANNOTATION_BATCH) {
        let annotations: Vec<Value> = batch.iter().map(|(_, a)| a.clone()).collect();
        let body = json!({ "output": output(input, Some(annotations)) });
        match client.patch(&path, &body).await {
            Ok(_) => {
                outcome.annotations += batch.len();
                outcome.batches += 1;
            }
            // One bad annotation fails its whole batch: send them one by one to find it.
            Err(e) if e.is_validation() => {
                for (f, a) in batch {
                    let body = json!({ "output": output(input, Some(vec![a.clone()])) });
                    match client.patch(&path, &body).await {
                        Ok(_) => outcome.annotations += 1,
                        Err(e) if e.is_validation() => {
                            outcome.rejected.push(Rejected::of(f, "annotation", &e))
                        }
                        Err(e) => return Err(e),
                    }
                }
                outcome.batches += 1;
            }
            Err(e) => return Err(e),
        }
    }
    let body = json!({
        "status": "completed",
        "conclusion": conclusion(input.verdict),
        "completed_at": now_rfc3339(),
        "output": output(input, None),
    });
    client.patch(&path, &body).await?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::{Location, Pos, Span};

    #[test]
    fn columns_only_on_single_line_regions() {
        let one = Finding::new(
            "TG1",
            Severity::Medium,
            "m",
            Location::at("a", Span::new(Pos::new(4, 3), Pos::new(4, 9))),
        );
        let a = annotation(&one, Some("T"));
        assert_eq!(
            (a["start_column"].clone(), a["end_column"].clone()),
            (json!(3), json!(9))
        );
        assert_eq!(a["annotation_level"], "warning");
        assert_eq!(a["title"], "TG1 (medium): T");
        let many = Finding::new(
            "TG1",
            Severity::Critical,
            "m",
            Location::at("a", Span::new(Pos::new(4, 3), Pos::new(6, 1))),
        );
        let a = annotation(&many, None);
        assert!(a.get("start_column").is_none() && a.get("end_column").is_none());
        assert_eq!(
            (a["start_line"].clone(), a["end_line"].clone()),
            (json!(4), json!(6))
        );
        let whole_file = annotation(
            &Finding::new("TG1", Severity::Low, "m", Location::file("a")),
            None,
        );
        assert_eq!(whole_file["start_line"], 1);
        assert_eq!(whole_file["annotation_level"], "notice");
    }
}
