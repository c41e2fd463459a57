//! `Deny` statements in the permissions analysis (`tests/fixtures/deny/template.cfn.yaml`): an
//! unconditional deny takes actions away from every rule that judges what an identity can do,
//! across the identity's policies; a partial one leaves a finding that names what remains; a
//! conditional or unresolvable one takes nothing.

mod support;

use std::sync::Arc;

use support::{of, only, related_lines};
use tollgate_core::Finding;
use tollgate_perms::analysis::Analysis;
use tollgate_perms::catalog::catalog;
use tollgate_perms::expand::Expander;

fn scan(name: &str) -> Vec<Finding> {
    support::scan(&support::fixtures("deny"), name)
}

fn findings() -> Vec<Finding> {
    scan("template.cfn.yaml")
}

#[test]
fn full_admin_stays_and_names_what_the_deny_removes() {
    let findings = findings();
    let admin = only(&findings, "TG2001", "AdminRole");
    assert!(
        admin.message.contains(
            "full administrator access, except the 3 actions denied by statement `DenyIam` ("
        ),
        "{}",
        admin.message
    );
    assert!(
        admin.message.contains("`iam:PassRole`"),
        "{}",
        admin.message
    );
    assert_eq!(admin.location.start_line(), Some(26));
    assert_eq!(related_lines(admin), [28], "points at the deny");
}

#[test]
fn a_deny_in_another_policy_of_the_role_stops_the_pass_role_methods() {
    let findings = findings();
    let esc = only(&findings, "TG2004", "IamRole");
    let (methods, stopped) = esc
        .message
        .split_once(" Its `Deny` statements stop ")
        .unwrap_or_else(|| panic!("no stopped methods named: {}", esc.message));
    // What remains needs no `iam:PassRole`.
    assert!(methods.contains("`create-new-policy-version`"), "{methods}");
    assert!(!methods.contains("`iam:PassRole`"), "{methods}");
    assert!(
        stopped.contains("`pass-role-to-new-lambda-then-invoke`") || stopped.contains(", ..."),
        "{stopped}"
    );
    // The deny sits in the managed policy.
    assert!(related_lines(esc).contains(&66), "{:?}", esc.related);
    // `iam:*` still grants `iam:PassRole` on paper; the identity cannot use it.
    assert!(
        of(&findings, "TG2010", "IamRole").is_empty(),
        "{findings:#?}"
    );
    let manage = only(&findings, "TG2007", "IamRole");
    assert!(
        manage.message.contains(
            "not counted: the action `iam:PassRole` denied by statement `NoPassRole` of the \
             policy `NoPassRole` attached to role `IamRole`"
        ),
        "{}",
        manage.message
    );
}

#[test]
fn a_deny_lowers_data_exfiltration_to_what_remains() {
    let findings = findings();
    let exfil = only(&findings, "TG2005", "ReaderRole");
    let (granted, denied) = exfil
        .message
        .split_once("; not counted: ")
        .unwrap_or_else(|| panic!("the deny is not named: {}", exfil.message));
    assert!(
        granted.contains("`secretsmanager:GetSecretValue`"),
        "{granted}"
    );
    assert!(!granted.contains("`s3:GetObject`"), "{granted}");
    assert_eq!(
        denied,
        "the action `s3:GetObject` denied by statement `NoObjects`."
    );
    assert_eq!(related_lines(exfil), [91]);
}

#[test]
fn unresolved_and_conditional_denies_take_nothing() {
    let findings = findings();
    let exfil = only(&findings, "TG2005", "UnsureRole");
    assert!(
        exfil.message.contains("`s3:GetObject`"),
        "{}",
        exfil.message
    );
    assert!(!exfil.message.contains("not counted"), "{}", exfil.message);
    assert!(exfil.related.is_empty(), "{:?}", exfil.related);
    only(&findings, "TG2010", "UnsureRole");
}

#[test]
fn a_standalone_policy_is_its_own_identity() {
    let findings = findings();
    assert!(
        of(&findings, "TG2010", "PassPolicy").is_empty(),
        "{findings:#?}"
    );
    only(&findings, "TG2010", "PlainPolicy");
    let manage = only(&findings, "TG2007", "PassPolicy");
    assert!(
        manage.message.contains(
            "grants permissions-management actions on every resource: `iam:PutRolePolicy`; \
             not counted: the action `iam:PassRole` denied by the `Deny` statement at line 139."
        ),
        "{}",
        manage.message
    );
    let plain = only(&findings, "TG2007", "PlainPolicy");
    assert!(!plain.message.contains("not counted"), "{}", plain.message);
}

#[test]
fn a_deny_on_arns_counts_only_where_it_covers_every_resource() {
    let findings = findings();
    let wildcards = of(&findings, "TG2003", "TablesRole");
    assert_eq!(wildcards.len(), 2, "{findings:#?}");
    let by_line = |line| {
        wildcards
            .iter()
            .find(|f| f.location.start_line() == Some(line))
            .unwrap_or_else(|| panic!("no TG2003 at line {line}: {wildcards:#?}"))
    };
    let covered = by_line(174);
    assert!(
        covered.message.contains(
            "actions of `dynamodb` (`dynamodb:*`, without the 2 actions denied by statement \
             `NoTableChanges` (`dynamodb:DeleteTable` and `dynamodb:UpdateTable`))"
        ),
        "{}",
        covered.message
    );
    let uncovered = by_line(179);
    assert!(
        uncovered.message.contains("grants all ") && !uncovered.message.contains("without"),
        "{}",
        uncovered.message
    );
}

#[test]
fn a_terraform_policy_attached_to_the_role_denies_for_it() {
    let findings = scan("main.tf");
    for code in ["TG2004", "TG2007", "TG2010"] {
        assert!(
            of(&findings, code, "aws_iam_role.deployer").is_empty(),
            "{code}: {findings:#?}"
        );
        only(&findings, code, "aws_iam_role.open");
    }
    let scoped = only(&findings, "TG2009", "aws_iam_role.deployer");
    assert!(
        scoped.message.ends_with(
            "; not counted: the action `iam:PassRole` denied by statement `NoPassRole` of the \
             policy `aws_iam_policy.guard` attached to role `aws_iam_role.deployer`."
        ),
        "{}",
        scoped.message
    );
    assert_eq!(related_lines(scoped), [34], "{:?}", scoped.related);
}

#[test]
fn identities_with_the_same_grant_and_deny_share_what_remains() {
    let model = tollgate_iac::model(&support::context(
        &support::fixtures("deny"),
        "template.cfn.yaml",
    ));
    let mut expander = Expander::new(catalog());
    let analysis = Analysis::new(&model, &mut expander);
    let admins: Vec<_> = analysis
        .identity_statements()
        .filter(|(_, st)| st.star_action.is_some() && st.denied.is_some())
        .map(|(_, st)| st)
        .collect();
    assert_eq!(admins.len(), 2, "AdminRole and SecondAdminRole");
    assert_eq!(admins[0].effective.len(), catalog().actions.len() - 3);
    assert!(Arc::ptr_eq(&admins[0].effective, &admins[1].effective));
    assert!(!Arc::ptr_eq(&admins[0].effective, &admins[0].granted));
}
