//! End-to-end: the dependency stage through the real binary, offline against the deps crate's
//! OSV fixture (a directory, and a cache filled by `tollgate db update` from a local server).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tollgate_e2e::tollgate_bin;

const LOCK: &str = r#"{
  "name": "fn",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "fn", "dependencies": {"lodash": "4.17.15"}},
    "node_modules/lodash": {
      "version": "4.17.15"
    }
  }
}
"#;

const REQUIREMENTS: &str = "boto3==1.28.0\nrequests==2.19.1\nPyYAML>=5.1\n";

/// The binary with a clean environment: no colour, no log filter, no token.
fn tollgate_cmd() -> Command {
    let mut cmd = Command::new(tollgate_bin());
    cmd.env_remove("RUST_LOG")
        .env_remove("GITHUB_TOKEN")
        .env("NO_COLOR", "1");
    cmd
}

fn osv_fixture() -> PathBuf {
    tollgate_e2e::workspace_root().join("crates/tollgate-deps/tests/fixtures/osv")
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("svc/package-lock.json", LOCK),
        (
            "svc/package.json",
            "{\"dependencies\": {\"lodash\": \"4.17.15\"}}\n",
        ),
        ("layer/requirements.txt", REQUIREMENTS),
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn sarif(dir: &Path, cache: &Path, extra: &[&str]) -> (Value, i32, String) {
    let out = tollgate_cmd()
        .current_dir(dir)
        .env("TOLLGATE_CACHE_DIR", cache)
        .args([
            "run",
            ".",
            "--stages",
            "deps",
            "--offline",
            "--format",
            "sarif",
            "--no-progress",
        ])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let log: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (log, out.status.code().unwrap_or(-1), stderr)
}

/// (ruleId, uri, line, fully qualified name) of each result.
fn results(log: &Value) -> Vec<(String, String, u64, String)> {
    let mut out: Vec<_> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let loc = &r["locations"][0];
            (
                r["ruleId"].as_str().unwrap_or("").to_string(),
                loc["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
                loc["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap_or(0),
                loc["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn expected() -> Vec<(String, String, u64, String)> {
    let mut v: Vec<_> = [
        (
            "GHSA-35jh-r3h4-6jhm",
            "svc/package-lock.json",
            6,
            "svc/package-lock.json#lodash@4.17.15",
        ),
        (
            "GHSA-p6mc-m468-83gw",
            "svc/package-lock.json",
            6,
            "svc/package-lock.json#lodash@4.17.15",
        ),
        (
            "GHSA-x84v-xcm2-53pg",
            "layer/requirements.txt",
            2,
            "layer/requirements.txt#requests@2.19.1",
        ),
        (
            "TG3001",
            "layer/requirements.txt",
            3,
            "layer/requirements.txt#PyYAML",
        ),
    ]
    .into_iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c, d.to_string()))
    .collect();
    v.sort();
    v
}

#[test]
fn advisory_directory_offline() {
    let dir = repo();
    let cache = tempfile::tempdir().unwrap();
    let fixture = osv_fixture();
    let (log, code, stderr) = sarif(
        dir.path(),
        cache.path(),
        &[
            "--advisory-db",
            fixture.to_str().unwrap(),
            "--fail-on",
            "high",
        ],
    );
    assert_eq!(results(&log), expected(), "{stderr}");
    assert_eq!(code, 1, "high findings gate the build: {stderr}");
    // Each advisory is a rule with its aliases as equivalents.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let requests = rules
        .iter()
        .find(|r| r["id"] == "GHSA-x84v-xcm2-53pg")
        .unwrap();
    assert!(requests["properties"]["equivalents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e == "CVE-2018-18074"));
    tollgate_e2e::assert_valid_sarif(&log);
}

#[test]
fn offline_without_a_database_fails_with_a_hint() {
    let dir = repo();
    let cache = tempfile::tempdir().unwrap();
    let (_, code, stderr) = sarif(dir.path(), cache.path(), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("tollgate db update"), "{stderr}");
}

/// Serves `zip` at `/<ecosystem>/all.zip` for every ecosystem, on 127.0.0.1.
fn bucket(zip: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
            }
            let ok = line.contains("/all.zip");
            let body: &[u8] = if ok { &zip } else { b"not found" };
            let status = if ok { "200 OK" } else { "404 Not Found" };
            let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nETag: \"e1\"\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        }
    });
    base
}

/// The fixture directory as a stored (uncompressed) zip: enough for the reader, no zip writer
/// needed here.
fn stored_zip(dir: &Path) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for eco in std::fs::read_dir(dir).unwrap() {
        for f in std::fs::read_dir(eco.unwrap().path()).unwrap() {
            files.push(f.unwrap().path());
        }
    }
    files.sort();
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let mut data = Vec::new();
        std::fs::File::open(f)
            .unwrap()
            .read_to_end(&mut data)
            .unwrap();
        let (crc, size, offset) = (crc32(&data), data.len() as u32, out.len() as u32);
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        common(&mut central);
        // Comment length, disk number, internal attributes.
        central.extend_from_slice(&[0; 6]);
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let (cd_offset, cd_size) = (out.len() as u32, central.len() as u32);
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

#[test]
fn db_update_then_offline_scan_from_the_cache() {
    let base = bucket(stored_zip(&osv_fixture()));
    let cache = tempfile::tempdir().unwrap();
    let out = tollgate_cmd()
        .args([
            "db",
            "update",
            "--ecosystems",
            "npm,PyPI",
            "--base-url",
            &base,
            "--cache-dir",
        ])
        .arg(cache.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = repo();
    let (log, _, stderr) = sarif(dir.path(), cache.path(), &[]);
    assert_eq!(results(&log), expected(), "{stderr}");
}
