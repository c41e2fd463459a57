//! Questions several rules ask of resource policies: which statements open a resource to
//! everyone, and whether a bucket's policies deny plain-HTTP requests.

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
    subjects: impl Iterator<Item = &'m ResourceMeta> + Clone,
    what: &str,
) {
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
            subjects.clone().find(|m| {
                m.address == address && m.same_scope(&p.meta) && m.classification.is_some()
            })
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

/// The resource policies that apply to `target` (by address, or by its literal `name`). `None`
/// when a policy of the same scope has a target that cannot be resolved, so the caller cannot
/// know.
pub(crate) fn policies_for<'m>(
    policies: &'m [ResourcePolicy],
    target: &ResourceMeta,
    name: Option<&str>,
) -> Option<Vec<&'m ResourcePolicy>> {
    let mut out = Vec::new();
    // Only policies of the target's own template or Terraform configuration can attach to it:
    // another stack that happens to use the same logical id or address is not about it.
    for p in policies.iter().filter(|p| p.meta.same_scope(target)) {
        let mut applies = false;
        for t in &p.targets {
            match t {
                Val::Unknown { .. } => return None,
                Val::Known { value, .. } => {
                    let hit = value.address() == Some(target.address.as_str())
                        || matches!(value, crate::model::Ref::Literal(l) if Some(l.as_str()) == name);
                    applies |= hit;
                }
                Val::Absent => {}
            }
        }
        // An inline policy belongs to the resource that declares it.
        applies |= p.targets.is_empty() && p.meta.address == target.address;
        if applies {
            out.push(p);
        }
    }
    Some(out)
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
}
