//! Terraform JSON syntax (`*.tf.json`): blocks nested as object keys, strings as templates.

mod tf_support;

use tollgate_iac::model::Ref;

#[test]
fn json_syntax_resources_evaluate_templates_locals_and_variables() {
    let model = tf_support::model_of("terraform/json_syntax");
    assert_eq!(model.buckets.len(), 1, "{:#?}", model.notifications);
    let b = &model.buckets[0];
    assert_eq!(b.meta.address, "aws_s3_bucket.data");
    assert_eq!(b.meta.file, "main.tf.json");
    assert_eq!(
        b.meta.header.start.line, 15,
        "header is the resource name key"
    );
    assert_eq!(b.name.as_str(), Some("acme-prod-data"));
    assert_eq!(
        b.meta
            .tag("DataClassification")
            .and_then(|t| t.value.as_str()),
        Some("PHI")
    );
    assert_eq!(
        b.meta.tag("Stage").and_then(|t| t.value.as_str()),
        Some("prod")
    );
    assert_eq!(b.sse_algorithm.as_str(), Some("aws:kms"));
    match b.kms_key.get() {
        Some(Ref::Resource {
            address,
            attr,
            type_name,
        }) => {
            assert_eq!(address, "aws_kms_key.main");
            assert_eq!(attr.as_deref(), Some("arn"));
            assert_eq!(type_name.as_deref(), Some("aws_kms_key"));
        }
        other => panic!("expected a reference to the key, got {other:?}"),
    }
    assert!(b.kms_key.get().is_some_and(Ref::is_customer_managed_key));
}

#[test]
fn json_syntax_variable_without_default_is_unknown_and_escapes_are_literal() {
    let model = tf_support::model_of("terraform/json_syntax");
    let q = &model.queues[0];
    assert_eq!(q.name.as_str(), Some("jobs-${literal}"));
    assert!(
        q.kms_key.is_unknown(),
        "var.key_arn has no default: {:?}",
        q.kms_key
    );
    assert!(model.kms_keys[0].rotation.is_true());
}

/// `dynamic` blocks written in JSON syntax are expanded like HCL's: a known `for_each` writes
/// one block per element (with its iterator), an empty one writes none, and an unknown one
/// leaves the block's settings unknown with a note.
#[test]
fn json_syntax_dynamic_blocks_are_expanded() {
    let model = tf_support::model_of("terraform/json_dynamic");
    let function = |name: &str| {
        model
            .lambdas
            .iter()
            .find(|f| f.meta.address == format!("aws_lambda_function.{name}"))
            .unwrap_or_else(|| panic!("{name} in {:#?}", model.notifications))
    };
    let empty = function("empty");
    assert!(empty.environment.is_empty(), "{:?}", empty.environment);
    assert!(empty.environment_unknown.is_none());

    let expanded = function("expanded");
    let vars: Vec<(&str, Option<&str>)> = expanded
        .environment
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        vars,
        [("STAGE", Some("prod")), ("REGION", Some("eu-west-1"))]
    );
    assert_eq!(expanded.tracing.as_str(), Some("Active"));

    let unknown = function("unknown");
    assert!(unknown.environment.is_empty(), "{:?}", unknown.environment);
    let notes: Vec<&str> = model
        .notifications
        .iter()
        .map(|n| n.message.as_str())
        .collect();
    assert!(
        notes.iter().any(|n| n.starts_with("main.tf.json:15:")
            && n.contains("dynamic block `environment` is generated at plan time")),
        "{notes:?}"
    );
    assert_eq!(
        notes.iter().filter(|n| n.contains("dynamic block")).count(),
        1,
        "known dynamic blocks are expanded: {notes:?}"
    );
}
