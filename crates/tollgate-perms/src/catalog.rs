//! The AWS IAM action catalog: every `service:Action` with its access level, resource types
//! (required or not, with ARN patterns) and condition keys. The compact text in
//! `data/actions.tsv` (see `data/generate.py`) is embedded in the binary and parsed on first
//! use, so a run without the permissions stage pays nothing for it.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// The embedded catalog text.
const CATALOG_TEXT: &str = include_str!("../data/actions.tsv");

/// How IAM classifies what an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    Tagging,
    PermissionsManagement,
}

impl AccessLevel {
    fn from_letter(letter: &str) -> Option<Self> {
        Some(match letter {
            "L" => AccessLevel::List,
            "R" => AccessLevel::Read,
            "W" => AccessLevel::Write,
            "T" => AccessLevel::Tagging,
            "P" => AccessLevel::PermissionsManagement,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::Tagging => "Tagging",
            AccessLevel::PermissionsManagement => "Permissions management",
        }
    }
}

/// A resource type of a service (`bucket`, `object`) and its ARN pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    pub name: &'static str,
    /// `arn:${Partition}:s3:::${BucketName}`; empty when the catalog gives none.
    pub arn: &'static str,
}

/// One action's use of a resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionResource {
    /// Index into the service's [`Service::resources`], or `None` when the catalog names a
    /// resource type the service does not list.
    pub resource: Option<u16>,
    pub name: &'static str,
    pub required: bool,
}

/// One action of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// Index of its service in [`Catalog::services`].
    pub service: u16,
    pub name: &'static str,
    pub level: AccessLevel,
    pub resources: Vec<ActionResource>,
    pub condition_keys: Vec<&'static str>,
}

impl Action {
    /// Whether the action can be scoped to specific resources (it lists a resource type);
    /// when it cannot, `"Resource": "*"` is the only way to write it.
    pub fn supports_resource_scoping(&self) -> bool {
        !self.resources.is_empty()
    }
}

/// One service: its prefix, name, resource types and the range of its actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub prefix: &'static str,
    pub name: &'static str,
    pub resources: Vec<ResourceType>,
    /// Its actions are `catalog.actions[actions.0..actions.1]`, sorted by name.
    pub actions: (u32, u32),
}

/// Index of an action in [`Catalog::actions`].
pub type ActionId = u32;

/// The parsed catalog.
#[derive(Debug, Default)]
pub struct Catalog {
    pub services: Vec<Service>,
    pub actions: Vec<Action>,
    /// Lower-case service prefix to service index.
    by_prefix: HashMap<String, u16>,
}

/// A line of the catalog text that does not follow the format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("data/actions.tsv:{line}:1: {message}")]
pub struct CatalogError {
    pub line: usize,
    pub message: String,
}

/// The embedded catalog, parsed on first use.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        // The text is committed and checked by the tests; a broken file is a build defect.
        Catalog::parse(CATALOG_TEXT).unwrap_or_else(|e| panic!("embedded action catalog: {e}"))
    })
}

impl Catalog {
    /// Parse catalog text (the format is described in `data/generate.py`).
    pub fn parse(text: &'static str) -> Result<Catalog, CatalogError> {
        let mut cat = Catalog::default();
        for (i, line) in text.lines().enumerate() {
            let err = |message: &str| CatalogError {
                line: i + 1,
                message: message.to_string(),
            };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let tag = fields.next().unwrap_or_default();
            let mut next = || fields.next();
            match (tag, next(), next(), next(), next(), next()) {
                ("S", Some(prefix), Some(name), None, None, None) => {
                    cat.close_service();
                    let index = u16::try_from(cat.services.len())
                        .map_err(|_| err("more than 65535 services"))?;
                    let start = cat.actions.len() as u32;
                    cat.services.push(Service {
                        prefix,
                        name,
                        resources: Vec::new(),
                        actions: (start, start),
                    });
                    cat.by_prefix.insert(prefix.to_ascii_lowercase(), index);
                }
                ("R", Some(name), Some(arn), None, None, None) => {
                    let service = cat
                        .services
                        .last_mut()
                        .ok_or_else(|| err("expected an `S` line before resource types"))?;
                    let arn = if arn == "-" { "" } else { arn };
                    service.resources.push(ResourceType { name, arn });
                }
                ("A", Some(name), Some(level), Some(types), Some(conds), None) => {
                    let service_index = cat
                        .services
                        .len()
                        .checked_sub(1)
                        .ok_or_else(|| err("expected an `S` line before actions"))?;
                    let level = AccessLevel::from_letter(level)
                        .ok_or_else(|| err("expected an access level letter L, R, W, T or P"))?;
                    let service = &cat.services[service_index];
                    let resources = split_list(types).map(|t| {
                        let (name, required) = match t.strip_suffix('*') {
                            Some(n) => (n, true),
                            None => (t, false),
                        };
                        let resource = service
                            .resources
                            .iter()
                            .position(|r| r.name == name)
                            .map(|p| p as u16);
                        ActionResource {
                            resource,
                            name,
                            required,
                        }
                    });
                    // The source repeats some actions (one entry per resource-type group);
                    // the file is sorted, so a repeat follows its first entry: merge them.
                    let first = service.actions.0 as usize;
                    if let Some(prev) = cat.actions[first..].last_mut() {
                        if prev.name == name {
                            prev.resources.extend(resources);
                            prev.condition_keys.extend(split_list(conds));
                            prev.condition_keys.sort_unstable();
                            prev.condition_keys.dedup();
                            continue;
                        }
                    }
                    let resources = resources.collect();
                    cat.actions.push(Action {
                        service: service_index as u16,
                        name,
                        level,
                        resources,
                        condition_keys: split_list(conds).collect(),
                    });
                }
                _ => {
                    return Err(err(
                        "expected `S prefix name`, `R type arn` or `A action level types keys` separated by tabs",
                    ))
                }
            }
        }
        cat.close_service();
        Ok(cat)
    }

    fn close_service(&mut self) {
        let end = self.actions.len() as u32;
        if let Some(s) = self.services.last_mut() {
            s.actions.1 = end;
        }
    }

    /// The service with this prefix (case-insensitive).
    pub fn service(&self, prefix: &str) -> Option<(u16, &Service)> {
        let index = *self.by_prefix.get(&prefix.to_ascii_lowercase())?;
        Some((index, &self.services[index as usize]))
    }

    /// The action named `service:Action` (case-insensitive).
    pub fn action(&self, full_name: &str) -> Option<ActionId> {
        let (prefix, name) = full_name.split_once(':')?;
        let (index, _) = self.service(prefix)?;
        self.actions_of(index)
            .find(|&id| self.get(id).name.eq_ignore_ascii_case(name))
    }

    pub fn get(&self, id: ActionId) -> &Action {
        &self.actions[id as usize]
    }

    /// The action's `service:Action` name.
    pub fn full_name(&self, id: ActionId) -> FullName<'_> {
        let action = self.get(id);
        FullName {
            prefix: self.services[action.service as usize].prefix,
            name: action.name,
        }
    }

    /// The ARN pattern of an action's resource type.
    pub fn arn_pattern(&self, action: &Action, resource: &ActionResource) -> Option<&str> {
        let r = resource.resource?;
        let arn = self.services[action.service as usize].resources[r as usize].arn;
        (!arn.is_empty()).then_some(arn)
    }

    /// Every action id of a service.
    pub fn actions_of(&self, service: u16) -> std::ops::Range<ActionId> {
        let (start, end) = self.services[service as usize].actions;
        start..end
    }
}

/// `service:Action`, displayed without allocating.
#[derive(Debug, Clone, Copy)]
pub struct FullName<'a> {
    pub prefix: &'a str,
    pub name: &'a str,
}

impl fmt::Display for FullName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.prefix, self.name)
    }
}

fn split_list(field: &'static str) -> impl Iterator<Item = &'static str> {
    field.split(',').filter(|s| !s.is_empty() && *s != "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_has_the_services_and_actions_of_the_source() {
        let cat = catalog();
        assert!(cat.services.len() >= 400, "{}", cat.services.len());
        assert!(cat.actions.len() >= 15_000, "{}", cat.actions.len());
        let id = cat.action("S3:getobject").expect("s3:GetObject");
        let a = cat.get(id);
        assert_eq!(a.level, AccessLevel::Read);
        assert!(a.resources.iter().any(|r| r.name == "object"));
        assert_eq!(cat.full_name(id).to_string(), "s3:GetObject");
        let pm = cat.get(cat.action("iam:PutRolePolicy").expect("iam:PutRolePolicy"));
        assert_eq!(pm.level, AccessLevel::PermissionsManagement);
        let role = pm
            .resources
            .iter()
            .find(|r| r.name == "role")
            .expect("role");
        assert!(role.required);
        assert!(cat.arn_pattern(pm, role).expect("arn").contains(":role/"));
    }

    #[test]
    fn bad_lines_name_the_line_and_what_was_expected() {
        let err = Catalog::parse("S\ts3\tAmazon S3\nA\tGetObject\tX\t-\t-\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err
            .to_string()
            .starts_with("data/actions.tsv:2:1: expected an access level"));
        let err = Catalog::parse("A\tGetObject\tR\t-\t-\n").unwrap_err();
        assert!(err.message.contains("`S` line"), "{err}");
        assert!(Catalog::parse("garbage\n").is_err());
    }

    #[test]
    fn repeated_actions_are_merged() {
        let cat = Catalog::parse(
            "S\tx\tX\nR\tthing\tarn:x:thing\nA\tDo\tW\tthing*\ta:b\nA\tDo\tW\t-\tc:d\n",
        )
        .expect("parses");
        assert_eq!(cat.actions.len(), 1);
        assert_eq!(cat.actions[0].condition_keys, vec!["a:b", "c:d"]);
        assert_eq!(cat.actions_of(0), 0..1);
    }
}
