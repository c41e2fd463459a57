//! The Terraform HCL adapter end to end: variables from defaults and `terraform.tfvars`,
//! locals (with a cycle), templates and functions, heredoc and `jsonencode` policies,
//! `aws_iam_policy_document`, split S3 resources, local modules with their inputs.

#[macro_use]
mod at_address;
mod tf_support;

use tollgate_iac::model::{CloudModel, Ref, SourceFormat};

fn model() -> CloudModel {
    tf_support::model_of("terraform/hcl_project")
}

#[test]
fn tfvars_override_defaults_and_templates_locals_and_functions_evaluate() {
    let m = model();
    let b = at!(m.buckets, "aws_s3_bucket.ledger");
    assert_eq!(b.meta.format, SourceFormat::Terraform);
    assert_eq!(b.meta.file, "main.tf");
    assert_eq!(b.meta.header.start.line, 22);
    assert_eq!(b.name.as_str(), Some("ledger-prod-payments"));
    assert_eq!(
        b.meta
            .tag("DataClassification")
            .and_then(|t| t.value.as_str()),
        Some("PCI")
    );
    assert_eq!(
        b.meta.tag("Stage").and_then(|t| t.value.as_str()),
        Some("prod")
    );
    let q = at!(m.queues, "aws_sqs_queue.jobs");
    assert_eq!(q.name.as_str(), Some("ledger-prod-jobs"));
    assert!(
        m.queues
            .iter()
            .all(|q| q.meta.address != "aws_sqs_queue.disabled"),
        "count = 0 in prod"
    );
    let lg = &m.log_groups[0];
    assert_eq!(
        lg.retention_days.get(),
        Some(&400),
        "*.auto.tfvars wins over terraform.tfvars"
    );
    assert_eq!(
        lg.retention_days.span().map(|s| s.start.line),
        Some(79),
        "use site, not variables.tf"
    );
}

#[test]
fn unknowns_and_cycles_are_reported_not_guessed() {
    let m = model();
    assert!(m.topics[0].kms_key.is_unknown(), "var without default");
    assert!(m.log_groups[0].kms_key.is_unknown(), "local cycle");
    assert!(
        m.notifications
            .iter()
            .any(|n| n.message.contains("refers to itself")),
        "{:#?}",
        m.notifications
    );
    assert!(
        m.notifications
            .iter()
            .any(|n| n.message.contains("remote modules are never fetched")),
        "{:#?}",
        m.notifications
    );
}

#[test]
fn split_bucket_resources_join_their_bucket() {
    let m = model();
    let b = at!(m.buckets, "aws_s3_bucket.ledger");
    assert_eq!(b.versioning.as_str(), Some("Enabled"));
    assert_eq!(b.versioning.span().map(|s| s.start.line), Some(30));
    let pab = b.public_access_block.as_ref().expect("public access block");
    assert!(pab.block_public_acls.is_true());
    assert!(pab.ignore_public_acls.is_false());
    let policies: Vec<_> = m.policies_of_bucket(b).collect();
    assert_eq!(policies.len(), 1);
    let doc = policies[0].document.get().expect("heredoc policy parsed");
    let st = &doc.statements[0];
    assert!(st.is_deny());
    assert!(st.wildcard_principal().is_some());
    assert!(st.condition_on("aws:SecureTransport").is_some());
    // Lines inside the heredoc map to the file.
    assert_eq!(st.effect.span().map(|s| s.start.line), Some(49));
}

#[test]
fn policies_from_jsonencode_and_policy_documents() {
    let m = model();
    let key = &m.kms_keys[0];
    assert!(key.rotation.is_true());
    let st = &key.policy.get().expect("jsonencode policy").statements[0];
    assert!(st.wildcard_principal().is_some());
    assert!(!st.has_conditions());
    assert_eq!(st.actions[0].span().map(|s| s.start.line), Some(16));
    let q = at!(m.queues, "aws_sqs_queue.jobs");
    let qp: Vec<_> = m.policies_of_queue(q).collect();
    let doc = qp[0].document.get().expect("policy document data source");
    assert!(doc.statements[0].is_allow(), "default effect");
    assert!(doc.statements[0].wildcard_principal().is_some());
    assert!(doc.statements[0].allows_action("sqs:SendMessage"));
}

#[test]
fn templatefile_policies_are_rendered_with_their_variables() {
    let m = model();
    let p = at!(m.iam_policies, "module.fn.aws_iam_policy.write");
    let doc = p.document.get().expect("templatefile() policy rendered");
    assert_eq!(doc.file, "modules/fn/write-policy.json.tpl");
    let st = &doc.statements[0];
    assert!(st.allows_action("s3:PutObject"));
    assert_eq!(
        st.resources[0].as_str(),
        Some("arn:aws:s3:::ledger-prod-charge/*")
    );
    assert_eq!(st.resources[0].span().map(|s| s.start.line), Some(7));
}

#[test]
fn policy_documents_merge_their_source_documents() {
    let m = model();
    let b = at!(m.buckets, "aws_s3_bucket.reports");
    let policies: Vec<_> = m.policies_of_bucket(b).collect();
    let doc = policies[0].document.get().expect("merged document");
    assert_eq!(doc.statements.len(), 2);
    let deny = &doc.statements[0];
    assert!(deny.is_deny());
    let tls = deny.condition_on("aws:SecureTransport").expect("condition");
    assert_eq!(tls.operator, "Bool");
    assert_eq!(tls.values[0].as_str(), Some("false"));
    assert_eq!(doc.statements[1].sid.as_str(), Some("Read"));
    assert!(doc.statements[1].wildcard_principal().is_none());
}

#[test]
fn local_modules_are_followed_with_their_inputs() {
    let m = model();
    assert_eq!(
        m.lambdas.len(),
        1,
        "a module with count = 0 creates nothing"
    );
    let f = &m.lambdas[0];
    assert_eq!(f.meta.address, "module.fn.aws_lambda_function.this");
    assert_eq!(f.meta.file, "modules/fn/main.tf");
    assert_eq!(f.name.as_str(), Some("ledger-prod-charge"));
    assert_eq!(f.runtime.as_str(), Some("python3.8"));
    assert_eq!(f.tracing.as_str(), Some("Active"));
    assert_eq!(
        f.meta.tag("Owner").and_then(|t| t.value.as_str()),
        Some("ledger"),
        "inherited by modules"
    );
    match f.kms_key.get() {
        Some(r @ Ref::Resource { address, .. }) => {
            assert_eq!(address, "aws_kms_key.main");
            assert!(r.is_customer_managed_key());
        }
        other => panic!("expected the root module's key, got {other:?}"),
    }
    let names: Vec<_> = f.environment.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["STAGE", "API_TOKEN"]);
    assert!(f.on_failure.is_known(), "event invoke config joined");
    let url = m.urls_of(f).next().expect("function url");
    assert_eq!(url.auth_type.as_str(), Some("NONE"));
    let perm = &m.lambda_permissions[0];
    assert_eq!(perm.principal.as_str(), Some("s3.amazonaws.com"));
    assert!(perm.source_arn.is_absent());
    let role = m.role_of(&f.meta, &f.role).expect("role");
    assert_eq!(role.inline_policies.len(), 1);
    assert!(role.trust_policy.is_known());
    assert_eq!(
        role.managed_policy_arns.len(),
        1,
        "policy attachment joined"
    );
}

#[test]
fn policies_read_from_files_keep_that_file() {
    let m = model();
    let p = at!(m.iam_policies, "module.fn.aws_iam_policy.read");
    let doc = p.document.get().expect("file() policy read");
    assert_eq!(doc.file, "modules/fn/policy.json");
    assert!(doc.statements[0].allows_action("s3:GetObject"));
    assert_eq!(
        doc.statements[0].actions[0].span().map(|s| s.start.line),
        Some(6)
    );
    assert_eq!(p.roles.len(), 1);
    assert_eq!(
        p.roles[0].get().and_then(|r| r.address()),
        Some("module.fn.aws_iam_role.this")
    );
}

/// `count = 0`, `for_each` over an empty collection (directly or through module inputs and
/// variable defaults) create nothing; an unknown count is noted, never read as one instance;
/// `dynamic` blocks are expanded from a known `for_each`, and an empty one writes no block.
#[test]
fn instances_and_dynamic_blocks_follow_count_for_each_and_defaults() {
    let m = tf_support::model_of("terraform/instances");
    let mut addresses: Vec<&str> = m.lambdas.iter().map(|f| f.meta.address.as_str()).collect();
    addresses.sort_unstable();
    assert_eq!(
        addresses,
        [
            "module.plain.aws_lambda_function.main",
            "module.traced.aws_lambda_function.main",
            "module.traced.aws_lambda_function.worker",
        ]
    );
    assert!(
        m.queues.is_empty(),
        "{:?}",
        m.queues.iter().map(|q| &q.meta.address).collect::<Vec<_>>()
    );
    let plain = at!(m.lambdas, "module.plain.aws_lambda_function.main");
    assert!(plain.tracing.is_absent(), "{:?}", plain.tracing);
    assert!(plain.environment.is_empty(), "{:?}", plain.environment);
    let traced = at!(m.lambdas, "module.traced.aws_lambda_function.main");
    assert_eq!(traced.tracing.as_str(), Some("Active"));
    assert_eq!(
        traced
            .environment
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        ["STAGE"]
    );
    let notes: Vec<&str> = m.notifications.iter().map(|n| n.message.as_str()).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("module `maybe`") && n.contains("`count` is not known statically")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`aws_sqs_queue.maybe` is not checked")),
        "{notes:?}"
    );
    assert!(
        !notes.iter().any(|n| n.contains("dynamic block")),
        "known dynamic blocks are expanded: {notes:?}"
    );
}

/// A heredoc or `jsonencode` policy with one unknown interpolation keeps every other value:
/// only the interpolated value is unknown, and the statements that do not depend on it are
/// known, at their own lines.
#[test]
fn policies_with_an_unknown_interpolation_keep_the_rest() {
    let m = tf_support::model_of("terraform/partial_policy");
    let heredoc = at!(m.iam_policies, "aws_iam_policy.heredoc");
    let doc = heredoc.document.get().expect("the heredoc policy is read");
    assert_eq!(doc.statements.len(), 3);
    assert!(doc.statements[0].resources[0].is_unknown());
    assert_eq!(doc.statements[0].actions[0].as_str(), Some("s3:GetObject"));
    assert!(doc.statements[1].resources.iter().all(|r| r.is_unknown()));
    assert_eq!(doc.statements[2].actions[0].as_str(), Some("*"));
    assert_eq!(doc.statements[2].resources[0].as_str(), Some("*"));
    assert_eq!(
        doc.statements[2].resources[0].span().map(|s| s.start.line),
        Some(24),
        "spans stay on the heredoc's lines"
    );
    let encoded = at!(m.iam_policies, "aws_iam_policy.encoded");
    let doc = encoded
        .document
        .get()
        .expect("the jsonencode policy is read");
    assert_eq!(doc.statements.len(), 2);
    assert!(doc.statements[0].resources[0].is_unknown());
    assert_eq!(doc.statements[1].actions[0].as_str(), Some("iam:PassRole"));
}
