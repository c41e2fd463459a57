//! Indexes that resolve a reference to the resource it names without going through every
//! resource of its kind: on a large repository every API route and function would otherwise
//! compare its reference with each API or role of the scan, which is quadratic.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{Ref, ResourceMeta, Val};

/// The first resource of one list (by index) that each reference can name, exactly as
/// [`super::CloudModel::points_at`] matches them: by address within a scope, or by known name
/// (a literal equal to the name, or an ARN ending in `:name` or `/name`).
#[derive(Debug, Default)]
pub(super) struct RefIndex {
    /// How many resources the list held when the index was built.
    len: usize,
    by_address: HashMap<String, HashMap<String, usize>>,
    by_name: HashMap<String, usize>,
}

impl RefIndex {
    fn build<'a>(targets: impl Iterator<Item = (&'a ResourceMeta, &'a Val<String>)>) -> Self {
        let mut index = RefIndex::default();
        for (i, (meta, name)) in targets.enumerate() {
            index.len = i + 1;
            index
                .by_address
                .entry(meta.scope.clone())
                .or_default()
                .entry(meta.address.clone())
                .or_insert(i);
            if let Some(name) = name.as_str() {
                index.by_name.entry(name.to_string()).or_insert(i);
            }
        }
        index
    }

    /// The first resource `reference`, written in `from`, points at.
    pub(super) fn find(&self, from: &ResourceMeta, reference: &Val<Ref>) -> Option<usize> {
        match reference.get()? {
            Ref::Resource { address, .. } => self
                .by_address
                .get(&from.scope)
                .and_then(|scope| scope.get(address))
                .copied(),
            Ref::Literal(text) => {
                // The whole text, and every part after a `:` or `/`: the names it can end in.
                let suffixes = text
                    .char_indices()
                    .filter(|&(_, c)| c == ':' || c == '/')
                    .map(|(i, _)| &text[i + 1..]);
                std::iter::once(text.as_str())
                    .chain(suffixes)
                    .filter_map(|name| self.by_name.get(name).copied())
                    .min()
            }
        }
    }
}

/// The model's lookup indexes, each built on first use. They are not part of the model's
/// value: a clone starts without them and any two compare equal. An index whose list has
/// changed length since it was built is not used (the lookups then search the list).
#[derive(Default)]
pub struct Lookups {
    apis: OnceLock<RefIndex>,
    roles: OnceLock<RefIndex>,
}

impl Lookups {
    fn index<'a>(
        cell: &'a OnceLock<RefIndex>,
        len: usize,
        targets: impl Iterator<Item = (&'a ResourceMeta, &'a Val<String>)>,
    ) -> Option<&'a RefIndex> {
        Some(cell.get_or_init(|| RefIndex::build(targets))).filter(|index| index.len == len)
    }

    pub(super) fn apis<'a>(&'a self, apis: &'a [super::Api]) -> Option<&'a RefIndex> {
        Self::index(
            &self.apis,
            apis.len(),
            apis.iter().map(|a| (&a.meta, &a.name)),
        )
    }

    pub(super) fn roles<'a>(&'a self, roles: &'a [super::IamRole]) -> Option<&'a RefIndex> {
        Self::index(
            &self.roles,
            roles.len(),
            roles.iter().map(|r| (&r.meta, &r.name)),
        )
    }
}

impl Clone for Lookups {
    fn clone(&self) -> Self {
        Lookups::default()
    }
}

impl PartialEq for Lookups {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Lookups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lookups")
    }
}

#[cfg(test)]
mod tests {
    use tollgate_syntax::Span;

    use super::super::{CloudModel, IamRole, ResourceMeta, SourceFormat};
    use super::*;

    fn role(address: &str, file: &str, name: Option<&str>) -> IamRole {
        let mut role = IamRole::new(ResourceMeta::new(
            address,
            "AWS::IAM::Role",
            file,
            Span::line(1),
            SourceFormat::CloudFormation,
        ));
        role.name = match name {
            Some(n) => Val::known(n.to_string(), Span::line(2)),
            None => Val::unknown(Span::line(2), "a parameter"),
        };
        role
    }

    /// The index finds the very role the search through every role finds, for addresses in
    /// and out of scope, names, ARNs ending in a name, names that repeat and unknown values.
    #[test]
    fn the_index_finds_what_the_search_finds() {
        let model = CloudModel {
            iam_roles: vec![
                role("Role", "a.yaml", Some("app")),
                role("Role", "b.yaml", Some("app")),
                role("Other", "a.yaml", None),
                role("Svc", "c.yaml", Some("service-role/app")),
                role("Empty", "c.yaml", Some("")),
                role("Late", "d.yaml", Some("app")),
            ],
            ..CloudModel::default()
        };
        let from = |file: &str| {
            ResourceMeta::new(
                "Fn",
                "AWS::Lambda::Function",
                file,
                Span::line(9),
                SourceFormat::CloudFormation,
            )
        };
        let at = |r: Ref| Val::known(r, Span::line(3));
        let references = [
            at(Ref::resource("Role", None, None)),
            at(Ref::resource("Other", Some("Arn".into()), None)),
            at(Ref::resource("Missing", None, None)),
            at(Ref::literal("app")),
            at(Ref::literal("arn:aws:iam::123456789012:role/app")),
            at(Ref::literal(
                "arn:aws:iam::123456789012:role/service-role/app",
            )),
            at(Ref::literal("arn:aws:iam::123456789012:role/")),
            at(Ref::literal("application")),
            at(Ref::literal("")),
            Val::unknown(Span::line(3), "a parameter"),
            Val::Absent,
        ];
        let mut found = 0;
        for file in ["a.yaml", "b.yaml", "c.yaml", "z.yaml"] {
            let from = from(file);
            for reference in &references {
                let searched = model
                    .iam_roles
                    .iter()
                    .position(|r| CloudModel::points_at(&from, reference, &r.meta, &r.name));
                let indexed = model.role_of(&from, reference).map(|r| {
                    model
                        .iam_roles
                        .iter()
                        .position(|x| std::ptr::eq(x, r))
                        .unwrap()
                });
                assert_eq!(indexed, searched, "{reference:?} from {file}");
                found += usize::from(searched.is_some());
            }
        }
        assert!(found >= 20, "{found} references resolved");
        // A list that grew after the index was built is searched instead.
        let mut grown = model.clone();
        let _ = grown.role_of(&from("a.yaml"), &references[3]);
        grown
            .iam_roles
            .insert(0, role("First", "e.yaml", Some("app")));
        let first = grown.role_of(&from("a.yaml"), &references[3]).unwrap();
        assert_eq!(first.meta.address, "First");
    }
}
