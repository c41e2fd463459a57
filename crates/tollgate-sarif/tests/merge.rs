mod common;

use common::{assert_valid, bucket_rule, lambda_finding, lambda_rule};
use serde_sarif::sarif::Sarif;
use tollgate_core::{Finding, Location, Notification, Severity};
use tollgate_sarif::{
    build_log, build_run, merge, parse_log, to_json_pretty, RunInput, SarifError,
};

fn tollgate_log(rules: &[tollgate_core::Rule], findings: &[Finding], ok: bool) -> Sarif {
    let notes = [Notification::warning(
        "file-skipped",
        "big.json is over the size cap",
    )];
    let mut input = RunInput::new(rules, findings, &notes);
    input.execution_successful = ok;
    build_log(vec![build_run(&input)])
}

fn external(tool: &str, id: &str, results: &str) -> Sarif {
    let text = format!(
        r#"{{"version": "2.1.0", "runs": [{{
            "tool": {{"driver": {{"name": "{tool}", "rules": [{{"id": "B"}}, {{"id": "A"}}]}}}},
            "automationDetails": {{"id": "{id}"}},
            "results": [{results}]
        }}]}}"#
    );
    parse_log(&text, tool).unwrap()
}

#[test]
fn same_tool_and_category_become_one_run() {
    let a = tollgate_log(&[lambda_rule()], &[lambda_finding("a.yaml", 1)], true);
    let b = tollgate_log(
        &[bucket_rule(), lambda_rule()],
        &[
            lambda_finding("a.yaml", 1),
            Finding::new(
                "TG1301",
                Severity::High,
                "unencrypted",
                Location::file("b.yaml"),
            ),
        ],
        false,
    );
    let merged = merge(vec![a, b]).unwrap();
    assert_eq!(merged.runs.len(), 1);
    let run = &merged.runs[0];
    let rules = run.tool.driver.rules.as_ref().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["TG1001", "TG1301"]);
    let results = run.results.as_ref().unwrap();
    // The lambda finding is in both logs with the same fingerprint: kept once.
    assert_eq!(results.len(), 2);
    assert_eq!(results[1].rule_id.as_deref(), Some("TG1301"));
    assert_eq!(results[1].rule_index, Some(1));
    let invocations = run.invocations.as_ref().unwrap();
    assert_eq!(invocations.len(), 1);
    assert!(!invocations[0].execution_successful);
    // Both logs carry the same note (as shards of one scan do): it is kept once.
    assert_eq!(
        invocations[0]
            .tool_execution_notifications
            .as_ref()
            .unwrap()
            .len(),
        1
    );
    // Taxonomies unioned, relationship indices still point at the right taxa.
    let taxonomies = run.taxonomies.as_ref().unwrap();
    let names: Vec<&str> = taxonomies.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["CIS-AWS", "NIST-800-53", "PCI-DSS"]);
    for rule in rules {
        for rel in rule.relationships.iter().flatten() {
            let tc = rel.target.tool_component.as_ref().unwrap();
            let taxonomy = &taxonomies[tc.index.unwrap() as usize];
            assert_eq!(Some(taxonomy.name.as_str()), tc.name.as_deref());
            let taxon = &taxonomy.taxa.as_ref().unwrap()[rel.target.index.unwrap() as usize];
            assert_eq!(Some(taxon.id.as_str()), rel.target.id.as_deref());
        }
    }
    assert_valid(&to_json_pretty(&merged));
}

#[test]
fn different_tools_keep_their_own_runs() {
    let ours = tollgate_log(&[lambda_rule()], &[lambda_finding("a.yaml", 1)], true);
    let theirs = external(
        "checkov",
        "tollgate/ext/checkov/",
        r#"{"ruleId": "A", "message": {"text": "m"}}"#,
    );
    let merged = merge(vec![ours, theirs]).unwrap();
    let names: Vec<&str> = merged
        .runs
        .iter()
        .map(|r| r.tool.driver.name.as_str())
        .collect();
    assert_eq!(names, ["tollgate", "checkov"]);
    assert_valid(&to_json_pretty(&merged));
}

#[test]
fn same_tool_other_category_stays_apart() {
    let one = external(
        "checkov",
        "tollgate/ext/checkov-a/run1",
        r#"{"ruleId": "A", "message": {"text": "m"}}"#,
    );
    let two = external(
        "checkov",
        "tollgate/ext/checkov-b/run1",
        r#"{"ruleId": "A", "message": {"text": "m"}}"#,
    );
    assert_eq!(merge(vec![one, two]).unwrap().runs.len(), 2);
}

#[test]
fn external_results_dedup_by_place_and_rule_indices_follow_the_union() {
    // Same category (the run id after the last `/` differs), rules listed in another order.
    let one = external(
        "semgrep",
        "ci/semgrep/1",
        r#"{"ruleIndex": 1, "message": {"text": "m"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "x.py"}, "region": {"startLine": 3}}}]}"#,
    );
    let mut text = to_json_pretty(&external(
        "semgrep",
        "ci/semgrep/2",
        r#"{"ruleIndex": 1, "message": {"text": "m"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "x.py"}, "region": {"startLine": 3}}}]},
           {"ruleIndex": 0, "message": {"text": "other"}}"#,
    ));
    // Put a rule C first in the second log so its indices differ from the first's.
    text = text.replacen(r#""rules": ["#, r#""rules": [{"id": "C"}, "#, 1);
    text = text
        .replace(r#""ruleIndex": 1"#, r#""ruleIndex": 2"#)
        .replace(r#""ruleIndex": 0"#, r#""ruleIndex": 1"#);
    let two = parse_log(&text, "two").unwrap();

    let merged = merge(vec![one, two]).unwrap();
    assert_eq!(merged.runs.len(), 1);
    let run = &merged.runs[0];
    let ids: Vec<&str> = run
        .tool
        .driver
        .rules
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, ["B", "A", "C"]);
    let results = run.results.as_ref().unwrap();
    assert_eq!(
        results.len(),
        2,
        "the x.py:3 result of rule A is there twice"
    );
    assert_eq!(results[0].rule_index, Some(1));
    assert_eq!(results[1].rule_index, Some(0));
    assert_eq!(results[1].rule_id.as_deref(), Some("B"));
    assert_valid(&to_json_pretty(&merged));
}

#[test]
fn more_than_twenty_runs_is_an_error() {
    let logs: Vec<Sarif> = (0..21)
        .map(|i| {
            external(
                &format!("tool{i}"),
                "x/",
                r#"{"ruleId": "A", "message": {"text": "m"}}"#,
            )
        })
        .collect();
    let err = merge(logs).unwrap_err();
    assert!(matches!(
        err,
        SarifError::TooManyRuns { count: 21, max: 20 }
    ));
    assert!(err.to_string().contains("hint:"));
}

#[test]
fn artifact_indices_follow_appended_artifacts() {
    let log = |file: &str| {
        let text = format!(
            r#"{{"version": "2.1.0", "runs": [{{
                "tool": {{"driver": {{"name": "idx", "rules": [{{"id": "A"}}]}}}},
                "artifacts": [{{"location": {{"uri": "{file}"}}}}],
                "results": [{{"ruleId": "A", "message": {{"text": "in {file}"}},
                    "locations": [{{"physicalLocation": {{"artifactLocation": {{"index": 0}}}}}}]}}]
            }}]}}"#
        );
        parse_log(&text, file).unwrap()
    };
    // The same file twice is one result: the URI behind the index counts, not the index.
    let merged = merge(vec![log("one.py"), log("two.py"), log("one.py")]).unwrap();
    let run = &merged.runs[0];
    assert_eq!(run.results.as_ref().unwrap().len(), 2);
    let artifacts = run.artifacts.as_ref().unwrap();
    for result in run.results.as_ref().unwrap() {
        let index = result.locations.as_ref().unwrap()[0]
            .physical_location
            .as_ref()
            .unwrap()
            .artifact_location
            .as_ref()
            .unwrap()
            .index
            .unwrap() as usize;
        let uri = artifacts[index]
            .location
            .as_ref()
            .unwrap()
            .uri
            .as_deref()
            .unwrap();
        assert!(result.message.text.as_deref().unwrap().ends_with(uri));
    }
    assert_valid(&to_json_pretty(&merged));
}

/// An input the schema refuses (a `startLine` of 0, a negative length, an end before the
/// start) does not pass into the merged log: it is repaired, and the log validates.
#[test]
fn invalid_regions_are_repaired_not_copied() {
    let bad = external(
        "scanner",
        "scanner/",
        r#"{"ruleId": "A", "message": {"text": "zero"}, "locations": [{"physicalLocation": {
               "artifactLocation": {"uri": "a.py"}, "region": {"startLine": 0}}}]},
           {"ruleId": "B", "message": {"text": "backwards"}, "locations": [{"physicalLocation": {
               "artifactLocation": {"uri": "b.py"},
               "region": {"startLine": 9, "endLine": 2, "startColumn": 0, "charLength": -1}}}]},
           {"ruleId": "A", "message": {"text": "fix"}, "fixes": [{"artifactChanges": [{
               "artifactLocation": {"uri": "a.py"},
               "replacements": [{"deletedRegion": {"startLine": 0}}]}]}]}"#,
    );
    let merged = merge(vec![bad]).unwrap();
    let text = to_json_pretty(&merged);
    assert_valid(&text);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let results = value["runs"][0]["results"].as_array().unwrap();
    assert!(results[0]["locations"][0]["physicalLocation"]
        .get("region")
        .is_none());
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 9})
    );
    // A replacement needs its deleted region, a change its replacements, a fix its changes.
    assert!(results[2].get("fixes").is_none(), "{}", results[2]);
    // What was dropped is said, not dropped silently.
    let said = repair_notes(&value["runs"][0]);
    for expected in [
        "dropped 2 region `startLine` values out of SARIF's range or before the start (the first: 0)",
        "dropped 1 region `endLine` value",
        "dropped 1 region `startColumn` value",
        "dropped 1 region `charLength` value",
        "dropped 1 `replacements` item left without the part SARIF requires",
        "dropped 1 `artifactChanges` item",
        "dropped 1 `fixes` item",
    ] {
        assert!(said.iter().any(|m| m.contains(expected)), "{expected}: {said:#?}");
    }
}

/// A log from another tool with URIs the schema refuses (a byte-order mark, a bad escape,
/// text that is no URI at all) and empty location objects, in every place merge copies them.
const INVALID_URIS: &str = r#"{"version": "2.1.0", "runs": [{
    "tool": {
        "driver": {"name": "scanner", "informationUri": "https://example.com/\ufefftool",
            "downloadUri": "not a uri",
            "rules": [{"id": "A", "helpUri": "https://example.com/rules/%ZZ"},
                      {"id": "B", "helpUri": "https://example.com/rules/B"}]},
        "extensions": [{"name": "pack", "informationUri": "https://example.com/pack\u0000"}]
    },
    "versionControlProvenance": [{"repositoryUri": "https://example.com/%G0repo"}],
    "invocations": [{"executionSuccessful": true, "toolExecutionNotifications": [
        {"message": {"text": "empty place"}, "locations": [{}]},
        {"message": {"text": "two places"}, "locations": [{}, {"physicalLocation": {"artifactLocation": {"uri": "n.py"}}}]}
    ]}],
    "results": [
        {"ruleId": "A", "message": {"text": "one"}, "hostedViewerUri": "https://viewer/\ufeff",
         "workItemUris": ["https://tracker/1", "https://tracker/%ZZ"],
         "locations": [{}, {"physicalLocation": {"artifactLocation": {"uri": "src/a%ZZ.py"}, "region": {"startLine": 3}}}],
         "relatedLocations": [{}]},
        {"ruleId": "B", "message": {"text": "two"},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/b\ufeff.py"}, "region": {"startLine": 4}}}]}
    ]
}]}"#;

/// Invalid URIs and empty locations do not pass into the merged log: a `*Uri` the schema's
/// `uri` format refuses is dropped, an artifact's URI reference is re-encoded so it names the
/// same file, an empty location is dropped, and a notification names the input and what was
/// dropped.
#[test]
fn invalid_uris_and_empty_locations_are_not_copied() {
    let log = parse_log(INVALID_URIS, "scanner.sarif").unwrap();
    let merged = merge(vec![log.clone(), log]).unwrap();
    let text = to_json_pretty(&merged);
    assert_valid(&text);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &value["runs"][0];
    let driver = &run["tool"]["driver"];
    assert!(driver.get("informationUri").is_none(), "{driver}");
    assert!(driver.get("downloadUri").is_none(), "{driver}");
    assert!(driver["rules"][0].get("helpUri").is_none(), "{driver}");
    assert_eq!(driver["rules"][1]["helpUri"], "https://example.com/rules/B");
    assert!(run["tool"]["extensions"][0].get("informationUri").is_none());
    // `repositoryUri` is required: the entry goes with it.
    assert!(run.get("versionControlProvenance").is_none(), "{run}");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{results:#?}");
    let one = &results[0];
    assert!(one.get("hostedViewerUri").is_none(), "{one}");
    assert_eq!(
        one["workItemUris"],
        serde_json::json!(["https://tracker/1"])
    );
    // The empty location is gone, the one that says where stays, its URI re-encoded.
    let locations = one["locations"].as_array().unwrap();
    assert_eq!(locations.len(), 1, "{one}");
    assert_eq!(
        locations[0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/a%25ZZ.py"
    );
    assert!(one.get("relatedLocations").is_none(), "{one}");
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "src/b%EF%BB%BF.py"
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes[0].get("locations").is_none(), "{notes:#?}");
    assert_eq!(notes[1]["locations"].as_array().unwrap().len(), 1);
    let said: Vec<&str> = notes
        .iter()
        .filter(|n| n["descriptor"]["id"] == "invalid-sarif-dropped")
        .map(|n| n["message"]["text"].as_str().unwrap())
        .collect();
    for field in [
        "informationUri",
        "downloadUri",
        "helpUri",
        "repositoryUri",
        "hostedViewerUri",
        "workItemUris",
    ] {
        assert!(
            said.iter()
                .any(|m| m.starts_with("log 1: ") && m.contains(field)),
            "{field}: {said:#?}"
        );
    }
    assert!(said.iter().any(|m| m.contains("%ZZ")), "{said:#?}");
}

/// Notifications the merge wrote about what it dropped or rewrote.
fn repair_notes(run: &serde_json::Value) -> Vec<String> {
    run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| n["descriptor"]["id"] == "invalid-sarif-dropped")
        .map(|n| n["message"]["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn repeats_in_indexed_lists_are_dropped_and_their_indices_follow() {
    let text = include_str!(
        "../../../fuzz/regressions/sarif/repeated-artifacts-and-rules-referenced-by-index.sarif"
    );
    let log = parse_log(text, "scanner.sarif").unwrap();
    for merged in [
        merge(vec![log.clone()]).unwrap(),
        merge(vec![log.clone(), log]).unwrap(),
    ] {
        let text = to_json_pretty(&merged);
        assert_valid(&text);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let run = &value["runs"][0];
        let driver = &run["tool"]["driver"];
        let ids = |list: &serde_json::Value| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(ids(&driver["rules"]), ["A1", "B2"]);
        assert_eq!(ids(&driver["notifications"]), ["N1", "N2"]);
        let uris: Vec<&str> = run["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["location"]["uri"].as_str().unwrap())
            .collect();
        assert_eq!(uris, ["a.yaml", "b.yaml", "b/c.yaml"]);
        // The child's parent moved down with it.
        assert_eq!(run["artifacts"][2]["parentIndex"], 1);
        assert_eq!(run["logicalLocations"].as_array().unwrap().len(), 2);
        let note = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(note["descriptor"]["index"], 1, "{note}");
        let results = run["results"].as_array().unwrap();
        let by_rule = |id: &str| results.iter().find(|r| r["ruleId"] == id).unwrap();
        let b = by_rule("B2");
        assert_eq!(b["ruleIndex"], 1);
        let location = &b["locations"][0];
        assert_eq!(location["physicalLocation"]["artifactLocation"]["index"], 1);
        assert_eq!(location["logicalLocations"][0]["index"], 1);
        let a = by_rule("A1");
        // Its index named the repeat of the first rule: it now names the first.
        assert_eq!(a["ruleIndex"], 0);
        assert_eq!(
            a["locations"][0]["physicalLocation"]["artifactLocation"]["index"],
            2
        );
        let said = repair_notes(run);
        for list in ["rules", "notifications", "artifacts", "logicalLocations"] {
            assert!(
                said.iter().any(|m| m.contains(&format!("from `{list}`"))),
                "{list}: {said:#?}"
            );
        }
    }
}

/// Artifacts that repeat each other only once their parents (listed after them) are merged are
/// merged in the same pass, and the note counts every one dropped; a cycle of parents is kept.
#[test]
fn repeats_under_a_later_parent_are_merged_with_it() {
    let text = include_str!(
        "../../../fuzz/regressions/sarif/repeated-artifacts-under-a-later-parent.sarif"
    );
    let merged = merge(vec![parse_log(text, "scanner.sarif").unwrap()]).unwrap();
    let text = to_json_pretty(&merged);
    assert_valid(&text);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &value["runs"][0];
    let artifacts: Vec<(&str, Option<i64>)> = run["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["location"]["uri"].as_str().unwrap(),
                a["parentIndex"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        artifacts,
        [
            ("b/c.yaml", Some(1)),
            ("b/", None),
            ("d.yaml", Some(0)),
            ("loop.yaml", Some(4)),
            ("loop.yaml", Some(3))
        ]
    );
    let indices: Vec<i64> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["index"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(indices, [0, 2]);
    let said = repair_notes(run);
    assert!(
        said.iter()
            .any(|m| m.contains("dropped 3 repeated items from `artifacts`")),
        "{said:#?}"
    );
}

#[test]
fn references_that_name_nothing_are_dropped_with_their_item() {
    for (name, text, gone) in [
        (
            "external.sarif",
            include_str!(
                "../../../fuzz/regressions/sarif/external-property-file-reference-without-location-or-guid.sarif"
            ),
            "externalPropertyFileReferences",
        ),
        (
            "relationship.sarif",
            include_str!("../../../fuzz/regressions/sarif/relationship-target-naming-nothing.sarif"),
            "relationships",
        ),
        (
            "override.sarif",
            include_str!("../../../fuzz/regressions/sarif/configuration-override-naming-nothing.sarif"),
            "ruleConfigurationOverrides",
        ),
    ] {
        let log = parse_log(text, name).unwrap();
        let merged = merge(vec![log.clone(), log]).unwrap();
        let text = to_json_pretty(&merged);
        assert_valid(&text);
        // The text of the run is escaped, not passed on raw.
        assert!(!text.contains("\\u001b"), "{name}: {text}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let run = &value["runs"][0];
        let said = repair_notes(run);
        assert!(
            said.iter().any(|m| m.starts_with("log 1: ") && m.contains(gone)),
            "{name}: {said:#?}"
        );
        match name {
            "external.sarif" => {
                let refs = &run["externalPropertyFileReferences"];
                assert!(refs.get("conversion").is_none(), "{refs}");
                assert_eq!(refs["results"].as_array().unwrap().len(), 1, "{refs}");
                assert!(refs.get("driver").is_some(), "{refs}");
            }
            "relationship.sarif" => {
                let relationships = &run["tool"]["driver"]["rules"][0]["relationships"];
                assert_eq!(relationships.as_array().unwrap().len(), 1);
                assert_eq!(relationships[0]["target"]["id"], "79");
            }
            _ => {
                let overrides = &run["invocations"][0]["ruleConfigurationOverrides"];
                assert_eq!(overrides.as_array().unwrap().len(), 1, "{overrides}");
                assert_eq!(overrides[0]["descriptor"]["id"], "R1");
                let name = run["tool"]["driver"]["name"].as_str().unwrap();
                assert!(!name.contains('\u{1b}'), "{name:?}");
            }
        }
    }
}
