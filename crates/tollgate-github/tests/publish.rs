//! The reporters against a fake GitHub that validates every request against GitHub's own
//! OpenAPI description.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::fake::{FakeGitHub, Fault};
use support::openapi::OpenApi;
use tollgate_core::{BaselineState, Finding, Location, Pos, Rule, Severity, Span};
use tollgate_github::code_scanning::{EncodedSarif, Encoder, UploadEdit};
use tollgate_github::{
    publish_blocking, ContextOverrides, PollPolicy, PrContext, PublishError, PublishInput,
    PublishOptions, RetryPolicy, Secret, Verdict,
};

const TOKEN: &str = "ghs_T0PSECRETtokenValue123";
const HEAD: &str = "0123456789abcdef0123456789abcdef01234567";
const PATCH: &str = "@@ -1,4 +1,8 @@\n Resources:\n+  Fn:\n+    Type: AWS::Lambda::Function\n+    Properties:\n+      Timeout: 900\n   Other:\n     Type: X\n+    Extra: 1";

fn api() -> Arc<OpenApi> {
    Arc::new(OpenApi::load())
}

/// A fake GitHub whose pull request changes `template.yaml` by [`PATCH`].
fn github(prefix: &str) -> FakeGitHub {
    let gh = FakeGitHub::start(api(), prefix);
    gh.set_files(&[("template.yaml", PATCH)]);
    gh
}

fn finding(rule: &str, sev: Severity, line: u32, fp: &str) -> Finding {
    let mut f = Finding::new(
        rule,
        sev,
        format!("{rule} fired on line {line}"),
        Location::at(
            "template.yaml",
            Span::new(Pos::new(line, 7), Pos::new(line, 12)),
        ),
    )
    .resource("Fn");
    f.fingerprint = fp.to_string();
    f
}

fn rules() -> Vec<Rule> {
    ["TG1001", "TG1002", "TG1003", "TG1004"]
        .iter()
        .map(|c| {
            Rule::new(*c, "lambda-rule", "iac", Severity::High, "Lambda rule")
                .remediation("Set `Timeout` lower.")
        })
        .collect()
}

fn input(findings: Vec<Finding>) -> PublishInput {
    PublishInput {
        findings,
        rules: rules(),
        notifications: Vec::new(),
        code_scanning_sarif: Some(encoded(r#"{"version":"2.1.0","runs":[]}"#, "")),
        sarif_path: Some("results.sarif".into()),
        verdict: Verdict::Fail,
        diff: None,
        has_baseline: true,
    }
}

fn options(api_url: &str) -> PublishOptions {
    let ctx = PrContext::from_vars(
        |_| None,
        &ContextOverrides {
            repo: Some("acme/app".into()),
            pr: Some(7),
            sha: Some(HEAD.into()),
            api_url: Some(api_url.into()),
            ..Default::default()
        },
    )
    .unwrap();
    let mut o = PublishOptions::new(ctx, Some(Secret::new(TOKEN)));
    o.retry = RetryPolicy {
        max_retries: 4,
        base_backoff: Duration::from_millis(5),
        max_wait: Duration::from_secs(5),
        secondary_wait: Duration::from_millis(20),
        mutation_interval: Duration::from_millis(1),
        attempt_timeout: Duration::from_secs(10),
    };
    o.poll = PollPolicy {
        first_wait: Duration::from_millis(5),
        max_wait: Duration::from_millis(20),
        max_polls: 3,
    };
    o.step_summary_path = None;
    o.output_path = None;
    // The fake is local: proxy variables of the environment running the tests do not apply.
    o.proxies = tollgate_github::ProxyEnv::none();
    o
}

/// `log` as the upload sends it from a scan of `prefix`: each run's members and each result
/// edited on their own, as a log is written for the upload.
fn encoded(log: &str, prefix: &str) -> EncodedSarif {
    let edit = UploadEdit::new(prefix);
    let mut log: serde_json::Value = serde_json::from_str(log).unwrap();
    for run in log["runs"].as_array_mut().unwrap() {
        let run = run.as_object_mut().unwrap();
        let mut results = run.insert("results".into(), serde_json::json!([]));
        edit.edit_run(run);
        for result in results.iter_mut().flat_map(|r| r.as_array_mut().unwrap()) {
            edit.edit_result(result);
        }
        run["results"] = results.unwrap_or_default();
    }
    Encoder::encode(|out| serde_json::to_writer(out, &log).map_err(std::io::Error::from))
}

/// The SARIF log of a code-scanning upload request: base64 of its gzip.
fn uploaded_sarif(upload: &serde_json::Value) -> String {
    let gz = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        upload["sarif"].as_str().unwrap(),
    )
    .unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut text).unwrap();
    text
}

fn three() -> Vec<Finding> {
    vec![
        finding("TG1001", Severity::High, 5, "aaa"),
        finding("TG1002", Severity::Medium, 3, "bbb"),
        finding("TG1003", Severity::Low, 8, "ccc"),
        // Line 20 is not in the diff: summarized, never inline.
        finding("TG1004", Severity::Critical, 20, "ddd"),
    ]
}

#[test]
fn first_run_rerun_and_fix() {
    let gh = github("");

    let s = publish_blocking(input(three()), options(&gh.url)).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert!(!s.degraded);
    let review = s.review.unwrap();
    // TG1004 is outside the diff under `added`: it is neither commented nor summarized here.
    assert_eq!((review.posted, review.already), (3, 0));
    assert_eq!(gh.count("pulls/create-review"), 1);
    assert_eq!(gh.count("issues/create-comment"), 1);
    assert_eq!(gh.count("code-scanning/upload-sarif"), 1);
    assert_eq!(s.code_scanning.unwrap().status, "complete");
    {
        let st = gh.state.lock().unwrap();
        let run = st.check_runs.values().next().unwrap();
        assert_eq!(run["conclusion"], "failure");
        assert_eq!(st.annotations.values().next().unwrap().len(), 4);
        let multi = st.review_comments.iter().all(|c| {
            c["body"]
                .as_str()
                .unwrap()
                .contains("<!-- tollgate:fp=TG100")
        });
        assert!(multi);
        let sarif = st.sarifs[0].clone();
        assert_eq!(sarif["commit_sha"], HEAD);
        assert_eq!(sarif["ref"], "refs/pull/7/head");
    }

    // The same results again: nothing new is posted, the summary is left alone.
    let s = publish_blocking(input(three()), options(&gh.url)).unwrap();
    let review = s.review.unwrap();
    assert_eq!((review.posted, review.already, review.resolved), (0, 3, 0));
    assert_eq!(gh.count("pulls/create-review"), 1);
    assert_eq!(gh.count("pulls/create-review-comment"), 0);
    assert_eq!(gh.count("issues/create-comment"), 1);
    assert_eq!(gh.count("issues/update-comment"), 0);

    // TG1001 fixed: its comment is marked fixed, the summary updated in place.
    let mut after: Vec<Finding> = three().into_iter().skip(1).collect();
    let mut gone = finding("TG1001", Severity::High, 5, "aaa");
    gone.baseline_state = Some(BaselineState::Absent);
    after.push(gone);
    let s = publish_blocking(input(after), options(&gh.url)).unwrap();
    let review = s.review.unwrap();
    assert_eq!((review.posted, review.resolved), (0, 1));
    assert_eq!(gh.count("issues/update-comment"), 1);
    let st = gh.state.lock().unwrap();
    let fixed = st
        .review_comments
        .iter()
        .find(|c| {
            c["body"]
                .as_str()
                .unwrap()
                .contains("TG1001/aaa state=fixed")
        })
        .expect("comment marked fixed");
    assert!(fixed["body"].as_str().unwrap().starts_with("✅ **Fixed**"));
    assert_eq!(st.issue_comments.len(), 1);
    assert!(st.issue_comments[0]["body"]
        .as_str()
        .unwrap()
        .contains("1 fixed"));
    drop(st);
    assert_eq!(gh.violations(), Vec::<String>::new());
}

#[test]
fn many_annotations_are_batched_and_long_reports_cut() {
    let gh = github("");
    let findings: Vec<Finding> = (0..120)
        .map(|i| {
            let mut f = finding("TG1001", Severity::High, 2 + (i % 4), &format!("fp{i}"));
            f.message = format!("{i}: {}", "long explanation ".repeat(300));
            f
        })
        .collect();
    let mut opts = options(&gh.url);
    opts.max_inline_comments = 30;
    let s = publish_blocking(input(findings), opts).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let cr = s.check_run.unwrap();
    assert_eq!((cr.annotations, cr.batches), (120, 3));
    let review = s.review.unwrap();
    assert_eq!((review.posted, review.summarized), (30, 90));
    let st = gh.state.lock().unwrap();
    for r in st.log.iter().filter(|r| r.op.starts_with("checks/")) {
        let out = &r.body.as_ref().unwrap()["output"];
        assert!(out["summary"].as_str().unwrap().chars().count() <= 65_535);
        if let Some(text) = out.get("text") {
            assert!(text.as_str().unwrap().chars().count() <= 65_535);
        }
        assert!(out["annotations"].as_array().map_or(0, Vec::len) <= 50);
    }
    let summary = st.issue_comments[0]["body"].as_str().unwrap();
    assert!(summary.chars().count() < 65_536);
    assert!(summary.contains("cut to fit"));
    drop(st);
    // A re-run neither adds the next 30 comments nor repeats the review.
    let findings: Vec<Finding> = (0..120)
        .map(|i| finding("TG1001", Severity::High, 2 + (i % 4), &format!("fp{i}")))
        .collect();
    let s = publish_blocking(input(findings), options(&gh.url)).unwrap();
    let review = s.review.unwrap();
    assert_eq!((review.posted, review.already), (0, 30));
    assert_eq!(gh.count("pulls/create-review"), 1);
    assert_eq!(gh.violations(), Vec::<String>::new());
}

#[test]
fn rate_limits_errors_and_rejections_are_survived() {
    let gh = github("");
    gh.fail_next("checks/create", Fault::secondary_rate_limit());
    gh.fail_next("checks/update", Fault::Drop);
    gh.fail_next("pulls/list-review-comments", Fault::bad_gateway());
    gh.fail_next("issues/list-comments", Fault::too_many());
    // Primary limit: no retry-after, remaining 0 and the reset time (now) to wait for.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    gh.fail_next(
        "issues/create-comment",
        Fault::Status {
            status: 403,
            headers: vec![
                ("x-ratelimit-remaining".into(), "0".into()),
                ("x-ratelimit-reset".into(), now.to_string()),
            ],
            body: serde_json::json!({"message": "API rate limit exceeded"}),
        },
    );
    // The review is refused as a whole, then one of the single comments too.
    gh.fail_next("pulls/create-review", Fault::not_in_diff());
    gh.fail_next("pulls/create-review-comment", Fault::not_in_diff());
    let s = publish_blocking(input(three()), options(&gh.url)).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let review = s.review.unwrap();
    assert_eq!(review.posted, 2);
    assert_eq!(review.rejected.len(), 1);
    assert_eq!(review.rejected[0].rule, "TG1001");
    assert!(s
        .notes
        .iter()
        .any(|n| n.contains("TG1001") && n.contains("line must be part of the diff")));
    assert_eq!(gh.count("checks/create"), 2);
    assert_eq!(gh.count("issues/create-comment"), 2);
    assert!(s.check_run.is_some());
    assert_eq!(
        s.summary_comment.unwrap().action,
        tollgate_github::summary::SummaryAction::Created
    );
    assert_eq!(gh.violations(), Vec::<String>::new());
}

#[test]
fn fork_token_falls_back_to_workflow_commands() {
    let gh = github("");
    gh.state.lock().unwrap().read_only = true;
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(&gh.url);
    opts.step_summary_path = Some(dir.path().join("summary.md"));
    opts.output_path = Some(dir.path().join("output"));
    let s = publish_blocking(input(three()), opts).unwrap();
    assert!(s.degraded);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(
        s.notes
            .iter()
            .filter(|n| n.contains("cannot write"))
            .count(),
        1
    );
    assert_eq!(s.workflow_commands.len(), 3);
    assert!(s.workflow_commands[0].starts_with("::error file=template.yaml,line=5,"));
    // After the first refusal nothing else is attempted.
    assert_eq!(
        gh.count("pulls/create-review") + gh.count("issues/create-comment"),
        0
    );
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("tollgate security report"));
    let output = std::fs::read_to_string(dir.path().join("output")).unwrap();
    assert!(output.contains("verdict=fail\n") && output.contains("sarif=results.sarif\n"));
    assert_eq!(gh.violations(), Vec::<String>::new());
}

/// GitHub Enterprise Server as a runner describes it: `GITHUB_API_URL` is the API under
/// `/api/v3`, `GITHUB_SERVER_URL` the web host for links. Every reporter reaches its endpoint
/// under the prefix (nothing outside it, which the fake records as a violation), and the
/// summary's links go to the server URL. Then the same through a CONNECT proxy.
#[test]
fn enterprise_server_from_the_runner_environment() {
    let gh = github("/api/v3");
    assert!(gh.url.ends_with("/api/v3"));
    let env = |proxy: Option<&str>| {
        let api = gh.url.clone();
        let proxy = proxy.map(str::to_string);
        move |name: &str| match name {
            "GITHUB_API_URL" => Some(api.clone()),
            "GITHUB_SERVER_URL" => Some("https://ghe.example.com/".to_string()),
            "GITHUB_REPOSITORY" => Some("acme/app".to_string()),
            "HTTP_PROXY" => proxy.clone(),
            _ => None,
        }
    };
    let overrides = ContextOverrides {
        pr: Some(7),
        sha: Some(HEAD.into()),
        ..Default::default()
    };
    let ctx = PrContext::from_vars(env(None), &overrides).unwrap();
    assert_eq!(ctx.api_url, gh.url);
    assert_eq!(ctx.server_url, "https://ghe.example.com");
    let mut opts = options(&gh.url);
    opts.context = ctx.clone();
    let s = publish_blocking(input(three()), opts).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.review.unwrap().posted, 3);
    assert_eq!(s.code_scanning.unwrap().status, "complete");
    let st = gh.state.lock().unwrap();
    let posted = |op: &str| {
        st.log
            .iter()
            .filter(|r| r.op == op)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect::<Vec<_>>()
    };
    assert_eq!(posted("checks/create"), ["POST /repos/acme/app/check-runs"]);
    assert_eq!(
        posted("pulls/create-review"),
        ["POST /repos/acme/app/pulls/7/reviews"]
    );
    assert_eq!(
        posted("code-scanning/upload-sarif"),
        ["POST /repos/acme/app/code-scanning/sarifs"]
    );
    assert_eq!(
        posted("issues/create-comment"),
        ["POST /repos/acme/app/issues/7/comments"]
    );
    let link = format!("https://ghe.example.com/acme/app/blob/{HEAD}/template.yaml#L5");
    let summary = st.issue_comments[0]["body"].as_str().unwrap();
    assert!(summary.contains(&link), "{summary}");
    let run = st.check_runs.values().next().unwrap();
    assert!(run["output"]["summary"].as_str().unwrap().contains(&link));
    assert!(!summary.contains("github.com/") && !summary.contains("127.0.0.1"));
    let requests = st.log.len();
    drop(st);
    assert_eq!(gh.violations(), Vec::<String>::new());

    // A runner behind a proxy: the same requests, each through a CONNECT tunnel.
    let proxy = tollgate_proxy::test_support::ConnectProxy::start();
    let mut opts = options(&gh.url);
    opts.context = PrContext::from_vars(env(Some(&proxy.url)), &overrides).unwrap();
    opts.proxies = tollgate_github::ProxyEnv::from_vars(env(Some(&proxy.url)));
    let s = publish_blocking(input(three()), opts).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let host = gh
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/api/v3");
    let tunnels = proxy.authorities();
    assert!(
        !tunnels.is_empty() && tunnels.iter().all(|a| a == host),
        "{tunnels:?}"
    );
    assert!(gh.state.lock().unwrap().log.len() > requests);
    assert_eq!(gh.violations(), Vec::<String>::new());
}

#[test]
fn dry_run_needs_no_token_and_lists_requests() {
    let mut opts = options("http://127.0.0.1:9/never");
    opts.token = None;
    assert!(matches!(
        publish_blocking(input(three()), opts.clone()),
        Err(PublishError::NoToken)
    ));
    opts.dry_run = true;
    let mut inp = input(three());
    inp.diff = Some(
        tollgate_github::DiffMap::from_pr_files(&serde_json::json!([
            {"filename": "template.yaml", "status": "modified", "patch": PATCH}
        ]))
        .unwrap(),
    );
    let s = publish_blocking(inp, opts).unwrap();
    let lines: Vec<String> = s.requests.iter().map(ToString::to_string).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("POST /repos/acme/app/check-runs {name=\"tollgate\"")),
        "{lines:#?}"
    );
    assert!(lines.iter().any(
        |l| l.starts_with("POST /repos/acme/app/pulls/7/reviews") && l.contains("comments[3]")
    ));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("POST /repos/acme/app/issues/7/comments")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("POST /repos/acme/app/code-scanning/sarifs")));
}

#[test]
fn token_never_appears_in_output() {
    let gh = github("");
    gh.fail_next(
        "checks/create",
        Fault::Status {
            status: 401,
            headers: vec![],
            body: serde_json::json!({"message": "Bad credentials"}),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(&gh.url);
    opts.step_summary_path = Some(dir.path().join("summary.md"));
    let debug_opts = format!("{opts:?}");
    let s = publish_blocking(input(three()), opts).unwrap();
    assert!(!s.errors.is_empty());
    let captured = format!(
        "{debug_opts}\n{s:?}\n{}\n{}\n{}",
        s.errors.join("\n"),
        s.notes.join("\n"),
        std::fs::read_to_string(dir.path().join("summary.md")).unwrap()
    );
    assert!(!captured.contains(TOKEN));
    assert!(!captured.contains("T0PSECRET"));
    // It was sent, and only in the Authorization header.
    let st = gh.state.lock().unwrap();
    assert!(st
        .log
        .iter()
        .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {TOKEN}")[..])));
    assert!(st.log.iter().all(|r| !r
        .body
        .as_ref()
        .is_some_and(|b| b.to_string().contains(TOKEN))));
}

#[test]
fn a_rate_limit_beyond_the_cap_is_reported_not_waited_for() {
    let gh = github("");
    gh.fail_next(
        "checks/create",
        Fault::Status {
            status: 429,
            headers: vec![("retry-after".into(), "3600".into())],
            body: serde_json::json!({"message": "Too Many Requests"}),
        },
    );
    let s = publish_blocking(input(three()), options(&gh.url)).unwrap();
    assert!(
        s.errors
            .iter()
            .any(|e| e.contains("check run") && e.contains("exceeds the cap")),
        "{:?}",
        s.errors
    );
    // The other reporters still ran.
    assert_eq!(s.review.unwrap().posted, 3);
}

#[test]
fn the_fake_rejects_what_github_would() {
    let api = api();
    let (op, _) = api.find("POST", "/repos/acme/app/check-runs").unwrap();
    assert!(api
        .check_request(op, Some(&serde_json::json!({"name": 5, "head_sha": HEAD})))
        .is_err());
    let too_long = "x".repeat(65_536);
    let body = serde_json::json!({"name": "t", "head_sha": HEAD, "output": {"title": "t", "summary": too_long}});
    assert!(api.check_request(op, Some(&body)).is_err());
    assert!(api.find("POST", "/repos/acme/app/nothing").is_err());
    assert!(api
        .find("PATCH", "/repos/acme/app/check-runs/not-a-number")
        .is_err());
}

#[test]
fn code_scanning_processing_errors_are_surfaced() {
    let gh = github("");
    gh.fail_next(
        "code-scanning/get-sarif",
        Fault::Status {
            status: 200,
            headers: vec![],
            body: serde_json::json!({"processing_status": "pending"}),
        },
    );
    gh.fail_next(
        "code-scanning/get-sarif",
        Fault::Status {
            status: 200,
            headers: vec![],
            body: serde_json::json!({
                "processing_status": "failed",
                "errors": ["locationFromSarifResult: expected artifact location"]
            }),
        },
    );
    let s = publish_blocking(input(three()), options(&gh.url)).unwrap();
    let upload = s.code_scanning.unwrap();
    assert_eq!(upload.status, "failed");
    assert_eq!(gh.count("code-scanning/get-sarif"), 2);
    assert!(s
        .errors
        .iter()
        .any(|e| e.contains("expected artifact location")));
    let st = gh.state.lock().unwrap();
    assert_eq!(
        uploaded_sarif(&st.sarifs[0]),
        r#"{"version":"2.1.0","runs":[]}"#
    );
}

#[tokio::test]
async fn async_entry_point_dry_run_on_a_current_thread_runtime() {
    let mut opts = options("http://127.0.0.1:9");
    opts.dry_run = true;
    opts.token = None;
    let s = tollgate_github::publish(input(three()), opts)
        .await
        .unwrap();
    assert!(s
        .requests
        .iter()
        .any(|r| r.path == "/repos/acme/app/check-runs"));
    // Nesting a runtime would panic: the blocking entry point refuses instead.
    let err = publish_blocking(input(three()), options("http://127.0.0.1:9")).unwrap_err();
    assert!(
        err.to_string().contains("hint: call `publish(..).await`"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_entry_point_is_send_and_publishes_from_a_spawned_task() {
    let gh = github("/api/v3");
    // `tokio::spawn` only takes `Send` futures: this is the CLI's way of calling it.
    let task = tokio::spawn(tollgate_github::publish(input(three()), options(&gh.url)));
    let s = task.await.unwrap().unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.review.unwrap().posted, 3);
    assert_eq!(s.code_scanning.unwrap().status, "complete");
    assert_eq!(gh.violations(), Vec::<String>::new());
}

#[test]
fn a_summary_comment_that_cannot_be_edited_is_replaced() {
    let gh = github("");
    let mut foreign = gh.api.example("issue-comment");
    foreign["id"] = serde_json::json!(5);
    foreign["body"] = serde_json::json!("<!-- tollgate:summary -->\ncopied by someone else");
    gh.state.lock().unwrap().issue_comments.push(foreign);
    gh.fail_next(
        "issues/update-comment",
        Fault::Status {
            status: 403,
            headers: vec![],
            body: serde_json::json!({"message": "Must have admin rights to Repository."}),
        },
    );
    let s = publish_blocking(input(three()), options(&gh.url)).unwrap();
    assert!(!s.degraded);
    assert_eq!(
        s.summary_comment.unwrap().action,
        tollgate_github::summary::SummaryAction::Created
    );
    assert_eq!(gh.count("issues/create-comment"), 1);
    assert_eq!(gh.violations(), Vec::<String>::new());
}

/// The SARIF log of a scan of `services/api`: URIs relative to the scanned directory.
const SUBDIR_SARIF: &str = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"tollgate"}},"originalUriBaseIds":{"%SRCROOT%":{"uri":"file:///work/app/services/api/"}},"results":[{"ruleId":"TG1001","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"template.yaml","uriBaseId":"%SRCROOT%"},"region":{"startLine":5}}}]}]}]}"#;

/// `tollgate run services/api`: findings say `template.yaml`, GitHub knows
/// `services/api/template.yaml`. Annotations, review comments (and their diff lines), workflow
/// commands, summary links and the code-scanning log all name the file from the repository's
/// root, whether the changed lines come from git (relative to the scanned directory) or from
/// the pull request files API (relative to the repository's root).
#[test]
fn a_subdirectory_scan_publishes_repository_paths() {
    for from_git in [false, true] {
        let gh = FakeGitHub::start(api(), "");
        gh.set_files(&[("services/api/template.yaml", PATCH)]);
        let mut inp = input(three());
        inp.code_scanning_sarif = Some(encoded(SUBDIR_SARIF, "services/api"));
        if from_git {
            inp.diff = Some(
                tollgate_github::DiffMap::from_pr_files(&serde_json::json!([
                    {"filename": "template.yaml", "status": "modified", "patch": PATCH}
                ]))
                .unwrap(),
            );
        }
        let mut opts = options(&gh.url);
        opts.path_prefix = "services/api".into();
        let s = publish_blocking(inp, opts).unwrap();
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert!(s.rejected.is_empty(), "{:?}", s.rejected);
        assert_eq!(s.review.unwrap().posted, 3, "from git: {from_git}");
        let st = gh.state.lock().unwrap();
        let annotations = st.annotations.values().next().unwrap();
        assert_eq!(annotations.len(), 4);
        assert!(
            annotations
                .iter()
                .all(|a| a["path"] == "services/api/template.yaml"),
            "{annotations:?}"
        );
        assert_eq!(st.review_comments.len(), 3);
        assert!(st
            .review_comments
            .iter()
            .all(|c| c["path"] == "services/api/template.yaml"));
        let summary = st.issue_comments[0]["body"].as_str().unwrap();
        assert!(
            summary.contains(&format!("/blob/{HEAD}/services/api/template.yaml#L20")),
            "{summary}"
        );
        let log: serde_json::Value = serde_json::from_str(&uploaded_sarif(&st.sarifs[0])).unwrap();
        let run = &log["runs"][0];
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "services/api/template.yaml"
        );
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///work/app/"
        );
        drop(st);
        assert_eq!(gh.violations(), Vec::<String>::new());
    }
}

/// A fork's token: the workflow commands name the file from the repository's root too.
#[test]
fn a_subdirectory_scan_degrades_to_repository_paths() {
    let gh = FakeGitHub::start(api(), "");
    gh.set_files(&[("services/api/template.yaml", PATCH)]);
    gh.state.lock().unwrap().read_only = true;
    let mut opts = options(&gh.url);
    opts.path_prefix = "services/api/".into();
    let s = publish_blocking(input(three()), opts).unwrap();
    assert!(s.degraded);
    assert_eq!(s.workflow_commands.len(), 3);
    assert!(
        s.workflow_commands
            .iter()
            .all(|c| c.starts_with("::") && c.contains("file=services/api/template.yaml,")),
        "{:?}",
        s.workflow_commands
    );
}

/// A push (what `workflows/scan.yml` does on the default branch): a check run on the pushed
/// commit and the code-scanning upload for the branch, and nothing a pull request would get,
/// no review, no summary comment, not even a look for one.
#[test]
fn a_push_gets_a_check_run_and_code_scanning_only() {
    let gh = github("");
    let event = format!(
        "{}/tests/fixtures/events/push.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let vars = |name: &str| match name {
        "GITHUB_EVENT_NAME" => Some("push".to_string()),
        "GITHUB_EVENT_PATH" => Some(event.clone()),
        "GITHUB_REPOSITORY" => Some("acme/app".to_string()),
        "GITHUB_API_URL" => Some(gh.url.clone()),
        _ => None,
    };
    let ctx = PrContext::from_vars(vars, &ContextOverrides::default()).unwrap();
    assert_eq!(ctx.pr, None);
    let mut opts = options(&gh.url);
    opts.context = ctx;
    let s = publish_blocking(input(three()), opts).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert!(s.review.is_none() && s.summary_comment.is_none());
    assert_eq!(s.check_run.unwrap().annotations, 4);
    let st = gh.state.lock().unwrap();
    let ops: std::collections::BTreeSet<&str> = st.log.iter().map(|r| r.op.as_str()).collect();
    assert!(
        ops.iter()
            .all(|op| op.starts_with("checks/") || op.starts_with("code-scanning/")),
        "{ops:?}"
    );
    assert_eq!(st.check_runs.values().next().unwrap()["head_sha"], HEAD);
    assert_eq!(st.sarifs[0]["ref"], "refs/heads/main");
    assert_eq!(st.sarifs[0]["commit_sha"], HEAD);
    drop(st);
    assert_eq!(gh.violations(), Vec::<String>::new());
}

/// With frameworks configured, the sticky summary (and the check run's summary) gain one
/// compliance line per framework and a link to the uploaded report.
#[test]
fn summary_names_failing_controls_and_links_the_report() {
    let gh = github("");
    let mut opts = options(&gh.url);
    opts.compliance_frameworks = vec![
        tollgate_core::Framework::PciDss,
        tollgate_core::Framework::Hipaa,
    ];
    let url = "https://github.com/acme/app/actions/runs/42/artifacts/7";
    opts.compliance_report_url = Some(url.to_string());
    let s = publish_blocking(input(three()), opts).unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let st = gh.state.lock().unwrap();
    let summary = st.issue_comments[0]["body"].as_str().unwrap();
    // TG1004 (a function outside a VPC) maps to PCI DSS 1.3.1; no rule that fired maps to
    // a HIPAA control.
    assert!(
        summary.contains("### Compliance\n\n- **PCI-DSS**: 1 control failing (1\\.3\\.1)\n- **HIPAA**: no control failing\n"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("[Compliance report]({url})")),
        "{summary}"
    );
    let check = st
        .log
        .iter()
        .find(|r| r.op == "checks/create")
        .and_then(|r| r.body.clone())
        .unwrap();
    assert!(check["output"]["summary"]
        .as_str()
        .unwrap()
        .contains("**PCI-DSS**: 1 control failing"));
    drop(st);
    // Without frameworks the summary has no compliance section.
    let gh = github("");
    publish_blocking(input(three()), options(&gh.url)).unwrap();
    let st = gh.state.lock().unwrap();
    assert!(!st.issue_comments[0]["body"]
        .as_str()
        .unwrap()
        .contains("Compliance"));
    drop(st);
    assert_eq!(gh.violations(), Vec::<String>::new());
}
