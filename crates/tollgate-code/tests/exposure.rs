//! Severity follows exposure: a handler reachable without authorization is raised one level,
//! and again when its role reaches PHI/PCI data; one behind IAM or only fed by a queue keeps
//! the rule's base severity. Findings carry the flow and the template lines that expose it.

use std::sync::Arc;

use tollgate_code::CodeStage;
use tollgate_core::{walk, Config, Finding, ScanContext, Severity, Stage, WalkOptions};

const HANDLER: &str =
    "import os\n\n\ndef handler(event, context):\n    os.system(\"echo \" + event[\"body\"])\n";

fn template(auth: &str) -> String {
    format!(
        r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  PatientsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - DynamoDBReadPolicy:
            TableName: !Ref PatientsTable
      Events:
        Create:
          Type: Api
          Properties:
            Path: /patients
            Method: post
{auth}
  PatientsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema:
        - AttributeName: id
          KeyType: HASH
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      Tags:
        - Key: DataClassification
          Value: PHI
"#
    )
}

fn run(template: &str) -> Vec<Finding> {
    stage_report(template).findings
}

/// The code stage's report on [`HANDLER`] declared by `template`.
fn stage_report(template: &str) -> tollgate_core::StageReport {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("template.yaml"), template).unwrap();
    std::fs::write(dir.path().join("src/app.py"), HANDLER).unwrap();
    let files = walk(dir.path(), &WalkOptions::default()).files;
    let ctx = ScanContext::new(
        dir.path().to_path_buf(),
        files,
        Arc::new(Config::default()),
        time::macros::date!(2027 - 01 - 01),
    );
    CodeStage::new().run(&ctx).unwrap()
}

#[test]
fn open_route_and_phi_role_raise_twice() {
    let findings = run(&template(""));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.rule, "TG6001");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.location.path, "src/app.py");
    assert_eq!(f.location.start_line(), Some(5));
    assert_eq!(f.resource.as_deref(), Some("PatientsFunction"));
    assert!(
        f.message
            .contains("reachable without authorization through POST /patients"),
        "{}",
        f.message
    );
    assert!(f.message.contains("`PatientsTable` (PHI)"), "{}", f.message);
    // The flow starts at the handler's event parameter and ends at the call.
    assert_eq!(f.code_flow.first().unwrap().location.start_line(), Some(4));
    assert_eq!(f.code_flow.last().unwrap().location.start_line(), Some(5));
    // The route and the policy statement are related locations in the template.
    assert!(f.related.iter().all(|r| r.location.path == "template.yaml"));
    assert!(f.related.iter().any(|r| r.message == "POST /patients"));
    assert!(f
        .related
        .iter()
        .any(|r| r.message.contains("PatientsTable")));
}

#[test]
fn iam_authorized_route_keeps_the_base_severity() {
    let auth = "            Auth:\n              Authorizer: AWS_IAM";
    let findings = run(&template(auth));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].severity, Severity::High);
    // No open route to point at; the role's reach is still named.
    assert!(findings[0]
        .related
        .iter()
        .all(|r| r.message != "POST /patients"));
    assert!(findings[0]
        .message
        .contains("`PatientsFunction`: role can reach"));
}

/// Every code rule judges every traced handler: the one whose sink the event reaches fails,
/// the others pass, each on the function the template declares, and the failure is the one
/// the finding belongs to.
#[test]
fn each_rule_records_its_verdict_on_each_handler() {
    let report = stage_report(&template(""));
    let stage = CodeStage::new();
    let rules = stage.rules();
    assert_eq!(
        report.evaluations.len(),
        rules.len(),
        "{:#?}",
        report.evaluations
    );
    for (rule, e) in rules.iter().zip(&report.evaluations) {
        assert_eq!(e.rule_id, rule.code);
        assert_eq!(e.resource, "PatientsFunction");
        assert_eq!(e.location.path, "src/app.py");
        let expected = if rule.code == "TG6001" {
            tollgate_core::Verdict::Fail
        } else {
            tollgate_core::Verdict::Pass
        };
        assert_eq!(e.verdict, expected, "{}", rule.code);
    }
    let finding = &report.findings[0];
    let i = tollgate_core::Evaluation::matching(&report.evaluations, finding).unwrap();
    assert_eq!(report.evaluations[i].rule_id, "TG6001");
}
