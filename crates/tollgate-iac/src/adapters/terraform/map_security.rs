//! `aws_kms_key` (+ `aws_kms_key_policy`), `aws_secretsmanager_secret` (+ `_rotation`),
//! `aws_ssm_parameter`, `aws_ssm_document`, `aws_cloudwatch_log_group`, `aws_cloudtrail`,
//! `aws_cloudtrail_event_data_store`, `aws_sfn_state_machine`.

use super::heredoc::{parse_json_string, parse_yaml_string};
use super::mapper::{boolean, integer, string, Mapper};
use super::value::{Tv, TvKind};
use crate::model::{
    non_empty, CloudModel, EventDataStore, KmsKey, LogGroup, RotationSchedule, Secret,
    SessionInputs, SsmDocument, SsmParameter, StateMachine, Trail, Val,
};

pub fn map(m: &Mapper<'_>, model: &mut CloudModel) {
    for r in m.of_type("aws_kms_key") {
        let b = &r.body;
        let meta = m.meta(r);
        let mut policy = m.policy(b.get("policy"), &r.file);
        for p in m.attached("aws_kms_key_policy", "key_id", r, &["key_id", "arn"]) {
            policy = m.policy(p.body.get("policy"), &p.file);
        }
        let key_spec = string(b.get("customer_master_key_spec")).or(string(b.get("key_spec")));
        model.kms_keys.push(KmsKey {
            meta,
            enabled: boolean(b.get("is_enabled")),
            rotation: boolean(b.get("enable_key_rotation")),
            key_spec,
            policy,
        });
    }
    for r in m.of_type("aws_secretsmanager_secret") {
        let meta = m.meta(r);
        // Provider v3 wrote rotation inline on the secret.
        if let Some(lambda) = r.body.get("rotation_lambda_arn") {
            model.rotation_schedules.push(RotationSchedule {
                meta: meta.clone(),
                secret: Val::known(
                    crate::model::Ref::resource(r.address.clone(), None, Some(r.type_name.clone())),
                    r.header,
                ),
                rotation_lambda: m.reference(Some(lambda)),
                after_days: integer(
                    r.body
                        .block("rotation_rules")
                        .and_then(|rules| rules.get("automatically_after_days")),
                ),
                schedule_expression: Val::Absent,
            });
        }
        model.secrets.push(Secret {
            meta,
            name: string(r.body.get("name")),
            kms_key: m.reference(r.body.get("kms_key_id")),
        });
    }
    for r in m.of_type("aws_secretsmanager_secret_rotation") {
        let rules = r.body.block("rotation_rules");
        model.rotation_schedules.push(RotationSchedule {
            meta: m.meta(r),
            secret: m.reference(r.body.get("secret_id")),
            rotation_lambda: m.reference(r.body.get("rotation_lambda_arn")),
            after_days: integer(rules.and_then(|rules| rules.get("automatically_after_days"))),
            schedule_expression: string(rules.and_then(|rules| rules.get("schedule_expression"))),
        });
    }
    for r in m.of_type("aws_ssm_parameter") {
        let b = &r.body;
        model.ssm_parameters.push(SsmParameter {
            meta: m.meta(r),
            name: string(b.get("name")),
            param_type: string(b.get("type")),
            value: string(b.get("value")).or(string(b.get("insecure_value"))),
            kms_key: m.reference(b.get("key_id")),
        });
    }
    for r in m.of_type("aws_ssm_document") {
        let b = &r.body;
        let yaml = string(b.get("document_format")).eq_ignore_case("YAML");
        let shared_with = match b.block("permissions") {
            Some(p) if p.is_unknown() => {
                Val::unknown(p.span, "the permissions are known only at plan time")
            }
            Some(p) => string(p.get("account_ids")),
            None => Val::Absent,
        };
        model.ssm_documents.push(SsmDocument {
            meta: m.meta(r),
            document_type: string(b.get("document_type")),
            inputs: document_inputs(b.get("content"), yaml),
            shared_with,
        });
    }
    for r in m.of_type("aws_cloudwatch_log_group") {
        let b = &r.body;
        model.log_groups.push(LogGroup {
            meta: m.meta(r),
            name: string(b.get("name")),
            retention_days: integer(b.get("retention_in_days")),
            kms_key: m.reference(b.get("kms_key_id")),
        });
    }
    for r in m.of_type("aws_cloudtrail") {
        let b = &r.body;
        model.trails.push(Trail {
            meta: m.meta(r),
            log_file_validation: boolean(b.get("enable_log_file_validation")),
            multi_region: boolean(b.get("is_multi_region_trail")),
            kms_key: m.reference(b.get("kms_key_id")),
            logging: boolean(b.get("enable_logging")),
            sns_topic: string(b.get("sns_topic_name")),
            log_group: string(b.get("cloud_watch_logs_group_arn")),
        });
    }
    for r in m.of_type("aws_cloudtrail_event_data_store") {
        model.event_data_stores.push(EventDataStore {
            meta: m.meta(r),
            kms_key: m.reference(r.body.get("kms_key_id")),
        });
    }
    for r in m.of_type("aws_sfn_state_machine") {
        let b = &r.body;
        let meta = m.meta(r);
        let logging = b.block("logging_configuration");
        let log_destinations = logging
            .and_then(|l| l.get("log_destination"))
            .map(|d| vec![m.reference(Some(d))])
            .unwrap_or_default();
        model.state_machines.push(StateMachine {
            name: string(b.get("name")),
            kind: string(b.get("type")),
            log_level: string(logging.and_then(|l| l.get("level"))),
            log_destinations,
            tracing: boolean(
                b.block("tracing_configuration")
                    .and_then(|t| t.get("enabled")),
            ),
            role: m.reference(b.get("role_arn")),
            meta,
        });
    }
}

/// The `inputs` of an SSM document's `content`: JSON text (the default format), YAML text
/// with `document_format = "YAML"`, or a `jsonencode({...})` object.
fn document_inputs(content: Option<&Tv>, yaml: bool) -> Val<SessionInputs> {
    let Some(content) = content else {
        return Val::Absent;
    };
    let parsed;
    let doc = match &content.kind {
        TvKind::Null => return Val::Absent,
        TvKind::Unknown(reason) => return Val::unknown(content.span, reason.clone()),
        TvKind::String(_) => {
            let read = if yaml {
                parse_yaml_string(content)
            } else {
                parse_json_string(content)
            };
            match read {
                Some(doc) => {
                    parsed = doc;
                    &parsed
                }
                None => {
                    return Val::unknown(content.span, "the document content could not be read")
                }
            }
        }
        TvKind::Object(_) => content,
        _ => return Val::unknown(content.span, "the document content is not a document"),
    };
    let Some(inputs) = doc.get("inputs") else {
        return match &doc.kind {
            TvKind::Object(_) => Val::Absent,
            _ => Val::unknown(doc.span, "the document content is not a map"),
        };
    };
    match &inputs.kind {
        TvKind::Object(_) => Val::known(
            SessionInputs {
                kms_key: non_empty(string(inputs.get("kmsKeyId"))),
                s3_bucket: non_empty(string(inputs.get("s3BucketName"))),
                s3_encryption: boolean(inputs.get("s3EncryptionEnabled")),
                log_group: non_empty(string(inputs.get("cloudWatchLogGroupName"))),
                log_group_encryption: boolean(inputs.get("cloudWatchEncryptionEnabled")),
            },
            inputs.span,
        ),
        TvKind::Null => Val::Absent,
        TvKind::Unknown(reason) => Val::unknown(inputs.span, reason.clone()),
        _ => Val::unknown(inputs.span, "`inputs` is not a map"),
    }
}
