//! Snapshots of every report format for one fixed report, so a change to any of them is seen
//! in review.

use std::sync::Arc;

use tollgate_core::{
    BaselineState, Finding, Location, Notification, Pos, Severity, Span, Suppression,
    SuppressionKind,
};

use crate::external::PLUGIN_PROPERTY;
use crate::gate::Verdict;
use crate::report::{Report, Summary, REPORT_VERSION};

const TEMPLATE: &str = "Resources:\n  Intake:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.7\n      Environment:\n        Variables:\n          NOTE: \"überprüft 🚀\"\n";

fn report() -> Report {
    let at = |line, start, end| Span::new(Pos::new(line, start), Pos::new(line, end));
    let deprecated = Finding::new(
        "TG1005",
        Severity::High,
        "Lambda function `Intake` uses the deprecated runtime python3.7.",
        Location::at("template.yaml", at(5, 16, 25)),
    )
    .resource("Intake");
    let mut suppressed = Finding::new(
        "TG1001",
        Severity::Low,
        "Lambda function `Intake` has no dead-letter queue.",
        Location::at("template.yaml", at(2, 3, 9)),
    );
    suppressed.suppression = Some(Box::new(Suppression {
        kind: SuppressionKind::InSource,
        justification: "retries are handled by the caller".into(),
    }));
    let mut known = Finding::new(
        "TG1002",
        Severity::Medium,
        "Lambda function `Intake` does not enable X-Ray tracing | <b>.",
        Location::at("template.yaml", at(8, 17, 29)),
    );
    known.baseline_state = Some(BaselineState::Unchanged);
    let plugin = Finding::new(
        "todo-security",
        Severity::Medium,
        "Open security TODO: validate [input](http://x)",
        Location::at("src/app.py", at(3, 5, 30)),
    )
    .property(PLUGIN_PROPERTY, "todo-scanner");
    let findings = vec![deprecated, suppressed, known, plugin];
    let notifications = vec![
        Notification::error(
            "plugin-failed",
            "plugin `semgrep`: program `semgrep` not found",
        )
        .stage("semgrep"),
        Notification::warning("parse-error", "broken.yaml:3:1: does not parse as YAML")
            .at(Location::at("broken.yaml", at(3, 1, 2)))
            .stage("parse"),
    ];
    let summary = Summary::of(&findings, &notifications, Some(Severity::High));
    Report {
        version: REPORT_VERSION,
        tool_version: "0.0.0-test".into(),
        findings,
        notifications,
        summary,
        verdict: Verdict::Error,
    }
}

fn source(path: &str) -> Option<Arc<str>> {
    (path == "template.yaml").then(|| Arc::from(TEMPLATE))
}

#[test]
fn text_report() {
    insta::assert_snapshot!(super::text::render(&report(), &source, false));
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!(super::markdown::render(&report()));
}

#[test]
fn json_report() {
    insta::assert_snapshot!(super::json::render(&report()));
}
