//! The principal analysis trust and resource policies share: every principal entry of every
//! `Allow` statement of a kind of policy, classified once by the cloud model's classifier
//! (`tollgate_iac::model::classify`, which the IaC stage's open-policy rules use too), with
//! the accounts configured as trusted counted as the user's own.

use tollgate_iac::model::{classify, split_arn, Principal, PrincipalClass};

use crate::analysis::{name_actions, Analysis, PolicyKind, PolicyView, StatementView};

/// One principal an `Allow` statement grants to.
#[derive(Debug, Clone)]
pub struct Grant<'a, 'm> {
    pub policy: &'a PolicyView<'m>,
    pub statement: &'a StatementView<'m>,
    pub principal: &'m Principal,
    /// The principal's value as written (known, since it was classified).
    pub value: &'m str,
    pub class: PrincipalClass,
}

/// Every principal of every `Allow` statement of the policies of `kind`. Statements whose
/// condition block cannot be resolved are left out: it may narrow who, and a rule must not
/// report on an unknown value as if it were bad.
pub fn grants<'a, 'm>(
    analysis: &'a Analysis<'m>,
    kind: PolicyKind,
) -> impl Iterator<Item = Grant<'a, 'm>> + 'a {
    analysis
        .of_kind(kind)
        .filter(|(_, st)| st.stmt.is_allow() && !st.stmt.conditions_unknown)
        .flat_map(move |(policy, statement)| {
            statement
                .stmt
                .principals
                .iter()
                .filter_map(move |principal| {
                    let value = principal.value.as_str()?;
                    Some(Grant {
                        policy,
                        statement,
                        principal,
                        value,
                        class: classify(principal, &analysis.trusted_accounts),
                    })
                })
        })
}

/// The actions a statement grants, for a message: "`s3:GetObject` and `s3:PutObject`", or the
/// written entries when none expanded (unknown values, typos reported by TG2016).
pub fn granted_words(analysis: &Analysis<'_>, st: &StatementView<'_>) -> String {
    if !st.granted.is_empty() {
        return name_actions(analysis.catalog, &st.granted);
    }
    let written: Vec<String> = st
        .patterns
        .iter()
        .map(|p| format!("`{}`", p.text))
        .collect();
    if written.is_empty() {
        "actions that cannot be resolved statically".to_string()
    } else {
        written.join(", ")
    }
}

/// Whether the policy is the one-statement view of a Lambda permission (the IaC stage's
/// Lambda permission rules own some questions about those).
pub fn is_lambda_permission(policy: &PolicyView<'_>) -> bool {
    matches!(
        policy.owner.type_name.as_str(),
        "AWS::Lambda::Permission" | "aws_lambda_permission"
    )
}

/// Whether the policy is a KMS key's key policy.
pub fn is_key_policy(policy: &PolicyView<'_>) -> bool {
    matches!(
        policy.owner.type_name.as_str(),
        "AWS::KMS::Key" | "aws_kms_key"
    )
}

/// The accounts named by the statement's known resource ARNs (`arn:aws:sqs:eu-west-1:
/// 111122223333:jobs`): the account that owns the resource the policy is attached to.
pub fn resource_accounts<'a>(st: &'a StatementView<'_>) -> Vec<&'a str> {
    st.resources()
        .filter_map(|(arn, _)| {
            let account = split_arn(arn)?.account;
            (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())).then_some(account)
        })
        .collect()
}
