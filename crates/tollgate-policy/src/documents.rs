//! The scan's input documents, built once for every policy: one per resource, deployment unit
//! and identity, as regorus values, with what each one is about.
//!
//! A resource's or identity's value is built once (straight from the input types, as
//! regorus would parse their JSON text: [`crate::rego_value`]) and shared, reference-counted,
//! by its own document and its unit's: a unit's document is not built again. Documents are
//! built on every core.

use rayon::prelude::*;
use regorus::Value;
use tollgate_core::{Location, Span};

use crate::input::{IdentityDoc, PolicyInput};
use crate::rego::projection::{Need, NOTHING};
use crate::rego_value::Builder;
use crate::resources::ScannedResource;

/// What an input document is about, to place its findings.
#[derive(Debug, Clone)]
pub enum Subject {
    Resource(usize),
    Unit { name: String },
    Identity(usize),
}

/// A resource as evaluations name it: its address and header. Resources and identities
/// whose documents judge the same resource share one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Judged {
    pub address: String,
    pub header: Location,
}

/// The documents of one scan, converted once for every policy.
pub struct Inputs {
    pub resources: Vec<ScannedResource>,
    pub identities: Vec<IdentityDoc>,
    pub documents: Vec<(Value, Subject)>,
    /// Per document, the resource its verdicts are about (an index into `judged`); none for
    /// a deployment unit, whose policies judge no resource in particular.
    pub judges: Vec<Option<usize>>,
    /// Every resource a verdict can be about, each once.
    pub judged: Vec<Judged>,
    /// Per resource, its index in `judged`.
    pub resource_judged: Vec<usize>,
    /// Per identity, its index in `judged`: the identity's resource when the scan holds it,
    /// else the identity as the permission analysis placed it.
    pub identity_judged: Vec<usize>,
    /// Per identity, the index of its resource in `resources`, when the scan holds it.
    pub identity_resource: Vec<Option<usize>>,
    /// Resources by deployment unit and address.
    by_address: crate::FastMap<(String, String), usize>,
    /// The first resource of each deployment unit.
    first_of_unit: crate::FastMap<String, usize>,
}

impl std::fmt::Debug for Inputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inputs")
            .field("documents", &self.documents.len())
            .finish()
    }
}

impl Inputs {
    /// The whole documents.
    pub fn new(resources: Vec<ScannedResource>, identities: Vec<IdentityDoc>) -> Self {
        Self::built(resources, identities, None)
    }

    /// The documents with only what `need` keeps of them: what the loaded policies can
    /// observe (see [`crate::rego::projection`]). `resources` and `identities` stay whole.
    pub fn projected(
        resources: Vec<ScannedResource>,
        identities: Vec<IdentityDoc>,
        need: &Need,
    ) -> Self {
        Self::built(resources, identities, Some(need))
    }

    fn built(
        resources: Vec<ScannedResource>,
        identities: Vec<IdentityDoc>,
        need: Option<&Need>,
    ) -> Self {
        // A resource's value is shared by its own document (`input.resource`) and its unit's
        // (`input.resources[_]`): it keeps what either reads; an identity's likewise.
        let shared_need = |one: &str, many: &str| {
            need.map(|need| {
                let mut both = need.child(one).cloned().unwrap_or_default();
                if let Some(each) = need.child(many).and_then(Need::element) {
                    both.merge(each);
                }
                both.finish();
                both
            })
        };
        let (resource_need, identity_need) = (
            shared_need("resource", "resources"),
            shared_need("identity", "identities"),
        );
        let build = |b: &mut Builder, data: &dyn ErasedValue, need: Option<&Need>| match need {
            Some(need) => data.projected(b, need),
            None => data.whole(b),
        };
        let part = |key: &str| need.map(|n| n.child(key).unwrap_or(&NOTHING));
        let resource_values: Vec<Value> = resources
            .par_iter()
            .map_init(Builder::default, |b, r| {
                build(b, &r.doc, resource_need.as_ref())
            })
            .collect();
        let identity_values: Vec<Value> = identities
            .par_iter()
            .map_init(Builder::default, |b, i| build(b, i, identity_need.as_ref()))
            .collect();
        let units = crate::units::unit_parts(&resources, &identities);
        let mut documents = Vec::with_capacity(resources.len() + units.len() + identities.len());
        for (i, v) in resource_values.iter().enumerate() {
            documents.push((
                object([("kind", Value::from("resource")), ("resource", v.clone())]),
                Subject::Resource(i),
            ));
        }
        let unit_documents: Vec<(Value, Subject)> = units
            .into_par_iter()
            .map_init(Builder::default, |b, parts| {
                let input = object([
                    ("kind", Value::from("deployment-unit")),
                    ("unit", build(b, &parts.unit, part("unit"))),
                    ("resources", shared(&resource_values, &parts.resources)),
                    (
                        "references",
                        build(b, &parts.references, part("references")),
                    ),
                    ("identities", shared(&identity_values, &parts.identities)),
                ]);
                (
                    input,
                    Subject::Unit {
                        name: parts.unit.name,
                    },
                )
            })
            .collect();
        documents.extend(unit_documents);
        for (i, v) in identity_values.into_iter().enumerate() {
            documents.push((
                object([("kind", Value::from("identity")), ("identity", v)]),
                Subject::Identity(i),
            ));
        }

        let mut by_address =
            crate::FastMap::with_capacity_and_hasher(resources.len(), Default::default());
        let mut first_of_unit: crate::FastMap<String, usize> = crate::FastMap::default();
        for (i, r) in resources.iter().enumerate() {
            by_address
                .entry((r.doc.unit.clone(), r.doc.address.clone()))
                .or_insert(i);
            if !first_of_unit.contains_key(&r.doc.unit) {
                first_of_unit.insert(r.doc.unit.clone(), i);
            }
        }
        // Each judged resource once, looked up by its address, file and header borrowed:
        // copying them for every resource to look them up was most of this bookkeeping.
        let mut judged = Vec::with_capacity(resources.len());
        let mut known: crate::FastMap<(&str, &str, Span), usize> =
            crate::FastMap::with_capacity_and_hasher(resources.len(), Default::default());
        let resource_judged: Vec<usize> = resources
            .iter()
            .map(|r| {
                judge(
                    &mut known,
                    &mut judged,
                    &r.doc.address,
                    &r.doc.file,
                    r.header,
                )
            })
            .collect();
        let identity_resource: Vec<Option<usize>> = identities
            .iter()
            .map(|id| {
                by_address
                    .get(&(id.unit.clone(), id.address.clone()))
                    .copied()
            })
            .collect();
        let identity_judged: Vec<usize> = identities
            .iter()
            .zip(&identity_resource)
            .map(|(id, r)| match r {
                Some(r) => resource_judged[*r],
                None => judge(
                    &mut known,
                    &mut judged,
                    &id.address,
                    &id.file,
                    Span::line(id.line),
                ),
            })
            .collect();
        drop(known);
        let judges = documents
            .iter()
            .map(|(_, subject)| match subject {
                Subject::Resource(i) => Some(resource_judged[*i]),
                Subject::Identity(i) => Some(identity_judged[*i]),
                Subject::Unit { .. } => None,
            })
            .collect();
        Self {
            resources,
            identities,
            documents,
            judges,
            judged,
            resource_judged,
            identity_judged,
            identity_resource,
            by_address,
            first_of_unit,
        }
    }

    /// The first resource of deployment unit `unit`.
    pub fn first_of_unit(&self, unit: &str) -> Option<usize> {
        self.first_of_unit.get(unit).copied()
    }

    /// The resource of deployment unit `unit` at `address`, when the scan holds it.
    pub fn resource(&self, unit: &str, address: &str) -> Option<usize> {
        self.by_address
            .get(&(unit.to_string(), address.to_string()))
            .copied()
    }
}

/// The index in `judged` of the resource at `address` in `file` with header `header`, added
/// when it is not there yet.
fn judge<'r>(
    known: &mut crate::FastMap<(&'r str, &'r str, Span), usize>,
    judged: &mut Vec<Judged>,
    address: &'r str,
    file: &'r str,
    header: Span,
) -> usize {
    *known.entry((address, file, header)).or_insert_with(|| {
        judged.push(Judged {
            address: address.to_string(),
            header: Location::at(file.to_string(), header),
        });
        judged.len() - 1
    })
}

/// A value of the documents, built whole or projected (the builder's methods are generic;
/// this lets one closure take any of the documents' parts).
trait ErasedValue: Sync {
    fn whole(&self, b: &mut Builder) -> Value;
    fn projected(&self, b: &mut Builder, need: &Need) -> Value;
}

impl<T: serde::Serialize + Sync> ErasedValue for T {
    fn whole(&self, b: &mut Builder) -> Value {
        b.value(self)
    }
    fn projected(&self, b: &mut Builder, need: &Need) -> Value {
        b.projected(self, need)
    }
}

/// `input` as regorus reads it.
pub fn to_value(input: &PolicyInput) -> Value {
    Builder::default().value(input)
}

/// An array of the values at `indices` of `values`, shared (reference-counted), not copied.
fn shared(values: &[Value], indices: &[usize]) -> Value {
    Value::from(
        indices
            .iter()
            .map(|&i| values[i].clone())
            .collect::<Vec<_>>(),
    )
}

/// An object of the few top-level keys of a document.
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::from(
        entries
            .into_iter()
            .map(|(key, v)| (Value::from(key), v))
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{DataAccessDoc, ResourceDoc};
    use crate::resources::Locator;
    use std::collections::BTreeMap;

    fn resource(
        unit: &str,
        address: &str,
        line: u32,
        properties: serde_json::Value,
    ) -> ScannedResource {
        let header = Span::line(line);
        ScannedResource {
            doc: ResourceDoc {
                type_name: "AWS::IAM::Role".into(),
                address: address.into(),
                file: unit.into(),
                line,
                format: "cloudformation".into(),
                unit: unit.into(),
                properties,
                model: serde_json::json!({"kind": "iam-role"}),
                tags: BTreeMap::from([("Team".to_string(), "a".to_string())]),
                classification: Some("PHI".into()),
            },
            header,
            locator: Locator::Header,
        }
    }

    fn identity(unit: &str, address: &str) -> IdentityDoc {
        IdentityDoc {
            address: address.into(),
            type_name: "AWS::IAM::Role".into(),
            file: unit.into(),
            line: 9,
            unit: unit.into(),
            effective_actions: vec!["s3:GetObject".into()],
            data_access: vec![DataAccessDoc {
                resource: "*".into(),
                targets: vec![],
                account: None,
                verbs: vec!["read".into()],
                actions: vec!["s3:GetObject".into()],
                conditional: false,
            }],
            escalation: vec![],
            trusted_by: vec![],
            public: false,
            cross_account: false,
            managed_policies: vec![],
        }
    }

    /// Documents built from shared values are the documents the input types serialize to.
    #[test]
    fn documents_are_the_serialized_inputs() {
        let resources = vec![
            resource(
                "a.yaml",
                "Role",
                3,
                serde_json::json!({"Policies": [{"Ref": "Key"}]}),
            ),
            resource("a.yaml", "Key", 7, serde_json::json!({})),
            resource("b.yaml", "Role", 3, serde_json::json!({"x": 1.5})),
        ];
        let identities = vec![identity("a.yaml", "Role"), identity("c.yaml", "Lonely")];
        let inputs = Inputs::new(resources.clone(), identities.clone());
        let mut expected: Vec<Value> = resources
            .iter()
            .map(|r| {
                to_value(&PolicyInput::Resource {
                    resource: r.doc.clone(),
                })
            })
            .collect();
        expected.extend(
            crate::units::units(&resources, &identities)
                .iter()
                .map(|(_, input)| to_value(input)),
        );
        expected.extend(identities.iter().map(|i| {
            to_value(&PolicyInput::Identity {
                identity: i.clone(),
            })
        }));
        let built: Vec<Value> = inputs.documents.iter().map(|(v, _)| v.clone()).collect();
        assert_eq!(built, expected);
        assert_eq!(inputs.documents.len(), 3 + 2 + 2);
        // The role's identity document judges the role's resource; the lonely identity itself.
        assert_eq!(inputs.identity_judged[0], inputs.resource_judged[0]);
        assert_eq!(inputs.judged.len(), 4);
        assert_eq!(inputs.judged[inputs.identity_judged[1]].address, "Lonely");
        assert_eq!(inputs.judges[3..5], [None, None]);
        assert_eq!(inputs.resource("b.yaml", "Role"), Some(2));
    }
}
