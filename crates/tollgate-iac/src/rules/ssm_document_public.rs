//! TG1512: an SSM document shared with every AWS account.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, Val};

pub struct SsmDocumentPublic;

impl IacRule for SsmDocumentPublic {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1512",
                "ssm-document-public",
                Severity::Medium,
                "SSM document is shared with every AWS account",
                "ssm",
            )
        .tags(["public-access"])
        .equivalents(["CKV_AWS_303"])
        .description(
            "`permissions { type = \"Share\", account_ids = \"All\" }` makes the document \
             public: anyone can read its content (scripts, bucket and parameter names, \
             sometimes credentials) and run it in their own account. Share a document with \
             the accounts that need it, by id. CloudFormation cannot share documents, so the \
             rule applies to Terraform.",
        )
        .remediation(
            Fix {
                summary: "Share the document with named accounts only, or not at all.",
                cloudformation: "# CloudFormation does not share documents; share with named accounts:\n# aws ssm modify-document-permission --name Deploy --permission-type Share --account-ids-to-add 111122223333",
                serverless: None,
                terraform: "resource \"aws_ssm_document\" \"deploy\" {\n  name          = \"deploy\"\n  document_type = \"Command\"\n  content       = file(\"${path.module}/deploy.json\")\n  permissions = {\n    type        = \"Share\"\n    account_ids = \"111122223333\"\n  }\n}",
            }
            .markdown(),
        )
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for doc in &model.ssm_documents {
            match &doc.shared_with {
                Val::Unknown { .. } => out.unknown(&doc.meta),
                Val::Known { value, span }
                    if value
                        .split(',')
                        .any(|id| id.trim().eq_ignore_ascii_case("All")) =>
                {
                    out.at(
                        &doc.meta,
                        *span,
                        value,
                        format!(
                            "SSM document `{}` is shared with every AWS account.",
                            doc.meta.address
                        ),
                    )
                }
                _ => out.evaluated(&doc.meta),
            }
        }
    }
}
