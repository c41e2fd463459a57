//! `Deny` statements an identity holds, and what they take away from its `Allow`s. An explicit
//! deny wins over any allow, so a role with `iam:*` and a `Deny` of `iam:PassRole` cannot pass
//! roles. Only denies that apply on every request are counted: the rules must never miss a
//! risk because of a deny that may not apply, so anything uncertain subtracts nothing.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tollgate_core::Location;
use tollgate_iac::model::{Statement, Val};

use crate::analysis::{name_actions, StatementView};
use crate::catalog::{ActionId, Catalog};

/// Where an unconditional `Deny` applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DenyScope<'m> {
    /// `"Resource": "*"`: the actions are denied everywhere.
    Everywhere,
    /// Specific ARN patterns (case-sensitive, `*` and `?` wildcards).
    Arns(Vec<&'m str>),
}

/// One `Deny` statement of an identity that applies on every request.
#[derive(Debug, Clone)]
pub struct Deny<'m> {
    /// Its policy: an index into `Analysis::policies` (to name it from another policy).
    pub policy: usize,
    /// The actions it denies (sorted, unique).
    pub actions: Arc<[ActionId]>,
    pub scope: DenyScope<'m>,
    /// Words for messages: "statement `DenyIam`", or where it is when it has no `Sid`.
    pub name: String,
    /// Where it is written, for the related locations of findings it changes.
    pub location: Location,
}

/// What an identity's denies took away from one `Allow` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// The actions the statement grants that are denied (sorted, unique, never empty).
    pub actions: Arc<[ActionId]>,
    /// Each deny that took something.
    pub by: Vec<DeniedBy>,
}

/// One deny that took actions from a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeniedBy {
    /// In words ("statement `DenyIam`", "... of the policy `Guard` attached to role `Api`").
    pub name: String,
    pub location: Location,
    /// What it took (sorted).
    pub actions: Arc<[ActionId]>,
}

impl Denied {
    /// "the 3 actions denied by statement `DenyIam` (`iam:A`, `iam:B` and `iam:C`)", or "the
    /// action `s3:GetObject` denied by statement `NoObjects`".
    pub fn describe(&self, cat: &Catalog) -> String {
        let names: Vec<String> = self.by.iter().map(|d| d.name.clone()).collect();
        let by = join_words(&names);
        match self.actions.len() {
            1 => format!(
                "the action {} denied by {by}",
                name_actions(cat, &self.actions)
            ),
            n => format!(
                "the {n} actions denied by {by} ({})",
                name_actions(cat, &self.actions)
            ),
        }
    }

    /// Only the denied actions for which `keep` holds (a rule's risk class), or `None` when
    /// the denies took none of them.
    pub fn only(&self, keep: impl Fn(ActionId) -> bool) -> Option<Denied> {
        let by: Vec<DeniedBy> = self
            .by
            .iter()
            .map(|d| DeniedBy {
                name: d.name.clone(),
                location: d.location.clone(),
                actions: d.actions.iter().copied().filter(|&id| keep(id)).collect(),
            })
            .filter(|d| !d.actions.is_empty())
            .collect();
        let mut actions: Vec<ActionId> =
            by.iter().flat_map(|d| d.actions.iter().copied()).collect();
        actions.sort_unstable();
        actions.dedup();
        (!actions.is_empty()).then(|| Denied {
            actions: actions.into(),
            by,
        })
    }
}

fn join_words(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The scope of `stmt` as a deny that applies on every request, or `None` when it does not
/// count. A conditional deny only applies to the requests its condition matches (a time
/// window, a source IP, a tag), so it must not subtract anything: the allow still holds for
/// every other request. The same goes for a condition that cannot be resolved. `NotResource`
/// denies everywhere except some resources; telling which allows fall entirely outside them
/// would need pattern disjointness, so it is not counted (the finding stays, which is safe).
pub fn deny_scope<'m>(stmt: &'m Statement) -> Option<DenyScope<'m>> {
    if !stmt.is_deny() || stmt.has_conditions() || !stmt.not_resources.is_empty() {
        return None;
    }
    // Unknown entries only add resources the deny may cover; the known ones are denied for
    // sure.
    let known: Vec<&str> = stmt
        .resources
        .iter()
        .filter_map(Val::as_str)
        .map(str::trim)
        .collect();
    if known.contains(&"*") {
        return Some(DenyScope::Everywhere);
    }
    // A policy variable (`${aws:username}`) changes with the caller: the pattern is not fixed.
    let fixed: Vec<&str> = known.into_iter().filter(|r| !r.contains("${")).collect();
    (!fixed.is_empty()).then_some(DenyScope::Arns(fixed))
}

/// Words for a deny in messages: its `Sid`, else the line it starts on.
pub fn deny_name(stmt: &Statement) -> String {
    match stmt.sid.as_str() {
        Some(sid) if !sid.trim().is_empty() => format!("statement `{}`", sid.trim()),
        _ => format!("the `Deny` statement at line {}", stmt.span.start.line),
    }
}

/// Whether `scope` covers every resource the `Allow` statement `st` grants on. Unknown
/// resources, `NotResource` and policy variables are only covered by a deny on `*`.
pub fn covers(scope: &DenyScope<'_>, st: &StatementView<'_>) -> bool {
    let patterns = match scope {
        DenyScope::Everywhere => return true,
        DenyScope::Arns(p) => p,
    };
    let s = st.stmt;
    if !s.not_resources.is_empty() || s.resources.is_empty() {
        return false;
    }
    s.resources.iter().all(|r| match r.as_str() {
        Some(arn) if !arn.contains("${") => patterns.iter().any(|p| arn_covers(p, arn.trim())),
        _ => false,
    })
}

/// Shares what subtraction computes between statements that grant the same expansion and
/// meet the same denies: many roles with `"Action": "*"` and the same few denied actions
/// must not each hold their own copy of the catalog minus those actions. Keys are the
/// addresses of the shared sets; the values keep those sets alive, so an address is never
/// reused for other contents while the cache lives.
#[derive(Debug, Default)]
pub struct DenyCache {
    /// Each distinct denied set once: a deny of several actions is a fresh union per
    /// statement, and the other maps key on addresses.
    denied: HashSet<Arc<[ActionId]>>,
    /// (granted, denied) -> (granted, denied, the granted actions it denies).
    took: HashMap<(usize, usize), (Set, Set, Set)>,
    /// (granted, each deny's part) -> (everything removed, what remains).
    left: HashMap<(usize, Vec<usize>), (Set, Set)>,
}

/// A shared, sorted set of actions.
type Set = Arc<[ActionId]>;

fn address(set: &Set) -> usize {
    Arc::as_ptr(set).cast::<ActionId>() as usize
}

impl DenyCache {
    /// The one shared copy of `set`.
    pub fn intern(&mut self, set: Arc<[ActionId]>) -> Arc<[ActionId]> {
        if let Some(known) = self.denied.get(&set) {
            return Arc::clone(known);
        }
        self.denied.insert(Arc::clone(&set));
        set
    }

    fn took(&mut self, granted: &Arc<[ActionId]>, denied: &Arc<[ActionId]>) -> Arc<[ActionId]> {
        let entry = self
            .took
            .entry((address(granted), address(denied)))
            .or_insert_with(|| {
                let both = intersection(granted, denied).into();
                (Arc::clone(granted), Arc::clone(denied), both)
            });
        Arc::clone(&entry.2)
    }

    fn left(
        &mut self,
        granted: &Arc<[ActionId]>,
        parts: &[Arc<[ActionId]>],
    ) -> (Arc<[ActionId]>, Arc<[ActionId]>) {
        let key = (address(granted), parts.iter().map(address).collect());
        self.left
            .entry(key)
            .or_insert_with(|| {
                let removed: Arc<[ActionId]> = match parts {
                    [one] => Arc::clone(one),
                    many => {
                        let mut all: Vec<ActionId> =
                            many.iter().flat_map(|p| p.iter().copied()).collect();
                        all.sort_unstable();
                        all.dedup();
                        all.into()
                    }
                };
                let remaining = granted
                    .iter()
                    .copied()
                    .filter(|id| removed.binary_search(id).is_err())
                    .collect();
                (removed, remaining)
            })
            .clone()
    }
}

/// What `denies` take from the `Allow` statement `st` of the same identity (`policy` is the
/// index of its policy, to name denies written elsewhere), and what the statement still
/// grants: `None` when they take nothing. `label_of` gives a policy's words ("inline policy
/// `guard` of role `Api`").
pub fn subtract<'a>(
    cache: &mut DenyCache,
    denies: &[Deny<'_>],
    policy: usize,
    st: &StatementView<'_>,
    label_of: impl Fn(usize) -> &'a str,
) -> Option<(Denied, Arc<[ActionId]>)> {
    if !st.stmt.is_allow() || st.granted.is_empty() {
        return None;
    }
    let mut by = Vec::new();
    for d in denies {
        if !covers(&d.scope, st) {
            continue;
        }
        let took = cache.took(&st.granted, &d.actions);
        if took.is_empty() {
            continue;
        }
        let name = if d.policy == policy {
            d.name.clone()
        } else {
            format!("{} of the {}", d.name, label_of(d.policy))
        };
        by.push(DeniedBy {
            name,
            location: d.location.clone(),
            actions: took,
        });
    }
    if by.is_empty() {
        return None;
    }
    let parts: Vec<Arc<[ActionId]>> = by.iter().map(|b| Arc::clone(&b.actions)).collect();
    let (actions, remaining) = cache.left(&st.granted, &parts);
    Some((Denied { actions, by }, remaining))
}

/// The actions of sorted `a` also in sorted `b`: the smaller side looked up in the larger
/// (an `"Action": "*"` allow holds the whole catalog, a deny usually a few actions).
fn intersection(a: &[ActionId], b: &[ActionId]) -> Vec<ActionId> {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .copied()
        .filter(|id| large.binary_search(id).is_ok())
        .collect()
}

/// Longest ARN (pattern) compared; longer ones are not real ARNs and are never covered, which
/// keeps the comparison's table small on hostile input.
const MAX_ARN: usize = 2048;

/// Whether the deny pattern `pattern` matches every ARN the allow entry `arn` can stand for
/// (`arn` may hold wildcards itself). ARNs compare case-sensitively. AWS documents `*` and `?`
/// as matching within one colon-separated segment, and a `*` that ends a segment as possibly
/// reaching past the colons: the deny side is read narrowly (only a segment-final `*` crosses
/// a colon, `?` never matches one) and the allow side broadly (its `*` and `?` may stand for
/// anything), so the answer errs towards keeping a finding.
pub fn arn_covers(pattern: &str, arn: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), arn.as_bytes());
    if p.len() > MAX_ARN || s.len() > MAX_ARN {
        return false;
    }
    let segment_final = |i: usize| i + 1 == p.len() || p[i + 1] == b':';
    // next[j]: p[i+1..] covers s[j..]; cur[j]: p[i..] covers s[j..]. Filled from the ends.
    let mut next = vec![false; s.len() + 1];
    next[s.len()] = true;
    let mut cur = vec![false; s.len() + 1];
    for i in (0..p.len()).rev() {
        for j in (0..=s.len()).rev() {
            cur[j] = if p[i] == b'*' {
                let absorbs =
                    j < s.len() && (segment_final(i) || !matches!(s[j], b':' | b'*' | b'?'));
                next[j] || (absorbs && cur[j + 1])
            } else {
                j < s.len()
                    && !matches!(s[j], b'*' | b'?')
                    && (p[i] == s[j] || (p[i] == b'?' && s[j] != b':'))
                    && next[j + 1]
            };
        }
        std::mem::swap(&mut next, &mut cur);
    }
    next[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_patterns_cover_allow_arns_as_aws_matches_them() {
        let bucket = "arn:aws:s3:::orders/*";
        assert!(arn_covers(bucket, "arn:aws:s3:::orders/2026/a.json"));
        assert!(arn_covers(bucket, bucket));
        assert!(arn_covers("arn:aws:s3:::orders*", bucket));
        assert!(arn_covers("*", bucket));
        assert!(arn_covers("*", "*"));
        assert!(arn_covers(
            "arn:aws:iam::*:role/admin",
            "arn:aws:iam::111122223333:role/admin"
        ));
        assert!(arn_covers("arn:aws:s3:::order?/x", "arn:aws:s3:::orders/x"));
        // ARNs are case-sensitive.
        assert!(!arn_covers(bucket, "arn:aws:s3:::Orders/a.json"));
        // A narrower deny does not cover a broader allow.
        assert!(!arn_covers("arn:aws:s3:::orders/2026/*", bucket));
        assert!(!arn_covers("arn:aws:s3:::*", "*"));
        assert!(!arn_covers(
            "arn:aws:s3:::orders/a?c",
            "arn:aws:s3:::orders/a*c"
        ));
        // A `*` inside a segment stays in it; one that ends a segment may cross colons.
        assert!(!arn_covers(
            "arn:aws:lambda:eu-west-1:1*2:function:x",
            "arn:aws:lambda:eu-west-1:1:3:2:function:x"
        ));
        assert!(arn_covers(
            "arn:aws:lambda:*",
            "arn:aws:lambda:eu-west-1:111122223333:function:x"
        ));
        assert!(!arn_covers("arn:aws:s3:::a?b", "arn:aws:s3:::a:b"));
        assert!(!arn_covers(&"*".repeat(MAX_ARN + 1), "x"));
    }

    fn statement(effect: &str, resources: &[&str]) -> Statement {
        use tollgate_iac::model::Effect;
        use tollgate_syntax::Span;
        let mut st = Statement::new(Span::line(7));
        let e = if effect == "Deny" {
            Effect::Deny
        } else {
            Effect::Allow
        };
        st.effect = Val::known(e, Span::line(7));
        st.resources = resources
            .iter()
            .map(|r| Val::known(r.to_string(), Span::line(8)))
            .collect();
        st
    }

    #[test]
    fn only_unconditional_denies_count() {
        use tollgate_iac::model::Condition;
        use tollgate_syntax::Span;
        let everywhere = statement("Deny", &["*"]);
        assert_eq!(deny_scope(&everywhere), Some(DenyScope::Everywhere));
        assert_eq!(deny_name(&everywhere), "the `Deny` statement at line 7");
        let mut named = statement(
            "Deny",
            &["arn:aws:s3:::orders/*", "arn:aws:s3:::${aws:username}/*"],
        );
        named.sid = Val::known("DenyOrders".into(), Span::line(6));
        assert_eq!(
            deny_scope(&named),
            Some(DenyScope::Arns(vec!["arn:aws:s3:::orders/*"]))
        );
        assert_eq!(deny_name(&named), "statement `DenyOrders`");
        let mut conditional = statement("Deny", &["*"]);
        conditional.conditions.push(Condition {
            span: Span::line(9),
            operator: "Bool".into(),
            key: "aws:SecureTransport".into(),
            values: vec![Val::known("false".into(), Span::line(9))],
        });
        assert_eq!(deny_scope(&conditional), None);
        let mut unresolved = statement("Deny", &["*"]);
        unresolved.conditions_unknown = true;
        assert_eq!(deny_scope(&unresolved), None);
        let mut not_resource = statement("Deny", &[]);
        not_resource.not_resources = vec![Val::known("arn:aws:s3:::x".into(), Span::line(8))];
        assert_eq!(deny_scope(&not_resource), None);
        assert_eq!(deny_scope(&statement("Allow", &["*"])), None);
        let mut unknown = statement("Deny", &[]);
        unknown.resources = vec![Val::Unknown {
            span: Span::line(8),
            reason: "parameter".into(),
        }];
        assert_eq!(deny_scope(&unknown), None);
    }
}
