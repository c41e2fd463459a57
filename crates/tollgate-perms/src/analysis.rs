//! Every policy of the cloud model, with each statement's action patterns expanded against the
//! catalog once, so that every rule reads the same facts: which actions a statement grants, on
//! `*` or not, whether a condition narrows it, and what is left of it once the identity's
//! unconditional denies ([`crate::deny`]) are taken away.

use std::sync::Arc;
use tollgate_iac::model::{
    split_arn, CloudModel, Condition, IamPolicy, IamRole, KmsKey, LambdaPermission, PolicyDocument,
    ResourceMeta, ResourcePolicy, Statement, Val,
};

use tollgate_core::Location;
use tollgate_syntax::Span;

use crate::catalog::{catalog, ActionId, Catalog};
use crate::deny::{self, Denied, Deny, DenyCache};
use crate::expand::{Expander, Expansion};
use crate::risk::{risk_lists, RiskLists};

/// What a policy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// What an identity (role, user, group) may do.
    Identity,
    /// Who may assume a role.
    Trust,
    /// Who may use a resource (bucket, queue, topic, key policy).
    Resource,
}

/// Which policies a rule reads, and so which resources it judges: the owners of those
/// policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subjects {
    /// One kind of policy.
    Of(PolicyKind),
    /// Every policy, whatever its kind.
    Every,
}

impl Subjects {
    pub fn reads(self, kind: PolicyKind) -> bool {
        match self {
            Subjects::Of(k) => k == kind,
            Subjects::Every => true,
        }
    }
}

/// One written action entry and what it expands to.
#[derive(Debug, Clone)]
pub struct Pattern<'m> {
    pub text: &'m str,
    pub span: Span,
    pub expansion: Expansion,
}

/// Why a statement counts as narrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restriction<'m> {
    None,
    /// A condition that narrows who or what (`aws:SourceArn`, `aws:PrincipalOrgID`, tags...).
    Condition(&'m Condition),
    /// A condition block that cannot be resolved statically: given the benefit of the doubt.
    Unresolved,
}

impl Restriction<'_> {
    pub fn is_none(&self) -> bool {
        matches!(self, Restriction::None)
    }

    /// Words for a message: "the condition on `aws:SourceArn`".
    pub fn describe(&self) -> String {
        match self {
            Restriction::None => String::new(),
            Restriction::Condition(c) => format!("the condition on `{}`", c.key),
            Restriction::Unresolved => "a condition that cannot be resolved statically".into(),
        }
    }
}

/// Condition keys that do not narrow who can act or on what: transport, MFA, time, region
/// and client hints.
const NON_RESTRICTING: &[&str] = &[
    "aws:securetransport",
    "aws:multifactorauthpresent",
    "aws:multifactorauthage",
    "aws:currenttime",
    "aws:epochtime",
    "aws:requestedregion",
    "aws:useragent",
    "aws:referer",
    "aws:viamanagedservice",
    "aws:calledvia",
];

/// One statement with its facts.
#[derive(Debug, Clone)]
pub struct StatementView<'m> {
    pub stmt: &'m Statement,
    pub patterns: Vec<Pattern<'m>>,
    /// Actions an `Allow` grants (sorted, unique): the union of `Action` expansions, or for
    /// `NotAction` every catalog action the exclusions leave. Empty for `Deny`.
    /// Shared with the expansion cache where it can be, so many `"Action": "*"`
    /// statements do not each hold a copy of the catalog.
    pub granted: Arc<[ActionId]>,
    /// What the identity can still do through this statement: `granted` minus what the
    /// identity's unconditional `Deny` statements take away (see [`crate::deny`]). The same
    /// `Arc` as `granted` when they take nothing, and for trust and resource policies.
    pub effective: Arc<[ActionId]>,
    /// What those denies took from `granted`, and which ones did.
    pub denied: Option<Denied>,
    /// Where `"Action": "*"` was written.
    pub star_action: Option<Span>,
    /// Where `"Resource": "*"` was written (or the statement, for `NotResource`, which
    /// covers everything not listed).
    pub star_resource: Option<Span>,
    /// ARNs that name every resource of one service (`arn:aws:s3:::*`,
    /// `arn:${AWS::Partition}:s3:::*/*`). For that service's actions such an ARN is as wide
    /// as `*`.
    pub service_wide: Vec<ServiceWide<'m>>,
    pub restriction: Restriction<'m>,
}

impl StatementView<'_> {
    /// Whether action `id` is granted here and not denied by the identity.
    pub fn still_allows(&self, id: ActionId) -> bool {
        self.effective.binary_search(&id).is_ok()
    }

    /// Granted on every resource and narrowed by no condition.
    pub fn unconstrained(&self) -> bool {
        self.stmt.is_allow() && self.star_resource.is_some() && self.restriction.is_none()
    }

    /// Where a finding about action `id` points: the pattern that granted it, else the
    /// statement.
    pub fn span_of(&self, id: ActionId) -> Span {
        self.patterns
            .iter()
            .find(|p| p.expansion.actions().binary_search(&id).is_ok())
            .map_or(self.stmt.span, |p| p.span)
    }

    /// The known resource entries.
    pub fn resources(&self) -> impl Iterator<Item = (&str, Span)> {
        self.stmt.resources.iter().filter_map(|r| match r {
            Val::Known { value, span } => Some((value.as_str(), *span)),
            _ => None,
        })
    }
}

/// One policy document and whose it is.
#[derive(Debug, Clone)]
pub struct PolicyView<'m> {
    pub kind: PolicyKind,
    pub owner: &'m ResourceMeta,
    pub doc: &'m PolicyDocument,
    /// Words for messages: "inline policy `orders` of role `OrdersRole`".
    pub label: String,
    pub statements: Vec<StatementView<'m>>,
}

/// An identity (a role, or a policy attached to nothing in the scan) and everything it holds.
#[derive(Debug, Clone)]
pub struct IdentityView<'m> {
    pub owner: &'m ResourceMeta,
    /// Indices into [`Analysis::policies`].
    pub policies: Vec<usize>,
    pub managed: &'m [Val<String>],
    /// Its unconditional `Deny` statements, across all its policies (empty when it has none):
    /// for rules that judge grants the scan does not expand, such as an attached AWS managed
    /// policy.
    pub denies: Vec<Deny<'m>>,
}

/// The parts of the cloud model the permission analysis reads: [`Analysis::new`] sees the
/// model only through this view, so two models with equal views get the same analysis, the
/// same findings and the same evaluations (with the same trusted accounts). A pull request's
/// base revision whose view equals the head's takes the head's permission results instead of
/// analysing every policy again. A list the analysis starts to read is added here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolicyInputs<'m> {
    pub iam_roles: &'m [IamRole],
    pub iam_policies: &'m [IamPolicy],
    pub bucket_policies: &'m [ResourcePolicy],
    pub queue_policies: &'m [ResourcePolicy],
    pub topic_policies: &'m [ResourcePolicy],
    pub kms_keys: &'m [KmsKey],
    pub lambda_permissions: &'m [LambdaPermission],
}

impl<'m> PolicyInputs<'m> {
    pub fn of(model: &'m CloudModel) -> Self {
        PolicyInputs {
            iam_roles: &model.iam_roles,
            iam_policies: &model.iam_policies,
            bucket_policies: &model.bucket_policies,
            queue_policies: &model.queue_policies,
            topic_policies: &model.topic_policies,
            kms_keys: &model.kms_keys,
            lambda_permissions: &model.lambda_permissions,
        }
    }
}

/// The scan's policies, analysed.
#[derive(Debug)]
pub struct Analysis<'m> {
    pub catalog: &'static Catalog,
    pub risks: &'static RiskLists,
    pub policies: Vec<PolicyView<'m>>,
    pub identities: Vec<IdentityView<'m>>,
    /// Account ids configured as the user's own (`[stage.permissions] trusted-accounts`):
    /// principals in them are not another account.
    pub trusted_accounts: Vec<String>,
    /// Policies whose document could not be resolved (a parameter, an unknown Terraform
    /// value), by kind and owner: the rules that would read them judge their owner unknown.
    pub unresolved: Vec<(PolicyKind, &'m ResourceMeta)>,
}

impl<'m> Analysis<'m> {
    /// Analyse every policy of `model` (expansions cached in `expander` across calls).
    pub fn new(model: &'m CloudModel, expander: &mut Expander<'static>) -> Analysis<'m> {
        Self::of(PolicyInputs::of(model), expander)
    }

    /// The analysis of `model`'s [`PolicyInputs`]: it sees nothing else of the model.
    fn of(model: PolicyInputs<'m>, expander: &mut Expander<'static>) -> Analysis<'m> {
        let mut a = Analysis {
            catalog: catalog(),
            risks: risk_lists(),
            policies: Vec::new(),
            identities: Vec::new(),
            trusted_accounts: Vec::new(),
            unresolved: Vec::new(),
        };
        let mut attached = vec![false; model.iam_policies.len()];
        for role in model.iam_roles {
            let name = &role.meta.address;
            let mut held = Vec::new();
            for inline in &role.inline_policies {
                let label = match inline.name.as_str() {
                    Some(n) => format!("inline policy `{n}` of role `{name}`"),
                    None => format!("inline policy of role `{name}`"),
                };
                if let Some(i) = a.add(
                    expander,
                    PolicyKind::Identity,
                    &role.meta,
                    &inline.document,
                    label,
                ) {
                    held.push(i);
                }
            }
            for (pi, p) in model.iam_policies.iter().enumerate() {
                if p.roles
                    .iter()
                    .any(|r| CloudModel::points_at(&p.meta, r, &role.meta, &role.name))
                {
                    attached[pi] = true;
                    let label = format!("policy `{}` attached to role `{name}`", p.meta.address);
                    if let Some(i) =
                        a.add(expander, PolicyKind::Identity, &p.meta, &p.document, label)
                    {
                        held.push(i);
                    }
                }
            }
            a.identities.push(IdentityView {
                owner: &role.meta,
                policies: held,
                managed: &role.managed_policy_arns,
                denies: Vec::new(),
            });
            let label = format!("trust policy of role `{name}`");
            a.add(
                expander,
                PolicyKind::Trust,
                &role.meta,
                &role.trust_policy,
                label,
            );
        }
        for (pi, p) in model.iam_policies.iter().enumerate() {
            if attached[pi] {
                continue;
            }
            let label = format!("policy `{}`", p.meta.address);
            if let Some(i) = a.add(expander, PolicyKind::Identity, &p.meta, &p.document, label) {
                a.identities.push(IdentityView {
                    owner: &p.meta,
                    policies: vec![i],
                    managed: &[],
                    denies: Vec::new(),
                });
            }
        }
        // Every identity policy is in by now; resource and trust policies hold no denies that
        // take from an identity.
        a.subtract_denies(expander);
        for (list, what) in [
            (model.bucket_policies, "bucket policy"),
            (model.queue_policies, "queue policy"),
            (model.topic_policies, "topic policy"),
        ] {
            for p in list {
                let label = format!("{what} `{}`", p.meta.address);
                a.add(expander, PolicyKind::Resource, &p.meta, &p.document, label);
            }
        }
        for key in model.kms_keys {
            let label = format!("key policy of `{}`", key.meta.address);
            a.add(
                expander,
                PolicyKind::Resource,
                &key.meta,
                &key.policy,
                label,
            );
        }
        // Each Lambda permission as the one-statement resource policy Lambda keeps for it.
        for perm in model.lambda_permissions {
            let label = format!("Lambda permission `{}`", perm.meta.address);
            a.add(
                expander,
                PolicyKind::Resource,
                &perm.meta,
                &perm.policy,
                label,
            );
        }
        a
    }

    fn add(
        &mut self,
        expander: &mut Expander<'static>,
        kind: PolicyKind,
        owner: &'m ResourceMeta,
        doc: &'m Val<PolicyDocument>,
        label: String,
    ) -> Option<usize> {
        if doc.is_unknown() {
            self.unresolved.push((kind, owner));
        }
        let doc = doc.get()?;
        let statements = doc
            .statements
            .iter()
            .map(|s| view_statement(s, expander))
            .collect();
        self.policies.push(PolicyView {
            kind,
            owner,
            doc,
            label,
            statements,
        });
        Some(self.policies.len() - 1)
    }

    /// Take from each identity `Allow` what the identity's unconditional `Deny` statements
    /// deny (an explicit deny wins over any allow, across all the identity's policies).
    fn subtract_denies(&mut self, expander: &mut Expander<'static>) {
        let mut cache = DenyCache::default();
        let mut kept = Vec::new();
        for (ii, identity) in self.identities.iter().enumerate() {
            let mut denies: Vec<Deny<'m>> = Vec::new();
            for &pi in &identity.policies {
                for st in &self.policies[pi].statements {
                    let Some(scope) = deny::deny_scope(st.stmt) else {
                        continue;
                    };
                    let actions = cache.intern(named_actions(st.stmt, &st.patterns, expander));
                    if !actions.is_empty() {
                        denies.push(Deny {
                            policy: pi,
                            actions,
                            scope,
                            name: deny::deny_name(st.stmt),
                            location: Location::at(
                                self.policies[pi].doc.file.clone(),
                                st.stmt.span,
                            ),
                        });
                    }
                }
            }
            if denies.is_empty() {
                continue;
            }
            for &pi in &identity.policies {
                for si in 0..self.policies[pi].statements.len() {
                    let st = &self.policies[pi].statements[si];
                    let policies = &self.policies;
                    let label_of = |i: usize| policies[i].label.as_str();
                    let Some((denied, effective)) =
                        deny::subtract(&mut cache, &denies, pi, st, label_of)
                    else {
                        continue;
                    };
                    let st = &mut self.policies[pi].statements[si];
                    st.effective = effective;
                    st.denied = Some(denied);
                }
            }
            kept.push((ii, denies));
        }
        for (ii, denies) in kept {
            self.identities[ii].denies = denies;
        }
    }

    /// Identity policies with their statements.
    pub fn identity_statements(
        &self,
    ) -> impl Iterator<Item = (&PolicyView<'m>, &StatementView<'m>)> {
        self.of_kind(PolicyKind::Identity)
    }

    /// The owners of the policies a rule that reads `policies` judges (each once, in order),
    /// with whether their document is unresolved. For identity policies, also the identities
    /// that hold no written policy (a role with managed policies only).
    pub fn subjects(&self, policies: Subjects) -> Vec<(&'m ResourceMeta, bool)> {
        let mut out: Vec<(&'m ResourceMeta, bool)> = Vec::new();
        // Each owner's place in `out`, by address: a scan of thousands of templates has as
        // many owners, and looking each one up in `out` was quadratic.
        let mut place: std::collections::HashMap<*const ResourceMeta, usize> =
            std::collections::HashMap::new();
        let mut push = |owner: &'m ResourceMeta, unresolved: bool| match place
            .entry(std::ptr::from_ref(owner))
        {
            std::collections::hash_map::Entry::Occupied(seen) => {
                out[*seen.get()].1 |= unresolved;
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(out.len());
                out.push((owner, unresolved));
            }
        };
        for p in self.policies.iter().filter(|p| policies.reads(p.kind)) {
            push(p.owner, false);
        }
        if policies.reads(PolicyKind::Identity) {
            for identity in &self.identities {
                push(identity.owner, false);
            }
        }
        for (kind, owner) in &self.unresolved {
            if policies.reads(*kind) {
                push(owner, true);
            }
        }
        out
    }

    pub fn of_kind(
        &self,
        kind: PolicyKind,
    ) -> impl Iterator<Item = (&PolicyView<'m>, &StatementView<'m>)> {
        self.policies
            .iter()
            .filter(move |p| p.kind == kind)
            .flat_map(|p| p.statements.iter().map(move |s| (p, s)))
    }
}

fn view_statement<'m>(stmt: &'m Statement, expander: &mut Expander<'static>) -> StatementView<'m> {
    let known = |vals: &'m [Val<String>]| {
        vals.iter().filter_map(|v| match v {
            Val::Known { value, span } => Some((value.as_str(), *span)),
            _ => None,
        })
    };
    let patterns: Vec<Pattern<'m>> = known(&stmt.actions)
        .map(|(text, span)| Pattern {
            text,
            span,
            expansion: expander.expand(text),
        })
        .collect();
    let star_action = patterns
        .iter()
        .find(|p| p.text.trim() == "*")
        .map(|p| p.span);
    let star_resource = known(&stmt.resources)
        .find(|(r, _)| r.trim() == "*")
        .map(|(_, span)| span)
        .or_else(|| (!stmt.not_resources.is_empty()).then_some(stmt.span));
    let service_wide = known(&stmt.resources)
        .filter_map(|(arn, span)| {
            service_wide_arn(arn).map(|service| ServiceWide { service, arn, span })
        })
        .collect();
    let granted: Arc<[ActionId]> = if stmt.is_allow() {
        named_actions(stmt, &patterns, expander)
    } else {
        Arc::from(Vec::new())
    };
    let restriction = if stmt.conditions_unknown {
        Restriction::Unresolved
    } else {
        stmt.conditions
            .iter()
            .find(|c| !NON_RESTRICTING.contains(&c.key.to_ascii_lowercase().as_str()))
            .map_or(Restriction::None, Restriction::Condition)
    };
    StatementView {
        stmt,
        patterns,
        effective: Arc::clone(&granted),
        denied: None,
        granted,
        star_action,
        star_resource,
        service_wide,
        restriction,
    }
}

/// An ARN naming every resource of one service, as written.
#[derive(Debug, Clone)]
pub struct ServiceWide<'m> {
    /// The service prefix (`s3`), as the catalog names services.
    pub service: String,
    pub arn: &'m str,
    pub span: Span,
}

/// The service of an ARN whose resource part is only wildcards (`*`, `*/*`), whatever its
/// Region and account: it matches every resource of that service there.
pub fn service_wide_arn(arn: &str) -> Option<String> {
    let parts = split_arn(arn)?;
    let wildcard_only =
        !parts.resource.is_empty() && parts.resource.chars().all(|c| c == '*' || c == '/');
    let service = parts.service;
    (wildcard_only
        && !service.is_empty()
        && service
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-'))
    .then(|| service.to_string())
}

/// The actions a statement names, whatever its effect (sorted, unique): the union of its
/// `Action` expansions, or for `NotAction` every catalog action the exclusions leave. Empty
/// when `NotAction` holds an unknown entry, which could exclude anything.
fn named_actions(
    stmt: &Statement,
    patterns: &[Pattern<'_>],
    expander: &mut Expander<'static>,
) -> Arc<[ActionId]> {
    if stmt.not_actions.is_empty() {
        let expanded: Vec<&Arc<[ActionId]>> = patterns
            .iter()
            .filter_map(|p| match &p.expansion {
                Expansion::Actions(a) => Some(a),
                _ => None,
            })
            .collect();
        let star = patterns
            .iter()
            .find(|p| p.text.trim() == "*")
            .map(|p| &p.expansion);
        match (star, expanded.as_slice()) {
            (Some(Expansion::Actions(all)), _) => all.clone(),
            (_, []) => Arc::from(Vec::new()),
            (_, [one]) => Arc::clone(one),
            (_, many) => {
                let mut union: Vec<ActionId> =
                    many.iter().flat_map(|a| a.iter().copied()).collect();
                union.sort_unstable();
                union.dedup();
                union.into()
            }
        }
    } else if stmt.not_actions.iter().all(Val::is_known) {
        // `NotAction` names everything it does not list.
        let excluded: Vec<&str> = stmt.not_actions.iter().filter_map(Val::as_str).collect();
        expander.complement(&excluded)
    } else {
        Arc::from(Vec::new())
    }
}

/// "`iam:PassRole`, `lambda:CreateFunction` and 12 more": the first few actions by name.
pub fn name_actions(cat: &Catalog, ids: &[ActionId]) -> String {
    const SHOWN: usize = 4;
    // Sort by (prefix, name) without building a string per action: messages are made for
    // every finding and expansions can hold thousands of actions.
    let mut sorted = ids.to_vec();
    sorted.sort_unstable_by_key(|&id| {
        let n = cat.full_name(id);
        (n.prefix, n.name)
    });
    let mut names: Vec<String> = sorted
        .iter()
        .take(SHOWN)
        .map(|&id| format!("`{}`", cat.full_name(id)))
        .collect();
    if ids.len() <= SHOWN {
        return match names.len() {
            0 => String::new(),
            1 => names.remove(0),
            n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
        };
    }
    format!("{} and {} more", names.join(", "), ids.len() - SHOWN)
}
