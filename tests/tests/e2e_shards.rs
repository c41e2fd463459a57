//! End-to-end: `--shard K/N` over the whole `examples/` tree (all stages, offline advisory
//! database) merges back to exactly the unsharded log. Sharding goes by directory, so no
//! Terraform configuration or template is split between shards.

use std::path::Path;

use serde_json::Value;
use tollgate_e2e::{tollgate_cmd, workspace_root, EXAMPLES_TODAY};

fn scan(out: &Path, extra: &[&str]) {
    let output = tollgate_cmd()
        .current_dir(workspace_root())
        .args(["run", "examples", "--no-progress", "--format", "json"])
        .args(["--fail-on", "none", "--today", EXAMPLES_TODAY])
        .args(["--advisory-db", "examples/advisories", "--offline"])
        .arg("--sarif")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{extra:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The log without what legitimately differs between runs: times, the repeats of a
/// notification every shard makes alike (each shard's deps stage says which database it read;
/// `tollgate merge` keeps one copy per shard today), and the order of the driver's rules.
/// Rules that only some shards report (advisories, policy rules) are appended by `merge` in
/// shard order, while one run lists them stage by stage; SARIF gives that order no meaning, so
/// rules are compared sorted by id, with each result's rule index pointing into that order.
fn read(path: &Path) -> Value {
    let mut log: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for run in log["runs"].as_array_mut().unwrap() {
        if let Some(Value::Array(rules)) = run.pointer_mut("/tool/driver/rules") {
            rules.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
        }
        let order: Vec<String> = run
            .pointer("/tool/driver/rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|r| r["id"].as_str().unwrap_or_default().to_string())
            .collect();
        for result in run["results"].as_array_mut().into_iter().flatten() {
            let id = result["ruleId"].as_str().unwrap_or_default();
            if let Some(index) = order.iter().position(|r| r == id) {
                result["ruleIndex"] = Value::from(index);
            }
        }
        for inv in run["invocations"].as_array_mut().into_iter().flatten() {
            let inv = inv.as_object_mut().unwrap();
            inv.remove("startTimeUtc");
            inv.remove("endTimeUtc");
            if let Some(Value::Array(notes)) = inv.get_mut("toolExecutionNotifications") {
                let mut seen = Vec::new();
                notes.retain(|n| {
                    let new = !seen.contains(n);
                    if new {
                        seen.push(n.clone());
                    }
                    new
                });
            }
        }
    }
    log
}

#[test]
fn sharded_examples_merge_to_the_unsharded_log() {
    let dir = tempfile::tempdir().unwrap();
    let all = dir.path().join("all.sarif");
    scan(&all, &[]);
    let n = 3;
    let mut shards = Vec::new();
    for k in 1..=n {
        let path = dir.path().join(format!("s{k}.sarif"));
        scan(&path, &["--shard", &format!("{k}/{n}")]);
        shards.push(path);
    }
    let merged = dir.path().join("merged.sarif");
    let status = tollgate_cmd()
        .current_dir(dir.path())
        .arg("merge")
        .args(&shards)
        .arg("-o")
        .arg(&merged)
        .output()
        .unwrap();
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let (all, merged) = (read(&all), read(&merged));
    let results = all["runs"][0]["results"].as_array().unwrap();
    // Every stage contributed: IaC, permissions and advisories.
    for prefix in ["TG1", "TG2", "GHSA-"] {
        assert!(
            results.iter().any(|r| r["ruleId"]
                .as_str()
                .is_some_and(|id| id.starts_with(prefix))),
            "no {prefix} result"
        );
    }
    if all != merged {
        let a = serde_json::to_string_pretty(&all).unwrap();
        let m = serde_json::to_string_pretty(&merged).unwrap();
        let first = a
            .lines()
            .zip(m.lines())
            .position(|(x, y)| x != y)
            .unwrap_or_else(|| a.lines().count().min(m.lines().count()));
        let context = |s: &str| {
            s.lines()
                .skip(first.saturating_sub(5))
                .take(15)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "merged shards differ from line {first}:\n--- unsharded\n{}\n--- merged\n{}",
            context(&a),
            context(&m)
        );
    }
}
