//! The documents Guard rules are evaluated against: one per CloudFormation or SAM template,
//! shaped as the template itself (`Resources.<id>.Type`, `.Properties`, `DeletionPolicy`...),
//! with each resource's `Properties` as the Rego input documents hold them (intrinsic functions
//! resolved where they can be, references to resources kept in their long form,
//! `{"tollgate:unknown": ...}` where nothing static is known). The other sections
//! (`Parameters`, `Conditions`, `Outputs`...) and resource attributes are as written, with YAML
//! short forms (`!Ref`) in their long form, as cfn-guard expects them.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};
use tollgate_core::ScanContext;
use tollgate_syntax::{Node, Value};

use crate::resources::{Locator, ScannedResource};

/// One template as Guard sees it.
#[derive(Debug)]
pub struct TemplateDoc {
    /// Repository-relative path of the template.
    pub file: String,
    pub json: Json,
    /// Logical id to the index of its resource in the scan's resources.
    pub resources: BTreeMap<String, usize>,
}

/// Every CloudFormation and SAM template of the scan, in the order of their resources.
pub fn templates(ctx: &ScanContext, resources: &[ScannedResource]) -> Vec<TemplateDoc> {
    build_all(ctx, resources, |i| resources[i].doc.properties.clone())
}

/// [`templates`], each resource's `Properties` moved out of `resources` instead of copied
/// (they are left empty): for a caller that reads them no more. A deep copy of every
/// template's properties, and freeing it, were a sixth of the Guard rules' time.
pub fn templates_taking(ctx: &ScanContext, resources: &mut [ScannedResource]) -> Vec<TemplateDoc> {
    let mut taken: Vec<Option<Json>> = resources
        .iter_mut()
        .map(|r| Some(std::mem::take(&mut r.doc.properties)))
        .collect();
    build_all(ctx, resources, |i| taken[i].take().unwrap_or_default())
}

fn build_all(
    ctx: &ScanContext,
    resources: &[ScannedResource],
    mut properties: impl FnMut(usize) -> Json,
) -> Vec<TemplateDoc> {
    let mut by_file: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        let cfn = matches!(r.doc.format.as_str(), "cloudformation" | "sam");
        if !cfn || !matches!(r.locator, Locator::Cfn { .. }) {
            continue;
        }
        let entry = by_file.entry(r.doc.file.as_str()).or_default();
        if entry.is_empty() {
            order.push(r.doc.file.as_str());
        }
        entry.push(i);
    }
    order
        .into_iter()
        .map(|file| {
            // The parsed template is borrowed, not copied: only the parts Guard sees as
            // written are converted.
            let document = ctx.file(file).and_then(|f| ctx.document(f).ok());
            let root = document.as_deref().and_then(|d| d.root());
            build(file, root, resources, &by_file[file], &mut properties)
        })
        .collect()
}

fn build(
    file: &str,
    root: Option<&Node>,
    resources: &[ScannedResource],
    indexes: &[usize],
    properties: &mut impl FnMut(usize) -> Json,
) -> TemplateDoc {
    let mut top = Map::new();
    let raw_resources = root.and_then(|r| r.get("Resources"));
    for entry in root.map(Node::entries).unwrap_or_default() {
        if entry.key != "Resources" {
            top.insert(entry.key.clone(), node_json(&entry.value));
        }
    }
    let mut out = Map::new();
    let mut ids = BTreeMap::new();
    for &i in indexes {
        let doc = &resources[i].doc;
        let mut resource = Map::new();
        // Attributes other than Type and Properties (DeletionPolicy, DependsOn, Metadata...),
        // as written.
        if let Some(raw) = raw_resources.and_then(|r| r.get(&doc.address)) {
            for entry in raw.entries() {
                if entry.key != "Type" && entry.key != "Properties" {
                    resource.insert(entry.key.clone(), node_json(&entry.value));
                }
            }
        }
        resource.insert("Type".into(), Json::String(doc.type_name.clone()));
        resource.insert("Properties".into(), properties(i));
        out.insert(doc.address.clone(), Json::Object(resource));
        ids.insert(doc.address.clone(), i);
    }
    top.insert("Resources".into(), Json::Object(out));
    TemplateDoc {
        file: file.to_string(),
        json: Json::Object(top),
        resources: ids,
    }
}

/// A parsed YAML or JSON value as JSON, short-form intrinsic functions (`!Ref X`,
/// `!GetAtt A.B`, `!Sub ...`) in their long form.
pub fn node_json(node: &Node) -> Json {
    let value = match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => serde_json::from_str::<serde_json::Number>(n)
            .map(Json::Number)
            .unwrap_or_else(|_| Json::String(n.clone())),
        Value::String(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(node_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), node_json(&e.value)))
                .collect(),
        ),
        Value::Block(_) | Value::Expr(_) => Json::Null,
    };
    let Some(tag) = node.tag.as_deref().and_then(|t| t.strip_prefix('!')) else {
        return value;
    };
    let (key, value) = match (tag, value) {
        ("Ref", v) => ("Ref".to_string(), v),
        ("Condition", v) => ("Condition".to_string(), v),
        ("GetAtt", Json::String(s)) => {
            let parts = match s.split_once('.') {
                Some((a, b)) => vec![Json::String(a.into()), Json::String(b.into())],
                None => vec![Json::String(s)],
            };
            ("Fn::GetAtt".to_string(), Json::Array(parts))
        }
        (other, v) => (format!("Fn::{other}"), v),
    };
    let mut map = Map::new();
    map.insert(key, value);
    Json::Object(map)
}
