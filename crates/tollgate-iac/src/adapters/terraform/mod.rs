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
    // Shared with the policy stage, which reads the evaluated modules too; a run in which no
    // stage but the model's builder reads documents ([`ScanContext::caches_documents`]) has
    // no other reader, and frees them as soon as they are mapped instead of holding them
    // until the stages end.
    let loaded = if ctx.caches_documents() {
        loader::load_shared(ctx)
    } else {
        std::sync::Arc::new(loader::load(ctx))
    };
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

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use tollgate_core::{walk, Config, ScanContext, WalkOptions};

    /// A run whose documents are not cached (no stage but the model's builder reads them)
    /// does not keep the evaluated modules once they are mapped, and builds the same model.
    #[test]
    fn without_the_document_cache_the_evaluation_is_not_kept() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("tf")).unwrap();
        std::fs::copy(
            fixtures.join("TG1001/fires.tf"),
            dir.path().join("tf/main.tf"),
        )
        .unwrap();
        let files = walk(dir.path(), &WalkOptions::default()).files;
        let context = || {
            ScanContext::new(
                dir.path().to_path_buf(),
                files.clone(),
                Arc::new(Config::default()),
                time::macros::date!(2027 - 01 - 01),
            )
        };
        let cached = context();
        let dropping = context().without_document_cache();
        assert!(cached.caches_documents());
        assert!(!dropping.caches_documents());

        let kept = crate::model::build_model(&cached);
        let freed = crate::model::build_model(&dropping);
        assert!(!kept.lambdas.is_empty(), "the fixture declares a function");
        assert_eq!(kept, freed);
        assert!(cached.memoized::<super::loader::Loaded>().is_some());
        assert!(dropping.memoized::<super::loader::Loaded>().is_none());
    }
}
