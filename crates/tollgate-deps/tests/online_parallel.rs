//! Online mode's advisory fetches against a fake OSV API on 127.0.0.1 that serves each
//! connection on its own thread: bounded parallelism, one fetch per id, retries, a failure
//! that is reported rather than dropped, and the disk cache keyed by `modified`.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tollgate_core::{NotificationLevel, Stage, Verdict};
use tollgate_deps::online::{OnlineClient, Query, DEFAULT_WORKERS};
use tollgate_deps::{DepsOptions, DepsStage, Ecosystem};

/// Packages `pkg-0` .. `pkg-{PACKAGES-1}`; each has its own advisory `TEST-<i>`, and all
/// share `TEST-SHARED` (which names `pkg-0` only), `TEST-FLAKY` (answers 500 once) and
/// `TEST-BROKEN` (always 500).
const PACKAGES: usize = 40;

struct Fake {
    server: common::Server,
    /// `modified` stamp per id; a test bumps one to make it change.
    modified: Arc<Mutex<HashMap<String, String>>>,
    max_in_flight: Arc<AtomicUsize>,
}

fn advisory(id: &str, package: &str, modified: &str) -> Value {
    json!({
        "id": id,
        "modified": modified,
        "summary": format!("{id} in {package}"),
        "affected": [{
            "package": {"ecosystem": "npm", "name": package},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}],
        }],
    })
}

fn fake_api() -> Fake {
    let modified = Arc::new(Mutex::new(HashMap::new()));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let max_in_flight = Arc::new(AtomicUsize::new(0));
    let flaky_calls = Arc::new(AtomicUsize::new(0));
    let stamps = modified.clone();
    let peak = max_in_flight.clone();
    let server = common::serve_concurrent(Box::new(move |req| {
        let stamp = |id: &str| {
            stamps
                .lock()
                .unwrap()
                .get(id)
                .cloned()
                .unwrap_or_else(|| "2024-01-01T00:00:00Z".to_string())
        };
        let ok = |body: Value| {
            common::response(
                "200 OK",
                &[("Content-Type", "application/json")],
                body.to_string().as_bytes(),
            )
        };
        if req.method == "POST" && req.path == "/v1/querybatch" {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let results: Vec<Value> = body["queries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| {
                    let name = q["package"]["name"].as_str().unwrap();
                    let own = name.replace("pkg-", "TEST-");
                    let ids = [own.as_str(), "TEST-SHARED", "TEST-FLAKY", "TEST-BROKEN"];
                    json!({"vulns": ids.iter().map(|i| json!({"id": i, "modified": stamp(i)})).collect::<Vec<_>>()})
                })
                .collect();
            return ok(json!({ "results": results }));
        }
        let Some(id) = req.path.strip_prefix("/v1/vulns/") else {
            return common::response("404 Not Found", &[], b"{}");
        };
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        peak.fetch_max(now, Ordering::SeqCst);
        // Long enough that a parallel client has several requests open at once.
        std::thread::sleep(Duration::from_millis(40));
        in_flight.fetch_sub(1, Ordering::SeqCst);
        let fail = id == "TEST-BROKEN"
            || (id == "TEST-FLAKY" && flaky_calls.fetch_add(1, Ordering::SeqCst) == 0);
        if fail {
            return common::response("500 Internal Server Error", &[], b"oops");
        }
        let package = match id {
            "TEST-SHARED" | "TEST-FLAKY" => "pkg-0".to_string(),
            own => own.replace("TEST-", "pkg-"),
        };
        ok(advisory(id, &package, &stamp(id)))
    }));
    Fake {
        server,
        modified,
        max_in_flight,
    }
}

fn queries() -> Vec<Query> {
    (0..PACKAGES)
        .map(|i| Query {
            ecosystem: Ecosystem::Npm,
            name: format!("pkg-{i}"),
            version: "1.0.0".into(),
        })
        .collect()
}

/// How often each advisory was requested.
fn fetch_counts(server: &common::Server) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in server.requests.lock().unwrap().iter() {
        if let Some(id) = r.path.strip_prefix("/v1/vulns/") {
            *counts.entry(id.to_string()).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn advisories_are_fetched_in_parallel_once_each() {
    let fake = fake_api();
    let client = OnlineClient::new(&fake.server.base, Duration::from_secs(20));
    let found = client.query(&queries()).unwrap();

    // Each query's hits in a fixed order: its own advisory, then the shared ones naming it.
    assert_eq!(found.hits.len(), PACKAGES);
    let ids = |i: usize| -> Vec<&str> { found.hits[i].iter().map(|a| a.id.as_str()).collect() };
    assert_eq!(ids(0), vec!["TEST-0", "TEST-SHARED", "TEST-FLAKY"]);
    for i in 1..PACKAGES {
        assert_eq!(ids(i), vec![format!("TEST-{i}")], "pkg-{i}");
    }

    // Every id once, the flaky one retried once, the broken one given up after its attempts.
    let counts = fetch_counts(&fake.server);
    assert_eq!(counts.len(), PACKAGES + 3);
    for i in 0..PACKAGES {
        assert_eq!(counts[&format!("TEST-{i}")], 1);
    }
    assert_eq!(counts["TEST-SHARED"], 1);
    assert_eq!(counts["TEST-FLAKY"], 2);
    assert_eq!(counts["TEST-BROKEN"], 4);
    assert_eq!(found.fetched, PACKAGES + 2);
    assert_eq!(found.cached, 0);

    let peak = fake.max_in_flight.load(Ordering::SeqCst);
    assert!(
        (2..=DEFAULT_WORKERS).contains(&peak),
        "{peak} fetches in flight at most"
    );

    // The broken advisory is named, with every query it was listed for.
    assert_eq!(found.failed.len(), 1);
    let failure = &found.failed[0];
    assert_eq!(failure.id, "TEST-BROKEN");
    assert_eq!(failure.queries, (0..PACKAGES).collect::<Vec<_>>());
    let message = failure.error.to_string();
    assert!(message.contains("/v1/vulns/TEST-BROKEN"), "{message}");
    assert!(message.contains("HTTP 500"), "{message}");
}

#[test]
fn one_worker_gives_the_same_answer() {
    let fake = fake_api();
    let parallel = OnlineClient::new(&fake.server.base, Duration::from_secs(20))
        .query(&queries())
        .unwrap();
    let serial = OnlineClient::new(&fake.server.base, Duration::from_secs(20))
        .with_workers(1)
        .query(&queries())
        .unwrap();
    let ids = |hits: &[Vec<Arc<tollgate_deps::osv::Advisory>>]| -> Vec<Vec<String>> {
        hits.iter()
            .map(|h| h.iter().map(|a| a.id.clone()).collect())
            .collect()
    };
    assert_eq!(ids(&parallel.hits), ids(&serial.hits));
    assert_eq!(serial.failed.len(), 1);
}

#[test]
fn a_second_run_fetches_only_what_changed() {
    let fake = fake_api();
    let cache = tempfile::tempdir().unwrap();
    let client = OnlineClient::new(&fake.server.base, Duration::from_secs(20))
        .with_cache(cache.path().join("online"));
    let first = client.query(&queries()).unwrap();
    assert_eq!((first.fetched, first.cached), (PACKAGES + 2, 0));
    assert!(cache.path().join("online/TEST-7.json").is_file());

    let before = fetch_counts(&fake.server);
    let second = client.query(&queries()).unwrap();
    assert_eq!((second.fetched, second.cached), (0, PACKAGES + 2));
    let after = fetch_counts(&fake.server);
    // Only the advisory that never arrived is asked for again.
    let asked: Vec<&String> = after
        .iter()
        .filter(|(id, n)| before.get(*id) != Some(n))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(asked, vec!["TEST-BROKEN"]);
    assert_eq!(second.failed.len(), 1);
    assert_eq!(
        first.hits.iter().map(Vec::len).collect::<Vec<_>>(),
        second.hits.iter().map(Vec::len).collect::<Vec<_>>()
    );

    fake.modified
        .lock()
        .unwrap()
        .insert("TEST-7".into(), "2025-06-01T00:00:00Z".into());
    let third = client.query(&queries()).unwrap();
    assert_eq!((third.fetched, third.cached), (1, PACKAGES + 1));
    assert_eq!(
        third.hits[7][0].modified.as_deref(),
        Some("2025-06-01T00:00:00Z")
    );
}

#[test]
fn the_stage_reports_advisories_it_could_not_fetch() {
    let fake = fake_api();
    let repo = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let lock = json!({
        "name": "svc", "version": "1.0.0", "lockfileVersion": 3,
        "packages": {
            "": {"name": "svc", "version": "1.0.0"},
            "node_modules/pkg-0": {"version": "1.0.0"},
            "node_modules/pkg-1": {"version": "1.0.0"},
            // Not affected by its own advisory, but one listed for it could not be fetched.
            "node_modules/pkg-5": {"version": "3.0.0"},
        }
    });
    std::fs::write(
        repo.path().join("package-lock.json"),
        serde_json::to_string_pretty(&lock).unwrap(),
    )
    .unwrap();
    let ctx = common::context(repo.path(), common::today());
    let stage = DepsStage::new(DepsOptions {
        cache_dir: Some(cache.path().to_path_buf()),
        online_base_url: fake.server.base.clone(),
        ..DepsOptions::default()
    });
    let report = stage.run(&ctx).unwrap();
    let mut rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    rules.sort_unstable();
    assert_eq!(
        rules,
        vec!["TEST-0", "TEST-1", "TEST-FLAKY", "TEST-SHARED"],
        "the rest of the run goes on"
    );
    let failed: Vec<_> = report
        .notifications
        .iter()
        .filter(|n| n.id == "advisory-fetch-failed")
        .collect();
    assert_eq!(failed.len(), 1, "{:?}", report.notifications);
    assert_eq!(failed[0].level, NotificationLevel::Error);
    assert!(failed[0].message.contains("TEST-BROKEN"));
    assert!(failed[0].message.contains("pkg-0@1.0.0, pkg-1@1.0.0"));
    // A package without findings whose check missed an advisory is not clean: the check's
    // verdict on it is unknown. The affected ones are judged by their advisories' findings.
    let judged: Vec<(&str, &str, Verdict)> = report
        .evaluations
        .iter()
        .map(|e| (e.rule_id.as_str(), e.resource.as_str(), e.verdict))
        .collect();
    assert_eq!(
        judged,
        vec![("TG3004", "package-lock.json#pkg-5@3.0.0", Verdict::Unknown)]
    );
}
