//! Event payload fixtures: each validates against the webhook schema in GitHub's OpenAPI
//! description where one exists, and gives the expected pull request context.

mod support;

use std::path::PathBuf;

use support::openapi::OpenApi;
use tollgate_github::{ContextOverrides, PrContext};

const HEAD: &str = "0123456789abcdef0123456789abcdef01234567";
const BASE: &str = "89abcdef0123456789abcdef0123456789abcdef";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/events/{name}.json"))
}

fn context(event: &str, vars: &[(&str, &str)]) -> PrContext {
    let path = fixture(event).display().to_string();
    let mut all: Vec<(String, String)> = vec![
        ("GITHUB_EVENT_NAME".into(), event.into()),
        ("GITHUB_EVENT_PATH".into(), path),
        ("GITHUB_REPOSITORY".into(), "acme/app".into()),
        // The merge commit: never the head for pull requests.
        (
            "GITHUB_SHA".into(),
            "ffffffffffffffffffffffffffffffffffffffff".into(),
        ),
    ];
    all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    PrContext::from_vars(
        |k| all.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
        &ContextOverrides::default(),
    )
    .unwrap()
}

#[test]
fn fixtures_validate_against_webhook_schemas() {
    let api = OpenApi::load();
    for (file, schema) in [
        ("pull_request", "pull-request-opened"),
        // pull_request_target delivers the pull_request payload.
        ("pull_request_target", "pull-request-synchronize"),
        ("push", "push"),
    ] {
        let payload: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(file)).unwrap()).unwrap();
        api.check_webhook(schema, &payload)
            .unwrap_or_else(|e| panic!("{file}.json: {e}"));
    }
    // A payload that breaks the schema is caught.
    assert!(api
        .check_webhook("push", &serde_json::json!({"ref": 5}))
        .is_err());
}

#[test]
fn pull_request_uses_head_sha_not_merge_commit() {
    let ctx = context("pull_request", &[]);
    assert_eq!(ctx.pr, Some(7));
    assert_eq!(ctx.head_sha, HEAD);
    assert_eq!(ctx.base_sha.as_deref(), Some(BASE));
    assert!(!ctx.is_fork);
    assert_eq!(ctx.git_ref.as_deref(), Some("refs/pull/7/head"));
}

#[test]
fn pull_request_target_from_a_fork() {
    let ctx = context(
        "pull_request_target",
        &[("GITHUB_API_URL", "https://ghe.example.com/api/v3")],
    );
    assert!(ctx.is_fork);
    assert_eq!(ctx.head_sha, HEAD);
    assert_eq!(ctx.api_url, "https://ghe.example.com/api/v3");
    assert_eq!(ctx.server_url, "https://ghe.example.com");
}

#[test]
fn push_and_workflow_run() {
    let push = context("push", &[]);
    assert_eq!((push.pr, push.head_sha.as_str()), (None, HEAD));
    assert_eq!(push.git_ref.as_deref(), Some("refs/heads/main"));
    assert_eq!(push.base_sha.as_deref(), Some(BASE));

    let run = context("workflow_run", &[]);
    assert_eq!(run.pr, Some(7));
    assert_eq!(run.head_sha, HEAD);
    assert_eq!(run.base_sha.as_deref(), Some(BASE));
    assert!(run.is_fork);
}
