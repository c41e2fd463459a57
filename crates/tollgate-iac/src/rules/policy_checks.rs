//! Questions several rules ask of resource policies: which statements open a resource to
//! everyone, and whether a bucket's policies deny plain-HTTP requests.

use std::collections::HashMap;

use super::RuleSink;
use crate::model::{
    classify, unrelated_conditions, who_conditions, PolicyDocument, Principal, PrincipalClass,
    ResourceMeta, ResourcePolicy, Statement, Val, ANY_BINDING,
};

/// How to fix a resource policy open to everyone (bucket, queue and topic rules share it).
pub(crate) const NARROW_THE_PRINCIPAL: &str =
    "Name the accounts, roles or service principals that \
    need access, or add a condition (`aws:SourceArn`, `aws:SourceAccount`, `aws:PrincipalOrgID`) \
    that narrows \"everyone\".";

/// `Allow` statements whose principal is known to be everyone (as the shared principal
/// classifier says, so the permissions stage agrees) and that no condition narrows: a
/// condition such as `aws:SourceArn` or `aws:PrincipalOrgID` narrows who "everyone" is; one
/// on `aws:SecureTransport` does not. An unresolved condition block is given the benefit of
/// the doubt.
pub(crate) fn open_to_everyone(
    doc: &PolicyDocument,
) -> impl Iterator<Item = (&Statement, &Principal)> {
    doc.statements.iter().filter_map(|s| {
        if !s.is_allow() || s.conditions_unknown || who_conditions(s).next().is_some() {
            return None;
        }
        s.principals
            .iter()
            .find(|p| classify(p, &[]) == PrincipalClass::Public)
            .map(|p| (s, p))
    })
}

/// Report every statement of `doc` (belonging to `res`) that opens it to everyone; `what`
/// names the resource kind in the message ("SQS queue policy").
pub(crate) fn report_open(
    out: &mut RuleSink<'_>,
    res: &ResourceMeta,
    doc: &PolicyDocument,
    what: &str,
) {
    out.evaluated(res);
    for (statement, principal) in open_to_everyone(doc) {
        let span = principal.value.span().unwrap_or(statement.span);
        let sid = statement
            .sid
            .as_str()
            .map(|s| format!(" (statement `{s}`)"))
            .unwrap_or_default();
        let unrelated = unrelated_conditions(statement, ANY_BINDING);
        let message = if unrelated.is_empty() {
            format!(
                "{what} `{}` allows any principal without a condition{sid}.",
                res.address
            )
        } else {
            format!(
                "{what} `{}` allows any principal without a condition restricting who{sid}. {unrelated}",
                res.address
            )
        };
        out.at_in(
            res,
            &doc.file,
            span,
            &open_evidence(statement, principal),
            message,
        );
    }
}

/// What identifies an open statement for the fingerprint: its sid, principal and actions (so
/// two open statements of one policy stay two findings across edits).
pub(crate) fn open_evidence(statement: &Statement, principal: &Principal) -> String {
    format!(
        "{} Allow {} * {}",
        statement.sid.as_str().unwrap_or(""),
        principal.kind,
        joined_actions(statement)
    )
}

/// What identifies a statement in a finding's evidence: its `Sid` and actions, which unrelated
/// edits leave alone, so that findings about two statements of one document keep
/// fingerprints of their own.
pub(crate) fn statement_evidence(statement: &Statement) -> String {
    format!(
        "{} {}",
        statement.sid.as_str().unwrap_or(""),
        joined_actions(statement)
    )
}

/// The statement's known actions, comma-separated.
fn joined_actions(statement: &Statement) -> String {
    let actions: Vec<&str> = statement
        .actions
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    actions.join(",")
}

/// [`report_open`] over a list of resource policies (bucket, queue or topic policies).
/// `subjects` are the resources such policies protect: a policy reported on a bucket tagged
/// `DataClassification=PHI` is raised like a finding on the bucket itself.
pub(crate) fn report_open_policies<'m>(
    out: &mut RuleSink<'_>,
    policies: &[ResourcePolicy],
    subjects: impl Iterator<Item = &'m ResourceMeta>,
    what: &str,
) {
    // The classified subjects by scope and address, the first of each as a search in order
    // would find it: each policy looks its targets up instead of going through every subject.
    let mut classified_subjects: HashMap<(&str, &str), &ResourceMeta> = HashMap::new();
    for m in subjects.filter(|m| m.classification.is_some()) {
        classified_subjects
            .entry((m.scope.as_str(), m.address.as_str()))
            .or_insert(m);
    }
    for p in policies {
        let Some(doc) = p.document.get() else {
            if p.document.is_unknown() {
                out.unknown(&p.meta);
            }
            continue;
        };
        // Only a resource of the policy's own template or configuration: another stack's
        // resource with the same logical id or address is not the one it opens up.
        let classified = p.targets.iter().find_map(|t| {
            let address = t.get()?.address()?;
            classified_subjects
                .get(&(p.meta.scope.as_str(), address))
                .copied()
        });
        match classified {
            Some(subject) => {
                // Report on the policy, classified like the resource it opens up.
                let mut meta = p.meta.clone();
                meta.classification = subject.classification.clone();
                meta.tags = subject.tags.clone();
                report_open(out, &meta, doc, what);
            }
            None => report_open(out, &p.meta, doc, what),
        }
    }
}

/// Whether the document has a `Deny` for requests where `aws:SecureTransport` is `false`.
pub(crate) fn denies_insecure_transport(doc: &PolicyDocument) -> bool {
    doc.statements.iter().any(|s| {
        s.is_deny()
            && s.condition_on("aws:SecureTransport").is_some_and(|c| {
                c.values
                    .iter()
                    .any(|v| v.as_str().is_some_and(|t| t.eq_ignore_ascii_case("false")))
            })
    })
}

/// The resource policies of one list, indexed by the resources they name, so that finding
/// those of each resource does not go through every policy of the scan: a template of
/// thousands of buckets each with its policy was quadratic (ten thousand of each took 1.7 s).
pub(crate) struct AttachedPolicies<'m> {
    policies: &'m [ResourcePolicy],
    /// Per scope (template or Terraform configuration): whether a policy there names a target
    /// that cannot be resolved, and the policies naming each address or literal name (the
    /// address of an inline policy's owner included), by index, in list order.
    scopes: HashMap<&'m str, ScopeIndex<'m>>,
}

#[derive(Default)]
struct ScopeIndex<'m> {
    unknown_target: bool,
    by_address: HashMap<&'m str, Vec<usize>>,
    by_literal: HashMap<&'m str, Vec<usize>>,
}

impl<'m> AttachedPolicies<'m> {
    pub(crate) fn new(policies: &'m [ResourcePolicy]) -> Self {
        let mut scopes: HashMap<&'m str, ScopeIndex<'m>> = HashMap::new();
        for (i, p) in policies.iter().enumerate() {
            let scope = scopes.entry(p.meta.scope.as_str()).or_default();
            for t in &p.targets {
                match t {
                    Val::Unknown { .. } => scope.unknown_target = true,
                    Val::Known { value, .. } => {
                        if let Some(address) = value.address() {
                            push_once(scope.by_address.entry(address).or_default(), i);
                        }
                        if let crate::model::Ref::Literal(l) = value {
                            push_once(scope.by_literal.entry(l.as_str()).or_default(), i);
                        }
                    }
                    Val::Absent => {}
                }
            }
            // An inline policy belongs to the resource that declares it.
            if p.targets.is_empty() {
                push_once(
                    scope.by_address.entry(p.meta.address.as_str()).or_default(),
                    i,
                );
            }
        }
        AttachedPolicies { policies, scopes }
    }

    /// The policies that apply to `target` (by address, or by its literal `name`), in list
    /// order. `None` when a policy of the same scope has a target that cannot be resolved, so
    /// the caller cannot know.
    pub(crate) fn of(
        &self,
        target: &ResourceMeta,
        name: Option<&str>,
    ) -> Option<Vec<&'m ResourcePolicy>> {
        // Only policies of the target's own template or Terraform configuration can attach to
        // it: another stack that happens to use the same logical id or address is not about it.
        let Some(scope) = self.scopes.get(target.scope.as_str()) else {
            return Some(Vec::new());
        };
        if scope.unknown_target {
            return None;
        }
        let mut found: Vec<usize> = scope
            .by_address
            .get(target.address.as_str())
            .into_iter()
            .flatten()
            .copied()
            .collect();
        if let Some(name) = name {
            found.extend(scope.by_literal.get(name).into_iter().flatten().copied());
        }
        found.sort_unstable();
        found.dedup();
        Some(found.into_iter().map(|i| &self.policies[i]).collect())
    }
}

/// Adds `i` unless it is already the last entry (a policy naming one target twice).
fn push_once(list: &mut Vec<usize>, i: usize) {
    if list.last() != Some(&i) {
        list.push(i);
    }
}

/// [`AttachedPolicies::of`] for one target, without keeping the index.
#[cfg(test)]
pub(crate) fn policies_for<'m>(
    policies: &'m [ResourcePolicy],
    target: &ResourceMeta,
    name: Option<&str>,
) -> Option<Vec<&'m ResourcePolicy>> {
    AttachedPolicies::new(policies).of(target, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Condition, Effect, Ref, ResourceMeta, SourceFormat};
    use tollgate_syntax::Span;

    fn k<T>(v: T) -> Val<T> {
        Val::known(v, Span::line(1))
    }

    fn doc(statements: Vec<Statement>) -> PolicyDocument {
        PolicyDocument {
            file: "t.yaml".into(),
            span: Span::line(1),
            version: Val::Absent,
            statements,
        }
    }

    fn stmt(effect: Effect, principal: &str, condition: Option<(&str, &str)>) -> Statement {
        let mut s = Statement::new(Span::line(2));
        s.effect = k(effect);
        s.principals.push(Principal {
            kind: "AWS".into(),
            value: k(principal.to_string()),
        });
        if let Some((key, value)) = condition {
            s.conditions.push(Condition {
                span: Span::line(3),
                operator: "Bool".into(),
                key: key.into(),
                values: vec![k(value.to_string())],
            });
        }
        s
    }

    #[test]
    fn open_statements_need_wildcard_allow_without_condition() {
        let d = doc(vec![
            stmt(Effect::Allow, "*", None),
            stmt(Effect::Allow, "*", Some(("aws:SourceArn", "arn:x"))),
            stmt(Effect::Deny, "*", None),
            stmt(Effect::Allow, "arn:aws:iam::123456789012:root", None),
            // Transport security does not narrow who may read.
            stmt(Effect::Allow, "*", Some(("aws:SecureTransport", "true"))),
            stmt(Effect::Allow, "arn:aws:iam::*:root", None),
        ]);
        assert_eq!(open_to_everyone(&d).count(), 3);
    }

    #[test]
    fn tls_deny_is_recognised() {
        assert!(denies_insecure_transport(&doc(vec![stmt(
            Effect::Deny,
            "*",
            Some(("aws:securetransport", "false"))
        )])));
        assert!(!denies_insecure_transport(&doc(vec![stmt(
            Effect::Allow,
            "*",
            Some(("aws:SecureTransport", "false"))
        )])));
    }

    #[test]
    fn unknown_targets_make_the_answer_unknown() {
        let meta = ResourceMeta::new(
            "P",
            "AWS::S3::BucketPolicy",
            "t.yaml",
            Span::line(1),
            SourceFormat::CloudFormation,
        );
        let p = |t: Val<Ref>| ResourcePolicy {
            meta: meta.clone(),
            targets: vec![t],
            document: Val::Absent,
        };
        let ps = vec![
            p(k(Ref::resource("B", None, None))),
            p(k(Ref::literal("other"))),
        ];
        let bucket = |file: &str| {
            ResourceMeta::new(
                "B",
                "AWS::S3::Bucket",
                file,
                Span::line(9),
                SourceFormat::CloudFormation,
            )
        };
        assert_eq!(
            policies_for(&ps, &bucket("t.yaml"), Some("b-name")).map(|v| v.len()),
            Some(1)
        );
        let ps = vec![p(Val::unknown(Span::line(1), "parameter"))];
        assert!(policies_for(&ps, &bucket("t.yaml"), None).is_none());
        // A policy in another template neither applies nor makes the answer unknown.
        assert_eq!(
            policies_for(&ps, &bucket("other.yaml"), None).map(|v| v.len()),
            Some(0)
        );
    }

    /// What the index was written to replace: a search through every policy.
    fn searched<'m>(
        policies: &'m [ResourcePolicy],
        target: &ResourceMeta,
        name: Option<&str>,
    ) -> Option<Vec<&'m ResourcePolicy>> {
        let mut out = Vec::new();
        for p in policies.iter().filter(|p| p.meta.same_scope(target)) {
            let mut applies = false;
            for t in &p.targets {
                match t {
                    Val::Unknown { .. } => return None,
                    Val::Known { value, .. } => {
                        applies |= value.address() == Some(target.address.as_str())
                            || matches!(value, Ref::Literal(l) if Some(l.as_str()) == name);
                    }
                    Val::Absent => {}
                }
            }
            applies |= p.targets.is_empty() && p.meta.address == target.address;
            if applies {
                out.push(p);
            }
        }
        Some(out)
    }

    /// The index finds the very policies, in the same order, that the search finds: targets by
    /// address and by name, several per policy, repeated, inline policies, other templates,
    /// and templates where a target cannot be resolved.
    #[test]
    fn the_index_finds_what_the_search_finds() {
        let policy = |address: &str, file: &str, targets: Vec<Val<Ref>>| ResourcePolicy {
            meta: ResourceMeta::new(
                address,
                "AWS::S3::BucketPolicy",
                file,
                Span::line(1),
                SourceFormat::CloudFormation,
            ),
            targets,
            document: Val::Absent,
        };
        let to = |a: &str| k(Ref::resource(a, None, None));
        let named = |n: &str| k(Ref::literal(n));
        let policies = vec![
            policy("P1", "a.yaml", vec![to("B1")]),
            policy("P2", "a.yaml", vec![to("B2"), named("b1-name")]),
            policy("P3", "a.yaml", vec![to("B1"), to("B1")]),
            policy("B3", "a.yaml", vec![]),
            policy("P4", "a.yaml", vec![Val::Absent]),
            policy("P5", "b.yaml", vec![to("B1")]),
            policy("P6", "b.yaml", vec![named("b2-name"), to("B2")]),
            policy(
                "P7",
                "c.yaml",
                vec![to("B1"), Val::unknown(Span::line(1), "a parameter")],
            ),
            policy("P8", "c.yaml", vec![to("B2")]),
        ];
        let mut compared = 0;
        for file in ["a.yaml", "b.yaml", "c.yaml", "d.yaml"] {
            for address in ["B1", "B2", "B3", "P4", "B9"] {
                for name in [None, Some("b1-name"), Some("b2-name"), Some("other")] {
                    let target = ResourceMeta::new(
                        address,
                        "AWS::S3::Bucket",
                        file,
                        Span::line(9),
                        SourceFormat::CloudFormation,
                    );
                    let addresses = |found: Option<Vec<&ResourcePolicy>>| {
                        found.map(|v| {
                            v.iter()
                                .map(|p| format!("{}@{}", p.meta.address, p.meta.file))
                                .collect::<Vec<_>>()
                        })
                    };
                    let expected = addresses(searched(&policies, &target, name));
                    assert_eq!(
                        addresses(AttachedPolicies::new(&policies).of(&target, name)),
                        expected,
                        "{address} in {file} named {name:?}"
                    );
                    compared += expected.map_or(0, |v| v.len());
                }
            }
        }
        assert!(compared > 20, "only {compared} policies found");
    }
}
