//! TG2019: a bucket, queue, topic or key policy that lets an AWS service act on the resource
//! without `aws:SourceArn` / `aws:SourceAccount`: the confused-deputy problem.
//!
//! Lambda permissions are left to the IaC rule TG1011 (`lambda-permission-without-source`):
//! there `SourceArn` and `SourceAccount` are properties of the permission, the finding points
//! at the permission resource, and reporting it here too would count it twice.

use tollgate_core::Severity;
use tollgate_iac::model::{bound_by, unrelated_conditions, Binding, PrincipalClass};

use super::{rule, PermRule};
use crate::analysis::{Analysis, PolicyKind, Subjects};
use crate::principal::{granted_words, grants, is_lambda_permission};
use crate::sink::Sink;

pub struct ResourceServiceUnbound;

/// Conditions that tie a service's request to your resource or account.
const SOURCE: &[Binding] = &[
    Binding::SourceResource,
    Binding::SourceAccount,
    Binding::CallerAccount,
];

impl PermRule for ResourceServiceUnbound {
    fn meta(&self) -> tollgate_core::Rule {
        rule(
            "TG2019",
            "iam-resource-service-principal-unbound",
            Severity::Medium,
            "Resource policy grants an AWS service without `aws:SourceArn` or `aws:SourceAccount`",
        )
        .description(
            "A bucket, queue, topic or key policy that allows a service principal \
             (`s3.amazonaws.com`, `sns.amazonaws.com`, `events.amazonaws.com`...) without \
             `aws:SourceArn` or `aws:SourceAccount` lets that service act on the resource on \
             behalf of *any* AWS account: someone else's bucket notification, rule or trail \
             can be pointed at it (the cross-service confused deputy). For key policies, \
             `kms:EncryptionContext:aws:*` conditions (CloudWatch Logs, CloudTrail) and \
             `kms:CallerAccount` count too. Lambda permissions are checked by TG1011.",
        )
        .remediation(
            "Tie the grant to the resource that uses it:\n\n```yaml\nCondition:\n  ArnLike:\n    \
             aws:SourceArn: !GetAtt NightlyRule.Arn\n  StringEquals:\n    aws:SourceAccount: \
             !Ref AWS::AccountId\n```",
        )
        // Checkov's CKV_AWS_364 asks the same of Lambda permissions only (TG1011 here).
        .equivalents(["cfn-guard:sns_cross_account_only_allowed_accounts"])
    }

    fn subjects(&self) -> Subjects {
        Subjects::Of(PolicyKind::Resource)
    }

    fn check(&self, analysis: &Analysis<'_>, out: &mut Sink<'_>) {
        for g in grants(analysis, PolicyKind::Resource) {
            let PrincipalClass::Service(service) = &g.class else {
                continue;
            };
            let s = g.statement.stmt;
            if is_lambda_permission(g.policy) || bound_by(s, SOURCE).is_some() {
                continue;
            }
            let Some(span) = g.principal.value.span() else {
                continue;
            };
            let actions = granted_words(analysis, g.statement);
            let unrelated = unrelated_conditions(s, SOURCE);
            let written: Vec<&str> = g.statement.patterns.iter().map(|p| p.text).collect();
            out.at(
                g.policy,
                span,
                &format!("{} {} {}", g.policy.label, service, written.join(",")),
                format!(
                    "The {} lets `{service}` use {actions} without `aws:SourceArn` or \
                     `aws:SourceAccount`: that service can be made to act on it for any AWS \
                     account (confused deputy). {unrelated}",
                    g.policy.label,
                )
                .trim_end()
                .to_string(),
            );
        }
    }
}
