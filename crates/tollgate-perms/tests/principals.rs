//! The principal analysis shared by trust and resource policies, on one template: which
//! account and actions a cross-account grant names, conditions that do not restrict who,
//! the default key policy, Lambda permissions, and `[stage.permissions] trusted-accounts`.

mod support;

use support::of;
use tollgate_core::{Config, Finding, ScanContext, Severity};
use tollgate_perms::explain::explain_policies;

fn context(trusted: &[&str]) -> ScanContext {
    let mut config = Config::default();
    config.stage.permissions.trusted_accounts = trusted.iter().map(|s| s.to_string()).collect();
    support::context_with(
        &support::fixtures("principals"),
        "template.cfn.yaml",
        config,
    )
}

fn findings(trusted: &[&str]) -> Vec<Finding> {
    support::run(&context(trusted))
}

#[test]
fn a_cross_account_grant_names_the_account_and_the_actions() {
    let all = findings(&[]);
    let bucket = of(&all, "TG2018", "ExportsPolicy");
    assert_eq!(bucket.len(), 1, "{all:#?}");
    let m = &bucket[0].message;
    assert!(m.contains("account 444455556666"), "{m}");
    assert!(m.contains("`s3:GetObject` and `s3:PutObject`"), "{m}");
    assert_eq!(bucket[0].location.start_line(), Some(15));
    assert_eq!(bucket[0].severity, Severity::Medium);
    // `sqs:*` expands: the first few, then a count.
    let queue = of(&all, "TG2018", "JobsPolicy");
    assert_eq!(queue.len(), 1, "{all:#?}");
    let m = &queue[0].message;
    assert!(m.contains(" more "), "{m}");
    assert!(
        m.contains("The condition on `aws:SecureTransport` does not restrict who."),
        "{m}"
    );
    // `sqs:AddPermission` lets the other account change who has access.
    assert_eq!(queue[0].severity, Severity::High, "{m}");
    assert!(m.contains("`sqs:AddPermission`"), "{m}");
}

#[test]
fn service_principals_need_a_source_except_on_lambda_permissions() {
    let all = findings(&[]);
    let topic = of(&all, "TG2019", "AlertsPolicy");
    assert_eq!(topic.len(), 1, "{all:#?}");
    let m = &topic[0].message;
    assert!(
        m.contains("`events.amazonaws.com`") && m.contains("`sns:Publish`"),
        "{m}"
    );
    assert_eq!(topic[0].severity, Severity::Medium);
    // TG1011 in the IaC stage reports the permission without a source.
    assert!(of(&all, "TG2019", "UploadsInvoke").is_empty(), "{all:#?}");
    // Bound by `SourceAccount`.
    assert!(of(&all, "TG2018", "PartnerInvoke").is_empty(), "{all:#?}");
}

#[test]
fn trust_conditions_lower_only_when_they_restrict_who() {
    let all = findings(&[]);
    let open = of(&all, "TG2012", "OpenRole");
    assert_eq!(open.len(), 1, "{all:#?}");
    assert_eq!(open[0].severity, Severity::Critical, "{}", open[0].message);
    let bound = of(&all, "TG2012", "SourceBoundRole");
    assert_eq!(bound.len(), 1, "{all:#?}");
    assert_eq!(bound[0].severity, Severity::High);
    assert!(
        bound[0].message.contains("`aws:SourceAccount`"),
        "{}",
        bound[0].message
    );
}

#[test]
fn trusted_accounts_are_the_users_own() {
    let all = findings(&[]);
    assert_eq!(of(&all, "TG2013", "PartnerRole").len(), 1, "{all:#?}");
    // The default key policy with a literal account id is no finding while the scan cannot
    // know the account.
    assert!(of(&all, "TG2018", "DataKey").is_empty(), "{all:#?}");

    let all = findings(&["111122223333"]);
    assert!(of(&all, "TG2013", "PartnerRole").is_empty(), "{all:#?}");
    assert!(of(&all, "TG2018", "DataKey").is_empty(), "{all:#?}");
    assert_eq!(of(&all, "TG2018", "ExportsPolicy").len(), 1);

    // Configured, and the key's root is not among the trusted accounts: another account.
    let all = findings(&["999988887777"]);
    let key = of(&all, "TG2018", "DataKey");
    assert_eq!(key.len(), 1, "{all:#?}");
    assert!(
        key[0].message.contains("account 111122223333"),
        "{}",
        key[0].message
    );
}

#[test]
fn explain_shows_the_resource_policies_for_the_resource_rules() {
    let model = tollgate_iac::model(&context(&[]));
    let text = explain_policies(&model, "TG2018");
    assert!(text.contains("bucket policy `ExportsPolicy`"), "{text}");
    assert!(text.contains("Lambda permission `PartnerInvoke`"), "{text}");
    assert!(!text.contains("trust policy"), "{text}");
}

#[test]
fn load_balancer_log_delivery_is_not_another_account_for_put_object_only() {
    let all = findings(&[]);
    assert!(
        of(&all, "TG2018", "AccessLogsPolicy").is_empty(),
        "{all:#?}"
    );
    let wider = of(&all, "TG2018", "LogsReadPolicy");
    assert_eq!(wider.len(), 1, "{all:#?}");
    assert!(
        wider[0].message.contains("account 127311923021"),
        "{}",
        wider[0].message
    );
}

#[test]
fn the_account_that_owns_the_resource_is_not_another_account_behind_placeholders() {
    // The queue's ARN names account 444455556666 after a `${AWS::Partition}` placeholder.
    let all = findings(&[]);
    assert!(
        of(&all, "TG2018", "SharedJobsPolicy").is_empty(),
        "{all:#?}"
    );
}
