//! Behaviour across rules on one template: narrowing conditions lower the severity and are
//! named, escalation is gathered across an identity's policies, the AWS default key policy is
//! no finding, typos get a suggestion, and `explain` shows the expansions.

mod support;

use support::one;
use tollgate_core::{Finding, ScanContext, Severity};
use tollgate_perms::explain::explain_policies;

fn context() -> ScanContext {
    support::context(&support::fixtures("cases"), "template.cfn.yaml")
}

fn findings() -> Vec<Finding> {
    support::run(&context())
}

#[test]
fn a_narrowing_condition_lowers_the_severity_and_is_named() {
    let findings = findings();
    let creds = one(&findings, "TG2006");
    assert_eq!(creds.severity, Severity::Medium);
    assert!(
        creds.message.contains("`aws:ResourceTag/team`"),
        "{}",
        creds.message
    );
    assert!(
        creds.message.contains("`sts:AssumeRole`"),
        "{}",
        creds.message
    );
    let trust = one(&findings, "TG2012");
    assert_eq!(trust.severity, Severity::High);
    assert!(
        trust.message.contains("`aws:PrincipalOrgID`"),
        "{}",
        trust.message
    );
    assert_eq!(trust.location.start_line(), Some(11));
    assert_eq!(trust.resource.as_deref(), Some("WorkerRole"));
}

#[test]
fn escalation_is_gathered_across_the_policies_of_a_role() {
    let findings = findings();
    let esc = one(&findings, "TG2004");
    assert!(
        esc.message
            .contains("`pass-role-to-new-lambda-then-invoke`"),
        "{}",
        esc.message
    );
    assert!(
        esc.message.contains("`lambda:CreateFunction`"),
        "{}",
        esc.message
    );
    // Found at `iam:PassRole` in the inline policy (its `iam:PassedToService` condition does
    // not stop the method); the managed policy's `lambda:CreateFunction` completes it.
    assert_eq!(esc.location.start_line(), Some(30));
    let related: Vec<u32> = esc
        .related
        .iter()
        .filter_map(|r| r.location.start_line())
        .collect();
    assert!(related.contains(&50), "{related:?}");
}

#[test]
fn the_default_key_policy_is_no_finding_and_not_principal_is() {
    let findings = findings();
    assert!(
        !findings
            .iter()
            .any(|f| f.resource.as_deref() == Some("Key")),
        "{findings:#?}"
    );
    let not = one(&findings, "TG2011");
    assert_eq!(not.resource.as_deref(), Some("BucketPolicy"));
    assert!(not.message.contains("`NotPrincipal`"));
}

#[test]
fn typos_get_a_suggestion() {
    let findings = findings();
    let typo = one(&findings, "TG2016");
    assert!(
        typo.message.contains("did you mean `s3`?"),
        "{}",
        typo.message
    );
    assert_eq!(typo.location.start_line(), Some(38));
}

#[test]
fn explain_lists_expansions_by_access_level() {
    let model = tollgate_iac::model(&context());
    let text = explain_policies(&model, "TG2004");
    assert!(text.contains("template.cfn.yaml:"), "{text}");
    assert!(
        text.contains("lambda:CreateFunction -> 1 actions"),
        "{text}"
    );
    assert!(
        text.contains("Write (1): `lambda:CreateFunction`"),
        "{text}"
    );
    assert!(
        text.contains("narrowed by the condition on `iam:PassedToService`"),
        "{text}"
    );
    let trust = explain_policies(&model, "TG2012");
    assert!(
        trust.contains("trust policy of role `WorkerRole`"),
        "{trust}"
    );
}
