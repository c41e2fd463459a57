//! The IaC rule catalog. Each rule is one file: its metadata (code, words, fix examples per
//! format, compliance controls, peer-tool equivalents) and one check written against the
//! [`CloudModel`], so a rule behaves the same for CloudFormation, SAM, Serverless and Terraform.
//!
//! [`all`] is the registration table; the stage runs every rule over the model through
//! [`run_all`], and the docs under `docs/rules/` are generated from [`all`]'s metadata.

use time::Date;
use tollgate_core::{Evaluation, Finding, Rule};

use crate::model::CloudModel;

mod policy_checks;
mod sink;

pub use api_route_without_authorization::route_is_open;
mod support;

mod api_cache_not_encrypted;
mod api_deployment_without_create_before_destroy;
mod api_domain_allows_tls10;
mod api_method_without_request_validation;
mod api_route_without_authorization;
mod api_stage_data_trace_enabled;
mod api_stage_without_access_logging;
mod api_stage_without_cache;
mod api_stage_without_execution_logging;
mod api_stage_without_waf;
mod api_stage_without_xray;
mod appsync_cache_not_encrypted;
mod appsync_cache_without_tls;
mod appsync_field_logs_off;
mod appsync_without_logging;
mod appsync_without_waf;
mod cloudfront_allows_old_tls;
mod cloudfront_headers_policy_weak_hsts;
mod cloudfront_origin_allows_http;
mod cloudfront_origin_allows_sslv3;
mod cloudfront_s3_origin_without_access_control;
mod cloudfront_s3_without_default_root_object;
mod cloudfront_viewer_allows_http;
mod cloudfront_without_access_logging;
mod cloudfront_without_origin_failover;
mod cloudfront_without_response_headers_policy;
mod cloudfront_without_waf;
mod cloudtrail_event_data_store_without_cmk;
mod cloudtrail_logging_disabled;
mod cloudtrail_not_kms_encrypted;
mod cloudtrail_not_multi_region;
mod cloudtrail_without_cloudwatch_logs;
mod cloudtrail_without_log_validation;
mod cloudtrail_without_sns_topic;
mod cognito_identity_pool_allows_guests;
mod dax_endpoint_without_tls;
mod dax_not_encrypted;
mod dynamodb_pitr_disabled;
mod dynamodb_replica_without_cmk;
mod dynamodb_without_cmk;
mod ecr_image_tags_mutable;
mod ecr_not_kms_encrypted;
mod ecr_policy_open;
mod ecr_scan_on_push_disabled;
mod firehose_not_encrypted;
mod firehose_without_cmk;
mod iam_password_policy_reuse;
mod iam_password_policy_short;
mod iam_policy_attached_to_user;
mod iam_policy_document_any_principal;
mod iam_role_trusts_whole_account;
mod iam_user_access_key;
mod iam_user_console_password;
mod iam_user_defined;
mod kinesis_stream_not_encrypted;
mod kinesis_stream_without_cmk;
mod kms_key_disabled;
mod kms_key_policy_open;
mod kms_key_without_policy;
mod kms_rotation_disabled;
mod lambda_deprecated_runtime;
mod lambda_environment_without_cmk;
mod lambda_not_in_vpc;
mod lambda_permission_public;
mod lambda_permission_without_source;
mod lambda_plaintext_secret;
mod lambda_url_without_auth;
mod lambda_without_code_signing;
mod lambda_without_dead_letter_queue;
mod lambda_without_reserved_concurrency;
mod lambda_without_tracing;
mod log_group_retention;
mod log_group_retention_short;
mod log_group_without_kms;
mod s3_access_logging_disabled;
mod s3_acls_enabled;
mod s3_classified_without_kms;
mod s3_lifecycle_keeps_incomplete_uploads;
mod s3_object_without_cmk;
mod s3_policy_locks_out_admins;
mod s3_policy_open;
mod s3_public_access_block;
mod s3_public_acl;
mod s3_versioning_disabled;
mod s3_without_lifecycle;
mod s3_without_replication;
mod s3_without_tls_enforcement;
mod scheduler_schedule_without_cmk;
mod secret_rotation_infrequent;
mod secret_without_cmk;
mod secret_without_rotation;
mod sns_not_encrypted;
mod sns_policy_cross_account;
mod sns_policy_open;
mod sqs_aws_managed_key;
mod sqs_not_encrypted;
mod sqs_policy_all_actions;
mod sqs_policy_open;
mod ssm_document_public;
mod ssm_parameter_without_cmk;
mod ssm_plaintext_secret;
mod ssm_session_logs_not_encrypted;
mod ssm_session_not_encrypted;
mod stepfunctions_without_logging;
mod stepfunctions_without_xray;
mod waf_acl_without_logging;
mod waf_acl_without_rules;
mod waf_allows_anonymous_ips;
mod waf_rule_without_action;
mod waf_without_log4j_protection;

pub use sink::RuleSink;

/// One IaC rule: data plus one check over the cloud model.
pub trait IacRule: Send + Sync {
    /// What the rule is: code, name, severity, words, controls, equivalents.
    fn meta(&self) -> Rule;

    /// Whether the rule protects data (encryption, public access, logging, backups): its
    /// severity is raised one level on resources classified PHI, PCI or PII.
    fn data_protection(&self) -> bool {
        false
    }

    /// Look at the model and report into `out`. Never report on an unknown value.
    fn check(&self, model: &CloudModel, out: &mut RuleSink<'_>);
}

/// Every IaC rule, in code order.
pub fn all() -> Vec<Box<dyn IacRule>> {
    vec![
        Box::new(lambda_without_dead_letter_queue::LambdaWithoutDeadLetterQueue),
        Box::new(lambda_without_tracing::LambdaWithoutTracing),
        Box::new(lambda_without_reserved_concurrency::LambdaWithoutReservedConcurrency),
        Box::new(lambda_not_in_vpc::LambdaNotInVpc),
        Box::new(lambda_plaintext_secret::LambdaPlaintextSecret),
        Box::new(lambda_environment_without_cmk::LambdaEnvironmentWithoutCmk),
        Box::new(lambda_without_code_signing::LambdaWithoutCodeSigning),
        Box::new(lambda_deprecated_runtime::LambdaDeprecatedRuntime),
        Box::new(lambda_url_without_auth::LambdaUrlWithoutAuth),
        Box::new(lambda_permission_public::LambdaPermissionPublic),
        Box::new(lambda_permission_without_source::LambdaPermissionWithoutSource),
        Box::new(ecr_scan_on_push_disabled::EcrScanOnPushDisabled),
        Box::new(ecr_image_tags_mutable::EcrImageTagsMutable),
        Box::new(ecr_policy_open::EcrPolicyOpen),
        Box::new(ecr_not_kms_encrypted::EcrNotKmsEncrypted),
        Box::new(api_route_without_authorization::ApiRouteWithoutAuthorization),
        Box::new(api_stage_without_access_logging::ApiStageWithoutAccessLogging),
        Box::new(api_stage_without_xray::ApiStageWithoutXray),
        Box::new(api_cache_not_encrypted::ApiCacheNotEncrypted),
        Box::new(api_domain_allows_tls10::ApiDomainAllowsTls10),
        Box::new(api_stage_data_trace_enabled::ApiStageDataTraceEnabled),
        Box::new(appsync_without_logging::AppsyncWithoutLogging),
        Box::new(appsync_field_logs_off::AppsyncFieldLogsOff),
        Box::new(appsync_without_waf::AppsyncWithoutWaf),
        Box::new(api_stage_without_waf::ApiStageWithoutWaf),
        Box::new(api_stage_without_cache::ApiStageWithoutCache),
        Box::new(api_stage_without_execution_logging::ApiStageWithoutExecutionLogging),
        Box::new(api_method_without_request_validation::ApiMethodWithoutRequestValidation),
        Box::new(
            api_deployment_without_create_before_destroy::ApiDeploymentWithoutCreateBeforeDestroy,
        ),
        Box::new(dynamodb_pitr_disabled::DynamodbPitrDisabled),
        Box::new(dynamodb_without_cmk::DynamodbWithoutCmk),
        Box::new(dax_not_encrypted::DaxNotEncrypted),
        Box::new(dax_endpoint_without_tls::DaxEndpointWithoutTls),
        Box::new(dynamodb_replica_without_cmk::DynamodbReplicaWithoutCmk),
        Box::new(s3_public_acl::S3PublicAcl),
        Box::new(s3_public_access_block::S3PublicAccessBlock),
        Box::new(s3_versioning_disabled::S3VersioningDisabled),
        Box::new(s3_access_logging_disabled::S3AccessLoggingDisabled),
        Box::new(s3_without_tls_enforcement::S3WithoutTlsEnforcement),
        Box::new(s3_policy_open::S3PolicyOpen),
        Box::new(s3_classified_without_kms::S3ClassifiedWithoutKms),
        Box::new(s3_acls_enabled::S3AclsEnabled),
        Box::new(s3_without_lifecycle::S3WithoutLifecycle),
        Box::new(s3_lifecycle_keeps_incomplete_uploads::S3LifecycleKeepsIncompleteUploads),
        Box::new(s3_without_replication::S3WithoutReplication),
        Box::new(s3_policy_locks_out_admins::S3PolicyLocksOutAdmins),
        Box::new(s3_object_without_cmk::S3ObjectWithoutCmk),
        Box::new(sqs_not_encrypted::SqsNotEncrypted),
        Box::new(sns_not_encrypted::SnsNotEncrypted),
        Box::new(sqs_policy_open::SqsPolicyOpen),
        Box::new(sns_policy_open::SnsPolicyOpen),
        Box::new(kinesis_stream_not_encrypted::KinesisStreamNotEncrypted),
        Box::new(firehose_not_encrypted::FirehoseNotEncrypted),
        Box::new(kinesis_stream_without_cmk::KinesisStreamWithoutCmk),
        Box::new(firehose_without_cmk::FirehoseWithoutCmk),
        Box::new(sqs_policy_all_actions::SqsPolicyAllActions),
        Box::new(sqs_aws_managed_key::SqsAwsManagedKey),
        Box::new(sns_policy_cross_account::SnsPolicyCrossAccount),
        Box::new(scheduler_schedule_without_cmk::SchedulerScheduleWithoutCmk),
        Box::new(kms_rotation_disabled::KmsRotationDisabled),
        Box::new(kms_key_policy_open::KmsKeyPolicyOpen),
        Box::new(secret_without_cmk::SecretWithoutCmk),
        Box::new(secret_without_rotation::SecretWithoutRotation),
        Box::new(ssm_plaintext_secret::SsmPlaintextSecret),
        Box::new(cognito_identity_pool_allows_guests::CognitoIdentityPoolAllowsGuests),
        Box::new(ssm_parameter_without_cmk::SsmParameterWithoutCmk),
        Box::new(kms_key_disabled::KmsKeyDisabled),
        Box::new(kms_key_without_policy::KmsKeyWithoutPolicy),
        Box::new(ssm_session_not_encrypted::SsmSessionNotEncrypted),
        Box::new(ssm_session_logs_not_encrypted::SsmSessionLogsNotEncrypted),
        Box::new(ssm_document_public::SsmDocumentPublic),
        Box::new(secret_rotation_infrequent::SecretRotationInfrequent),
        Box::new(log_group_retention::LogGroupRetention),
        Box::new(log_group_without_kms::LogGroupWithoutKms),
        Box::new(cloudtrail_without_log_validation::CloudtrailWithoutLogValidation),
        Box::new(cloudtrail_not_multi_region::CloudtrailNotMultiRegion),
        Box::new(cloudtrail_not_kms_encrypted::CloudtrailNotKmsEncrypted),
        Box::new(cloudtrail_logging_disabled::CloudtrailLoggingDisabled),
        Box::new(log_group_retention_short::LogGroupRetentionShort),
        Box::new(cloudtrail_without_sns_topic::CloudtrailWithoutSnsTopic),
        Box::new(cloudtrail_without_cloudwatch_logs::CloudtrailWithoutCloudwatchLogs),
        Box::new(cloudtrail_event_data_store_without_cmk::CloudtrailEventDataStoreWithoutCmk),
        Box::new(stepfunctions_without_logging::StepfunctionsWithoutLogging),
        Box::new(stepfunctions_without_xray::StepfunctionsWithoutXray),
        Box::new(cloudfront_viewer_allows_http::CloudfrontViewerAllowsHttp),
        Box::new(cloudfront_allows_old_tls::CloudfrontAllowsOldTls),
        Box::new(cloudfront_without_waf::CloudfrontWithoutWaf),
        Box::new(cloudfront_without_access_logging::CloudfrontWithoutAccessLogging),
        Box::new(waf_without_log4j_protection::WafWithoutLog4jProtection),
        Box::new(appsync_cache_not_encrypted::AppsyncCacheNotEncrypted),
        Box::new(appsync_cache_without_tls::AppsyncCacheWithoutTls),
        Box::new(
            cloudfront_s3_origin_without_access_control::CloudfrontS3OriginWithoutAccessControl,
        ),
        Box::new(cloudfront_origin_allows_sslv3::CloudfrontOriginAllowsSslv3),
        Box::new(
            cloudfront_without_response_headers_policy::CloudfrontWithoutResponseHeadersPolicy,
        ),
        Box::new(waf_acl_without_rules::WafAclWithoutRules),
        Box::new(waf_acl_without_logging::WafAclWithoutLogging),
        Box::new(cloudfront_headers_policy_weak_hsts::CloudfrontHeadersPolicyWeakHsts),
        Box::new(waf_allows_anonymous_ips::WafAllowsAnonymousIps),
        Box::new(cloudfront_without_origin_failover::CloudfrontWithoutOriginFailover),
        Box::new(waf_rule_without_action::WafRuleWithoutAction),
        Box::new(cloudfront_s3_without_default_root_object::CloudfrontS3WithoutDefaultRootObject),
        Box::new(cloudfront_origin_allows_http::CloudfrontOriginAllowsHttp),
        Box::new(iam_password_policy_short::IamPasswordPolicyShort),
        Box::new(iam_password_policy_reuse::IamPasswordPolicyReuse),
        Box::new(iam_policy_attached_to_user::IamPolicyAttachedToUser),
        Box::new(iam_user_console_password::IamUserConsolePassword),
        Box::new(iam_user_defined::IamUserDefined),
        Box::new(iam_user_access_key::IamUserAccessKey),
        Box::new(iam_role_trusts_whole_account::IamRoleTrustsWholeAccount),
        Box::new(iam_policy_document_any_principal::IamPolicyDocumentAnyPrincipal),
    ]
}

/// A rule's metadata as published (SARIF, `tollgate rules`, docs): its own, plus the
/// `data-protection` tag when classified resources raise its severity, so users can filter on it.
pub fn published_meta(rule: &dyn IacRule) -> Rule {
    let meta = rule.meta();
    if rule.data_protection() {
        meta.tags(["data-protection"])
    } else {
        meta
    }
}

/// The metadata of every IaC rule, for `Stage::rules`, SARIF and the docs.
pub fn metas() -> Vec<Rule> {
    all().iter().map(|r| published_meta(r.as_ref())).collect()
}

/// Run every rule over `model`, judging dates against `today`: every finding, and one
/// evaluation per (rule, resource) a rule judged. Rules run on all cores (rayon's pool), each
/// into its own sink; the sinks are joined in registration order, so the output is the same
/// as one rule after the other.
pub fn run_all(model: &CloudModel, today: Date) -> (Vec<Finding>, Vec<Evaluation>) {
    run_all_with(model, today, true)
}

/// [`run_all`], recording evaluations only when `evaluations` is set (the findings are the
/// same either way).
pub fn run_all_with(
    model: &CloudModel,
    today: Date,
    evaluations: bool,
) -> (Vec<Finding>, Vec<Evaluation>) {
    use rayon::prelude::*;
    let per_rule: Vec<(Vec<Finding>, Vec<Evaluation>)> = all()
        .par_iter()
        .map(|rule| {
            let meta = published_meta(rule.as_ref());
            let mut sink = RuleSink::new(&meta, rule.data_protection(), today);
            if !evaluations {
                sink = sink.without_evaluations();
            }
            rule.check(model, &mut sink);
            sink.finish()
        })
        .collect();
    let mut findings = Vec::with_capacity(per_rule.iter().map(|(f, _)| f.len()).sum());
    let mut evaluations = Vec::with_capacity(per_rule.iter().map(|(_, e)| e.len()).sum());
    for (f, e) in per_rule {
        findings.extend(f);
        evaluations.extend(e);
    }
    (findings, evaluations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_well_formed() {
        let metas = metas();
        assert!(metas.len() >= 42, "the catalog has {} rules", metas.len());
        let mut codes: Vec<_> = metas.iter().map(|r| r.code.clone()).collect();
        let sorted = {
            let mut c = codes.clone();
            c.sort();
            c
        };
        assert_eq!(codes, sorted, "registration table is in code order");
        codes.dedup();
        assert_eq!(codes.len(), metas.len(), "codes are unique");
        for r in &metas {
            assert!(r.code.starts_with("TG1") && r.code.len() == 6, "{}", r.code);
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is kebab-case",
                r.name
            );
            assert_eq!(r.stage, "iac");
            assert!(!r.title.ends_with('.'), "{}: title without period", r.code);
            assert!(r.description.len() > 80, "{}: description", r.code);
            assert!(
                r.remediation.contains("```yaml"),
                "{}: CloudFormation example",
                r.code
            );
            assert!(
                r.remediation.contains("```hcl"),
                "{}: Terraform example",
                r.code
            );
            assert!(
                !r.equivalents.is_empty()
                    || r.code == "TG1002"
                    || r.code == "TG1305"
                    || r.code == "TG1307"
                    || r.code == "TG1505"
                    || r.code == "TG1701"
                    // Checkov's only access key check judges users named `root`.
                    || r.code == "TG1906",
                "{}: Checkov equivalents",
                r.code
            );
            assert!(!r.controls.is_empty(), "{}: compliance controls", r.code);
            assert!(r.tags.iter().any(|t| t == "security"));
        }
        let mut names: Vec<_> = metas.iter().map(|r| r.name.clone()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), metas.len(), "names are unique");
    }
}
