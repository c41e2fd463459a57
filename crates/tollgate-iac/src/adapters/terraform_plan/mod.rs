//! Terraform plan JSON (`terraform show -json plan.out`): each planned resource's `after`
//! values, with `after_unknown` marking values known only after apply as unknown, mapped to the
//! model by the Terraform mapping. Locations point into the plan JSON. When the plan has no
//! `resource_changes`, `planned_values` (root and child modules) are read instead. References
//! recorded in the plan's `configuration` restore links (a versioning resource to its bucket)
//! whose values are not known yet.

mod configuration;

use tollgate_core::{FileKind, ScanContext};
use tollgate_syntax::{Node, Value};

use super::terraform::loader::{Mode, TfResource};
use super::terraform::value::{Tv, TvKind};
use crate::model::{CloudModel, SourceFormat};

/// Deepest `child_modules` nesting followed in `planned_values`.
const MAX_MODULE_DEPTH: usize = 32;

/// The plan adapter: every plan JSON file of the scan into the model.
pub fn adapter(ctx: &ScanContext, model: &mut CloudModel) {
    let files: Vec<_> = ctx.files_where(|k| *k == FileKind::TerraformPlan).collect();
    super::map_templates(ctx, "terraform-plan", &files, model, |file, doc, model| {
        let Some(root) = doc.root() else { return };
        super::isolated(ctx, &file.path, "Terraform plan", model, |part| {
            let resources = resources(root, &file.path);
            super::terraform::map_resources(&resources, SourceFormat::TerraformPlan, None, part);
        });
    });
}

/// The planned resources of a plan document written in `file`.
pub fn resources(root: &Node, file: &str) -> Vec<TfResource> {
    let refs = configuration::references(root);
    let mut out = Vec::new();
    if let Some(changes) = root.get("resource_changes").and_then(Node::as_seq) {
        for rc in changes {
            let actions: Vec<&str> = rc
                .path(&["change", "actions"])
                .and_then(Node::as_seq)
                .map(|a| a.iter().filter_map(Node::as_str).collect())
                .unwrap_or_default();
            if actions == ["delete"] {
                continue;
            }
            let Some(after) = rc.path(&["change", "after"]) else {
                continue;
            };
            let mut body = Tv::from_node(after);
            if let Some(unknown) = rc.path(&["change", "after_unknown"]) {
                mark_unknown(&mut body, unknown);
            }
            if let Some(r) = resource(rc, body, file) {
                out.push(r);
            }
        }
    } else if let Some(root_module) = root.path(&["planned_values", "root_module"]) {
        planned_module(root_module, file, 0, &mut out);
    }
    let addresses: Vec<String> = out.iter().map(|r| r.address.clone()).collect();
    for r in &mut out {
        configuration::restore(r, &refs, &addresses);
    }
    out
}

fn planned_module(module: &Node, file: &str, depth: usize, out: &mut Vec<TfResource>) {
    if depth > MAX_MODULE_DEPTH {
        return;
    }
    for r in module
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let body = r
            .get("values")
            .map_or_else(|| Tv::null(r.span), Tv::from_node);
        if let Some(res) = resource(r, body, file) {
            out.push(res);
        }
    }
    for child in module
        .get("child_modules")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        planned_module(child, file, depth + 1, out);
    }
}

fn resource(entry: &Node, body: Tv, file: &str) -> Option<TfResource> {
    let address_node = entry.get("address")?;
    let address = address_node.as_str()?.to_string();
    let type_name = entry.get("type")?.as_str()?.to_string();
    let name = entry
        .get("name")
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_string();
    let mode = match entry.get("mode").and_then(Node::as_str) {
        Some("data") => Mode::Data,
        _ => Mode::Managed,
    };
    Some(TfResource {
        mode,
        type_name,
        name,
        address,
        file: file.to_string(),
        scope: file.to_string(),
        header: address_node.span,
        body,
    })
}

/// Overlay `after_unknown` on `after`: `true` marks a value known only after apply; objects and
/// lists recurse. A key missing from `after` is added as unknown, spanned at `after_unknown`.
fn mark_unknown(v: &mut Tv, unknown: &Node) {
    match &unknown.value {
        Value::Bool(true) => {
            *v = Tv::unknown(v.span, "known only after apply");
        }
        Value::Map(entries) => {
            if let TvKind::Null = v.kind {
                v.kind = TvKind::Object(Vec::new());
            }
            let TvKind::Object(fields) = &mut v.kind else {
                return;
            };
            for e in entries {
                match fields.iter_mut().find(|(k, _, _)| *k == e.key) {
                    Some((_, _, child)) => mark_unknown(child, &e.value),
                    None => {
                        if matches!(e.value.value, Value::Bool(true)) {
                            fields.push((
                                e.key.clone(),
                                e.key_span,
                                Tv::unknown(e.key_span, "known only after apply"),
                            ));
                        }
                    }
                }
            }
        }
        Value::Seq(items) => {
            if let TvKind::List(values) = &mut v.kind {
                for (child, u) in values.iter_mut().zip(items) {
                    mark_unknown(child, u);
                }
            }
        }
        _ => {}
    }
}
