//! A large repository's report stays readable and small: a control lists its most severe
//! findings and counts the rest, and the HTML page shows the most severe findings only,
//! linking only to findings it shows.

mod common;

use tollgate_core::{Finding, Location, Severity, Span, Suppression, SuppressionKind};
use tollgate_report::model::Evidence;
use tollgate_report::{html, markdown, ReportInput};

const OPEN: usize = 3000;
const SUPPRESSED: usize = 450;

#[test]
fn controls_list_their_most_severe_findings_and_count_the_rest() {
    let rules = tollgate_iac::rules::metas();
    let rule = rules
        .iter()
        .find(|r| !r.controls.is_empty())
        .expect("a rule mapped to a control");
    let severities = [Severity::Low, Severity::Critical, Severity::Medium];
    let mut findings: Vec<Finding> = (0..OPEN)
        .map(|i| {
            Finding::new(
                rule.code.as_str(),
                severities[i % 3],
                format!("finding {i}"),
                Location::at(format!("stacks/{i:05}.yaml"), Span::line(3)),
            )
            .resource(format!("Resource{i}"))
        })
        .collect();
    findings.extend((0..SUPPRESSED).map(|i| {
        let mut f = Finding::new(
            rule.code.as_str(),
            Severity::High,
            format!("accepted {i}"),
            Location::at(format!("legacy/{i:05}.yaml"), Span::line(3)),
        )
        .resource(format!("Legacy{i}"));
        f.suppression = Some(Box::new(Suppression {
            kind: SuppressionKind::External,
            justification: "baseline".to_string(),
        }));
        f
    }));
    let report = tollgate_report::build(ReportInput {
        rules: &rules,
        findings: &findings,
        evaluations: &[],
        notifications: &[],
        frameworks: &[],
        ignores: &[],
        inventory: Vec::new(),
        evidence: Evidence {
            scan_time: "2026-12-06T00:00:00Z".into(),
            source: "scan".into(),
            ..Evidence::default()
        },
        root: None,
        frames: tollgate_report::ALL_FRAMES,
    });
    let control = report
        .frameworks
        .iter()
        .flat_map(|fw| &fw.controls)
        .find(|c| c.rules.contains(&rule.code))
        .expect("the rule's control");
    assert_eq!(control.failures_total, OPEN);
    assert_eq!(control.failures.len(), 50);
    assert!(
        control.failures.iter().all(|f| f.severity == "critical"),
        "the most severe come first"
    );
    assert_eq!(control.suppressions_total, SUPPRESSED);
    assert_eq!(control.suppressions.len(), 200);
    assert_eq!(
        report.findings.len(),
        OPEN + SUPPRESSED,
        "the JSON keeps all"
    );

    let page = html::render(&report);
    assert!(page.contains("and 2950 more failing findings"), "named");
    assert!(page.contains("and 250 more suppressed findings"), "named");
    assert_eq!(page.matches("<details id=\"finding-").count(), 1000);
    assert!(page.contains("The 1000 most severe of 3450 findings"));
    for id in 1000..OPEN + SUPPRESSED {
        assert!(
            !page.contains(&format!("href=\"#finding-{id}\"")),
            "a link to finding {id}, which the page does not show"
        );
    }
    assert!(page.len() < 4 * 1024 * 1024, "{} bytes", page.len());

    let text = markdown::render(&report);
    assert!(text.contains("and 2950 more failing findings"));
    assert!(text.contains("250 more suppressed findings are not listed here"));
    assert!(text.len() < 2 * 1024 * 1024, "{} bytes", text.len());
}

#[test]
fn stores_list_named_grants_first_and_count_the_wildcard_ones() {
    use std::fmt::Write;
    use tollgate_core::Config;

    let dir = std::env::temp_dir().join(format!("tollgate-report-readers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut template = String::from(
        "Resources:\n  Patients:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      Tags:\n        - Key: DataClassification\n          Value: PHI\n",
    );
    let role = |name: &str, resource: &str| {
        format!(
            "  {name}:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Statement:\n          - Effect: Allow\n            Principal: {{ Service: lambda.amazonaws.com }}\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: read\n          PolicyDocument:\n            Statement:\n              - Effect: Allow\n                Action: dynamodb:GetItem\n                Resource: {resource}\n"
        )
    };
    for i in 0..30 {
        template.push_str(&role(&format!("AnyTable{i:02}"), "'*'"));
    }
    template.push_str(&role("Named", "!GetAtt Patients.Arn"));
    std::fs::write(dir.join("template.yaml"), &template).unwrap();
    let (_, assets) = common::model_and_inventory(&dir, &Config::default());
    std::fs::remove_dir_all(&dir).unwrap();
    let table = assets.iter().find(|a| a.resource == "Patients").unwrap();
    let mut names = String::new();
    for r in &table.readers {
        let _ = write!(names, "{} ", r.principal);
    }
    assert_eq!(table.readers_total, 31, "{names}");
    assert_eq!(table.readers.len(), 20, "{names}");
    assert_eq!(table.readers[0].principal, "Named", "{names}");
    assert!(!table.readers[0].wildcard);
    assert!(table.readers[1..].iter().all(|r| r.wildcard), "{names}");
    assert_eq!(table.readers[1].principal, "AnyTable00", "then by name");
}
