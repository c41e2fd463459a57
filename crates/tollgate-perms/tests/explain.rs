//! `explain --path` for identity policies with denies (`tests/fixtures/explain`): what a
//! statement grants, what remains after the identity's denies, which denies took what
//! (file:line), and which denies naming the same actions took nothing and why.

mod support;

use tollgate_perms::explain::explain_policies;

/// What `explain` says for rule `code` about the one fixture `tests/fixtures/<dir>/<name>`.
fn explained_in(dir: &str, name: &str, code: &str) -> String {
    let ctx = support::context(&support::fixtures(dir), name);
    explain_policies(&tollgate_iac::model(&ctx), code)
}

fn explained(code: &str) -> String {
    explained_in("explain", "template.cfn.yaml", code)
}

/// The block of the statement whose header line starts with `header`.
fn block<'t>(text: &'t str, header: &str) -> &'t str {
    let start = text
        .find(header)
        .unwrap_or_else(|| panic!("no block {header}:\n{text}"));
    let rest = &text[start..];
    let end = rest[1..]
        .find("\ntemplate.cfn.yaml:")
        .map_or(rest.len(), |i| i + 2);
    &rest[..end]
}

#[test]
fn what_remains_after_the_denies_and_who_took_the_rest() {
    let text = explained("TG2007");
    let deploy = block(&text, "template.cfn.yaml:20:");
    assert!(
        deploy.contains("inline policy `deploy` of role `DeployerRole`"),
        "{deploy}"
    );
    // Before any deny: every IAM action and `s3:GetObject`.
    assert!(deploy.contains("  iam:* -> "), "{deploy}");
    let cat = tollgate_perms::catalog::catalog();
    let (service, _) = cat.service("iam").expect("iam in the catalog");
    let iam = cat.actions_of(service).len();
    assert!(
        deploy.contains(&format!(
            "after the identity's denies: {} of {} actions remain",
            iam + 1 - 3,
            iam + 1
        )),
        "{deploy}"
    );
    assert!(
        deploy.contains(
            "  denied by statement `NoUsers` (template.cfn.yaml:25): `iam:CreateAccessKey` and \
             `iam:CreateUser`"
        ),
        "{deploy}"
    );
    assert!(
        deploy.contains(
            "  denied by statement `NoPolicyVersions` of the policy `NoPolicyVersions` attached \
             to role `DeployerRole` (template.cfn.yaml:46): `iam:CreatePolicyVersion`"
        ),
        "{deploy}"
    );
    assert!(
        deploy.contains(
            "  not denied by statement `NoPassRoleWithoutMfa` (template.cfn.yaml:31): its \
             condition on `aws:MultiFactorAuthPresent` makes it apply only to the requests that \
             match"
        ),
        "{deploy}"
    );
    assert!(
        deploy.contains(
            "  not denied by statement `NoPrivateObjects` of the policy `NoPolicyVersions` \
             attached to role `DeployerRole` (template.cfn.yaml:50): its resources do not cover \
             every resource this statement grants on"
        ),
        "{deploy}"
    );
}

#[test]
fn a_statement_whose_actions_are_all_denied_says_nothing_remains() {
    let text = explained("TG2005");
    let read = block(&text, "template.cfn.yaml:70:");
    assert!(
        read.contains("Read (1): `secretsmanager:GetSecretValue`"),
        "{read}"
    );
    assert!(
        read.contains("after the identity's denies: nothing remains (all 1 actions denied)"),
        "{read}"
    );
    assert!(
        read.contains("denied by statement `NoSecrets` (template.cfn.yaml:73)"),
        "{read}"
    );
    assert!(!read.contains("not denied"), "{read}");
}

#[test]
fn trust_policies_hold_no_denies_to_show() {
    let text = explained("TG2012");
    assert!(
        text.contains("trust policy of role `DeployerRole`"),
        "{text}"
    );
    assert!(!text.contains("denied by"), "{text}");
}

#[test]
fn the_admin_grade_managed_policy_and_what_the_denies_take_from_it() {
    let text = explained_in("TG2015", "fires-deny.cfn.yaml", "TG2015");
    assert!(
        text.starts_with(
            "fires-deny.cfn.yaml:16:11: AWS managed policy `AdministratorAccess` attached to \
             `FixtureRole`\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "  denied by the `Deny` statement at line 22 of the inline policy `fixture` of role \
             `FixtureRole` (fires-deny.cfn.yaml:22): `iam:"
        ),
        "{text}"
    );
    let conditional = explained_in("TG2015", "fires-conditional-deny.cfn.yaml", "TG2015");
    assert!(
        conditional.contains("`AdministratorAccess` attached to `FixtureRole`")
            && conditional.contains("no unconditional deny on `*` takes anything from it"),
        "{conditional}"
    );
}
