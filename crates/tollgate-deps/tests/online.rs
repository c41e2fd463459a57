//! Online mode against a fake OSV API on 127.0.0.1: batching, paging, retries, and the stage
//! choosing the API when no cached database exists.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tollgate_core::Stage;
use tollgate_deps::online::{OnlineClient, Query};
use tollgate_deps::{DepsOptions, DepsStage, Ecosystem};

fn fixture(id: &str) -> Option<Vec<u8>> {
    for eco in std::fs::read_dir(common::fixtures().join("osv")).unwrap() {
        let path = eco.unwrap().path().join(format!("{id}.json"));
        if path.is_file() {
            return Some(std::fs::read(path).unwrap());
        }
    }
    None
}

/// A fake API: querybatch answers with every fixture advisory naming the package (the
/// client re-checks versions), the first request of all fails with 503, and queries for
/// `paged` get their second advisory on a second page.
fn fake_api(calls: Arc<AtomicUsize>) -> common::Server {
    common::serve(Box::new(move |req| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            return common::response("503 Service Unavailable", &[], b"try again");
        }
        if req.method == "POST" && req.path == "/v1/querybatch" {
            let body: Value = serde_json::from_slice(&req.body).unwrap();
            let queries = body["queries"].as_array().unwrap();
            assert!(queries.len() <= 1000, "batch of {}", queries.len());
            let results: Vec<Value> = queries
                .iter()
                .map(|q| {
                    let name = q["package"]["name"].as_str().unwrap();
                    let ids: Vec<&str> = match name {
                        "lodash" => vec!["GHSA-p6mc-m468-83gw", "GHSA-35jh-r3h4-6jhm"],
                        "minimist" => vec!["GHSA-vh95-rmgr-6w4m"],
                        "smallvec" => vec!["RUSTSEC-2021-0003", "GHSA-43w2-9j62-hq99"],
                        "paged" if q.get("page_token").is_none() => {
                            return json!({"vulns": [{"id": "GHSA-vh95-rmgr-6w4m"}], "next_page_token": "p2"})
                        }
                        "paged" => vec!["GHSA-35jh-r3h4-6jhm"],
                        _ => vec![],
                    };
                    if ids.is_empty() {
                        json!({})
                    } else {
                        json!({"vulns": ids.iter().map(|i| json!({"id": i, "modified": "2024-01-01T00:00:00Z"})).collect::<Vec<_>>()})
                    }
                })
                .collect();
            return common::response(
                "200 OK",
                &[("Content-Type", "application/json")],
                json!({"results": results}).to_string().as_bytes(),
            );
        }
        if let Some(id) = req.path.strip_prefix("/v1/vulns/") {
            if let Some(body) = fixture(id) {
                return common::response("200 OK", &[("Content-Type", "application/json")], &body);
            }
        }
        common::response("404 Not Found", &[], b"{}")
    }))
}

#[test]
fn batches_pages_and_retries() {
    let calls = Arc::new(AtomicUsize::new(0));
    let server = fake_api(calls.clone());
    let client = OnlineClient::new(&server.base, Duration::from_secs(20));
    let mut queries: Vec<Query> = (0..1200)
        .map(|i| Query {
            ecosystem: Ecosystem::Npm,
            name: format!("pkg-{i}"),
            version: "1.0.0".into(),
        })
        .collect();
    queries.push(Query {
        ecosystem: Ecosystem::Npm,
        name: "lodash".into(),
        version: "4.17.20".into(),
    });
    queries.push(Query {
        ecosystem: Ecosystem::Npm,
        name: "paged".into(),
        version: "1.0.0".into(),
    });
    let found = client.query(&queries).unwrap();
    assert!(found.failed.is_empty(), "{:?}", found.failed);
    let results = found.hits;
    assert_eq!(results.len(), 1202);
    // Only the command-injection advisory affects 4.17.20 (the other was fixed in 4.17.19).
    let lodash: Vec<&str> = results[1200].iter().map(|a| a.id.as_str()).collect();
    assert_eq!(lodash, vec!["GHSA-35jh-r3h4-6jhm"]);
    // `paged` got ids from both pages; its advisories name other packages, so none applies.
    assert!(results[1201].is_empty());
    let requests = server.requests.lock().unwrap();
    let batches = requests
        .iter()
        .filter(|r| r.path == "/v1/querybatch")
        .count();
    // 503, then two batches (1000 + 202), then the second page.
    assert_eq!(batches, 4);
    let fetched: Vec<&str> = requests
        .iter()
        .filter(|r| r.path.starts_with("/v1/vulns/"))
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(fetched.len(), 3, "each advisory fetched once: {fetched:?}");
}

#[test]
fn stage_goes_online_without_a_cached_database() {
    let calls = Arc::new(AtomicUsize::new(0));
    let server = fake_api(calls);
    let cache = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join("svc")).unwrap();
    std::fs::copy(
        common::fixtures().join("repo/node/package-lock.json"),
        repo.path().join("svc/package-lock.json"),
    )
    .unwrap();
    let ctx = common::context(repo.path(), common::today());
    let stage = DepsStage::new(DepsOptions {
        cache_dir: Some(cache.path().to_path_buf()),
        online_base_url: server.base.clone(),
        ..DepsOptions::default()
    });
    let report = stage.run(&ctx).unwrap();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules.len(), 3, "{rules:?}");
    assert!(rules.contains(&"GHSA-vh95-rmgr-6w4m"));
    assert!(report
        .notifications
        .iter()
        .any(|n| n.id == "advisory-source" && n.message.contains("OSV API")));
}

#[test]
fn api_failure_falls_back_to_the_cached_database() {
    let server = common::serve(Box::new(|_| {
        common::response("500 Internal Server Error", &[], b"down")
    }));
    let cache = tempfile::tempdir().unwrap();
    common::cached_db(cache.path(), 9);
    let ctx = common::context(&common::fixtures().join("repo/java"), common::today());
    let stage = DepsStage::new(DepsOptions {
        cache_dir: Some(cache.path().to_path_buf()),
        online_base_url: server.base.clone(),
        ..DepsOptions::default()
    });
    let report = stage.run(&ctx).unwrap();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, vec!["GHSA-jfh8-c2jp-5v3q"]);
    assert!(report
        .notifications
        .iter()
        .any(|n| n.message.contains("OSV API query failed")));
    assert!(report
        .notifications
        .iter()
        .any(|n| n.id == "stale-advisory-database" && n.message.contains("9 days old")));
}
