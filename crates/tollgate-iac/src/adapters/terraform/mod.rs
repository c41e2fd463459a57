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

use std::borrow::Cow;
use std::collections::BTreeMap;

use tollgate_core::ScanContext;

use crate::model::{CloudModel, SourceFormat};
use loader::TfResource;

/// The Terraform adapter: every module of the scan into the model.
pub fn adapter(ctx: &ScanContext, model: &mut CloudModel) {
    // Every configuration is one unit: a module directory may be called from several roots,
    // and the loader caps module instances across the scan.
    super::map_units(
        ctx,
        "terraform",
        &[()],
        |_| "",
        model,
        |_, model| configurations(ctx, model),
    );
}

fn configurations(ctx: &ScanContext, model: &mut CloudModel) {
    // What the loader reads counts however its shared result was computed (maybe by another
    // stage, or on other threads).
    for file in loader::inputs(ctx) {
        tollgate_core::ReadLog::note(&file.path);
    }
    let loaded = loader::load_shared(ctx);
    model.reached.extend(loaded.reached.iter().cloned());
    // Each configuration is mapped on its own: `aws_s3_bucket.exports` of one stack must never
    // pick up the versioning or policy resources of another stack scanned alongside it.
    let scopes = by_scope(&loaded.resources);
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

/// `resources` grouped by configuration, in the order of their scopes. The loader writes each
/// configuration's resources in one run, so the groups borrow them; only a configuration
/// whose resources are not contiguous gets a copy of them gathered.
fn by_scope(resources: &[TfResource]) -> Vec<(&str, Cow<'_, [TfResource]>)> {
    let mut runs: BTreeMap<&str, Vec<&[TfResource]>> = BTreeMap::new();
    for run in resources.chunk_by(|a, b| a.scope == b.scope) {
        runs.entry(run[0].scope.as_str()).or_default().push(run);
    }
    runs.into_iter()
        .map(|(scope, parts)| match parts.as_slice() {
            [one] => (scope, Cow::Borrowed(*one)),
            _ => (scope, Cow::Owned(parts.concat())),
        })
        .collect()
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
