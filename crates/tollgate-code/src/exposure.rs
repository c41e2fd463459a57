//! How exposed a function is, from the cloud model and the permissions analysis: routes and
//! URLs anyone can call without credentials, and what its role can reach.

use std::collections::HashMap;

use tollgate_core::{Finding, Location};
use tollgate_iac::model::{
    action_matches, ApiRoute, CloudModel, DataClass, IamRole, LambdaFunction, PolicyDocument, Ref,
    ResourceMeta, Val,
};
use tollgate_iac::rules::route_is_open;

/// A fact that makes a function more exposed, with the template line that says it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub words: String,
    pub location: Location,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposure {
    /// Routes and URLs anyone can call: "POST /orders", "its function URL (AuthType NONE)".
    pub open: Vec<Fact>,
    /// Classified data the role can reach: "`PatientsTable` (PHI)".
    pub classified: Vec<Fact>,
    /// Privilege escalation the role allows (from the permissions stage's rules).
    pub escalation: Vec<Fact>,
    /// The function is reached through API Gateway or a function URL at all.
    pub http: bool,
}

/// Permission rules whose findings mean the role can escalate its privileges.
const ESCALATION_RULES: &[&str] = &["TG2001", "TG2004", "TG2007", "TG2010"];

impl Exposure {
    /// The exposure of one function. For many functions, index the model once with
    /// [`Exposures`].
    pub fn of(model: &CloudModel, perms: &[Finding], f: &LambdaFunction) -> Exposure {
        Exposures::new(model, perms).of(f)
    }

    pub fn is_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// The role reaches PHI or PCI data, or can escalate.
    pub fn is_sensitive(&self) -> bool {
        !self.classified.is_empty() || !self.escalation.is_empty()
    }

    /// Words for the message: "reachable without authorization through POST /orders; role can
    /// read `PatientsTable` (PHI)".
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.is_open() {
            let routes: Vec<&str> = self.open.iter().map(|f| f.words.as_str()).collect();
            parts.push(format!(
                "reachable without authorization through {}",
                routes.join(", ")
            ));
        }
        if !self.classified.is_empty() {
            let data: Vec<&str> = self.classified.iter().map(|f| f.words.as_str()).collect();
            parts.push(format!("role can reach {}", data.join(", ")));
        }
        for e in &self.escalation {
            parts.push(e.words.clone());
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// The routes, roles and privilege-escalation findings of a scan, indexed once by address:
/// finding each function's by going through all of them grows with the square of the
/// functions (a sixth of the code stage's time on 2,000 functions with a route and a role each).
pub struct Exposures<'m> {
    model: &'m CloudModel,
    routes: HashMap<&'m str, Vec<&'m ApiRoute>>,
    roles: HashMap<&'m str, Vec<&'m IamRole>>,
    /// Findings of [`ESCALATION_RULES`] by the role they name.
    escalations: HashMap<&'m str, Vec<&'m Finding>>,
}

impl<'m> Exposures<'m> {
    pub fn new(model: &'m CloudModel, perms: &'m [Finding]) -> Self {
        let mut routes: HashMap<&str, Vec<&ApiRoute>> = HashMap::new();
        for route in &model.api_routes {
            routes.entry(&route.meta.address).or_default().push(route);
        }
        let mut roles: HashMap<&str, Vec<&IamRole>> = HashMap::new();
        for role in &model.iam_roles {
            roles.entry(&role.meta.address).or_default().push(role);
        }
        let mut escalations: HashMap<&str, Vec<&Finding>> = HashMap::new();
        for finding in perms {
            if let Some(role) = finding.resource.as_deref() {
                if ESCALATION_RULES.contains(&finding.rule.as_str()) {
                    escalations.entry(role).or_default().push(finding);
                }
            }
        }
        Self {
            model,
            routes,
            roles,
            escalations,
        }
    }

    /// The role `f` runs as: [`CloudModel::role_of`], through the index when the function
    /// names its role by address.
    fn role_of(&self, f: &LambdaFunction) -> Option<&'m IamRole> {
        match f.role.get() {
            Some(Ref::Resource { address, .. }) => self
                .roles
                .get(address.as_str())?
                .iter()
                .copied()
                .find(|r| f.meta.same_scope(&r.meta)),
            _ => self.model.role_of(&f.meta, &f.role),
        }
    }

    pub fn of(&self, f: &LambdaFunction) -> Exposure {
        let model = self.model;
        let mut out = Exposure::default();
        let routes = self.routes.get(f.meta.address.as_str());
        for route in routes.into_iter().flatten() {
            if !route.meta.same_scope(&f.meta) {
                continue;
            }
            out.http = true;
            if route_is_open(model, route) {
                let method = route.method.as_str().unwrap_or("ANY").to_ascii_uppercase();
                let path = route.path.as_str().unwrap_or("/");
                let path = if path.starts_with('/') {
                    path.to_string()
                } else {
                    format!("/{path}")
                };
                out.open.push(Fact {
                    words: format!("{method} {path}"),
                    location: route.meta.header_location(),
                });
            }
        }
        for url in model.urls_of(f) {
            out.http = true;
            if url.auth_type.eq_ignore_case("NONE") {
                out.open.push(Fact {
                    words: "its function URL (AuthType NONE)".to_string(),
                    location: url.meta.location_of(&url.auth_type),
                });
            }
        }
        let Some(role) = self.role_of(f) else {
            return out;
        };
        out.classified = classified_reach(model, role);
        let escalations = self.escalations.get(role.meta.address.as_str());
        for finding in escalations.into_iter().flatten() {
            if finding.location.path == role.meta.file {
                out.escalation.push(Fact {
                    words: format!(
                        "role `{}` can escalate privileges ({})",
                        role.meta.address, finding.rule
                    ),
                    location: finding.location.clone(),
                });
            }
        }
        out.escalation.dedup_by(|a, b| a.words == b.words);
        out
    }
}

/// Data resources classified PHI or PCI, with the action prefix that reads them.
fn classified_resources(model: &CloudModel) -> Vec<(&ResourceMeta, &Val<String>, &'static str)> {
    let sensitive = |m: &ResourceMeta| {
        m.classification
            .as_ref()
            .is_some_and(|c| matches!(c.class, DataClass::Phi | DataClass::Pci))
    };
    let mut out = Vec::new();
    for t in &model.dynamo_tables {
        if sensitive(&t.meta) {
            out.push((&t.meta, &t.name, "dynamodb:GetItem"));
        }
    }
    for b in &model.buckets {
        if sensitive(&b.meta) {
            out.push((&b.meta, &b.name, "s3:GetObject"));
        }
    }
    out
}

fn classified_reach(model: &CloudModel, role: &IamRole) -> Vec<Fact> {
    let targets = classified_resources(model);
    if targets.is_empty() {
        return Vec::new();
    }
    let mut docs: Vec<&PolicyDocument> = role
        .inline_policies
        .iter()
        .filter_map(|p| p.document.get())
        .collect();
    for policy in &model.iam_policies {
        let attached = policy
            .roles
            .iter()
            .any(|r| CloudModel::points_at(&policy.meta, r, &role.meta, &role.name));
        if attached {
            docs.extend(policy.document.get());
        }
    }
    let mut out = Vec::new();
    // Only data of the role's own template or Terraform configuration: a bucket of the same
    // address in another stack scanned alongside is not the one this role's ARNs name.
    for (meta, name, action) in targets
        .into_iter()
        .filter(|(meta, ..)| meta.same_scope(&role.meta))
    {
        let reached = docs.iter().flat_map(|d| &d.statements).find(|s| {
            s.is_allow()
                && s.actions
                    .iter()
                    .filter_map(Val::as_str)
                    .any(|a| action_matches(a, action))
                && s.resources.iter().filter_map(Val::as_str).any(|r| {
                    r.trim() == "*"
                        || r.contains(&format!("${{{}", meta.address))
                        || r.contains(&format!("{}.Arn", meta.address))
                        || name.as_str().is_some_and(|n| {
                            r.ends_with(&format!("/{n}"))
                                || r.ends_with(&format!(":{n}"))
                                || r.contains(&format!("/{n}/"))
                        })
                })
        });
        if let Some(statement) = reached {
            let class = meta
                .classification
                .as_ref()
                .map_or("", |c| c.class.as_str());
            out.push(Fact {
                words: format!("`{}` ({class})", meta.address),
                location: Location::at(role.meta.file.clone(), statement.span),
            });
        }
    }
    out
}
