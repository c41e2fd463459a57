mod common;

use common::{assert_valid, bucket_rule, lambda_finding, lambda_rule, span};
use serde_json::{json, Value};
use tollgate_core::{
    BaselineState, Finding, Location, Notification, Severity, Suppression, SuppressionKind,
};
use tollgate_sarif::{build_log, build_run, to_json_pretty, RunInput};

fn json_of(input: &RunInput) -> Value {
    let text = to_json_pretty(&build_log(vec![build_run(input)]));
    assert_valid(&text);
    serde_json::from_str(&text).unwrap()
}

#[test]
fn rules_carry_taxonomies_and_relationships() {
    let rules = [lambda_rule(), bucket_rule()];
    let findings = [lambda_finding("template.yaml", 12)];
    let log = json_of(&RunInput::new(&rules, &findings, &[]));
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert_eq!(run["automationDetails"]["id"], "tollgate/");

    let names: Vec<&str> = run["taxonomies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["CIS-AWS", "NIST-800-53", "PCI-DSS"]);
    let nist_taxa: Vec<&str> = run["taxonomies"][1]["taxa"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(nist_taxa, ["SC-28", "SI-11"]);

    let rule = &run["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "TG1001");
    assert_eq!(rule["name"], "lambda-without-dead-letter-queue");
    assert_eq!(
        rule["shortDescription"]["text"],
        "Lambda function has no dead-letter queue"
    );
    assert!(rule["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("## How to fix"));
    assert_eq!(rule["helpUri"], "https://tollgate.dev/rules/TG1001");
    assert_eq!(rule["defaultConfiguration"]["level"], "warning");
    assert_eq!(rule["properties"]["security-severity"], "5.5");
    assert_eq!(rule["properties"]["precision"], "high");
    assert_eq!(rule["properties"]["equivalents"], json!(["CKV_AWS_116"]));
    assert_eq!(
        rule["properties"]["tags"],
        json!(["security", "lambda", "reliability"])
    );
    let rel = &rule["relationships"][0];
    assert_eq!(rel["kinds"], json!(["relevant"]));
    assert_eq!(rel["target"]["id"], "SI-11");
    assert_eq!(rel["target"]["index"], 1);
    assert_eq!(rel["target"]["toolComponent"]["name"], "NIST-800-53");
    assert_eq!(rel["target"]["toolComponent"]["index"], 1);
    assert_eq!(
        run["tool"]["driver"]["rules"][1]["properties"]["security-severity"],
        "8.0"
    );

    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "TG1001");
    assert_eq!(result["ruleIndex"], 0);
    assert_eq!(result["level"], "warning");
    let loc = &result["locations"][0];
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uri"],
        "template.yaml"
    );
    assert_eq!(
        loc["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "%SRCROOT%"
    );
    assert_eq!(
        loc["physicalLocation"]["region"],
        json!({"startLine": 12, "startColumn": 3, "endLine": 12, "endColumn": 17})
    );
    assert_eq!(
        loc["logicalLocations"][0]["fullyQualifiedName"],
        "IntakeFunction"
    );
    assert_eq!(loc["logicalLocations"][0]["kind"], "resource");
    assert_eq!(
        result["partialFingerprints"]["tollgate/v1"]
            .as_str()
            .unwrap()
            .len(),
        32
    );
    assert_eq!(result["properties"]["tollgate/severity"], "medium");
}

#[test]
fn undeclared_rules_still_get_an_index() {
    let findings = [Finding::new(
        "GHSA-xxxx-yyyy-zzzz",
        Severity::Critical,
        "smallvec 1.6.0 is vulnerable",
        Location::file("Cargo.lock"),
    )];
    let log = json_of(&RunInput::new(&[], &findings, &[]));
    let run = &log["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["id"],
        "GHSA-xxxx-yyyy-zzzz"
    );
    assert_eq!(run["results"][0]["ruleIndex"], 0);
    assert_eq!(run["results"][0]["level"], "error");
    assert_eq!(run["results"][0]["properties"]["security-severity"], "9.5");
    assert!(run["results"][0]["locations"][0]["physicalLocation"]
        .get("region")
        .is_none());
}

#[test]
fn suppressions_and_baseline_states() {
    let rules = [lambda_rule()];
    let mut inline = lambda_finding("a.yaml", 3);
    inline.suppression = Some(Box::new(Suppression {
        kind: SuppressionKind::InSource,
        justification: "DLQ handled by the destination".into(),
    }));
    inline.baseline_state = Some(BaselineState::Unchanged);
    let mut config = lambda_finding("b.yaml", 4);
    config.suppression = Some(Box::new(Suppression {
        kind: SuppressionKind::External,
        justification: "accepted risk until Q3".into(),
    }));
    config.baseline_state = Some(BaselineState::New);
    let findings = [inline, config];
    let log = json_of(&RunInput::new(&rules, &findings, &[]));
    let results = &log["runs"][0]["results"];
    assert_eq!(
        results[0]["suppressions"],
        json!([{"kind": "inSource", "status": "accepted", "justification": "DLQ handled by the destination"}])
    );
    assert_eq!(results[0]["baselineState"], "unchanged");
    assert_eq!(results[1]["suppressions"][0]["kind"], "external");
    assert_eq!(results[1]["baselineState"], "new");
}

#[test]
fn uris_are_encoded() {
    let rules = [lambda_rule()];
    let findings = [
        lambda_finding("infra/my stack#1/50%.yaml", 1),
        lambda_finding("infra/é.yaml", 1),
    ];
    let log = json_of(&RunInput::new(&rules, &findings, &[]));
    let uri = |i: usize| {
        log["runs"][0]["results"][i]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(uri(0), "infra/my%20stack%231/50%25.yaml");
    assert_eq!(uri(1), "infra/%C3%A9.yaml");
}

#[test]
fn invocation_and_related_locations() {
    let rules = [lambda_rule()];
    let findings = [lambda_finding("t.yaml", 5).related(
        Location::at("t.yaml", span(40, 5, 40, 20)),
        "the role is defined here",
    )];
    let notes = [
        Notification::error("parse-error", "t2.yaml:3:1: expected a mapping")
            .at(Location::at("t2.yaml", span(3, 1, 3, 1)))
            .stage("iac"),
        Notification::warning("stage-timeout", "deps timed out after 60s"),
    ];
    let mut input = RunInput::new(&rules, &findings, &notes);
    input.start_time = Some("2026-11-28T18:00:00Z".into());
    input.end_time = Some("2026-11-28T18:00:05Z".into());
    input.execution_successful = false;
    input.root_uri = Some("file:///home/ci/repo".into());
    let log = json_of(&input);
    let run = &log["runs"][0];
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///home/ci/repo/"
    );
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(inv["startTimeUtc"], "2026-11-28T18:00:00Z");
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(n["descriptor"]["id"], "parse-error");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "t2.yaml"
    );
    assert_eq!(n["properties"]["tollgate/stage"], "iac");
    let related = &run["results"][0]["relatedLocations"][0];
    assert_eq!(related["id"], 1);
    assert_eq!(related["message"]["text"], "the role is defined here");
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 40);
}

#[test]
fn schema_check_is_live() {
    // Guard against a validator that accepts anything: a raw space in a URI and a bad level
    // must be refused.
    let rules = [lambda_rule()];
    let findings = [lambda_finding("a.yaml", 1)];
    let mut log = json_of(&RunInput::new(&rules, &findings, &[]));
    log["runs"][0]["results"][0]["level"] = json!("severe");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        json!("a b.yaml");
    let count = common::schema_errors(&log.to_string());
    assert!(count >= 1, "the schema accepted a broken log");
}

#[test]
fn code_flow_becomes_one_thread_and_reads_back() {
    let rules = [lambda_rule()];
    let findings = [lambda_finding("app.py", 9)
        .flow_step(
            Location::at("app.py", span(3, 19, 3, 24)),
            "`event` enters the handler",
        )
        .flow_step(
            Location::at("app.py", span(9, 5, 9, 20)),
            "reaches the call",
        )];
    let log = json_of(&RunInput::new(&rules, &findings, &[]));
    let flow = &log["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"];
    assert_eq!(flow.as_array().unwrap().len(), 2);
    assert_eq!(
        flow[0]["location"]["message"]["text"],
        "`event` enters the handler"
    );
    assert_eq!(
        flow[1]["location"]["physicalLocation"]["region"]["startLine"],
        9
    );

    let parsed = tollgate_sarif::parse_log(&log.to_string(), "log.sarif").unwrap();
    let back = tollgate_sarif::findings_from_run(&parsed.runs[0]);
    assert_eq!(back[0].code_flow, findings[0].code_flow);
}

/// Evaluations that did not fail become results of kind pass / notApplicable / open with level
/// none at the resource's header, valid SARIF; failing ones are left to their findings. Read
/// back, none of them is a finding.
#[test]
fn evaluations_are_records_not_findings() {
    use tollgate_core::{Evaluation, Verdict};
    let rules = [lambda_rule(), bucket_rule()];
    let findings = [lambda_finding("template.yaml", 12)];
    let header = |line| Location::at("template.yaml", span(line, 3, line, 17));
    let evaluations = [
        Evaluation::new("TG1001", "IntakeFunction", header(12), Verdict::Fail),
        Evaluation::new("TG1301", "Receipts", header(30), Verdict::Pass),
        Evaluation::new("TG1301", "Archive", header(40), Verdict::NotApplicable),
        Evaluation::new("TG1301", "Imported", header(50), Verdict::Unknown),
        Evaluation::new("TG9999", "Other", header(60), Verdict::Pass),
    ];
    let mut input = RunInput::new(&rules, &findings, &[]);
    input.evaluations = &evaluations;
    let log = json_of(&input);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5, "one finding and four records");
    let kinds: Vec<(&str, &str, &str)> = results[1..]
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                r["properties"]["resource"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("pass", "none", "Receipts"),
            ("notApplicable", "none", "Archive"),
            ("open", "none", "Imported"),
            ("pass", "none", "Other"),
        ]
    );
    assert_eq!(
        results[2]["properties"]["tollgate/verdict"],
        "not-applicable"
    );
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"]["startLine"],
        30
    );
    assert_eq!(
        results[1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "Receipts"
    );
    // A rule the run does not declare still gets a descriptor to point at.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let i = results[4]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[i]["id"], "TG9999");

    let parsed = tollgate_sarif::parse_log(&log.to_string(), "log.sarif").unwrap();
    let back = tollgate_sarif::findings_from_run(&parsed.runs[0]);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].rule, "TG1001");
}

/// A policy names its own help link (METADATA `related_resources`): only a web link that is a
/// valid URI becomes `helpUri`; anything else would make the log invalid or link elsewhere.
#[test]
fn help_links_from_policies_are_web_links_or_nothing() {
    let cases = [
        ("https://docs.example.com/policies/runtime.html", true),
        ("HTTP://docs.example.com/x", true),
        (
            "https://docs.aws.amazon.com/lambda/latest/dg/lam\\u0000bda-runtimes.html",
            false,
        ),
        ("https://docs.example.com/a b", false),
        ("javascript:alert(1)", false),
        ("file:///etc/passwd", false),
        ("docs/runtime.md", false),
    ];
    for (uri, kept) in cases {
        let rule = lambda_rule().help_uri(uri);
        let rules = [rule];
        let findings = [lambda_finding("template.yaml", 3)];
        let log = json_of(&RunInput::new(&rules, &findings, &[]));
        let help = &log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"];
        if kept {
            assert_eq!(help, uri, "{uri}");
        } else {
            assert!(help.is_null(), "{uri}: {help}");
        }
    }
}
