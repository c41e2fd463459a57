//! Review comments on changed lines: one review per run with at most `max_inline` comments,
//! each carrying a hidden fingerprint marker. A re-run matches existing comments by marker and
//! posts nothing twice; comments whose finding is gone are marked fixed.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use tollgate_core::Finding;

use crate::diff::DiffMap;
use crate::http::{Client, HttpError};
use crate::markdown::{escape, fp_marker, parse_fp_marker, truncate_chars};
use crate::publish::Rejected;
use crate::report::severity_icon;

/// GitHub's limit for a comment body, in characters.
const BODY_LIMIT: usize = 65_536;
/// How many findings the review body lists when they do not fit as inline comments.
const LISTED: usize = 50;

#[derive(Debug, Clone, Default)]
pub struct ReviewOutcome {
    pub review_id: Option<u64>,
    /// New inline comments.
    pub posted: usize,
    /// Findings that already had a comment from an earlier run.
    pub already: usize,
    /// Earlier comments marked fixed in this run.
    pub resolved: usize,
    /// Findings beyond the inline cap, listed in the review body.
    pub summarized: usize,
    pub rejected: Vec<Rejected>,
}

/// The key a comment is matched by: rule and fingerprint.
pub fn key(f: &Finding) -> String {
    format!("{}/{}", f.rule, f.fingerprint)
}

pub fn comment_body(f: &Finding, title: Option<&str>, remediation: Option<&str>) -> String {
    let marker = fp_marker(&key(f), false);
    let mut head = format!(
        "{} **{}** · {}{}\n\n{}",
        severity_icon(f.severity),
        escape(&f.rule),
        f.severity,
        title
            .map(|t| format!(" · {}", escape(t)))
            .unwrap_or_default(),
        escape(&f.message)
    );
    if let Some(r) = &f.resource {
        head.push_str(&format!(
            "\n\nResource: `{}`",
            tollgate_core::display::visible_line(r).replace('`', "'")
        ));
    }
    if let Some(fix) = remediation.filter(|r| !r.trim().is_empty()) {
        head.push_str(&format!(
            "\n\n<details><summary>How to fix</summary>\n\n{}\n\n</details>",
            fix.trim()
        ));
    }
    let head = truncate_chars(&head, BODY_LIMIT - marker.len() - 2, "…");
    format!("{head}\n\n{marker}")
}

/// Where an inline comment goes: `(start_line, line)`, a range only when it stays in one hunk.
fn placement(f: &Finding, diff: &DiffMap) -> Option<(Option<u32>, u32)> {
    let region = f.location.region?;
    let file = diff.file(&f.location.path)?;
    let start = region.start.line;
    let end = region.end.line.max(start);
    let hunk = file.hunk_of(start)?;
    if end > start && file.hunk_of(end) == Some(hunk) {
        Some((Some(start), end))
    } else {
        Some((None, start))
    }
}

/// A rule's title and remediation, by rule code.
/// `Sync` so the publishing future can move between runtime threads.
pub type Describe<'a> = &'a (dyn Fn(&str) -> (Option<String>, Option<String>) + Sync);

pub struct ReviewInput<'a> {
    pub pulls: String,
    pub head_sha: &'a str,
    /// Findings in the comment scope (filter mode applied), active only.
    pub candidates: Vec<&'a Finding>,
    /// Keys of every finding present in the head, to tell which old comments are fixed.
    pub present: BTreeSet<String>,
    pub diff: &'a DiffMap,
    pub max_inline: usize,
    pub describe: Describe<'a>,
}

struct Existing {
    id: u64,
    fixed: bool,
    body: String,
}

pub async fn publish(
    client: &mut Client,
    input: &ReviewInput<'_>,
) -> Result<ReviewOutcome, HttpError> {
    let mut outcome = ReviewOutcome::default();
    let mut existing: BTreeMap<String, Existing> = BTreeMap::new();
    for c in client
        .get_all(&format!("{}/comments", input.pulls), 30)
        .await?
    {
        let body = c.get("body").and_then(Value::as_str).unwrap_or_default();
        let (Some(id), Some((k, fixed))) =
            (c.get("id").and_then(Value::as_u64), parse_fp_marker(body))
        else {
            continue;
        };
        // An open comment wins over a fixed one with the same key.
        let keep = existing.get(&k).is_none_or(|e| e.fixed && !fixed);
        if keep {
            existing.insert(
                k,
                Existing {
                    id,
                    fixed,
                    body: body.to_string(),
                },
            );
        }
    }

    let mut seen = BTreeSet::new();
    let mut fresh: Vec<(&Finding, Option<u32>, u32)> = Vec::new();
    let mut outside: Vec<&Finding> = Vec::new();
    for f in &input.candidates {
        let k = key(f);
        if !seen.insert(k.clone()) {
            continue;
        }
        if existing.get(&k).is_some_and(|e| !e.fixed) {
            outcome.already += 1;
            continue;
        }
        match placement(f, input.diff) {
            Some((start, line)) => fresh.push((f, start, line)),
            None => outside.push(f),
        }
    }
    fresh.sort_by(|a, b| {
        b.0.severity
            .cmp(&a.0.severity)
            .then_with(|| a.0.location.path.cmp(&b.0.location.path))
            .then(a.2.cmp(&b.2))
    });
    // Comments still open from earlier runs use up the budget, so a re-run never adds the
    // next batch of a long list.
    let budget = input.max_inline.saturating_sub(outcome.already);
    let cut = fresh.len().min(budget);
    let (inline, rest) = fresh.split_at(cut);
    let mut listed: Vec<&Finding> = rest.iter().map(|x| x.0).collect();
    listed.extend(outside.iter().copied());
    outcome.summarized = listed.len();

    let comment = |f: &Finding, start: Option<u32>, line: u32| {
        let (title, fix) = (input.describe)(&f.rule);
        let mut c = json!({
            "path": f.location.path,
            "line": line,
            "side": "RIGHT",
            "body": comment_body(f, title.as_deref(), fix.as_deref()),
        });
        if let Some(s) = start {
            c["start_line"] = json!(s);
            c["start_side"] = json!("RIGHT");
        }
        c
    };

    // Without new inline comments there is no review: the sticky summary already lists the
    // rest, and a review per run would repeat it on every push.
    if !inline.is_empty() {
        let mut body = format!(
            "tollgate found {} new finding{} in this change.",
            inline.len() + listed.len(),
            if inline.len() + listed.len() == 1 {
                ""
            } else {
                "s"
            }
        );
        if !listed.is_empty() {
            body.push_str("\n\nNot commented inline (over the limit or outside the diff):\n\n");
            for f in listed.iter().take(LISTED) {
                body.push_str(&format!(
                    "- {} **{}** {} `{}`{}\n",
                    severity_icon(f.severity),
                    escape(&f.rule),
                    escape(&f.message),
                    f.location.path.replace('`', "'"),
                    f.location
                        .start_line()
                        .map(|l| format!(":{l}"))
                        .unwrap_or_default()
                ));
            }
            if listed.len() > LISTED {
                body.push_str(&format!(
                    "\n…and {} more in the summary.\n",
                    listed.len() - LISTED
                ));
            }
        }
        let review = json!({
            "commit_id": input.head_sha,
            "event": "COMMENT",
            "body": truncate_chars(&body, BODY_LIMIT, "…"),
            "comments": inline.iter().map(|(f, s, l)| comment(f, *s, *l)).collect::<Vec<_>>(),
        });
        match client
            .post(&format!("{}/reviews", input.pulls), &review)
            .await
        {
            Ok(resp) => {
                outcome.review_id = resp.body.get("id").and_then(Value::as_u64);
                outcome.posted = inline.len();
            }
            // A review is all-or-nothing: one line outside the diff rejects it. Post the
            // comments one by one so only the offending ones are skipped.
            Err(e) if e.is_validation() => {
                tracing::warn!("review rejected ({e}); posting comments one by one");
                for (f, s, l) in inline {
                    let mut c = comment(f, *s, *l);
                    c["commit_id"] = json!(input.head_sha);
                    match client.post(&format!("{}/comments", input.pulls), &c).await {
                        Ok(_) => outcome.posted += 1,
                        Err(e) if e.is_validation() => {
                            outcome.rejected.push(Rejected::of(f, "review comment", &e))
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }

    let comments_root = input
        .pulls
        .rsplit_once("/pulls/")
        .map(|(repo, _)| format!("{repo}/pulls/comments"))
        .unwrap_or_default();
    for (k, e) in &existing {
        if e.fixed || input.present.contains(k) {
            continue;
        }
        let original = e
            .body
            .split("<!-- tollgate:")
            .next()
            .unwrap_or_default()
            .trim();
        let body = format!(
            "✅ **Fixed**: tollgate no longer reports this at {}.\n\n<details><summary>Original comment</summary>\n\n{}\n\n</details>\n\n{}",
            input.head_sha,
            truncate_chars(original, BODY_LIMIT - 1_000, "…"),
            fp_marker(k, true)
        );
        match client
            .patch(
                &format!("{comments_root}/{}", e.id),
                &json!({ "body": body }),
            )
            .await
        {
            Ok(_) => outcome.resolved += 1,
            // Someone else's comment carrying our marker: not ours to edit.
            Err(err) if matches!(err.status(), Some(403 | 404 | 422)) => {
                tracing::warn!("could not mark comment {} fixed: {err}", e.id)
            }
            Err(err) => return Err(err),
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::parse_patch;
    use tollgate_core::{Location, Pos, Severity, Span};

    fn spanning(start: u32, end: u32) -> Finding {
        Finding::new(
            "TG1",
            Severity::High,
            "m",
            Location::at("f.yaml", Span::new(Pos::new(start, 1), Pos::new(end, 4))),
        )
    }

    #[test]
    fn ranges_only_within_one_hunk() {
        let mut diff = DiffMap::default();
        let patch = "@@ -1,2 +1,4 @@\n a\n+b\n+c\n d\n@@ -20,1 +22,2 @@\n x\n+y";
        diff.files
            .insert("f.yaml".into(), parse_patch("f.yaml", patch).unwrap());
        assert_eq!(placement(&spanning(2, 3), &diff), Some((Some(2), 3)));
        assert_eq!(placement(&spanning(2, 2), &diff), Some((None, 2)));
        // The end falls in another hunk: a single-line comment at the start.
        assert_eq!(placement(&spanning(3, 23), &diff), Some((None, 3)));
        assert_eq!(placement(&spanning(10, 12), &diff), None);
    }

    #[test]
    fn body_carries_the_marker_once() {
        let mut f = spanning(1, 1);
        f.fingerprint = "abc".into();
        let body = comment_body(&f, Some("Title"), Some("Do this."));
        assert_eq!(parse_fp_marker(&body), Some(("TG1/abc".into(), false)));
        assert_eq!(body.matches("tollgate:fp=").count(), 1);
        assert!(body.contains("How to fix"));
    }
}
