//! End-to-end: the real binary on every example under `examples/`, compared with the example's
//! `expected-results.json`. The examples carry their own `tollgate.toml` pointing at the
//! offline advisory directory `examples/advisories`, so this needs no network.
//!
//! `UPDATE_EXPECTED=1 cargo test -p tollgate-e2e --test e2e_examples` rewrites the files; review
//! the diff entry by entry against the templates before committing it.

use std::path::Path;

use serde_json::{json, Value};
use tollgate_e2e::{example_dir, python3_available, tollgate_cmd, EXAMPLES, EXAMPLES_TODAY};

/// Scan `dir` with every stage and return the JSON report; the run itself must not fail.
fn scan(dir: &Path) -> Value {
    let out = tollgate_cmd()
        .current_dir(dir)
        .args(["run", ".", "--format", "json", "--no-progress", "--fail-on"])
        .args(["none", "--today", EXAMPLES_TODAY])
        // The plugin example's own config runs its plugin, which the user allows here.
        .arg("--allow-plugins")
        .output()
        .expect("tollgate runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}: {stderr}", dir.display());
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}: {stderr}", dir.display()));
    let errors: Vec<&Value> = report["notifications"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| n["level"] == "error")
        .collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", dir.display());
    report
}

/// The comparable part of each finding, sorted so the order stages finish in does not matter.
fn entries(report: &Value) -> Vec<Value> {
    let mut entries: Vec<Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            json!({
                "rule": f["rule"],
                "path": f["location"]["path"],
                "line": f["location"]["region"]["start"]["line"],
                "severity": f["severity"],
            })
        })
        .collect();
    entries.sort_by_key(|e| {
        (
            e["path"].as_str().unwrap_or_default().to_string(),
            e["line"].as_u64().unwrap_or(0),
            e["rule"].as_str().unwrap_or_default().to_string(),
            e["severity"].as_str().unwrap_or_default().to_string(),
        )
    });
    entries
}

#[test]
fn every_example_reports_what_it_expects() {
    let update = std::env::var_os("UPDATE_EXPECTED").is_some_and(|v| v == "1");
    let mut mismatches = Vec::new();
    for name in EXAMPLES {
        if name.starts_with("plugins/") && !python3_available() {
            eprintln!("note: python3 not found; skipping {name}");
            continue;
        }
        let dir = example_dir(name);
        let actual = entries(&scan(&dir));
        let file = dir.join("expected-results.json");
        if update {
            let text = serde_json::to_string_pretty(&actual).unwrap() + "\n";
            std::fs::write(&file, text).unwrap();
            continue;
        }
        let expected: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap_or_else(|e| {
                panic!("{}: {e} (run with UPDATE_EXPECTED=1)", file.display())
            }))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if actual != expected {
            let missing: Vec<&Value> = expected.iter().filter(|e| !actual.contains(e)).collect();
            let extra: Vec<&Value> = actual.iter().filter(|a| !expected.contains(a)).collect();
            mismatches.push(format!(
                "{name}: missing {missing:#?}\nunexpected {extra:#?}\n(counts {} expected, {} found)",
                expected.len(),
                actual.len()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}

/// The hardened twins fix every seeded problem: nothing at medium or above remains (their
/// expected results list only the low and info findings that are accepted by design).
#[test]
fn hardened_examples_have_nothing_at_medium_or_above() {
    for name in EXAMPLES.iter().filter(|n| n.ends_with("-hardened")) {
        let report = scan(&example_dir(name));
        let serious: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| !matches!(f["severity"].as_str(), Some("info" | "low")))
            .collect();
        assert!(serious.is_empty(), "{name}: {serious:#?}");
    }
}

/// Each seeded example trips all three kinds of checks it was built for, so a stage that
/// silently stops working (no advisories read, no lockfile found) fails here by name.
#[test]
fn seeded_examples_exercise_every_stage() {
    for (name, advisories) in [
        (
            "sam-orders",
            &["GHSA-x84v-xcm2-53pg", "GHSA-mh33-7rrq-662w"][..],
        ),
        (
            "serverless-payments",
            &[
                "GHSA-p6mc-m468-83gw",
                "GHSA-35jh-r3h4-6jhm",
                "GHSA-xvch-5gv4-984h",
            ][..],
        ),
        ("terraform-ledger", &[][..]),
    ] {
        let report = scan(&example_dir(name));
        let rules: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["rule"].as_str())
            .collect();
        assert!(
            rules.iter().any(|r| r.starts_with("TG1")),
            "{name}: {rules:?}"
        );
        assert!(
            rules.iter().any(|r| r.starts_with("TG2")),
            "{name}: {rules:?}"
        );
        for id in advisories {
            assert!(rules.contains(id), "{name}: {id} missing from {rules:?}");
        }
    }
}

/// Every output format renders an example without error, and the gate still says `fail`.
#[test]
fn every_format_renders_an_example() {
    let dir = example_dir("serverless-payments");
    for format in ["text", "json", "sarif", "markdown"] {
        let out = tollgate_cmd()
            .current_dir(&dir)
            .args(["run", ".", "--no-progress", "--today", EXAMPLES_TODAY])
            .args(["--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("GHSA-xvch-5gv4-984h"), "{format}: {stdout}");
        assert!(stdout.contains("TG1404"), "{format}: {stdout}");
        if matches!(format, "json" | "sarif") {
            serde_json::from_str::<Value>(&stdout).unwrap_or_else(|e| panic!("{format}: {e}"));
        }
    }
}
