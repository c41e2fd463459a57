//! Deployment-unit documents: every resource of a template or Terraform configuration, the
//! references between them, and the unit's identities, for policies that look across
//! resources.

use std::collections::{BTreeMap, BTreeSet};

use crate::input::{IdentityDoc, PolicyInput, ReferenceDoc, ResourceDoc, UnitDoc};
use crate::resources::ScannedResource;

/// One document per unit, by unit name, in a stable order.
pub fn units(
    resources: &[ScannedResource],
    identities: &[IdentityDoc],
) -> Vec<(String, PolicyInput)> {
    let mut by_unit: BTreeMap<&str, Vec<&ResourceDoc>> = BTreeMap::new();
    for r in resources {
        by_unit.entry(r.doc.unit.as_str()).or_default().push(&r.doc);
    }
    by_unit
        .into_iter()
        .map(|(name, docs)| {
            let addresses: BTreeSet<&str> = docs.iter().map(|d| d.address.as_str()).collect();
            let mut references = BTreeSet::new();
            for d in &docs {
                collect_references(&d.address, &d.properties, &addresses, &mut references);
            }
            let format = docs.first().map(|d| d.format.clone()).unwrap_or_default();
            let input = PolicyInput::DeploymentUnit {
                unit: UnitDoc {
                    name: name.to_string(),
                    format,
                },
                resources: docs.into_iter().cloned().collect(),
                references: references.into_iter().collect(),
                identities: identities
                    .iter()
                    .filter(|i| i.unit == name)
                    .cloned()
                    .collect(),
            };
            (name.to_string(), input)
        })
        .collect()
}

/// References written in `value`: `{"Ref": X}`, `{"Fn::GetAtt": [X, attr]}`, and `${X...}`
/// placeholders (Fn::Sub text, Terraform interpolations) naming an address of the unit.
fn collect_references(
    from: &str,
    value: &serde_json::Value,
    addresses: &BTreeSet<&str>,
    out: &mut BTreeSet<ReferenceDoc>,
) {
    let mut add = |to: &str, attribute: Option<String>| {
        if to != from && addresses.contains(to) {
            out.insert(ReferenceDoc {
                from: from.to_string(),
                to: to.to_string(),
                attribute,
            });
        }
    };
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(to)) = map.get("Ref") {
                add(to, None);
            }
            if let Some(serde_json::Value::Array(parts)) = map.get("Fn::GetAtt") {
                if let (Some(to), attr) = (parts.first().and_then(|p| p.as_str()), parts.get(1)) {
                    add(to, attr.and_then(|a| a.as_str()).map(str::to_string));
                }
            }
            for v in map.values() {
                collect_references(from, v, addresses, out);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                collect_references(from, v, addresses, out);
            }
        }
        serde_json::Value::String(text) => {
            for inner in placeholders(text) {
                // The longest prefix of dotted parts that is an address of the unit.
                let parts: Vec<&str> = inner.split('.').collect();
                for n in (1..=parts.len()).rev() {
                    let candidate = parts[..n].join(".");
                    if addresses.contains(candidate.as_str()) {
                        let attribute = (n < parts.len()).then(|| parts[n..].join("."));
                        add(&candidate, attribute);
                        break;
                    }
                }
            }
        }
        _ => {}
    }
}

/// The insides of the `${...}` placeholders of `text`, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        out.push(&after[..end]);
        rest = &after[end + 1..];
    }
    out
}
