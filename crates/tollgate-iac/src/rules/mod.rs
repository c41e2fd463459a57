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
    let (findings, evaluations, _) = run_all_split(model, today, evaluations);
    (findings, evaluations)
}

/// [`run_all_with`], with where each rule's findings end in the list (one entry per rule of
/// [`all`], in its order).
pub fn run_all_split(
    model: &CloudModel,
    today: Date,
    evaluations: bool,
) -> (Vec<Finding>, Vec<Evaluation>, Vec<usize>) {
    use rayon::prelude::*;
    let per_rule: Vec<(Vec<Finding>, Vec<Evaluation>)> = all()
        .par_iter()
        .map(|rule| check(rule.as_ref(), model, today, evaluations))
        .collect();
    join(per_rule)
}

/// One rule's findings and evaluations over `model`.
fn check(
    rule: &dyn IacRule,
    model: &CloudModel,
    today: Date,
    evaluations: bool,
) -> (Vec<Finding>, Vec<Evaluation>) {
    let meta = published_meta(rule);
    let mut sink = RuleSink::new(&meta, rule.data_protection(), today);
    if !evaluations {
        sink = sink.without_evaluations();
    }
    rule.check(model, &mut sink);
    sink.finish()
}

/// The rules' lists joined in order, with where each rule's findings end.
fn join(
    per_rule: Vec<(Vec<Finding>, Vec<Evaluation>)>,
) -> (Vec<Finding>, Vec<Evaluation>, Vec<usize>) {
    let mut findings = Vec::with_capacity(per_rule.iter().map(|(f, _)| f.len()).sum());
    let mut evaluations = Vec::with_capacity(per_rule.iter().map(|(_, e)| e.len()).sum());
    let mut ends = Vec::with_capacity(per_rule.len());
    for (f, e) in per_rule {
        findings.extend(f);
        evaluations.extend(e);
        ends.push(findings.len());
    }
    (findings, evaluations, ends)
}

/// Rules whose verdict on a resource reads that resource alone (they go through one resource
/// list and look nothing up elsewhere in the model) and which report only on the resource
/// they read: over a model made of parts, such a rule reports what it reports over each part
/// on its own. A pull request's base revision takes their findings on the deployment units it
/// shares with the head from the head's results ([`run_changed`]); every other rule (one
/// that resolves a reference, matches policies to resources, or looks for a resource
/// elsewhere) runs over the base's whole model. A test checks each listed rule is additive
/// over the examples' models split in two.
const PER_RESOURCE: &[&str] = &[
    "TG1001", "TG1002", "TG1003", "TG1004", "TG1005", "TG1006", "TG1007", "TG1008", "TG1009",
    "TG1010", "TG1011", "TG1012", "TG1013", "TG1015", "TG1102", "TG1104", "TG1105", "TG1106",
    "TG1107", "TG1108", "TG1113", "TG1114", "TG1201", "TG1202", "TG1203", "TG1204", "TG1301",
    "TG1302", "TG1303", "TG1307", "TG1308", "TG1309", "TG1310", "TG1311", "TG1312", "TG1401",
    "TG1402", "TG1405", "TG1406", "TG1407", "TG1408", "TG1409", "TG1410", "TG1411", "TG1412",
    "TG1501", "TG1502", "TG1503", "TG1505", "TG1506", "TG1507", "TG1508", "TG1509", "TG1512",
    "TG1513", "TG1601", "TG1602", "TG1603", "TG1604", "TG1605", "TG1606", "TG1607", "TG1608",
    "TG1609", "TG1610", "TG1701", "TG1702", "TG1801", "TG1802", "TG1803", "TG1804", "TG1805",
    "TG1806", "TG1807", "TG1808", "TG1809", "TG1810", "TG1811", "TG1813", "TG1815", "TG1816",
    "TG1817", "TG1818", "TG1901", "TG1902", "TG1904", "TG1906", "TG1907",
];

/// Whether the rule `code` judges each resource on its own ([`PER_RESOURCE`]).
pub fn per_resource(code: &str) -> bool {
    PER_RESOURCE.binary_search(&code).is_ok()
}

/// What [`run_changed`] gives: the rules' findings over the base revision's model, and which
/// of them are the head's own.
#[derive(Debug)]
pub struct ChangedRun {
    /// The base's findings in order: runs of the head's findings (its own as they are) and of
    /// `own`'s, which the base computed itself.
    pub pieces: Vec<Piece>,
    /// The findings over the base's model that are not the head's: the per-resource rules'
    /// over the parts that differ, the other rules' over the whole model.
    pub own: Vec<Finding>,
    /// The codes of the rules judged part by part ([`PER_RESOURCE`]).
    pub per_resource: StringSet,
    /// Every file those rules reported on in the parts that differ, in either revision: their
    /// findings in any other file are the head's own, reported by the same rule on the same
    /// resource of a part both models hold.
    pub changed_paths: StringSet,
}

/// A set of codes or paths looked up once per finding: hashed with foldhash, since SipHash's
/// resistance to chosen keys buys nothing for a set built from the scan's own findings and
/// was most of the lookups' cost.
pub type StringSet = std::collections::HashSet<String, foldhash::fast::RandomState>;

/// The findings [`run_all_with`] gives over `base` (a pull request's base revision, which took
/// some deployment units' parts from `head`'s model), computed from the head's findings
/// `head_findings` (`head_ends` where each rule's end): the rules that judge each resource on
/// its own ([`PER_RESOURCE`]) run only over the parts that differ, in both models, and the
/// head's findings on those parts are swapped for the base's; the others run over `base`
/// whole. `None` when nothing was taken from the head, when the head's findings on the parts
/// that differ are not what those rules report over them alone, or when a part both models
/// hold has findings in a file a differing part has findings in (the full run would then
/// order them together). Evaluations are not recorded.
pub fn run_changed(
    head: &CloudModel,
    head_findings: &[Finding],
    head_ends: &[usize],
    base: &CloudModel,
    today: Date,
) -> Option<ChangedRun> {
    use rayon::prelude::*;
    let rules = all();
    if head_ends.len() != rules.len() || base.units.taken_from_head().is_empty() {
        return None;
    }
    let spans = base.units.taken_spans(head)?;
    let (head_rest, base_rest) =
        rayon::join(|| head.without(&spans.head), || base.without(&spans.here));
    let (head_rest, base_rest) = (head_rest?, base_rest?);
    let runs: Vec<RuleRun> = rules
        .par_iter()
        .map(|rule| {
            let code = rule.meta().code;
            if per_resource(&code) {
                let (gone, _) = check(rule.as_ref(), &head_rest, today, false);
                let (came, _) = check(rule.as_ref(), &base_rest, today, false);
                Ok((gone, came))
            } else {
                Err(check(rule.as_ref(), base, today, false).0)
            }
        })
        .collect();
    let mut changed_paths = StringSet::default();
    let mut per_resource_codes = StringSet::default();
    for (rule, run) in rules.iter().zip(&runs) {
        if let Ok((gone, came)) = run {
            per_resource_codes.insert(rule.meta().code);
            for f in gone.iter().chain(came) {
                if !changed_paths.contains(&f.location.path) {
                    changed_paths.insert(f.location.path.clone());
                }
            }
        }
    }
    // The head's findings are not copied: the pieces name them.
    let mut pieces = Vec::new();
    let mut own = Vec::new();
    let mut start = 0;
    for (run, &end) in runs.into_iter().zip(head_ends) {
        let theirs = head_findings.get(start..end)?;
        let first = start;
        start = end;
        match run {
            Ok((gone, came)) => {
                let mut there = Vec::new();
                for (i, f) in theirs.iter().enumerate() {
                    if changed_paths.contains(&f.location.path) {
                        there.push(f);
                    } else {
                        Piece::push_head(&mut pieces, first + i);
                    }
                }
                if !same_findings(there, gone.iter().collect()) {
                    return None;
                }
                Piece::push_own(&mut pieces, came.len());
                own.extend(came);
            }
            Err(whole) => {
                Piece::push_own(&mut pieces, whole.len());
                own.extend(whole);
            }
        }
    }
    Some(ChangedRun {
        pieces,
        own,
        per_resource: per_resource_codes,
        changed_paths,
    })
}

/// A run of a pull request's base revision's IaC findings, in their order: findings of the
/// head's [`crate::RuleOutcome`] (a range of its list), or the next ones the base computed
/// itself. The base names the head's findings rather than copying them: `--diff-base` leaves
/// most of them out of its comparison, and copies only the others ([`Piece::assemble`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Head(std::ops::Range<usize>),
    Own(usize),
}

impl Piece {
    /// Add the head's finding `i` after the others.
    fn push_head(pieces: &mut Vec<Piece>, i: usize) {
        if let Some(Piece::Head(run)) = pieces.last_mut() {
            if run.end == i {
                run.end += 1;
                return;
            }
        }
        pieces.push(Piece::Head(i..i + 1));
    }

    /// Add `n` of the base's own findings after the others.
    fn push_own(pieces: &mut Vec<Piece>, n: usize) {
        match pieces.last_mut() {
            _ if n == 0 => {}
            Some(Piece::Own(count)) => *count += n,
            _ => pieces.push(Piece::Own(n)),
        }
    }

    /// How many of the base's own findings `pieces` lay out.
    pub fn own_count(pieces: &[Piece]) -> usize {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Own(n) => *n,
                Piece::Head(_) => 0,
            })
            .sum()
    }

    /// Whether `pieces` name no more findings than `head` holds and exactly the ones of `own`.
    fn fit(pieces: &[Piece], head: &[Finding], own: &[Finding]) -> bool {
        Self::own_count(pieces) == own.len()
            && pieces.iter().all(|p| match p {
                Piece::Head(run) => run.end <= head.len(),
                Piece::Own(_) => true,
            })
    }

    /// The findings `pieces` lay out, in order, by reference. `None` when a piece names more
    /// findings than `head` or `own` hold.
    pub fn iter<'a>(
        pieces: &'a [Piece],
        head: &'a [Finding],
        own: &'a [Finding],
    ) -> Option<impl Iterator<Item = &'a Finding> + 'a> {
        let mut rest = own;
        Self::fit(pieces, head, own).then(move || {
            pieces.iter().flat_map(move |p| match p {
                Piece::Head(run) => head[run.clone()].iter(),
                Piece::Own(n) => {
                    let (these, later) = rest.split_at(*n);
                    rest = later;
                    these.iter()
                }
            })
        })
    }

    /// The findings `pieces` lay out, in order, those `keep` accepts: the head's copied, the
    /// base's `own` moved. `None` when a piece names more findings than `head` or `own` hold.
    pub fn assemble(
        pieces: &[Piece],
        head: &[Finding],
        own: Vec<Finding>,
        mut keep: impl FnMut(&Finding) -> bool,
    ) -> Option<Vec<Finding>> {
        if !Self::fit(pieces, head, &own) {
            return None;
        }
        let mut own = own.into_iter();
        let mut all = Vec::new();
        for piece in pieces {
            match piece {
                Piece::Head(run) => {
                    all.extend(head[run.clone()].iter().filter(|f| keep(f)).cloned())
                }
                Piece::Own(n) => all.extend(own.by_ref().take(*n).filter(|f| keep(f))),
            }
        }
        Some(all)
    }
}

/// One rule's run in [`run_changed`]: for a per-resource rule, its findings over the head's
/// parts that differ and over the base's; for another, its findings over the base's whole
/// model.
type RuleRun = Result<(Vec<Finding>, Vec<Finding>), Vec<Finding>>;

/// Whether `a` and `b` hold the same findings, whatever their order.
fn same_findings(mut a: Vec<&Finding>, mut b: Vec<&Finding>) -> bool {
    use tollgate_core::postprocess::reporting_order;
    if a.len() != b.len() {
        return false;
    }
    a.sort_by(|x, y| reporting_order(x, y));
    b.sort_by(|x, y| reporting_order(x, y));
    // Findings the order does not tell apart are matched among themselves.
    let mut i = 0;
    while i < a.len() {
        let mut j = i + 1;
        while j < a.len() && reporting_order(a[i], a[j]).is_eq() {
            j += 1;
        }
        let mut theirs: Vec<&Finding> = b[i..j].to_vec();
        for f in &a[i..j] {
            match theirs.iter().position(|g| g == f) {
                Some(k) => {
                    theirs.swap_remove(k);
                }
                None => return false,
            }
        }
        i = j;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces lay out the head's findings and the base's own in their order, copy only
    /// the head's findings `keep` accepts, and refuse to lay out more than there is.
    #[test]
    fn pieces_lay_out_the_head_findings_and_the_own_in_order() {
        use tollgate_core::{Location, Severity, Span};
        let finding = |tag: &str| {
            Finding::new(
                tag,
                Severity::Low,
                "m",
                Location::at("a.yaml", Span::line(1)),
            )
        };
        let head: Vec<Finding> = ["h0", "h1", "h2", "h3"].map(finding).into();
        let mut pieces = Vec::new();
        for i in [0, 1, 3] {
            Piece::push_head(&mut pieces, i);
        }
        Piece::push_own(&mut pieces, 0);
        Piece::push_own(&mut pieces, 1);
        Piece::push_own(&mut pieces, 1);
        Piece::push_head(&mut pieces, 2);
        assert_eq!(
            pieces,
            [
                Piece::Head(0..2),
                Piece::Head(3..4),
                Piece::Own(2),
                Piece::Head(2..3)
            ]
        );
        let own: Vec<Finding> = ["o0", "o1"].map(finding).into();
        let codes = |list: Vec<&Finding>| list.iter().map(|f| f.rule.clone()).collect::<Vec<_>>();
        let laid = Piece::iter(&pieces, &head, &own).unwrap().collect();
        assert_eq!(codes(laid), ["h0", "h1", "h3", "o0", "o1", "h2"]);
        let kept = Piece::assemble(&pieces, &head, own.clone(), |f| f.rule != "h1").unwrap();
        assert_eq!(codes(kept.iter().collect()), ["h0", "h3", "o0", "o1", "h2"]);
        assert!(Piece::iter(&pieces, &head[..3], &own).is_none());
        assert!(Piece::iter(&pieces, &head, &own[..1]).is_none());
        assert!(Piece::assemble(&pieces, &head, Vec::new(), |_| true).is_none());
    }

    /// The list of per-resource rules names rules of the catalog, in code order.
    #[test]
    fn per_resource_rules_are_in_the_catalog() {
        let codes: Vec<String> = metas().into_iter().map(|r| r.code).collect();
        assert!(PER_RESOURCE.windows(2).all(|w| w[0] < w[1]));
        for code in PER_RESOURCE {
            assert!(codes.iter().any(|c| c == code), "{code}");
        }
    }

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
