//! TG1908: a Terraform policy document that grants any AWS principal without a condition.

use tollgate_core::{Rule, Severity};

use super::policy_checks::open_evidence;
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct IamPolicyDocumentAnyPrincipal;

impl IacRule for IamPolicyDocumentAnyPrincipal {
    fn meta(&self) -> Rule {
        iac_rule(
            "TG1908",
            "iam-policy-document-any-principal",
            Severity::Medium,
            "IAM policy document allows any AWS principal without a condition",
            "iam",
        )
        .tags(["iam"])
        .equivalents(["CKV_AWS_283"])
        .description(
            "A statement whose principal is every AWS identity (`identifiers = [\"*\"]` of type \
             `AWS`, or `arn:aws:iam::*:root`) and that no condition narrows grants its actions \
             to every AWS account in the world, wherever the document is used: a bucket, queue, \
             topic, key or repository policy, or a role's trust policy. The rule judges each \
             `data \"aws_iam_policy_document\"` by the statements it writes (documents it \
             merges through `source_policy_documents` are judged as their own data sources), \
             so a document is reported once even when several resources use it, and also when \
             the resource using it is one tollgate does not model. The rules of each service \
             report the open policy where it is attached too (TG1303, TG1402, TG1403, TG1502, \
             TG2012...). A `Deny` statement, a statement with any condition, and a principal \
             that cannot be resolved are not reported, as in Checkov's CKV_AWS_283; Checkov \
             reads only the first entry of `identifiers` and only the exact value `*`. \
             CloudFormation has no policy document resource: its policies are judged where \
             they are written.",
        )
        .remediation(
            Fix {
                summary: "Name the accounts or roles that need access, or add a condition that narrows who (`aws:PrincipalOrgID`, `aws:SourceArn`, `aws:SourceAccount`).",
                cloudformation: "# CloudFormation writes policies inside the resource that uses them:\nPrincipal:\n  AWS: !Sub arn:aws:iam::${AWS::AccountId}:role/reader",
                serverless: None,
                terraform: "statement {\n  actions = [\"s3:GetObject\"]\n  principals {\n    type        = \"AWS\"\n    identifiers = [\"*\"]\n  }\n  condition {\n    test     = \"StringEquals\"\n    variable = \"aws:PrincipalOrgID\"\n    values   = [\"o-abc123\"]\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for d in &model.policy_documents {
            let doc = match &d.document {
                Val::Known { value, .. } => value,
                Val::Unknown { .. } => {
                    out.unknown(&d.meta);
                    continue;
                }
                Val::Absent => continue,
            };
            out.evaluated(&d.meta);
            for s in doc.statements.iter().filter(|s| s.is_allow()) {
                if s.has_conditions() {
                    continue;
                }
                let Some(p) = s.wildcard_principal() else {
                    continue;
                };
                let message = format!(
                    "Policy document `{}` allows any AWS principal (`{}`) without a condition.",
                    d.meta.address,
                    p.value.as_str().unwrap_or("*").trim()
                );
                // Two statements may both be open: each keeps a fingerprint.
                let evidence = open_evidence(s, p);
                match p.value.span() {
                    Some(span) if doc.file != d.meta.file => {
                        out.at_in(&d.meta, &doc.file, span, &evidence, message)
                    }
                    Some(span) => out.at(&d.meta, span, &evidence, message),
                    None => out.missing_about(&d.meta, &evidence, message),
                }
            }
        }
    }
}
