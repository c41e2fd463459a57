//! The Terraform plan JSON adapter: `resource_changes[].change.after` with `after_unknown`,
//! links restored from `configuration`, locations in the plan file.

mod tf_support;

use tollgate_iac::model::{SourceFormat, Val};

#[test]
fn plan_resources_are_mapped_with_after_unknown_values_unknown() {
    let model = tf_support::model_of("terraform_plan/basic");
    assert_eq!(model.lambdas.len(), 1, "{:#?}", model.notifications);
    let f = &model.lambdas[0];
    assert_eq!(f.meta.address, "module.fn.aws_lambda_function.handler");
    assert_eq!(f.meta.format, SourceFormat::TerraformPlan);
    assert_eq!(f.meta.file, "plan.json");
    assert_eq!(f.runtime.as_str(), Some("nodejs16.x"));
    // Line of the runtime value inside the plan JSON.
    assert_eq!(f.runtime.span().map(|s| s.start.line), Some(51));
    assert!(
        f.kms_key.is_unknown(),
        "kms_key_arn is in after_unknown: {:?}",
        f.kms_key
    );
    assert!(
        f.reserved_concurrency.is_absent(),
        "-1 means no reservation"
    );
    assert_eq!(f.tracing.as_str(), Some("PassThrough"));
    assert_eq!(f.environment.len(), 1);
    assert_eq!(f.environment[0].name, "STAGE");
}

#[test]
fn deleted_resources_are_skipped_and_split_resources_joined_through_configuration() {
    let model = tf_support::model_of("terraform_plan/basic");
    assert_eq!(
        model.queues.len(),
        1,
        "a resource being deleted is not checked"
    );
    let q = &model.queues[0];
    assert!(q.sqs_managed_sse.is_false());
    let policies: Vec<_> = model.policies_of_queue(q).collect();
    assert_eq!(policies.len(), 1, "joined by the queue URL");
    let doc = policies[0]
        .document
        .get()
        .expect("policy JSON string parsed");
    assert!(doc.statements[0].wildcard_principal().is_some());
    assert_eq!(model.buckets.len(), 1);
    let b = &model.buckets[0];
    assert_eq!(b.meta.address, "aws_s3_bucket.uploads[0]");
    assert_eq!(b.name.as_str(), Some("acme-uploads"));
    assert_eq!(b.versioning.as_str(), Some("Suspended"));
    assert_eq!(
        b.meta
            .tag("DataClassification")
            .and_then(|t| t.value.as_str()),
        Some("PII")
    );
    assert!(matches!(b.kms_key, Val::Absent));
}

#[test]
fn planned_values_with_child_modules_are_read_without_resource_changes() {
    let model = tf_support::model_of("terraform_plan/planned_values");
    assert!(model.kms_keys[0].rotation.is_false());
    let q = &model.queues[0];
    assert_eq!(q.meta.address, "module.queue.aws_sqs_queue.this");
    assert!(q.sqs_managed_sse.is_true());
    assert_eq!(q.meta.header.start.line, 19);
}
