//! `update_db` against a local HTTP server: download with validators, 304, a corrupt archive and
//! an interrupted download (both leave the previous database usable), and a missing file.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tollgate_deps::{cache, update_db, AdvisoryDb, Ecosystem, UpdateOptions, UpdateOutcome};
use tollgate_proxy::test_support::ConnectProxy;
use tollgate_proxy::ProxyEnv;

fn options(base: &str, cache_dir: &std::path::Path) -> UpdateOptions {
    UpdateOptions {
        ecosystems: vec![Ecosystem::Npm],
        base_url: base.to_string(),
        cache_dir: cache_dir.to_path_buf(),
        timeout: Duration::from_secs(20),
        proxies: ProxyEnv::none(),
    }
}

/// Serves the fixture zip at /npm/all.zip with an ETag, 304 when it matches, and whatever
/// `mode` says afterwards: 0 = normal, 1 = corrupt bytes, 2 = body cut short.
fn osv_bucket(mode: Arc<AtomicUsize>) -> common::Server {
    let zip = common::fixture_zip();
    common::serve(Box::new(move |req| {
        if req.path != "/npm/all.zip" {
            return common::response("404 Not Found", &[], b"no such object");
        }
        match mode.load(Ordering::SeqCst) {
            1 => common::response(
                "200 OK",
                &[("ETag", "\"v2\"")],
                b"PK\x03\x04 this is not a zip archive",
            ),
            2 => {
                // Claim the whole archive, send half of it, close.
                let mut head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: \"v3\"\r\nConnection: close\r\n\r\n",
                    zip.len()
                )
                .into_bytes();
                head.extend_from_slice(&zip[..zip.len() / 2]);
                head
            }
            _ if req.header("if-none-match") == Some("\"v1\"") => {
                common::response("304 Not Modified", &[("ETag", "\"v1\"")], b"")
            }
            _ => common::response(
                "200 OK",
                &[
                    ("ETag", "\"v1\""),
                    ("Last-Modified", "Wed, 01 Jan 2025 00:00:00 GMT"),
                ],
                &zip,
            ),
        }
    }))
}

fn npm_advisories(cache_dir: &std::path::Path) -> usize {
    let db = AdvisoryDb::open(&[cache::zip_path(cache_dir, Ecosystem::Npm)], None).unwrap();
    db.advisories_for(Ecosystem::Npm, "lodash").unwrap().len()
}

#[test]
fn download_then_not_modified() {
    let dir = tempfile::tempdir().unwrap();
    let server = osv_bucket(Arc::new(AtomicUsize::new(0)));
    let summary = update_db(&options(&server.base, dir.path())).unwrap();
    assert_eq!(summary.updated.len(), 1);
    match &summary.updated[0].outcome {
        UpdateOutcome::Downloaded { advisories, bytes } => {
            assert_eq!(*advisories, 16);
            assert!(*bytes > 0);
        }
        other => panic!("expected a download, got {other:?}"),
    }
    let (_, meta) = cache::cached(dir.path(), Ecosystem::Npm).unwrap();
    assert_eq!(meta.etag.as_deref(), Some("\"v1\""));
    assert!(cache::index_path(dir.path(), Ecosystem::Npm).is_file());
    assert_eq!(npm_advisories(dir.path()), 2);

    let again = update_db(&options(&server.base, dir.path())).unwrap();
    assert_eq!(again.updated[0].outcome, UpdateOutcome::NotModified);
    let requests = server.requests.lock().unwrap();
    assert_eq!(requests[1].header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        requests[1].header("if-modified-since"),
        Some("Wed, 01 Jan 2025 00:00:00 GMT")
    );
}

#[test]
fn corrupt_or_interrupted_downloads_keep_the_old_database() {
    let dir = tempfile::tempdir().unwrap();
    let mode = Arc::new(AtomicUsize::new(0));
    let server = osv_bucket(mode.clone());
    update_db(&options(&server.base, dir.path())).unwrap();
    let before = std::fs::read(cache::zip_path(dir.path(), Ecosystem::Npm)).unwrap();
    // Force a full download next time (no 304).
    let mut meta = cache::cached(dir.path(), Ecosystem::Npm).unwrap().1;
    meta.etag = None;
    meta.last_modified = None;
    cache::write_meta(dir.path(), Ecosystem::Npm, &meta).unwrap();

    for m in [1, 2] {
        mode.store(m, Ordering::SeqCst);
        let err = update_db(&options(&server.base, dir.path())).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("npm"), "{text}");
        if m == 1 {
            assert!(
                text.contains("damaged") && text.contains("previous database is kept"),
                "{text}"
            );
        } else {
            assert!(
                text.contains("interrupted") || text.contains("damaged"),
                "{text}"
            );
        }
        let after = std::fs::read(cache::zip_path(dir.path(), Ecosystem::Npm)).unwrap();
        assert_eq!(before, after, "mode {m} replaced the database");
        assert_eq!(npm_advisories(dir.path()), 2);
        // No partial files are left behind.
        let leftovers: Vec<_> = std::fs::read_dir(cache::ecosystem_dir(dir.path(), Ecosystem::Npm))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.contains("part") || n.contains("tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}

#[test]
fn missing_ecosystem_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let server = osv_bucket(Arc::new(AtomicUsize::new(0)));
    let mut opts = options(&server.base, dir.path());
    opts.ecosystems = vec![Ecosystem::PyPi];
    let err = update_db(&opts).unwrap_err().to_string();
    assert!(err.contains("PyPI") && err.contains("404"), "{err}");
    assert!(cache::cached(dir.path(), Ecosystem::PyPi).is_none());
}

fn proxy_vars(pairs: Vec<(&'static str, String)>) -> ProxyEnv {
    ProxyEnv::from_vars(move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
}

/// Behind a proxy the download goes through a CONNECT tunnel to the bucket, with the proxy's
/// credentials; `NO_PROXY` sends it direct; a refusing proxy's error never shows its password.
#[test]
fn the_download_honours_the_proxy_variables() {
    let server = osv_bucket(Arc::new(AtomicUsize::new(0)));
    let authority = server.base.trim_start_matches("http://").to_string();
    let proxy = ConnectProxy::start();
    let dir = tempfile::tempdir().unwrap();
    let mut opts = options(&server.base, dir.path());
    opts.proxies = proxy_vars(vec![(
        "http_proxy",
        format!("http://db:s3cret-pw@127.0.0.1:{}", proxy.port),
    )]);
    let summary = update_db(&opts).unwrap();
    assert!(matches!(
        summary.updated[0].outcome,
        UpdateOutcome::Downloaded { .. }
    ));
    let requests = proxy.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].authority, authority);
    // Basic base64("db:s3cret-pw")
    assert_eq!(
        requests[0].authorization.as_deref(),
        Some("Basic ZGI6czNjcmV0LXB3")
    );

    let direct = tempfile::tempdir().unwrap();
    let mut opts = options(&server.base, direct.path());
    opts.proxies = proxy_vars(vec![
        ("HTTP_PROXY", proxy.url.clone()),
        ("NO_PROXY", "localhost,127.0.0.1".to_string()),
    ]);
    update_db(&opts).unwrap();
    assert_eq!(
        proxy.authorities().len(),
        1,
        "NO_PROXY went through the proxy"
    );

    let refusing = ConnectProxy::answering(Some(407));
    let failed = tempfile::tempdir().unwrap();
    let mut opts = options(&server.base, failed.path());
    opts.proxies = proxy_vars(vec![(
        "HTTP_PROXY",
        format!("http://db:s3cret-pw@127.0.0.1:{}", refusing.port),
    )]);
    let err = update_db(&opts).unwrap_err().to_string();
    assert_eq!(refusing.authorities(), vec![authority]);
    assert!(
        err.contains("CONNECT proxy failed") && err.contains("407") && !err.contains("s3cret-pw"),
        "{err}"
    );
    assert!(cache::cached(failed.path(), Ecosystem::Npm).is_none());
}
