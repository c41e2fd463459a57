//! One check per Terraform resource kind the adapter maps, and parse errors that leave the
//! other files checked.

#[macro_use]
mod at_address;
mod tf_support;

use tollgate_iac::model::{ApiProtocol, CloudModel, Ref};

fn model() -> CloudModel {
    tf_support::model_of("terraform/resource_kinds")
}

#[test]
fn rest_api_methods_stages_settings_and_domains() {
    let m = model();
    let method = m
        .api_routes
        .iter()
        .find(|r| r.protocol == ApiProtocol::Rest)
        .expect("method");
    assert_eq!(method.method.as_str(), Some("GET"));
    assert_eq!(method.path.as_str(), Some("/orders/{id}"));
    assert_eq!(method.authorization.as_str(), Some("NONE"));
    assert!(method.api_key_required.is_true());
    assert!(m.api_of(&method.meta, &method.api).is_some());
    let stage = m
        .api_stages
        .iter()
        .find(|s| s.protocol == ApiProtocol::Rest)
        .expect("stage");
    assert!(stage.tracing.is_true());
    assert!(stage.cache_cluster_enabled.is_true());
    assert!(stage.access_log_destination.is_known());
    let ms = &stage.method_settings[0];
    assert_eq!(ms.http_method.as_str(), Some("*"));
    assert!(ms.caching_enabled.is_true());
    assert!(ms.cache_data_encrypted.is_false());
    assert!(ms.data_trace_enabled.is_true());
    let rest_domain = m
        .domain_names
        .iter()
        .find(|d| d.name.as_str() == Some("api.example.com"))
        .expect("domain");
    assert_eq!(rest_domain.security_policy.as_str(), Some("TLS_1_0"));
}

#[test]
fn http_api_routes_stages_and_domains() {
    let m = model();
    let route = at!(m.api_routes, "aws_apigatewayv2_route.default");
    assert_eq!(route.method.as_str(), Some("ANY"));
    assert_eq!(route.path.as_str(), Some("$default"));
    assert_eq!(route.authorization.as_str(), Some("JWT"));
    let stage = at!(m.api_stages, "aws_apigatewayv2_stage.default");
    assert!(stage.access_log_destination.is_absent());
    assert!(stage.method_settings[0].data_trace_enabled.is_false());
    let d = m
        .domain_names
        .iter()
        .find(|d| d.name.as_str() == Some("http.example.com"))
        .expect("domain");
    assert_eq!(d.security_policy.as_str(), Some("TLS_1_2"));
}

#[test]
fn quick_create_http_apis_get_their_implicit_route_and_stage() {
    let m = model();
    let quick: Vec<_> = m
        .api_routes
        .iter()
        .filter(|r| r.meta.address == "aws_apigatewayv2_api.quick")
        .collect();
    assert_eq!(quick.len(), 1);
    assert_eq!(quick[0].path.as_str(), Some("$default"));
    assert!(quick[0].authorization.is_absent());
    assert!(m.api_of(&quick[0].meta, &quick[0].api).is_some());
    let stage = at!(m.api_stages, "aws_apigatewayv2_api.quick");
    assert!(stage.access_log_destination.is_absent());
}

#[test]
fn dynamodb_dax_and_legacy_inline_bucket_blocks() {
    let m = model();
    let t = &m.dynamo_tables[0];
    assert!(t.pitr.is_true());
    assert!(t.sse_enabled.is_true());
    assert!(
        !t.kms_key.get().is_some_and(Ref::is_customer_managed_key),
        "AWS-managed alias"
    );
    assert!(m.dax_clusters[0].sse_enabled.is_false());
    let b = &m.buckets[0];
    assert_eq!(b.acl.as_str(), Some("public-read"));
    assert_eq!(b.versioning.as_str(), Some("Suspended"));
    assert!(b.logging.is_known());
    assert_eq!(b.sse_algorithm.as_str(), Some("AES256"));
    assert!(b.public_access_block.is_none());
    let p: Vec<_> = m.policies_of_bucket(b).collect();
    assert!(p[0].document.get().expect("inline policy").statements[0]
        .wildcard_principal()
        .is_some());
}

#[test]
fn queue_and_topic_policies_join_their_targets() {
    let m = model();
    let q = &m.queues[0];
    assert!(!q.kms_key.get().is_some_and(Ref::is_customer_managed_key));
    assert_eq!(m.policies_of_queue(q).count(), 1);
    let t = &m.topics[0];
    assert!(t.kms_key.is_absent());
    assert_eq!(m.policies_of_topic(t).count(), 1);
}

#[test]
fn secrets_rotation_kms_ssm_trail_and_state_machine() {
    let m = model();
    let s = &m.secrets[0];
    assert!(s.kms_key.get().is_some_and(Ref::is_customer_managed_key));
    assert_eq!(m.rotations_of(s).count(), 1);
    let k = &m.kms_keys[0];
    assert!(k.rotation.is_false());
    assert_eq!(k.key_spec.as_str(), Some("SYMMETRIC_DEFAULT"));
    assert!(k.policy.is_absent());
    let p = &m.ssm_parameters[0];
    assert_eq!(p.param_type.as_str(), Some("String"));
    assert!(p.value.is_known());
    let tr = &m.trails[0];
    assert!(tr.log_file_validation.is_true());
    assert!(tr.multi_region.is_false());
    assert!(tr.kms_key.is_absent());
    assert!(tr.logging.is_true());
    let sm = &m.state_machines[0];
    assert_eq!(sm.kind.as_str(), Some("EXPRESS"));
    assert_eq!(sm.log_level.as_str(), Some("ERROR"));
    assert_eq!(sm.log_destinations.len(), 1);
    assert!(sm.tracing.is_true());
}

#[test]
fn lambda_code_signing_dead_letter_vpc_and_alias() {
    let m = model();
    let f = &m.lambdas[0];
    assert_eq!(f.reserved_concurrency.get(), Some(&5));
    let generated = &m.lambdas[1];
    assert!(
        generated.vpc.is_unknown(),
        "dynamic block: {:?}",
        generated.vpc
    );
    let note = m
        .notifications
        .iter()
        .find(|n| n.message.contains("dynamic block `vpc_config`"))
        .expect("dynamic blocks are noted");
    assert_eq!(note.id, "unsupported-construct");
    assert!(
        note.message.starts_with("security.tf:92:3:"),
        "{}",
        note.message
    );
    assert!(
        generated.dead_letter.is_unknown(),
        "dynamic block: {:?}",
        generated.dead_letter
    );
    assert_eq!(
        f.code_signing.get().and_then(Ref::address),
        Some("aws_lambda_code_signing_config.signing")
    );
    assert_eq!(
        f.dead_letter.get().and_then(Ref::address),
        Some("aws_sqs_queue.q")
    );
    assert_eq!(f.vpc.get().map(|v| v.subnet_ids.len()), Some(1));
    assert_eq!(f.alias.as_str(), Some("live"));
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_the_others_still_checked() {
    let m = tf_support::model_of("terraform/broken");
    assert_eq!(m.queues.len(), 1);
    let n = m
        .notifications
        .iter()
        .find(|n| n.id == "parse-error")
        .unwrap_or_else(|| panic!("{:#?}", m.notifications));
    assert!(n.message.starts_with("bad.tf:"), "{}", n.message);
    assert_eq!(n.location.as_ref().map(|l| l.path.as_str()), Some("bad.tf"));
    assert!(n.location.as_ref().and_then(|l| l.start_line()).is_some());
}

#[test]
fn modules_calling_each_other_are_checked_once_each_and_the_cycle_noted() {
    let m = tf_support::model_of("terraform/module_cycle");
    assert_eq!(m.queues.len(), 1, "{:#?}", m.queues);
    assert_eq!(m.queues[0].meta.address, "aws_sqs_queue.a");
    assert_eq!(m.topics.len(), 1);
    assert_eq!(m.topics[0].meta.address, "module.b.aws_sns_topic.b");
    assert!(m
        .notifications
        .iter()
        .any(|n| n.message.contains("form a cycle")));
}
