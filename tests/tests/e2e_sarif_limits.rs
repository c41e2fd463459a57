//! End-to-end: the notes about what a SARIF log cuts to fit GitHub's limits are the same in the
//! JSON report whether or not the run also writes the log (it is only built when written).

use serde_json::{json, Value};
use tollgate_e2e::{tollgate_cmd, workspace_root};

/// A scanned directory with real findings and a plugin whose log breaks GitHub's limits: more
/// runs than a log holds, a result with too many related locations, a rule with too many tags.
fn repo_over_the_limits() -> tempfile::TempDir {
    // The plugin's log and config sit outside the scanned `repo/`, as does the SARIF file.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("repo")).unwrap();
    std::fs::copy(
        workspace_root().join("examples/sam-orders/template.yaml"),
        dir.path().join("repo/template.yaml"),
    )
    .unwrap();
    let related: Vec<Value> = (0..1_004)
        .map(|i| {
            json!({"id": i + 1, "physicalLocation": {"artifactLocation": {"uri": "template.yaml"}, "region": {"startLine": 1}}})
        })
        .collect();
    let tags: Vec<String> = (0..25).map(|i| format!("t{i}")).collect();
    let run = |name: String, tags: &[String], results: Value| {
        json!({
            "tool": {"driver": {"name": name, "rules": [{"id": "P1", "properties": {"tags": tags}}]}},
            "results": results
        })
    };
    let mut runs = vec![run(
        "deep".to_string(),
        &tags,
        json!([{"ruleId": "P1", "level": "warning", "message": {"text": "deep"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "template.yaml"}, "region": {"startLine": 2}}}],
                "relatedLocations": related}]),
    )];
    runs.extend((0..21).map(|i| run(format!("small{i}"), &[], json!([]))));
    let log = json!({"version": "2.1.0", "runs": runs});
    std::fs::write(dir.path().join("plugin.sarif"), log.to_string()).unwrap();
    std::fs::write(
        dir.path().join("plugin.toml"),
        format!(
            "[[stage.external]]\nname = \"deep\"\ncommand = \"cat\"\nargs = [\"{}\"]\n",
            dir.path().join("plugin.sarif").display()
        ),
    )
    .unwrap();
    dir
}

#[test]
fn json_report_is_the_same_with_and_without_a_sarif_file() {
    let dir = repo_over_the_limits();
    let run = |extra: &[&str]| {
        let out = tollgate_cmd()
            .current_dir(dir.path())
            .args(["run", "repo", "--format", "json", "--fail-on", "none"])
            .args(["--no-progress", "--config", "plugin.toml"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let sarif_path = dir.path().join("out.sarif");
    let without = run(&[]);
    let with = run(&["--sarif", sarif_path.to_str().unwrap()]);
    assert!(sarif_path.exists());
    assert_eq!(
        String::from_utf8_lossy(&without),
        String::from_utf8_lossy(&with)
    );

    let report: Value = serde_json::from_slice(&without).unwrap();
    let notes: Vec<String> = report["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["id"] == "truncated")
        .map(|n| n["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("3 plugin runs left out"), "{notes:?}");
    assert!(
        notes[1].contains("dropped 4 locations from 1 results")
            && notes[1].contains("cut the tags of 1 rules"),
        "{notes:?}"
    );
    assert!(
        report["findings"].as_array().unwrap().len() > 1,
        "the template's findings are in the report"
    );
}
