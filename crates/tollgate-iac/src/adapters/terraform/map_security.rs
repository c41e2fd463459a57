//! `aws_kms_key` (+ `aws_kms_key_policy`), `aws_secretsmanager_secret` (+ `_rotation`),
//! `aws_ssm_parameter`, `aws_cloudwatch_log_group`, `aws_cloudtrail`, `aws_sfn_state_machine`.

use super::mapper::{boolean, integer, string, Mapper};
use crate::model::{
    CloudModel, KmsKey, LogGroup, RotationSchedule, Secret, SsmParameter, StateMachine, Trail, Val,
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
            });
        }
        model.secrets.push(Secret {
            meta,
            name: string(r.body.get("name")),
            kms_key: m.reference(r.body.get("kms_key_id")),
        });
    }
    for r in m.of_type("aws_secretsmanager_secret_rotation") {
        model.rotation_schedules.push(RotationSchedule {
            meta: m.meta(r),
            secret: m.reference(r.body.get("secret_id")),
            rotation_lambda: m.reference(r.body.get("rotation_lambda_arn")),
        });
    }
    for r in m.of_type("aws_ssm_parameter") {
        let b = &r.body;
        model.ssm_parameters.push(SsmParameter {
            meta: m.meta(r),
            name: string(b.get("name")),
            param_type: string(b.get("type")),
            value: string(b.get("value")).or(string(b.get("insecure_value"))),
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
