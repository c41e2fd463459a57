mod common;

use std::path::Path;

use common::assert_valid;
use tollgate_sarif::{build_log, parse_log, rebase_uris, set_root_uri, to_json_pretty};

fn uris(run: &serde_sarif::sarif::Run) -> Vec<(String, Option<String>)> {
    run.results
        .iter()
        .flatten()
        .map(|r| {
            let a = r.locations.as_ref().unwrap()[0]
                .physical_location
                .as_ref()
                .unwrap()
                .artifact_location
                .as_ref()
                .unwrap();
            (a.uri.clone().unwrap(), a.uri_base_id.clone())
        })
        .collect()
}

fn result_at(uri: &str, base: Option<&str>) -> String {
    let base = base.map_or(String::new(), |b| format!(r#", "uriBaseId": "{b}""#));
    format!(
        r#"{{"ruleId": "R", "message": {{"text": "m"}},
            "locations": [{{"physicalLocation": {{"artifactLocation": {{"uri": "{uri}"{base}}}}}}}]}}"#
    )
}

#[test]
fn absolute_and_based_uris_become_repo_relative() {
    let results = [
        result_at("file:///work/repo/infra/my%20stack.yaml", None),
        result_at("/work/repo/src/handler.py", None),
        result_at("lib/util.py", Some("SRC")),
        result_at("infra/t.tf", Some("%SRCROOT%")),
        result_at("scan/out.tf", None),
        result_at("file:///etc/passwd", None),
        result_at("https://example.com/rule", None),
        result_at("../../outside.txt", Some("%SRCROOT%")),
    ]
    .join(",");
    let text = format!(
        r#"{{"version": "2.1.0", "runs": [{{
            "tool": {{"driver": {{"name": "semgrep"}}}},
            "invocations": [{{
                "executionSuccessful": true,
                "commandLine": "semgrep --token=s3cr3t",
                "environmentVariables": {{"SEMGREP_APP_TOKEN": "s3cr3t"}},
                "workingDirectory": {{"uri": "file:///work/repo/services/"}}
            }}],
            "originalUriBaseIds": {{
                "SRC": {{"uri": "file:///work/repo/services/api/"}},
                "%SRCROOT%": {{"uri": "file:///work/repo/"}}
            }},
            "results": [{results}]
        }}]}}"#
    );
    let mut log = parse_log(&text, "semgrep.sarif").unwrap();
    let run = &mut log.runs[0];
    // The tool ran in a subdirectory; its relative paths are relative to that.
    let warnings = rebase_uris(
        run,
        Path::new("/work/repo/services"),
        Path::new("/work/repo"),
    );
    let s = |u: &str| (u.to_string(), Some("%SRCROOT%".to_string()));
    let got = uris(run);
    assert_eq!(got[0], s("infra/my%20stack.yaml"));
    assert_eq!(got[1], s("src/handler.py"));
    assert_eq!(got[2], s("services/api/lib/util.py"));
    // `%SRCROOT%` defined by the log wins over the tool root.
    assert_eq!(got[3], s("infra/t.tf"));
    assert_eq!(got[4], s("services/scan/out.tf"));
    assert_eq!(got[5], ("file:///etc/passwd".to_string(), None));
    assert_eq!(got[6], ("https://example.com/rule".to_string(), None));
    assert_eq!(got[7], ("file:///outside.txt".to_string(), None));

    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings.iter().all(|w| w.id == "uri-outside-root"));
    assert!(
        warnings[0].message.contains("`../../outside.txt`"),
        "{}",
        warnings[0].message
    );
    assert!(warnings[1].message.contains("file:///etc/passwd"));

    // The tool's base ids are gone: they held absolute paths no location needs any more.
    assert!(run.original_uri_base_ids.is_none());
    let invocation = &run.invocations.as_ref().unwrap()[0];
    assert!(invocation.command_line.is_none() && invocation.environment_variables.is_none());
    assert!(invocation.working_directory.is_none());
    set_root_uri(run, "file:///work/repo");
    assert_eq!(
        run.original_uri_base_ids.as_ref().unwrap()["%SRCROOT%"]
            .uri
            .as_deref(),
        Some("file:///work/repo/")
    );
    let text = to_json_pretty(&build_log(log.runs));
    assert!(!text.contains("s3cr3t"));
    assert_valid(&text);
}

#[test]
fn relative_uris_without_a_base_follow_the_tool_root() {
    let text = format!(
        r#"{{"version": "2.1.0", "runs": [{{"tool": {{"driver": {{"name": "t"}}}}, "results": [{}]}}]}}"#,
        result_at("./a/./b/../c.yaml", None)
    );
    let mut log = parse_log(&text, "t").unwrap();
    let warnings = rebase_uris(&mut log.runs[0], Path::new("/r"), Path::new("/r"));
    assert!(warnings.is_empty());
    assert_eq!(uris(&log.runs[0])[0].0, "a/c.yaml");
}
