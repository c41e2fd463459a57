mod common;

use common::{assert_valid, lambda_finding, lambda_rule, span};
use tollgate_core::{Location, Notification, Suppression, SuppressionKind};
use tollgate_sarif::{build_log, build_run, to_json_pretty, RunInput};

#[test]
fn small_log() {
    let rules = [lambda_rule()];
    let mut suppressed = lambda_finding("stacks/orders stack.yaml", 30)
        .resource("OrdersFunction")
        .related(
            Location::at("stacks/orders stack.yaml", span(5, 3, 5, 20)),
            "queue defined here",
        );
    suppressed.suppression = Some(Box::new(Suppression {
        kind: SuppressionKind::InSource,
        justification: "retries handled by Step Functions".into(),
    }));
    let findings = [lambda_finding("template.yaml", 12), suppressed];
    let notes = [
        Notification::error("parse-error", "broken.yaml:2:1: expected a mapping")
            .at(Location::at("broken.yaml", span(2, 1, 2, 1)))
            .stage("iac"),
    ];
    let mut input = RunInput::new(&rules, &findings, &notes);
    input.start_time = Some("2026-01-01T00:00:00Z".into());
    input.end_time = Some("2026-01-01T00:00:01Z".into());
    input.root_uri = Some("file:///home/runner/work/app/".into());
    let text = to_json_pretty(&build_log(vec![build_run(&input)]));
    assert_valid(&text);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    insta::assert_json_snapshot!(value, {
        ".runs[].tool.driver.version" => "[version]",
        ".runs[].tool.driver.semanticVersion" => "[version]",
        ".runs[].invocations[].startTimeUtc" => "[time]",
        ".runs[].invocations[].endTimeUtc" => "[time]",
        ".runs[].originalUriBaseIds.*.uri" => "[root]",
    });
}
