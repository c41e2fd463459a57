//! TG1312: a bucket policy that denies everyone the right to change the policy.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{action_matches, Statement};
use crate::model::{CloudModel, PolicyDocument};

pub struct S3PolicyLocksOutAdmins;

/// The action whose denial to everyone locks the bucket's policy.
const PUT_POLICY: &str = "s3:PutBucketPolicy";

/// Whether `s` denies every principal `s3:PutBucketPolicy` with no condition and no
/// `NotAction`/`NotPrincipal` that could leave someone out: `Some(true)` when it does, `None`
/// when an entry it depends on cannot be resolved.
fn locks_out(s: &Statement) -> Option<bool> {
    if !s.is_deny() || s.has_conditions() || !s.not_actions.is_empty() {
        return Some(false);
    }
    if !s.not_principals.is_empty() {
        return Some(false);
    }
    let everyone = s.principals.iter().any(|p| p.is_wildcard());
    if !everyone {
        let unknown = s.principals.iter().any(|p| p.value.is_unknown());
        return if unknown { None } else { Some(false) };
    }
    if s.actions
        .iter()
        .any(|a| a.as_str().is_some_and(|a| action_matches(a, PUT_POLICY)))
    {
        return Some(true);
    }
    if s.actions.iter().any(|a| a.is_unknown()) {
        return None;
    }
    Some(false)
}

/// The first statement of `doc` that locks the policy, or `None`; `Err` when one might.
fn lockout(doc: &PolicyDocument) -> Result<Option<&Statement>, ()> {
    let mut unknown = false;
    for s in &doc.statements {
        match locks_out(s) {
            Some(true) => return Ok(Some(s)),
            None => unknown = true,
            Some(false) => {}
        }
    }
    if unknown {
        Err(())
    } else {
        Ok(None)
    }
}

impl IacRule for S3PolicyLocksOutAdmins {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1312",
                "s3-policy-locks-out-admins",
                Severity::Medium,
                "S3 bucket policy denies everyone the right to change it",
                "s3",
            )
        .tags(["iam"])
        .equivalents(["CKV_AWS_93"])
        .description(
            "A bucket policy statement that denies `s3:PutBucketPolicy` (or `s3:*`, \
             `s3:Put*`, `*`...) to every principal with no condition applies to the \
             administrators and deployment roles too: after it is deployed nobody but the \
             account's root user can change or delete the policy, and every later deployment \
             that touches it fails. Deny statements that keep administrators out of the \
             denial with a condition (`aws:PrincipalArn`) or a `NotPrincipal` are not \
             reported. Checkov compares the action with a fixed list (`s3:PutBucketPolicy`, \
             `s3:*BucketPolicy`, `s3:Put*`, `s3:*`, `*`); tollgate matches any pattern that \
             covers `s3:PutBucketPolicy`, such as `s3:PutBucket*`.",
        )
        .remediation(
            Fix {
                summary: "Leave the roles that administer the bucket out of the denial with a condition on `aws:PrincipalArn`.",
                cloudformation: "RecordsPolicy:\n  Type: AWS::S3::BucketPolicy\n  Properties:\n    Bucket: !Ref Records\n    PolicyDocument:\n      Statement:\n        - Effect: Deny\n          Principal: '*'\n          Action: s3:PutBucketPolicy\n          Resource: !GetAtt Records.Arn\n          Condition:\n            ArnNotEquals:\n              aws:PrincipalArn: !Sub arn:aws:iam::${AWS::AccountId}:role/deployer",
                serverless: None,
                terraform: "data \"aws_iam_policy_document\" \"records\" {\n  statement {\n    effect    = \"Deny\"\n    actions   = [\"s3:PutBucketPolicy\"]\n    resources = [aws_s3_bucket.records.arn]\n    principals {\n      type        = \"*\"\n      identifiers = [\"*\"]\n    }\n    condition {\n      test     = \"ArnNotEquals\"\n      variable = \"aws:PrincipalArn\"\n      values   = [aws_iam_role.deployer.arn]\n    }\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for p in &model.bucket_policies {
            out.evaluated(&p.meta);
            let Some(doc) = p.document.get() else {
                if p.document.is_unknown() {
                    out.unknown(&p.meta);
                }
                continue;
            };
            match lockout(doc) {
                Ok(Some(s)) => {
                    let sid = s
                        .sid
                        .as_str()
                        .map(|s| format!(" (statement `{s}`)"))
                        .unwrap_or_default();
                    out.at_in(
                        &p.meta,
                        &doc.file,
                        s.span,
                        &format!("Deny * {PUT_POLICY} {}", s.sid.as_str().unwrap_or("")),
                        format!(
                            "S3 bucket policy `{}` denies every principal `{PUT_POLICY}` without a condition{sid}: only the root user can change it afterwards.",
                            p.meta.address
                        ),
                    );
                }
                Ok(None) => {}
                Err(()) => out.unknown(&p.meta),
            }
        }
    }
}
