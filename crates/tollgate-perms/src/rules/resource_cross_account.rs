//! TG2018: a resource policy (bucket, queue, topic, key policy, Lambda permission) that grants
//! another AWS account access with no condition tying the grant to your organization or a
//! source.

use tollgate_core::{Precision, Severity};
use tollgate_iac::model::{unrelated_conditions, who_conditions, PrincipalClass, ANY_BINDING};

use super::{rule, PermRule};
use crate::analysis::{name_actions, Analysis, PolicyKind, Subjects};
use crate::aws_accounts::elb_log_delivery_region;
use crate::catalog::{AccessLevel, ActionId};
use crate::principal::{granted_words, grants, is_key_policy, resource_accounts};
use crate::sink::Sink;

pub struct ResourceCrossAccount;

impl PermRule for ResourceCrossAccount {
    fn meta(&self) -> tollgate_core::Rule {
        rule(
            "TG2018",
            "iam-resource-cross-account-unbound",
            Severity::Medium,
            "Resource policy grants another AWS account access without a restricting condition",
        )
        .description(
            "A bucket, queue, topic or key policy, or a Lambda permission, that names another \
             account (`444455556666`, `arn:aws:iam::444455556666:root`, a role ARN of that \
             account) lets every principal of that account which its own IAM policies allow \
             use the resource. Without a condition such as `aws:PrincipalOrgID`, \
             `aws:SourceAccount`, `aws:SourceArn` or `aws:SourceVpce` nothing ties the grant \
             to your organization or to the resource meant to use it. The deploying account \
             (`${AWS::AccountId}`, `data.aws_caller_identity`, roles declared in the scan), \
             the account named in the statement's own resource ARNs and the accounts listed in \
             `[stage.permissions] trusted-accounts` are not another account. A key policy granting `kms:*` to an account root is the AWS default key \
             policy and is only reported when `trusted-accounts` is configured and the account \
             is not in it. A Region's Elastic Load Balancing account granted only `s3:PutObject` \
             on a bucket is the setup AWS documents for load balancer access logs and is not \
             reported either. Granting permissions-management actions (`s3:PutBucketPolicy`, \
             `kms:PutKeyPolicy`, `sqs:AddPermission`) raises the severity to high: that \
             account can change who has access. This is what IAM Access Analyzer reports as \
             external access.",
        )
        .remediation(
            "Grant the role that needs access rather than the whole account, and add a \
             condition:\n\n```yaml\nCondition:\n  StringEquals:\n    aws:PrincipalOrgID: o-a1b2c3d4e5\n```\n\n\
             If the account is one of yours, list it in `tollgate.toml`:\n\n```toml\n\
             [stage.permissions]\ntrusted-accounts = [\"444455556666\"]\n```",
        )
        .equivalents([
            "access-analyzer:EXTERNAL_PRINCIPAL",
            "cfn-guard:sns_cross_account_only_allowed_accounts",
        ])
        .precision(Precision::Medium)
    }

    fn subjects(&self) -> Subjects {
        Subjects::Of(PolicyKind::Resource)
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for g in grants(analysis, PolicyKind::Resource) {
            let PrincipalClass::OtherAccount(account) = &g.class else {
                continue;
            };
            let s = g.statement.stmt;
            if who_conditions(s).next().is_some() {
                continue;
            }
            // The account that owns the resource (named in its ARN) is not another account.
            if default_key_policy(analysis, &g)
                || elb_access_logs(analysis, &g, account)
                || resource_accounts(g.statement).contains(&account.as_str())
            {
                continue;
            }
            let Some(span) = g.principal.value.span() else {
                continue;
            };
            let actions = granted_words(analysis, g.statement);
            let unrelated = unrelated_conditions(s, ANY_BINDING);
            let written: Vec<&str> = g.statement.patterns.iter().map(|p| p.text).collect();
            let value = g.value.trim();
            let who = if value == account {
                format!("account {account}")
            } else {
                format!("account {account} (`{value}`)")
            };
            // Another account that may rewrite the resource's policy can grant itself, or
            // anyone, everything else: one level more serious.
            let cat = analysis.catalog;
            let manage: Vec<ActionId> = g
                .statement
                .granted
                .iter()
                .copied()
                .filter(|&id| cat.get(id).level == AccessLevel::PermissionsManagement)
                .collect();
            let (severity, manage_words) = if manage.is_empty() {
                (out.rule().default_severity, String::new())
            } else {
                (
                    Severity::High,
                    format!(
                        " They include permissions-management actions ({}): that account can change who has access.",
                        name_actions(cat, &manage)
                    ),
                )
            };
            out.at_with(
                g.policy,
                span,
                severity,
                &format!("{} {} {}", g.policy.label, g.value, written.join(",")),
                format!(
                    "The {} grants {who} {actions} without a condition restricting it \
                     (`aws:PrincipalOrgID`, `aws:SourceAccount`, `aws:SourceArn`).{manage_words} {unrelated}",
                    g.policy.label,
                )
                .trim_end()
                .to_string(),
            );
        }
    }
}

/// The grant AWS documents for load balancer access logs: the Region's Elastic Load Balancing
/// account may put objects into a bucket, and nothing more.
fn elb_access_logs(
    analysis: &Analysis<'_>,
    g: &crate::principal::Grant<'_, '_>,
    account: &str,
) -> bool {
    let put_object = analysis.catalog.action("s3:PutObject");
    elb_log_delivery_region(account).is_some()
        && matches!(
            g.policy.owner.type_name.as_str(),
            "AWS::S3::BucketPolicy" | "aws_s3_bucket_policy" | "aws_s3_bucket"
        )
        && !g.statement.granted.is_empty()
        && g.statement.granted.iter().all(|&id| Some(id) == put_object)
}

/// AWS writes `kms:*` for the account root into every key policy; with a literal id the scan
/// cannot tell that account from another unless trusted accounts are configured.
fn default_key_policy(analysis: &Analysis<'_>, g: &crate::principal::Grant<'_, '_>) -> bool {
    analysis.trusted_accounts.is_empty()
        && is_key_policy(g.policy)
        && g.value.trim().ends_with(":root")
        && g.statement
            .patterns
            .iter()
            .any(|p| matches!(p.text.trim(), "kms:*" | "*"))
}
