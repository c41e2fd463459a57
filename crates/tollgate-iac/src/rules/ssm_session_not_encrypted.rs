//! TG1510: a Session Manager preferences document that does not encrypt session data with a
//! KMS key.

use tollgate_core::{Rule, Severity};

use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use tollgate_syntax::Span;

use crate::model::{CloudModel, SessionInputs, SsmDocument, Val};

pub struct SsmSessionNotEncrypted;

/// The `Session` documents the Session Manager rules judge, each with its preferences and where
/// they are written (`None` when the content sets none). Documents of another type are not
/// applicable; documents whose type or content cannot be read are unknown.
pub(super) fn session_documents<'m>(
    model: &'m CloudModel,
    out: &mut RuleSink<'_>,
) -> Vec<(&'m SsmDocument, Option<(&'m SessionInputs, Span)>)> {
    let mut judged = Vec::new();
    for doc in &model.ssm_documents {
        match &doc.document_type {
            Val::Known { value, .. } if value.eq_ignore_ascii_case("Session") => {}
            Val::Unknown { .. } => {
                out.unknown(&doc.meta);
                continue;
            }
            // Absent: `Command`, the default type.
            _ => {
                out.not_applicable(&doc.meta);
                continue;
            }
        }
        match &doc.inputs {
            Val::Unknown { .. } => out.unknown(&doc.meta),
            Val::Absent => judged.push((doc, None)),
            Val::Known { value, span } => judged.push((doc, Some((value, *span)))),
        }
    }
    judged
}

impl IacRule for SsmSessionNotEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1510",
                "ssm-session-not-encrypted",
                Severity::Medium,
                "Session Manager sessions are not encrypted with a KMS key",
                "ssm",
            )
        .tags(["encryption"])
        .equivalents(["CKV_AWS_112"])
        .description(
            "A `Session` document holds the Session Manager preferences of the account (or \
             of the sessions that name it). Without `inputs.kmsKeyId`, session data between \
             the client and the managed node is protected by TLS only; with a KMS key it is \
             also encrypted end to end with a key whose use IAM controls and CloudTrail \
             records, and the key is needed to start a session at all.\n\n\
             Checkov's CKV_AWS_112 passes a Session document whose content has no `inputs` \
             (or an empty one); such a document applies the defaults, without a key, so \
             tollgate reports it too. Content that cannot be read statically (a \
             `templatefile()`, a variable) is unknown and not reported.",
        )
        .remediation(
            Fix {
                summary: "Name a KMS key in the session preferences.",
                cloudformation: "SessionPreferences:\n  Type: AWS::SSM::Document\n  Properties:\n    Name: SSM-SessionManagerRunShell\n    DocumentType: Session\n    Content:\n      schemaVersion: \"1.0\"\n      description: Session Manager preferences\n      sessionType: Standard_Stream\n      inputs:\n        kmsKeyId: !Ref SessionKey\n        cloudWatchLogGroupName: !Ref SessionLogs\n        cloudWatchEncryptionEnabled: true",
                serverless: None,
                terraform: "resource \"aws_ssm_document\" \"session_preferences\" {\n  name          = \"SSM-SessionManagerRunShell\"\n  document_type = \"Session\"\n  content = jsonencode({\n    schemaVersion = \"1.0\"\n    sessionType   = \"Standard_Stream\"\n    inputs = {\n      kmsKeyId                    = aws_kms_key.sessions.id\n      cloudWatchLogGroupName      = aws_cloudwatch_log_group.sessions.name\n      cloudWatchEncryptionEnabled = true\n    }\n  })\n}",
            }
            .markdown(),
        )
    }

    fn data_protection(&self) -> bool {
        true
    }

    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>) {
        for (doc, inputs) in session_documents(model, out) {
            let name = &doc.meta.address;
            match inputs {
                None => out.missing(
                    &doc.meta,
                    format!(
                        "Session document `{name}` sets no session preferences, so sessions are \
                         not encrypted with a KMS key."
                    ),
                ),
                Some((inputs, span)) => match &inputs.kms_key {
                    Val::Known { .. } => out.evaluated(&doc.meta),
                    Val::Unknown { .. } => out.unknown(&doc.meta),
                    Val::Absent => out.at(
                        &doc.meta,
                        span,
                        "inputs",
                        format!(
                            "Session document `{name}` does not set `kmsKeyId`: sessions are not \
                             encrypted with a KMS key."
                        ),
                    ),
                },
            }
        }
    }
}
