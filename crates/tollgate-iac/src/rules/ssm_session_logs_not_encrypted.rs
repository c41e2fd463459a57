//! TG1511: Session Manager preferences that do not keep encrypted session logs.

use tollgate_core::{Rule, Severity};

use super::ssm_session_not_encrypted::session_documents;
use super::support::{iac_rule, Fix};
use super::{IacRule, RuleSink};
use crate::model::{CloudModel, SessionInputs, Val};

pub struct SsmSessionLogsNotEncrypted;

/// Whether one log destination (a bucket or a log group, with its encryption switch) is set and
/// encrypted: `Some(true)` yes, `Some(false)` no, `None` when an unknown value decides.
fn destination_ok(destination: &Val<String>, encrypted: &Val<bool>) -> Option<bool> {
    match (destination, encrypted) {
        (Val::Absent, _) | (_, Val::Known { value: false, .. }) | (_, Val::Absent) => Some(false),
        (Val::Known { .. }, Val::Known { value: true, .. }) => Some(true),
        _ => None,
    }
}

/// What is wrong with the preferences' logging, or `None` when it is right or unknown.
fn logging_problem(inputs: &SessionInputs) -> Option<Result<(), &'static str>> {
    let s3 = destination_ok(&inputs.s3_bucket, &inputs.s3_encryption);
    let logs = destination_ok(&inputs.log_group, &inputs.log_group_encryption);
    match (s3, logs) {
        (Some(true), _) | (_, Some(true)) => Some(Ok(())),
        (None, _) | (_, None) => None,
        (Some(false), Some(false)) => {
            if inputs.s3_bucket.is_absent() && inputs.log_group.is_absent() {
                Some(Err("does not send session logs to S3 or CloudWatch Logs"))
            } else {
                Some(Err("sends session logs without encrypting them"))
            }
        }
    }
}

impl IacRule for SsmSessionLogsNotEncrypted {
    fn meta(&self) -> Rule {
        iac_rule(
                "TG1511",
                "ssm-session-logs-not-encrypted",
                Severity::Medium,
                "Session Manager sessions are not logged, or logged without encryption",
                "ssm",
            )
        .tags(["logging", "encryption"])
        .equivalents(["CKV_AWS_113"])
        .description(
            "Session Manager gives a shell on managed nodes; what was typed there is known \
             only if the `Session` document's preferences send session output to an S3 \
             bucket (`s3BucketName` with `s3EncryptionEnabled: true`) or a CloudWatch log \
             group (`cloudWatchLogGroupName` with `cloudWatchEncryptionEnabled: true`). \
             Without encryption the logs, which may hold secrets typed or printed during the \
             session, are stored in the clear; with the switch on, Session Manager refuses to \
             write to an unencrypted destination.\n\n\
             Checkov's CKV_AWS_113 does not judge a Session document without `inputs`; \
             tollgate reports it, since it logs nothing. Content that cannot be read \
             statically is unknown and not reported.",
        )
        .remediation(
            Fix {
                summary: "Send session logs to an encrypted log group or bucket and turn on the encryption check.",
                cloudformation: "SessionPreferences:\n  Type: AWS::SSM::Document\n  Properties:\n    Name: SSM-SessionManagerRunShell\n    DocumentType: Session\n    Content:\n      schemaVersion: \"1.0\"\n      sessionType: Standard_Stream\n      inputs:\n        kmsKeyId: !Ref SessionKey\n        cloudWatchLogGroupName: !Ref SessionLogs\n        cloudWatchEncryptionEnabled: true",
                serverless: None,
                terraform: "resource \"aws_ssm_document\" \"session_preferences\" {\n  name          = \"SSM-SessionManagerRunShell\"\n  document_type = \"Session\"\n  content = jsonencode({\n    schemaVersion = \"1.0\"\n    sessionType   = \"Standard_Stream\"\n    inputs = {\n      s3BucketName        = aws_s3_bucket.session_logs.id\n      s3EncryptionEnabled = true\n    }\n  })\n}",
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
                         not logged."
                    ),
                ),
                Some((inputs, span)) => match logging_problem(inputs) {
                    None => out.unknown(&doc.meta),
                    Some(Ok(())) => out.evaluated(&doc.meta),
                    Some(Err(what)) => out.at(
                        &doc.meta,
                        span,
                        "inputs",
                        format!("Session document `{name}` {what}."),
                    ),
                },
            }
        }
    }
}
