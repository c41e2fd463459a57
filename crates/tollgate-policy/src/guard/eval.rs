//! Evaluating a Guard rule file against one document, with cfn-guard's semantics:
//!
//! - a query yields values, or retrieval errors where a key, a map's values or a list's
//!   elements are missing; a clause over a retrieval error FAILs, except `empty` and
//!   `not exists`, which hold for what is missing;
//! - a query whose filter selects nothing yields no value, and clauses over it SKIP (so a
//!   type block over a template without that type SKIPs);
//! - without `some`, every value must satisfy the clause; with `some`, one is enough;
//! - clauses on separate lines are a conjunction, `or` joins a disjunction; a rule (or block)
//!   FAILs when one of its clauses FAILs, PASSes when one PASSes and none FAILs, SKIPs
//!   otherwise; a `when` condition that does not PASS SKIPs what it guards;
//! - a named rule is evaluated once per document (against the document's root), whatever
//!   number of rules refer to it.
//!
//! A value tollgate could not resolve (`{"tollgate:unknown": ...}`) makes comparisons SKIP
//! rather than FAIL: an unknown value never produces a finding.
//!
//! Evaluation counts steps and watches the clock: past either budget it stops with
//! [`Stop`], so a rule file cannot hang the scan.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::FastMap as HashMap;
use std::rc::Rc;
use std::time::Instant;

use serde_json::Value as Json;

use super::ast::*;

/// PASS, FAIL or SKIP, as cfn-guard reports a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pass,
    Fail,
    Skip,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        }
    }
}

/// Budgets of one evaluation.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_steps: u64,
    pub deadline: Instant,
}

/// Why an evaluation stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Stop {
    #[error("evaluation took more than {0} steps")]
    Steps(u64),
    #[error("evaluation exceeded its time budget")]
    Time,
    /// A mistake of the rule file found while evaluating it (an undefined variable, a
    /// variable or rule defined through itself, a misused function).
    #[error("{message}")]
    Error {
        line: u32,
        col: u32,
        message: String,
    },
}

/// One step of a path in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Why a clause failed, and where in the document.
#[derive(Debug, Clone)]
pub struct Failure {
    /// From the document's root (`Resources`, `Bucket`, `Properties`, ...).
    pub path: Vec<Seg>,
    /// The clause's (or its enclosing block's) `<< message >>`.
    pub message: Option<String>,
    /// What was checked and what was found.
    pub detail: String,
    /// Line of the clause in the rule file.
    pub line: u32,
}

/// A rule's verdict on one document.
#[derive(Debug, Clone)]
pub struct RuleResult {
    pub name: String,
    pub status: Status,
    pub failures: Vec<Failure>,
    /// The resources (`Resources.<id>`) a block of the rule was evaluated on, with the
    /// block's status there, by logical id.
    pub judged: Vec<(String, Status)>,
}

/// Most failures kept per rule and document; past it the rule still FAILs.
const MAX_FAILURES: usize = 1000;

/// Evaluate every rule of `file` against `root`.
pub fn evaluate(file: &RuleFile, root: &Json, limits: Limits) -> Result<Vec<RuleResult>, Stop> {
    let mut ev = Ev {
        rules: file.rules.iter().map(|r| (r.name.as_str(), r)).collect(),
        memo: HashMap::default(),
        judging: Vec::new(),
        judged: HashMap::default(),
        steps: 0,
        limits,
    };
    let scope = Scope::new(
        Item {
            v: V::Doc(root),
            path: None,
        },
        &file.lets,
        None,
    );
    let mut out = Vec::with_capacity(file.rules.len());
    for rule in &file.rules {
        let (status, failures) = ev.rule(rule, &scope)?;
        out.push(RuleResult {
            name: rule.name.clone(),
            status,
            failures: failures.as_ref().clone(),
            judged: ev.judged.remove(rule.name.as_str()).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// A value: borrowed from the document, or made by a literal or a function.
#[derive(Debug, Clone)]
pub enum V<'a> {
    Doc(&'a Json),
    Own(Rc<Json>),
}

impl V<'_> {
    pub fn get(&self) -> &Json {
        match self {
            V::Doc(j) => j,
            V::Own(j) => j,
        }
    }
}

/// Where a value sits in the document: a shared list of steps from the root.
type Path<'a> = Option<Rc<PathNode<'a>>>;

#[derive(Debug)]
pub struct PathNode<'a> {
    parent: Path<'a>,
    seg: PathSeg<'a>,
}

#[derive(Debug, Clone, Copy)]
enum PathSeg<'a> {
    Key(&'a str),
    Index(usize),
}

fn extend<'a>(path: &Path<'a>, seg: PathSeg<'a>) -> Path<'a> {
    Some(Rc::new(PathNode {
        parent: path.clone(),
        seg,
    }))
}

/// The logical id when `path` is exactly `Resources.<id>`.
fn resource_id<'a>(path: &Path<'a>) -> Option<&'a str> {
    let node = path.as_deref()?;
    let parent = node.parent.as_deref()?;
    match (node.seg, parent.seg, &parent.parent) {
        (PathSeg::Key(id), PathSeg::Key("Resources"), None) => Some(id),
        _ => None,
    }
}

/// The logical id when `path` is under `Resources.<id>`.
fn resource_under<'a>(path: &Path<'a>) -> Option<&'a str> {
    let mut node = path.as_deref()?;
    while let Some(parent) = node.parent.as_deref() {
        if parent.parent.is_none() {
            return match (node.seg, parent.seg) {
                (PathSeg::Key(id), PathSeg::Key("Resources")) => Some(id),
                _ => None,
            };
        }
        node = parent;
    }
    None
}

fn materialize(path: &Path<'_>) -> Vec<Seg> {
    let mut depth = 0;
    let mut node = path.as_deref();
    while let Some(n) = node {
        depth += 1;
        node = n.parent.as_deref();
    }
    let mut out = Vec::with_capacity(depth);
    let mut node = path.as_deref();
    while let Some(n) = node {
        out.push(match n.seg {
            PathSeg::Key(k) => Seg::Key(k.to_string()),
            PathSeg::Index(i) => Seg::Index(i),
        });
        node = n.parent.as_deref();
    }
    out.reverse();
    out
}

fn show_path(path: &[Seg]) -> String {
    let mut s = String::with_capacity(
        path.iter()
            .map(|seg| match seg {
                Seg::Key(k) => 1 + k.len(),
                Seg::Index(_) => 4,
            })
            .sum::<usize>()
            .max(1),
    );
    for seg in path {
        s.push('/');
        match seg {
            Seg::Key(k) => s.push_str(k),
            Seg::Index(i) => s.push_str(&i.to_string()),
        }
    }
    if s.is_empty() {
        s.push('/');
    }
    s
}

/// A value with its place.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub v: V<'a>,
    pub path: Path<'a>,
}

/// One result of a query: a value, or a retrieval error (what was looked for, where).
#[derive(Debug, Clone)]
pub enum QR<'a> {
    Found(Item<'a>),
    Missing { path: Path<'a>, key: String },
}

/// The value clauses are evaluated against (`this`), and the `let`s visible there.
struct Scope<'a, 's> {
    this: Item<'a>,
    lets: &'a [Let],
    /// Values of this scope's `let`s, computed on first use; `None` while being computed.
    vars: RefCell<HashMap<&'a str, Option<Rc<Vec<QR<'a>>>>>>,
    parent: Option<&'s Scope<'a, 's>>,
}

impl<'a, 's> Scope<'a, 's> {
    fn new(this: Item<'a>, lets: &'a [Let], parent: Option<&'s Scope<'a, 's>>) -> Self {
        Self {
            this,
            lets,
            vars: RefCell::new(HashMap::default()),
            parent,
        }
    }

    /// The file's scope, whose `this` is the document's root.
    fn root(&self) -> &Scope<'a, 's> {
        let mut s = self;
        while let Some(p) = s.parent {
            s = p;
        }
        s
    }
}

type Verdict = (Status, Rc<Vec<Failure>>);

struct Ev<'a> {
    rules: HashMap<&'a str, &'a NamedRule>,
    /// Rules evaluated so far; `None` while one is being evaluated (a reference back to it is
    /// a cycle).
    memo: HashMap<&'a str, Option<Verdict>>,
    /// Per rule being evaluated (innermost last): the resources its blocks were evaluated on.
    judging: Vec<BTreeMap<&'a str, Status>>,
    /// What each evaluated rule judged, by rule name.
    judged: HashMap<&'a str, Vec<(String, Status)>>,
    steps: u64,
    limits: Limits,
}

/// The right-hand side of a comparison.
enum Rhs<'r, 'a> {
    Literal(&'r Literal),
    Values(Vec<Item<'a>>),
}

impl<'a> Ev<'a> {
    fn tick(&mut self) -> Result<(), Stop> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            return Err(Stop::Steps(self.limits.max_steps));
        }
        if self.steps % 1024 == 0 && Instant::now() > self.limits.deadline {
            return Err(Stop::Time);
        }
        Ok(())
    }

    fn rule(&mut self, rule: &'a NamedRule, scope: &Scope<'a, '_>) -> Result<Verdict, Stop> {
        match self.memo.get(rule.name.as_str()) {
            Some(Some(done)) => return Ok(done.clone()),
            Some(None) => {
                return Err(Stop::Error {
                    line: rule.line,
                    col: rule.col,
                    message: format!("rule `{}` depends on itself", rule.name),
                })
            }
            None => {}
        }
        self.memo.insert(&rule.name, None);
        self.judging.push(BTreeMap::new());
        let root = scope.root();
        let mut failures = Vec::new();
        let guarded = match &rule.conditions {
            Some(c) => self.conj(c, root, &mut Vec::new(), true)? == Status::Pass,
            None => true,
        };
        let status = if guarded {
            self.block(&rule.body, root.this.clone(), root, &mut failures, false)?
        } else {
            Status::Skip
        };
        if status != Status::Fail {
            failures.clear();
        }
        failures.truncate(MAX_FAILURES);
        let verdict = (status, Rc::new(failures));
        self.memo.insert(&rule.name, Some(verdict.clone()));
        let judged = self.judging.pop().unwrap_or_default();
        self.judged.insert(
            &rule.name,
            judged
                .into_iter()
                .map(|(id, status)| (id.to_string(), status))
                .collect(),
        );
        Ok(verdict)
    }

    fn block(
        &mut self,
        block: &'a Block,
        this: Item<'a>,
        parent: &Scope<'a, '_>,
        out: &mut Vec<Failure>,
        fast: bool,
    ) -> Result<Status, Stop> {
        let resource = if fast { None } else { resource_id(&this.path) };
        let scope = Scope::new(this, &block.lets, Some(parent));
        let status = self.conj(&block.clauses, &scope, out, fast)?;
        if let Some(id) = resource {
            self.judge(id, status);
        }
        Ok(status)
    }

    /// `fast`: only the status matters (conditions, filters), stop at the first FAIL.
    fn conj(
        &mut self,
        clauses: &'a Conjunction,
        scope: &Scope<'a, '_>,
        out: &mut Vec<Failure>,
        fast: bool,
    ) -> Result<Status, Stop> {
        let (mut pass, mut fail) = (false, false);
        for d in clauses {
            match self.disj(d, scope, out, fast)? {
                Status::Pass => pass = true,
                Status::Fail if fast => return Ok(Status::Fail),
                Status::Fail => fail = true,
                Status::Skip => {}
            }
        }
        Ok(combine(pass, fail))
    }

    fn disj(
        &mut self,
        clauses: &'a Disjunction,
        scope: &Scope<'a, '_>,
        out: &mut Vec<Failure>,
        fast: bool,
    ) -> Result<Status, Stop> {
        if let [only] = clauses.as_slice() {
            return self.clause(only, scope, out, fast);
        }
        let mut failed = Vec::new();
        let mut fail = false;
        for c in clauses {
            match self.clause(c, scope, &mut failed, fast)? {
                Status::Pass => return Ok(Status::Pass),
                Status::Fail => fail = true,
                Status::Skip => {}
            }
        }
        if fail {
            // A message written after a disjunction speaks for all of it.
            let said = clauses.iter().find_map(clause_message);
            for f in &mut failed {
                if f.message.is_none() {
                    f.message = said.cloned();
                }
            }
            push_all(out, failed);
            Ok(Status::Fail)
        } else {
            Ok(Status::Skip)
        }
    }

    fn clause(
        &mut self,
        clause: &'a Clause,
        scope: &Scope<'a, '_>,
        out: &mut Vec<Failure>,
        fast: bool,
    ) -> Result<Status, Stop> {
        self.tick()?;
        // Mistakes found below a clause (an undefined variable) are said at the clause.
        self.clause_inner(clause, scope, out, fast)
            .map_err(|stop| match stop {
                Stop::Error {
                    line: 0, message, ..
                } => {
                    let origin = match clause {
                        Clause::Compare { origin, .. }
                        | Clause::RuleRef { origin, .. }
                        | Clause::Block { origin, .. }
                        | Clause::When { origin, .. } => origin,
                    };
                    Stop::Error {
                        line: origin.line,
                        col: origin.col,
                        message,
                    }
                }
                other => other,
            })
    }

    fn clause_inner(
        &mut self,
        clause: &'a Clause,
        scope: &Scope<'a, '_>,
        out: &mut Vec<Failure>,
        fast: bool,
    ) -> Result<Status, Stop> {
        match clause {
            Clause::When {
                conditions, block, ..
            } => {
                if self.conj(conditions, scope, &mut Vec::new(), true)? != Status::Pass {
                    if let Some(id) = resource_id(&scope.this.path).filter(|_| !fast) {
                        self.judge(id, Status::Skip);
                    }
                    return Ok(Status::Skip);
                }
                self.block(block, scope.this.clone(), scope, out, fast)
            }
            Clause::RuleRef {
                name,
                negated,
                message,
                origin,
            } => {
                let Some(rule) = self.rules.get(name.as_str()).copied() else {
                    return Err(Stop::Error {
                        line: origin.line,
                        col: origin.col,
                        message: format!("no rule named `{name}`"),
                    });
                };
                let (status, failures) = self.rule(rule, scope)?;
                let status = match (status, negated) {
                    (Status::Pass, true) => Status::Fail,
                    (Status::Fail, true) => Status::Pass,
                    (s, _) => s,
                };
                if status == Status::Fail {
                    if failures.is_empty() {
                        push(
                            out,
                            Failure {
                                path: materialize(&scope.this.path),
                                message: message.clone(),
                                detail: format!("`{}` failed: rule `{name}` passed", origin.text),
                                line: origin.line,
                            },
                        );
                    }
                    for f in failures.iter() {
                        push(
                            out,
                            Failure {
                                path: f.path.clone(),
                                message: message.clone().or_else(|| f.message.clone()),
                                detail: format!("rule `{name}` failed: {}", f.detail),
                                line: f.line,
                            },
                        );
                    }
                }
                Ok(status)
            }
            Clause::Block {
                some,
                query,
                conditions,
                block,
                message,
                origin,
            } => {
                let items = self.query(query, scope)?;
                let (mut pass, mut fail) = (0usize, 0usize);
                let mut failed = Vec::new();
                for qr in items {
                    if fast && fail > 0 && !some {
                        break;
                    }
                    match qr {
                        QR::Missing { path, key } => {
                            fail += 1;
                            push(&mut failed, missing(&path, &key, origin));
                        }
                        QR::Found(item) => {
                            if let Some(c) = conditions {
                                let guard = Scope::new(item.clone(), &[], Some(scope));
                                if self.conj(c, &guard, &mut Vec::new(), true)? != Status::Pass {
                                    // The block SKIPs this resource: it was looked at and the
                                    // rule does not apply to it.
                                    if let Some(id) = resource_id(&item.path).filter(|_| !fast) {
                                        self.judge(id, Status::Skip);
                                    }
                                    continue;
                                }
                            }
                            match self.block(block, item, scope, &mut failed, fast && !some)? {
                                Status::Pass => pass += 1,
                                Status::Fail => fail += 1,
                                Status::Skip => {}
                            }
                        }
                    }
                }
                let status = tally(*some, pass, fail);
                if status == Status::Fail {
                    for f in &mut failed {
                        if f.message.is_none() {
                            f.message = message.clone();
                        }
                    }
                    push_all(out, failed);
                }
                Ok(status)
            }
            Clause::Compare {
                some,
                query,
                op,
                negated,
                rhs,
                message,
                origin,
            } => {
                let lhs = self.operand(query, scope, origin)?;
                let rhs = match rhs {
                    None => None,
                    Some(Operand::Literal(l)) => Some(Rhs::Literal(l)),
                    Some(other) => {
                        let values = self.operand(other, scope, origin)?;
                        let found: Vec<Item<'a>> = values
                            .into_iter()
                            .filter_map(|q| match q {
                                QR::Found(i) => Some(i),
                                QR::Missing { .. } => None,
                            })
                            .collect();
                        Some(Rhs::Values(found))
                    }
                };
                let status = compare(
                    *some,
                    &lhs,
                    *op,
                    *negated,
                    rhs.as_ref(),
                    message,
                    origin,
                    out,
                    fast,
                );
                if !fast {
                    // The resources the clause's values come from were looked at: they pass
                    // unless a failure under them says otherwise.
                    let seen = if status == Status::Skip {
                        Status::Skip
                    } else {
                        Status::Pass
                    };
                    for q in &lhs {
                        let path = match q {
                            QR::Found(i) => &i.path,
                            QR::Missing { path, .. } => path,
                        };
                        if let Some(id) = resource_under(path) {
                            self.judge(id, seen);
                        }
                    }
                }
                Ok(status)
            }
        }
    }

    /// Record that the rule being evaluated looked at resource `id` with `status`: a failure
    /// anywhere fails it, a pass outweighs a skip.
    fn judge(&mut self, id: &'a str, status: Status) {
        if let Some(judging) = self.judging.last_mut() {
            let seen = judging.entry(id).or_insert(Status::Skip);
            *seen = match (*seen, status) {
                (Status::Fail, _) | (_, Status::Fail) => Status::Fail,
                (Status::Pass, _) | (_, Status::Pass) => Status::Pass,
                _ => Status::Skip,
            };
        }
    }

    fn operand(
        &mut self,
        operand: &'a Operand,
        scope: &Scope<'a, '_>,
        origin: &Origin,
    ) -> Result<Vec<QR<'a>>, Stop> {
        match operand {
            Operand::Query(q) => self.query(q, scope),
            Operand::Literal(l) => Ok(vec![QR::Found(Item {
                v: V::Own(Rc::new(literal_json(l))),
                path: None,
            })]),
            Operand::Call { name, args } => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.operand(a, scope, origin)?);
                }
                super::functions::call(name, values).map_err(|message| Stop::Error {
                    line: origin.line,
                    col: origin.col,
                    message,
                })
            }
        }
    }

    fn var(&mut self, name: &str, scope: &Scope<'a, '_>) -> Result<Option<Rc<Vec<QR<'a>>>>, Stop> {
        let mut s = Some(scope);
        while let Some(sc) = s {
            // A key captured by a filter (`[ name | ... ]`) in this scope.
            if !sc.lets.iter().any(|l| l.name == name) {
                if let Some(Some(v)) = sc.vars.borrow().get(name) {
                    return Ok(Some(v.clone()));
                }
            }
            if let Some(l) = sc.lets.iter().find(|l| l.name == name) {
                if let Some(state) = sc.vars.borrow().get(name) {
                    return match state {
                        Some(v) => Ok(Some(v.clone())),
                        None => Err(Stop::Error {
                            line: 0,
                            col: 0,
                            message: format!("variable `{name}` is defined through itself"),
                        }),
                    };
                }
                sc.vars.borrow_mut().insert(&l.name, None);
                let origin = Origin {
                    line: 0,
                    col: 0,
                    text: format!("let {name}"),
                };
                let value = Rc::new(self.operand(&l.value, sc, &origin)?);
                sc.vars.borrow_mut().insert(&l.name, Some(value.clone()));
                return Ok(Some(value));
            }
            s = sc.parent;
        }
        Ok(None)
    }

    fn query(&mut self, query: &'a Query, scope: &Scope<'a, '_>) -> Result<Vec<QR<'a>>, Stop> {
        let mut parts = query.parts.iter().peekable();
        let mut current: Vec<QR<'a>> = match parts.peek() {
            Some(Part::Variable(name)) => {
                parts.next();
                match self.var(name, scope)? {
                    Some(v) => v.as_ref().clone(),
                    None => {
                        return Err(Stop::Error {
                            line: 0,
                            col: 0,
                            message: format!("variable `%{name}` is not defined"),
                        })
                    }
                }
            }
            Some(Part::This) => {
                parts.next();
                vec![QR::Found(scope.this.clone())]
            }
            _ => vec![QR::Found(scope.this.clone())],
        };
        // The part before each one: a filter right after a key ranges over the values of the
        // map the key names, one after `*` or `[*]` tests each value as a whole.
        let mut previous = query
            .parts
            .first()
            .filter(|_| query.parts.len() > parts.len());
        for part in parts {
            let mut next = Vec::with_capacity(current.len());
            for qr in current {
                self.tick()?;
                let item = match qr {
                    QR::Found(item) => item,
                    missing @ QR::Missing { .. } => {
                        next.push(missing);
                        continue;
                    }
                };
                self.step(part, previous, item, scope, &mut next)?;
            }
            current = next;
            previous = Some(part);
        }
        Ok(current)
    }

    /// A filter `[ clauses ]` (or `[ name | clauses ]`) on `item`, as cfn-guard's query
    /// retrieval does it:
    /// - a map right after a key (`Resources[ ... ]`, `.%names[ ... ]`) is filtered entry by
    ///   entry, and each entry that passes has its key captured: appended to `name` in the
    ///   scope the query runs in, so `%name` after the filter is the list of keys that passed
    ///   (inside the clauses it is those that passed before); an empty map selects nothing;
    /// - a map after `*`, `[*]` or a variable (cfn-guard reads `%var[ ... ]` as
    ///   `%var[*][ ... ]`) is one value tested as a whole, and nothing is captured;
    /// - a list is filtered element by element, and nothing is captured;
    /// - a plain value (a string, a number...) is tested itself after `[*]` or a variable,
    ///   and is a retrieval error anywhere else (`Runtime[ this == 'x' ]`).
    fn filter(
        &mut self,
        name: Option<&'a String>,
        clauses: &'a Conjunction,
        previous: Option<&'a Part>,
        item: Item<'a>,
        scope: &Scope<'a, '_>,
        next: &mut Vec<QR<'a>>,
    ) -> Result<(), Stop> {
        let after_key = matches!(previous, Some(Part::Key(_) | Part::VariableKey(_)));
        let after_all_indices = matches!(previous, Some(Part::AllIndices | Part::Variable(_)));
        // Each candidate with the key a named filter captures when it passes.
        let candidates: Vec<(Item<'a>, Option<Json>)> = match &item.v {
            V::Doc(Json::Object(map)) if after_key => map
                .iter()
                .map(|(k, v)| {
                    (
                        Item {
                            v: V::Doc(v),
                            path: extend(&item.path, PathSeg::Key(k)),
                        },
                        Some(Json::String(k.clone())),
                    )
                })
                .collect(),
            V::Own(j) if after_key && j.is_object() => j
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| {
                    (
                        Item {
                            v: V::Own(Rc::new(v.clone())),
                            path: item.path.clone(),
                        },
                        Some(Json::String(k.clone())),
                    )
                })
                .collect(),
            V::Doc(Json::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        Item {
                            v: V::Doc(v),
                            path: extend(&item.path, PathSeg::Index(i)),
                        },
                        None,
                    )
                })
                .collect(),
            V::Own(j) if j.is_array() => j
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| {
                    (
                        Item {
                            v: V::Own(Rc::new(v.clone())),
                            path: item.path.clone(),
                        },
                        None,
                    )
                })
                .collect(),
            V::Doc(Json::Object(_)) => vec![(item, None)],
            V::Own(j) if j.is_object() => vec![(item, None)],
            _ if after_all_indices => vec![(item, None)],
            _ => {
                next.push(QR::Missing {
                    path: item.path.clone(),
                    key: "[filter]: not a map or a list".into(),
                });
                return Ok(());
            }
        };
        for (candidate, key) in candidates {
            self.tick()?;
            let passes = match string_key_filter(clauses, &candidate) {
                Some(passes) => {
                    // The steps the clause and its query would have counted.
                    self.tick()?;
                    self.tick()?;
                    passes
                }
                None => {
                    let filter = Scope::new(candidate.clone(), &[], Some(scope));
                    self.conj(clauses, &filter, &mut Vec::new(), true)? == Status::Pass
                }
            };
            if !passes {
                continue;
            }
            if let (Some(name), Some(key)) = (name, key) {
                let captured = QR::Found(Item {
                    v: V::Own(Rc::new(key)),
                    path: None,
                });
                let mut vars = scope.vars.borrow_mut();
                let keys = vars
                    .entry(name.as_str())
                    .or_insert_with(|| Some(Rc::new(Vec::new())));
                if let Some(keys) = keys {
                    Rc::make_mut(keys).push(captured);
                }
            }
            next.push(QR::Found(candidate));
        }
        Ok(())
    }

    fn step(
        &mut self,
        part: &'a Part,
        previous: Option<&'a Part>,
        item: Item<'a>,
        scope: &Scope<'a, '_>,
        next: &mut Vec<QR<'a>>,
    ) -> Result<(), Stop> {
        match part {
            Part::Variable(_) | Part::This => next.push(QR::Found(item)),
            Part::Key(key) => next.push(key_child(&item, key)),
            Part::VariableKey(name) => {
                let keys = self.var(name, scope)?.unwrap_or_default();
                for k in keys.iter() {
                    if let QR::Found(k) = k {
                        if let Some(key) = k.v.get().as_str() {
                            next.push(key_child(&item, key));
                        }
                    }
                }
            }
            Part::AllValues => {
                let before = next.len();
                match &item.v {
                    V::Doc(Json::Object(map)) => {
                        for (k, v) in map {
                            next.push(found(V::Doc(v), extend(&item.path, PathSeg::Key(k))));
                        }
                    }
                    V::Doc(Json::Array(list)) => {
                        for (i, v) in list.iter().enumerate() {
                            next.push(found(V::Doc(v), extend(&item.path, PathSeg::Index(i))));
                        }
                    }
                    V::Own(j) => match j.as_ref() {
                        Json::Object(map) => {
                            for v in map.values() {
                                next.push(own(v, &item.path));
                            }
                        }
                        Json::Array(list) => {
                            for v in list {
                                next.push(own(v, &item.path));
                            }
                        }
                        _ => {}
                    },
                    _ => {}
                }
                if next.len() == before {
                    next.push(QR::Missing {
                        path: item.path.clone(),
                        key: "*".into(),
                    });
                }
            }
            Part::AllIndices => match &item.v {
                V::Doc(Json::Array(list)) => {
                    if list.is_empty() {
                        next.push(QR::Missing {
                            path: item.path.clone(),
                            key: "[*]".into(),
                        });
                    }
                    for (i, v) in list.iter().enumerate() {
                        next.push(found(V::Doc(v), extend(&item.path, PathSeg::Index(i))));
                    }
                }
                V::Own(j) if j.is_array() => {
                    let list = j.as_array().map(Vec::as_slice).unwrap_or_default();
                    if list.is_empty() {
                        next.push(QR::Missing {
                            path: item.path.clone(),
                            key: "[*]".into(),
                        });
                    }
                    for v in list {
                        next.push(own(v, &item.path));
                    }
                }
                // A single value where a list was expected counts as a list of one, as
                // cfn-guard reads `Statement[*]` over a statement written as a map.
                _ => next.push(QR::Found(item)),
            },
            Part::Index(index) => {
                let len = item.v.get().as_array().map_or(0, Vec::len) as i64;
                let i = if *index < 0 { len + index } else { *index };
                let hit = (0..len).contains(&i).then_some(i as usize);
                match (hit, &item.v) {
                    (Some(i), V::Doc(Json::Array(list))) => next.push(found(
                        V::Doc(&list[i]),
                        extend(&item.path, PathSeg::Index(i)),
                    )),
                    (Some(i), V::Own(j)) => next.push(own(&j[i], &item.path)),
                    _ => next.push(QR::Missing {
                        path: item.path.clone(),
                        key: format!("[{index}]"),
                    }),
                }
            }
            Part::Filter(clauses) => self.filter(None, clauses, previous, item, scope, next)?,
            Part::CaptureFilter { name, clauses } => {
                self.filter(Some(name), clauses, previous, item, scope, next)?
            }
            Part::KeyFilter { op, negated, rhs } => {
                let origin = Origin {
                    line: 0,
                    col: 0,
                    text: "keys".into(),
                };
                let rhs = match rhs.as_ref() {
                    Operand::Literal(l) => Rhs::Literal(l),
                    other => Rhs::Values(
                        self.operand(other, scope, &origin)?
                            .into_iter()
                            .filter_map(|q| match q {
                                QR::Found(i) => Some(i),
                                QR::Missing { .. } => None,
                            })
                            .collect(),
                    ),
                };
                if let V::Doc(Json::Object(map)) = &item.v {
                    for (k, v) in map {
                        self.tick()?;
                        let key = Json::String(k.clone());
                        if test(*op, &key, &rhs) != *negated {
                            next.push(found(V::Doc(v), extend(&item.path, PathSeg::Key(k))));
                        }
                    }
                } else if let V::Own(j) = &item.v {
                    for (k, v) in j.as_object().into_iter().flatten() {
                        let key = Json::String(k.clone());
                        if test(*op, &key, &rhs) != *negated {
                            next.push(own(v, &item.path));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Whether `candidate` passes a filter that only compares one of its keys with string
/// constants (`Type == 'AWS::S3::Bucket'`, what every type block filters with, or `Type IN
/// [...]`), when its value there is a string: decided without a scope, a query and a
/// comparison of JSON values for each resource of each type block. `None` for any other
/// filter or value, which the general way decides.
fn string_key_filter(clauses: &Conjunction, candidate: &Item<'_>) -> Option<bool> {
    let [disjunction] = clauses.as_slice() else {
        return None;
    };
    let [Clause::Compare {
        query: Operand::Query(query),
        op,
        negated: false,
        rhs: Some(Operand::Literal(literal)),
        ..
    }] = disjunction.as_slice()
    else {
        return None;
    };
    let [Part::Key(key)] = query.parts.as_slice() else {
        return None;
    };
    let V::Doc(Json::Object(map)) = &candidate.v else {
        return None;
    };
    let Some(Json::String(value)) = entry(map, key).map(|(_, v)| v) else {
        return None;
    };
    let constant = |l: &Literal| match l {
        Literal::Value(Json::String(c)) => Some(c == value),
        _ => None,
    };
    match (op, literal) {
        (Op::Eq, l) => constant(l),
        (Op::In, Literal::List(items)) => items
            .iter()
            .map(constant)
            .collect::<Option<Vec<bool>>>()
            .map(|hits| hits.contains(&true)),
        _ => None,
    }
}

fn clause_message(clause: &Clause) -> Option<&String> {
    match clause {
        Clause::Compare { message, .. }
        | Clause::RuleRef { message, .. }
        | Clause::Block { message, .. } => message.as_ref(),
        Clause::When { .. } => None,
    }
}

/// The status of a clause over several values: with `some` one PASS is enough, else one FAIL
/// fails it.
fn tally(some: bool, pass: usize, fail: usize) -> Status {
    if some && pass > 0 {
        Status::Pass
    } else {
        combine(pass > 0, fail > 0)
    }
}

fn combine(pass: bool, fail: bool) -> Status {
    if fail {
        Status::Fail
    } else if pass {
        Status::Pass
    } else {
        Status::Skip
    }
}

fn push(out: &mut Vec<Failure>, f: Failure) {
    if out.len() < MAX_FAILURES {
        out.push(f);
    }
}

fn push_all(out: &mut Vec<Failure>, failures: Vec<Failure>) {
    let room = MAX_FAILURES.saturating_sub(out.len());
    out.extend(failures.into_iter().take(room));
}

fn found<'a>(v: V<'a>, path: Path<'a>) -> QR<'a> {
    QR::Found(Item { v, path })
}

/// A child of a value made by a function: owned, at its parent's place.
fn own<'a>(v: &Json, path: &Path<'a>) -> QR<'a> {
    QR::Found(Item {
        v: V::Own(Rc::new(v.clone())),
        path: path.clone(),
    })
}

fn key_child<'a>(item: &Item<'a>, key: &str) -> QR<'a> {
    match &item.v {
        V::Doc(Json::Object(map)) => {
            if let Some((k, v)) = entry(map, key) {
                return found(V::Doc(v), extend(&item.path, PathSeg::Key(k)));
            }
        }
        V::Own(j) => {
            if let Some(v) = j.get(key).filter(|_| j.is_object()) {
                return own(v, &item.path);
            }
        }
        _ => {}
    }
    QR::Missing {
        path: item.path.clone(),
        key: key.to_string(),
    }
}

/// The entry at `key` of `map`. A template's maps hold a few keys each, and the workspace's
/// `serde_json` keeps them in an `IndexMap` hashing with SipHash: comparing the few keys is
/// cheaper than hashing the one looked up (about a tenth of evaluating the rules).
fn entry<'a>(map: &'a serde_json::Map<String, Json>, key: &str) -> Option<(&'a String, &'a Json)> {
    if map.len() <= SCANNED_KEYS {
        map.iter().find(|(k, _)| k.as_str() == key)
    } else {
        map.get_key_value(key)
    }
}

/// Largest map [`entry`] compares key by key.
const SCANNED_KEYS: usize = 16;

fn missing(path: &Path<'_>, key: &str, origin: &Origin) -> Failure {
    let mut p = materialize(path);
    let at = show_path(&p);
    p.push(Seg::Key(key.to_string()));
    Failure {
        path: p,
        message: None,
        detail: format!("`{}` failed: {at} has no `{key}`", origin.text),
        line: origin.line,
    }
}

/// tollgate's marker for a value it could not resolve statically.
fn is_unknown(v: &Json) -> bool {
    v.as_object()
        .is_some_and(|m| m.len() == 1 && entry(m, "tollgate:unknown").is_some())
}

/// `fast`: only the status matters (a filter, a condition): the failures, whose details show
/// the values found (each checked for a secret's shape), are not built.
#[allow(clippy::too_many_arguments)]
fn compare<'a>(
    some: bool,
    lhs: &[QR<'a>],
    op: Op,
    negated: bool,
    rhs: Option<&Rhs<'_, 'a>>,
    message: &Option<String>,
    origin: &Origin,
    out: &mut Vec<Failure>,
    fast: bool,
) -> Status {
    let unary = op.is_unary();
    if lhs.is_empty() {
        // Nothing selected (a filter matched nothing).
        return match op {
            Op::Exists => combine(negated, !negated),
            Op::Empty => combine(!negated, negated),
            _ => Status::Skip,
        };
    }
    if let Some(Rhs::Values(values)) = rhs {
        if values.is_empty() && !unary {
            if fast {
                return Status::Fail;
            }
            // The right-hand side query found nothing to compare with.
            push(
                out,
                Failure {
                    path: first_path(lhs),
                    message: message.clone(),
                    detail: format!(
                        "`{}` failed: its right-hand side selects no value",
                        origin.text
                    ),
                    line: origin.line,
                },
            );
            return Status::Fail;
        }
    }
    let (mut pass, mut fail) = (0usize, 0usize);
    let mut failed = Vec::new();
    for qr in lhs {
        let outcome = match qr {
            QR::Missing { path, key } => {
                let holds = match op {
                    Op::Exists => negated,
                    Op::Empty => !negated,
                    _ => false,
                };
                if !holds && !fast {
                    let mut f = missing(path, key, origin);
                    f.message = message.clone();
                    failed.push(f);
                }
                Some(holds)
            }
            QR::Found(item) => {
                let v = item.v.get();
                let unknown = is_unknown(v);
                let holds = match op {
                    Op::Exists => Some(v.is_null() == negated),
                    Op::Empty if unknown => None,
                    Op::Empty => Some(is_empty(v) != negated),
                    _ if unknown => None,
                    Op::IsString => Some(v.is_string() != negated),
                    Op::IsList => Some(v.is_array() != negated),
                    Op::IsStruct => Some(v.is_object() != negated),
                    Op::IsBool => Some(v.is_boolean() != negated),
                    Op::IsInt => Some((v.is_i64() || v.is_u64()) != negated),
                    Op::IsFloat => Some(v.is_f64() != negated),
                    Op::IsNull => Some(v.is_null() != negated),
                    _ => rhs.map(|r| test(op, v, r) != negated),
                };
                if holds == Some(false) && !fast {
                    let path = materialize(&item.path);
                    failed.push(Failure {
                        message: message.clone(),
                        detail: format!(
                            "`{}` failed: {} is {}",
                            origin.text,
                            show_path(&path),
                            shown(v, &item.path)
                        ),
                        path,
                        line: origin.line,
                    });
                }
                holds
            }
        };
        match outcome {
            Some(true) => pass += 1,
            Some(false) => fail += 1,
            None => {}
        }
    }
    let status = tally(some, pass, fail);
    if status == Status::Fail {
        push_all(out, failed);
    }
    status
}

fn first_path(lhs: &[QR<'_>]) -> Vec<Seg> {
    match lhs.first() {
        Some(QR::Found(i)) => materialize(&i.path),
        Some(QR::Missing { path, .. }) => materialize(path),
        None => Vec::new(),
    }
}

/// A value for a message: compact, cut, and redacted when its key and shape look like a
/// secret's.
fn shown(v: &Json, path: &Path<'_>) -> String {
    let key = match path.as_deref().map(|n| n.seg) {
        Some(PathSeg::Key(k)) => k,
        _ => "",
    };
    let text = match v {
        Json::String(s) => {
            if looks_secret(key, s) {
                format!("\"{}\"", tollgate_iac::secrets::redact(s))
            } else {
                format!("{s:?}")
            }
        }
        Json::Object(_) => "a map".to_string(),
        Json::Array(items) => format!("a list of {}", items.len()),
        other => other.to_string(),
    };
    let cut: String = text.chars().filter(|c| !c.is_control()).take(80).collect();
    if cut.len() < text.len() {
        format!("{cut}...")
    } else {
        cut
    }
}

/// Whether a string at `key` looks like a secret ([`tollgate_iac::secrets::classify`]),
/// remembered for short pairs: the same few keys and values fail in every template (a tag's
/// key, a runtime), and deciding it took about a tenth of evaluating the benchmark's rules.
fn looks_secret(key: &str, value: &str) -> bool {
    /// Pairs longer than this are decided each time; at most this many are remembered
    /// per thread (then forgotten all at once), so a hostile template holds little here.
    const LONGEST: usize = 256;
    const MOST: usize = 4096;
    /// Per hash of a pair, the pairs seen with what was decided.
    type Seen = HashMap<u64, Vec<(Box<str>, Box<str>, bool)>>;
    thread_local! {
        static SEEN: RefCell<(foldhash::fast::RandomState, Seen, usize)> = RefCell::default();
    }
    if key.len() + value.len() > LONGEST {
        return tollgate_iac::secrets::classify(key, value).is_some();
    }
    SEEN.with_borrow_mut(|(state, seen, count)| {
        use std::hash::BuildHasher;
        let hash = state.hash_one((key, value));
        let pairs = seen.entry(hash).or_default();
        if let Some(&(_, _, secret)) = pairs.iter().find(|(k, v, _)| **k == *key && **v == *value) {
            return secret;
        }
        let secret = tollgate_iac::secrets::classify(key, value).is_some();
        pairs.push((key.into(), value.into(), secret));
        *count += 1;
        if *count >= MOST {
            seen.clear();
            *count = 0;
        }
        secret
    })
}

fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Array(a) => a.is_empty(),
        Json::Object(m) => m.is_empty(),
        Json::String(s) => s.is_empty(),
        _ => false,
    }
}

fn literal_json(l: &Literal) -> Json {
    match l {
        Literal::Value(v) => v.clone(),
        Literal::Regex(r) => Json::String(r.as_str().to_string()),
        Literal::Range(r) => Json::String(format!("r[{}, {}]", r.low, r.high)),
        Literal::List(items) => Json::Array(items.iter().map(literal_json).collect()),
    }
}

fn number(v: &Json) -> Option<f64> {
    v.as_f64()
}

/// Equality as Guard sees it: numbers by value, lists element by element, maps key by key.
fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| entry(y, k).is_some_and(|(_, w)| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn literal_eq(v: &Json, l: &Literal) -> bool {
    match l {
        Literal::Value(j) => json_eq(v, j),
        Literal::Regex(re) => v.as_str().is_some_and(|s| re.is_match(s)),
        Literal::Range(r) => number(v).is_some_and(|n| r.contains(n)),
        Literal::List(items) => match v {
            Json::Array(values) => {
                values.len() == items.len()
                    && values.iter().zip(items).all(|(v, l)| literal_eq(v, l))
            }
            _ => items.iter().any(|l| literal_eq(v, l)),
        },
    }
}

fn literal_in(v: &Json, l: &Literal) -> bool {
    match l {
        Literal::List(items) => {
            items.iter().any(|l| literal_eq(v, l))
                || matches!(v, Json::Array(values) if !values.is_empty()
                    && values.iter().all(|e| items.iter().any(|l| literal_eq(e, l))))
        }
        Literal::Value(Json::Array(items)) => {
            items.iter().any(|i| json_eq(v, i))
                || matches!(v, Json::Array(values) if !values.is_empty()
                    && values.iter().all(|e| items.iter().any(|i| json_eq(e, i))))
        }
        other => literal_eq(v, other),
    }
}

fn order(a: &Json, b: &Json) -> Option<Ordering> {
    match (a, b) {
        (Json::Number(_), Json::Number(_)) => number(a)?.partial_cmp(&number(b)?),
        (Json::String(x), Json::String(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

fn ordered(op: Op, o: Option<Ordering>) -> bool {
    match (op, o) {
        (_, None) => false,
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        _ => false,
    }
}

/// Whether `v` satisfies the binary `op` against `rhs` (before negation).
fn test(op: Op, v: &Json, rhs: &Rhs<'_, '_>) -> bool {
    match rhs {
        Rhs::Literal(l) => match op {
            Op::Eq => literal_eq(v, l),
            Op::In => literal_in(v, l),
            _ => match l {
                Literal::Value(j) => ordered(op, order(v, j)),
                Literal::List(items) => items.iter().all(|i| match i {
                    Literal::Value(j) => ordered(op, order(v, j)),
                    _ => false,
                }),
                _ => false,
            },
        },
        Rhs::Values(values) => match op {
            Op::Eq => values.iter().any(|r| json_eq(v, r.v.get())),
            Op::In => {
                let hit = |e: &Json| {
                    values.iter().any(|r| match r.v.get() {
                        Json::Array(items) => items.iter().any(|i| json_eq(e, i)),
                        other => json_eq(e, other),
                    })
                };
                hit(v)
                    || matches!(v, Json::Array(items) if !items.is_empty() && items.iter().all(hit))
            }
            _ => values.iter().all(|r| ordered(op, order(v, r.v.get()))),
        },
    }
}
