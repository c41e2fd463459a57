//! Terraform HCL (`*.tf`) and JSON syntax (`*.tf.json`): modules are loaded and evaluated
//! ([`loader`], [`eval`]), then each resource kind is mapped to the cloud model. The mapping
//! works on evaluated resources, so the Terraform plan adapter reuses it.

pub mod blocks;
pub mod eval;
pub mod functions;
pub mod heredoc;
pub mod iam_json;
pub mod loader;
mod map_api;
mod map_data;
mod map_edge;
mod map_iam;
mod map_lambda;
mod map_messaging;
mod map_security;
mod map_streaming;
pub mod mapper;
pub mod policy_document;
pub mod value;

use std::collections::BTreeMap;

use tollgate_core::ScanContext;

use crate::model::{CloudModel, SourceFormat};
use loader::TfResource;

/// The Terraform adapter: every module of the scan into the model.
pub fn adapter(ctx: &ScanContext, model: &mut CloudModel) {
    let loaded = loader::load_shared(ctx);
    model.reached.extend(loaded.reached.iter().cloned());
    // Each configuration is mapped on its own: `aws_s3_bucket.exports` of one stack must never
    // pick up the versioning or policy resources of another stack scanned alongside it.
    let mut scopes: BTreeMap<&str, Vec<TfResource>> = BTreeMap::new();
    for r in &loaded.resources {
        scopes.entry(r.scope.as_str()).or_default().push(r.clone());
    }
    let scopes: Vec<(&str, Vec<TfResource>)> = scopes.into_iter().collect();
    super::map_each(&scopes, model, |(scope, resources), model| {
        let name = if scope.is_empty() { "." } else { scope };
        super::isolated(ctx, name, "Terraform", model, |part| {
            map_resources(resources, SourceFormat::Terraform, Some(ctx), part)
        });
    });
    model
        .notifications
        .extend(loaded.notifications.iter().map(|n| n.clone().stage("iac")));
}

/// Map evaluated resources (from a configuration or a plan) into the model.
pub fn map_resources(
    resources: &[TfResource],
    format: SourceFormat,
    ctx: Option<&ScanContext>,
    model: &mut CloudModel,
) {
    let m = mapper::Mapper::new(resources, format, ctx);
    map_lambda::map(&m, model);
    map_api::map(&m, model);
    map_data::map(&m, model);
    map_messaging::map(&m, model);
    map_security::map(&m, model);
    map_iam::map(&m, model);
    map_streaming::map(&m, model);
    map_edge::map(&m, model);
}
