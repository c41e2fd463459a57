//! Action patterns (`s3:Put*`, `*:Get*`, `ec2:*`, `*`) expanded against the catalog. The same
//! few patterns recur across thousands of policies, so expansions are cached per pattern.

use std::collections::HashMap;
use std::sync::Arc;

use tollgate_iac::model::action_matches;

use crate::catalog::{ActionId, Catalog};

/// What one written action pattern means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expansion {
    /// The actions it grants (at least one).
    Actions(Arc<[ActionId]>),
    /// The service prefix is not in the catalog.
    UnknownService,
    /// The service exists, but no action of it matches.
    UnknownAction,
    /// Not of the form `service:action` (and not `*`).
    Malformed,
}

impl Expansion {
    pub fn actions(&self) -> &[ActionId] {
        match self {
            Expansion::Actions(a) => a,
            _ => &[],
        }
    }
}

/// Expands patterns against a catalog, remembering each answer.
#[derive(Debug)]
pub struct Expander<'c> {
    catalog: &'c Catalog,
    cache: HashMap<String, Expansion>,
    complements: HashMap<String, Arc<[ActionId]>>,
}

impl<'c> Expander<'c> {
    pub fn new(catalog: &'c Catalog) -> Self {
        Self {
            catalog,
            cache: HashMap::new(),
            complements: HashMap::new(),
        }
    }

    pub fn catalog(&self) -> &'c Catalog {
        self.catalog
    }

    /// The actions `pattern` grants. IAM compares action names case-insensitively.
    pub fn expand(&mut self, pattern: &str) -> Expansion {
        let key = pattern.trim().to_ascii_lowercase();
        if let Some(hit) = self.cache.get(&key) {
            return hit.clone();
        }
        let result = expand_uncached(self.catalog, &key);
        self.cache.insert(key, result.clone());
        result
    }
}

impl Expander<'_> {
    /// Every catalog action none of `excluded` matches (what `NotAction` grants), cached per
    /// exclusion list.
    pub fn complement(&mut self, excluded: &[&str]) -> Arc<[ActionId]> {
        let key = excluded
            .iter()
            .map(|e| e.trim().to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(",");
        if let Some(hit) = self.complements.get(&key) {
            return hit.clone();
        }
        let mut out: Vec<ActionId> = excluded
            .iter()
            .flat_map(|e| self.expand(e).actions().to_vec())
            .collect();
        out.sort_unstable();
        let total = self.catalog.actions.len() as ActionId;
        let result: Arc<[ActionId]> = (0..total)
            .filter(|id| out.binary_search(id).is_err())
            .collect();
        self.complements.insert(key, result.clone());
        result
    }
}

fn expand_uncached(cat: &Catalog, pattern: &str) -> Expansion {
    if pattern == "*" {
        return Expansion::Actions((0..cat.actions.len() as ActionId).collect());
    }
    let Some((service, action)) = pattern.split_once(':') else {
        return Expansion::Malformed;
    };
    if service.is_empty() || action.is_empty() || action.contains(':') {
        return Expansion::Malformed;
    }
    let ids: Vec<ActionId> = if service.contains(['*', '?']) {
        (0..cat.actions.len() as ActionId)
            .filter(|&id| action_matches(pattern, &cat.full_name(id).to_string()))
            .collect()
    } else {
        let Some((index, _)) = cat.service(service) else {
            return Expansion::UnknownService;
        };
        cat.actions_of(index)
            .filter(|&id| action_matches(action, cat.get(id).name))
            .collect()
    };
    if ids.is_empty() {
        return Expansion::UnknownAction;
    }
    Expansion::Actions(ids.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn wildcards_expand_against_the_catalog() {
        let mut ex = Expander::new(catalog());
        let cat = catalog();
        let put = ex.expand("s3:Put*");
        let names: Vec<String> = put
            .actions()
            .iter()
            .map(|&id| cat.full_name(id).to_string())
            .collect();
        assert!(names.contains(&"s3:PutObject".to_string()), "{names:?}");
        assert!(names.iter().all(|n| n.starts_with("s3:Put")));
        let all_ec2 = ex.expand("EC2:*");
        assert!(all_ec2.actions().len() > 400);
        let gets = ex.expand("*:Get*");
        assert!(gets.actions().len() > 1000);
        assert_eq!(ex.expand("*").actions().len(), cat.actions.len());
        assert_eq!(ex.expand("s3:GetObject").actions().len(), 1);
    }

    #[test]
    fn not_action_complements_are_computed_once() {
        let mut ex = Expander::new(catalog());
        let iam = ex.expand("iam:*").actions().len();
        let rest = ex.complement(&["iam:*"]);
        assert_eq!(rest.len(), catalog().actions.len() - iam);
        let again = ex.complement(&["IAM:*"]);
        assert!(Arc::ptr_eq(&rest, &again));
    }

    #[test]
    fn typos_and_malformed_patterns_are_told_apart() {
        let mut ex = Expander::new(catalog());
        assert_eq!(ex.expand("s4:GetObject"), Expansion::UnknownService);
        assert_eq!(ex.expand("s3:GetObjekt"), Expansion::UnknownAction);
        assert_eq!(ex.expand("s3GetObject"), Expansion::Malformed);
        assert_eq!(ex.expand("s3:"), Expansion::Malformed);
        // Cached answers are the same answers.
        assert_eq!(ex.expand("S4:getobject"), Expansion::UnknownService);
    }
}
