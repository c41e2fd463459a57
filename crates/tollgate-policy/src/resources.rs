//! Every resource of the scan as policies see it: the properties as written (intrinsic
//! functions, parameters and variables resolved where they can be), joined with what the cloud
//! model made of it, plus how to find a property's place in the file again.

use std::collections::BTreeMap;

use tollgate_core::{FileKind, ScanContext};
use tollgate_iac::adapters::cloudformation::{Cv, CvKind, Template};
use tollgate_iac::adapters::serverless::{normalize_function, value::to_tv, variables::Resolver};
use tollgate_iac::adapters::terraform::loader::{self, Mode, TfResource};
use tollgate_iac::adapters::terraform::value::{Tv, TvKind};
use tollgate_iac::adapters::terraform_plan;
use tollgate_iac::model::{CloudModel, ResourceMeta, SourceFormat, Val};
use tollgate_syntax::{Node, Span};

use crate::input::ResourceDoc;
use crate::model_json::ModelIndex;

/// How to find a resource's node again in its file's parsed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Locator {
    /// `Resources.<id>` of a CloudFormation or SAM template (or a Serverless `resources`
    /// block): paths start at the resource (`Properties`, `Properties.Environment`).
    Cfn { id: String },
    /// `functions.<name>` of a `serverless.yml`: paths start at the function's settings.
    ServerlessFunction { name: String },
    /// `resource "<type>" "<name>"` of a Terraform file: paths start at the block's body.
    Terraform { type_name: String, name: String },
    /// No node to walk (plan entries, resources the model derived): findings point at the
    /// header.
    Header,
}

/// One resource of the scan.
#[derive(Debug, Clone)]
pub struct ScannedResource {
    pub doc: ResourceDoc,
    pub header: Span,
    pub locator: Locator,
}

/// Every resource of the scan, in inventory order, each once.
pub fn collect<'m>(
    ctx: &ScanContext,
    model: &'m CloudModel,
    index: &mut ModelIndex<'m>,
) -> Vec<ScannedResource> {
    let mut out = Vec::new();
    for file in ctx.files() {
        if ctx.is_cancelled() {
            return out;
        }
        let format = match file.kind {
            FileKind::CloudFormation { .. } | FileKind::Sam { .. } => SourceFormat::CloudFormation,
            FileKind::Serverless => SourceFormat::Serverless,
            FileKind::TerraformPlan => SourceFormat::TerraformPlan,
            _ => continue,
        };
        // Parse errors are the IaC stage's to report.
        let Ok(doc) = ctx.document(file) else {
            continue;
        };
        for root in &doc.roots {
            match format {
                SourceFormat::Serverless => serverless(&file.path, root, &mut out),
                SourceFormat::TerraformPlan => {
                    for r in terraform_plan::resources(root, &file.path) {
                        out.push(terraform(&r, SourceFormat::TerraformPlan));
                    }
                }
                _ => {
                    let format = if root
                        .get("Transform")
                        .is_some_and(|t| t.display_text().contains("AWS::Serverless"))
                    {
                        SourceFormat::Sam
                    } else {
                        SourceFormat::CloudFormation
                    };
                    cloudformation(&file.path, root, root, format, &mut out);
                }
            }
        }
    }
    // The modules as the IaC stage's model evaluated them (once per run).
    for r in &loader::load_shared(ctx).resources {
        if r.mode == Mode::Managed {
            out.push(terraform(r, SourceFormat::Terraform));
        }
    }
    // Join the model's view; resources only the model knows (SAM's implicit roles, the
    // Serverless Framework's execution role) are added with what it knows of them.
    // Each resource takes its JSON from the index; a second resource at the same address
    // copies the first's. Resources are found by the model's own strings (copying each
    // resource's unit and address to look it up was a tenth of collecting them); the few the
    // model does not know are kept by copies.
    let mut seen: crate::FastMap<(&'m str, &'m str), usize> =
        crate::FastMap::with_capacity_and_hasher(out.len(), Default::default());
    let mut unknown: crate::FastMap<(String, String), ()> = Default::default();
    for i in 0..out.len() {
        let Some(key) = index.key(&out[i].doc.unit, &out[i].doc.address) else {
            unknown.insert((out[i].doc.unit.clone(), out[i].doc.address.clone()), ());
            continue;
        };
        let found = match seen.get(&key) {
            Some(&first) => index
                .get(key.0, key.1)
                .map(|(meta, _)| (*meta, Some(out[first].doc.model.clone()))),
            None => index.take(key.0, key.1),
        };
        if let Some((meta, json)) = found {
            out[i].doc.model = json.unwrap_or_default();
            fill_from_meta(&mut out[i].doc, meta);
        }
        seen.entry(key).or_insert(i);
    }
    for meta in model.resources() {
        let key = (meta.scope.as_str(), meta.address.as_str());
        if seen.contains_key(&key)
            || (!unknown.is_empty()
                && unknown.contains_key(&(meta.scope.clone(), meta.address.clone())))
        {
            continue;
        }
        let mut doc = empty_doc(meta);
        if let Some((meta, json)) = index.take(&meta.scope, &meta.address) {
            doc.model = json.unwrap_or_default();
            fill_from_meta(&mut doc, meta);
        }
        seen.insert(key, out.len());
        out.push(ScannedResource {
            doc,
            header: meta.header,
            locator: Locator::Header,
        });
    }
    out
}

fn empty_doc(meta: &ResourceMeta) -> ResourceDoc {
    ResourceDoc {
        type_name: meta.type_name.clone(),
        address: meta.address.clone(),
        file: meta.file.clone(),
        line: meta.header.start.line,
        format: meta.format.as_str().to_string(),
        unit: meta.scope.clone(),
        properties: serde_json::Value::Object(Default::default()),
        model: serde_json::Value::Null,
        tags: BTreeMap::new(),
        classification: None,
    }
}

/// Tags and classification as the model read them (SAM `Tags` maps, Serverless provider tags,
/// Terraform `tags` with provider `default_tags`...).
fn fill_from_meta(doc: &mut ResourceDoc, meta: &ResourceMeta) {
    for tag in &meta.tags {
        if let Val::Known { value, .. } = &tag.value {
            doc.tags.insert(tag.key.clone(), value.clone());
        }
    }
    doc.classification = meta
        .classification
        .as_ref()
        .map(|c| c.class.as_str().to_string());
}

fn cloudformation(
    file: &str,
    template_root: &Node,
    resources_root: &Node,
    format: SourceFormat,
    out: &mut Vec<ScannedResource>,
) {
    let mut tpl = Template::new(file, template_root);
    for entry in resources_root
        .get("Resources")
        .map(Node::entries)
        .unwrap_or_default()
    {
        let Some(type_name) = entry.value.get("Type").and_then(Node::as_str) else {
            continue;
        };
        let properties = entry
            .value
            .get("Properties")
            .map(|p| cv_json(&tpl.eval(p)))
            .unwrap_or_else(|| serde_json::Value::Object(Default::default()));
        let tags = cfn_tags(&properties);
        out.push(ScannedResource {
            doc: ResourceDoc {
                type_name: type_name.to_string(),
                address: entry.key.clone(),
                file: file.to_string(),
                line: entry.key_span.start.line,
                format: format.as_str().to_string(),
                unit: file.to_string(),
                properties,
                model: serde_json::Value::Null,
                tags,
                classification: None,
            },
            header: entry.key_span,
            locator: Locator::Cfn {
                id: entry.key.clone(),
            },
        });
    }
}

fn serverless(file: &str, root: &Node, out: &mut Vec<ScannedResource>) {
    let resolved = Resolver::new(root).resolve(root);
    if let Some(functions) = resolved.get("functions") {
        for entry in functions.entries() {
            let settings = tv_json(&to_tv(&entry.value));
            let tags = match settings.get("tags") {
                Some(serde_json::Value::Object(map)) => map
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect(),
                _ => BTreeMap::new(),
            };
            out.push(ScannedResource {
                doc: ResourceDoc {
                    type_name: "AWS::Lambda::Function".into(),
                    address: format!("{}LambdaFunction", normalize_function(&entry.key)),
                    file: file.to_string(),
                    line: entry.key_span.start.line,
                    format: SourceFormat::Serverless.as_str().to_string(),
                    unit: file.to_string(),
                    properties: settings,
                    model: serde_json::Value::Null,
                    tags,
                    classification: None,
                },
                header: entry.key_span,
                locator: Locator::ServerlessFunction {
                    name: entry.key.clone(),
                },
            });
        }
    }
    let parts: Vec<&Node> = match resolved.get("resources").map(|r| &r.value) {
        Some(tollgate_syntax::Value::Seq(items)) => items.iter().collect(),
        Some(tollgate_syntax::Value::Map(_)) => resolved.get("resources").into_iter().collect(),
        _ => Vec::new(),
    };
    for part in parts {
        let before = out.len();
        cloudformation(file, part, part, SourceFormat::Serverless, out);
        for r in &mut out[before..] {
            r.doc.format = SourceFormat::Serverless.as_str().to_string();
        }
    }
}

fn terraform(r: &TfResource, format: SourceFormat) -> ScannedResource {
    let properties = tv_json(&r.body);
    let tags = match properties.get("tags") {
        Some(serde_json::Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
        _ => BTreeMap::new(),
    };
    let locator = if format == SourceFormat::Terraform {
        Locator::Terraform {
            type_name: r.type_name.clone(),
            name: r.name.clone(),
        }
    } else {
        Locator::Header
    };
    ScannedResource {
        doc: ResourceDoc {
            type_name: r.type_name.clone(),
            address: r.address.clone(),
            file: r.file.clone(),
            line: r.header.start.line,
            format: format.as_str().to_string(),
            unit: r.scope.clone(),
            properties,
            model: serde_json::Value::Null,
            tags,
            classification: None,
        },
        header: r.header,
        locator,
    }
}

/// CloudFormation `Tags`: a list of `{Key, Value}` or (SAM) a map.
fn cfn_tags(properties: &serde_json::Value) -> BTreeMap<String, String> {
    match properties.get("Tags") {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|t| {
                Some((
                    t.get("Key")?.as_str()?.to_string(),
                    t.get("Value")?.as_str()?.to_string(),
                ))
            })
            .collect(),
        Some(serde_json::Value::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
        _ => BTreeMap::new(),
    }
}

const UNKNOWN_KEY: &str = "tollgate:unknown";

fn unknown(reason: &str) -> serde_json::Value {
    serde_json::json!({ UNKNOWN_KEY: reason })
}

fn number(text: &str) -> serde_json::Value {
    serde_json::from_str::<serde_json::Number>(text)
        .map(serde_json::Value::Number)
        .unwrap_or_else(|_| serde_json::Value::String(text.to_string()))
}

/// An evaluated CloudFormation value as JSON. References to resources stay references, in
/// CloudFormation's own long form.
pub fn cv_json(cv: &Cv) -> serde_json::Value {
    use serde_json::Value as J;
    match &cv.kind {
        CvKind::Null | CvKind::NoValue => J::Null,
        CvKind::Bool(b) => J::Bool(*b),
        CvKind::Number(n) => number(n),
        CvKind::Str(s) => J::String(s.clone()),
        CvKind::List(items) => J::Array(
            items
                .iter()
                .filter(|i| !matches!(i.kind, CvKind::NoValue))
                .map(cv_json)
                .collect(),
        ),
        CvKind::Map(entries) => J::Object(
            entries
                .iter()
                .filter(|(_, _, v)| !matches!(v.kind, CvKind::NoValue))
                .map(|(k, _, v)| (k.clone(), cv_json(v)))
                .collect(),
        ),
        CvKind::Ref(r) => match r {
            tollgate_iac::model::Ref::Resource {
                address,
                attr: Some(attr),
                ..
            } => serde_json::json!({ "Fn::GetAtt": [address, attr] }),
            tollgate_iac::model::Ref::Resource { address, .. } => {
                serde_json::json!({ "Ref": address })
            }
            tollgate_iac::model::Ref::Literal(text) => J::String(text.clone()),
        },
        CvKind::Unknown(reason) => unknown(reason),
    }
}

/// An evaluated Terraform (or Serverless) value as JSON. References stay Terraform
/// interpolations (`"${aws_kms_key.main.arn}"`).
pub fn tv_json(tv: &Tv) -> serde_json::Value {
    use serde_json::Value as J;
    match &tv.kind {
        TvKind::Null => J::Null,
        TvKind::Bool(b) => J::Bool(*b),
        TvKind::Number(n) => number(n),
        TvKind::String(s) => J::String(s.clone()),
        TvKind::List(items) => J::Array(items.iter().map(tv_json).collect()),
        TvKind::Object(entries) => J::Object(
            entries
                .iter()
                .map(|(k, _, v)| (k.clone(), tv_json(v)))
                .collect(),
        ),
        TvKind::Ref { address, attr } => {
            let mut text = format!("${{{address}");
            for a in attr {
                text.push('.');
                text.push_str(a);
            }
            text.push('}');
            J::String(text)
        }
        TvKind::Unknown(reason) => unknown(reason),
        TvKind::File { path, .. } => serde_json::json!({ "tollgate:file": path }),
    }
}
