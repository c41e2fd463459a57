//! Deployment-unit documents: every resource of a template or Terraform configuration, the
//! references between them, and the unit's identities, for policies that look across
//! resources.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::input::{IdentityDoc, PolicyInput, ReferenceDoc, UnitDoc};
use crate::resources::ScannedResource;

/// What one deployment unit's document holds: its resources and identities by index into the
/// scan's, and the references between its resources.
#[derive(Debug, Clone)]
pub struct UnitParts {
    pub unit: UnitDoc,
    pub resources: Vec<usize>,
    pub references: Vec<ReferenceDoc>,
    pub identities: Vec<usize>,
}

/// The parts of every unit's document, by unit name, in a stable order.
pub fn unit_parts(resources: &[ScannedResource], identities: &[IdentityDoc]) -> Vec<UnitParts> {
    /// A unit's resources and identities.
    #[derive(Default)]
    struct Members {
        resources: Vec<usize>,
        identities: Vec<usize>,
    }
    let mut by_unit: BTreeMap<&str, Members> = BTreeMap::new();
    for (i, r) in resources.iter().enumerate() {
        by_unit
            .entry(r.doc.unit.as_str())
            .or_default()
            .resources
            .push(i);
    }
    for (i, identity) in identities.iter().enumerate() {
        if let Some(unit) = by_unit.get_mut(identity.unit.as_str()) {
            unit.identities.push(i);
        }
    }
    let units: Vec<(&str, Members)> = by_unit.into_iter().collect();
    units
        .into_par_iter()
        .map(
            |(
                name,
                Members {
                    resources: members,
                    identities: ids,
                },
            )| {
                let addresses: BTreeSet<&str> = members
                    .iter()
                    .map(|&i| resources[i].doc.address.as_str())
                    .collect();
                let mut references = BTreeSet::new();
                for &i in &members {
                    let d = &resources[i].doc;
                    collect_references(&d.address, &d.properties, &addresses, &mut references);
                }
                let format = members
                    .first()
                    .map(|&i| resources[i].doc.format.clone())
                    .unwrap_or_default();
                UnitParts {
                    unit: UnitDoc {
                        name: name.to_string(),
                        format,
                    },
                    resources: members,
                    references: references.into_iter().collect(),
                    identities: ids,
                }
            },
        )
        .collect()
}

/// One document per unit, by unit name, in a stable order.
pub fn units(
    resources: &[ScannedResource],
    identities: &[IdentityDoc],
) -> Vec<(String, PolicyInput)> {
    unit_parts(resources, identities)
        .into_iter()
        .map(|parts| {
            let name = parts.unit.name.clone();
            let input = PolicyInput::DeploymentUnit {
                unit: parts.unit,
                resources: parts
                    .resources
                    .iter()
                    .map(|&i| resources[i].doc.clone())
                    .collect(),
                references: parts.references,
                identities: parts
                    .identities
                    .iter()
                    .map(|&i| identities[i].clone())
                    .collect(),
            };
            (name, input)
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
            if !text.contains("${") {
                return;
            }
            for inner in placeholders(text) {
                // The longest prefix of dotted parts that is an address of the unit: the
                // whole text, then up to each dot from the last (a prefix of parts joined by
                // dots is the text up to a dot).
                let ends = std::iter::once(inner.len()).chain(
                    inner
                        .char_indices()
                        .rev()
                        .filter(|&(_, c)| c == '.')
                        .map(|(i, _)| i),
                );
                for end in ends {
                    let candidate = &inner[..end];
                    if addresses.contains(candidate) {
                        let attribute = (end < inner.len()).then(|| inner[end + 1..].to_string());
                        add(candidate, attribute);
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
