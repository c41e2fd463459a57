//! One CloudFormation template's evaluation context: its parameters, conditions, mappings and
//! resource types, and the evaluation of intrinsic functions (long form `{"Fn::Sub": ...}` and
//! YAML short-form tags `!Sub`) into [`Cv`] values.
//!
//! Evaluation never executes anything and never fails: what cannot be decided statically
//! becomes `Unknown` with a reason, and a shape the evaluator does not understand also leaves a
//! note (file:line:col) in [`Template::notes`].

use std::collections::HashMap;

use tollgate_core::Notification;
use tollgate_syntax::{Node, Span, Value};

use super::value::{Cv, CvKind};
use crate::adapters::unsupported;
use crate::model::Ref;

/// Pseudo parameters: kept as `${AWS::Region}` placeholders, never decided.
const PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// Largest string one intrinsic function (`Fn::Sub`, `Fn::Join`) may build; a longer result
/// is unknown, with a note. Real values (ARNs, policies, user data) are far smaller.
pub const MAX_INTRINSIC_BYTES: usize = 1024 * 1024;

/// Most bytes the intrinsic functions of one template may build together: a template of
/// thousands of functions, each under [`MAX_INTRINSIC_BYTES`], could otherwise still take
/// gigabytes. Past it every further string result is unknown, with one note.
pub const MAX_TEMPLATE_INTRINSIC_BYTES: usize = 64 * 1024 * 1024;

/// Most items `Fn::Split` may produce.
pub const MAX_SPLIT_ITEMS: usize = 100_000;

/// Condition evaluation state, to decide each condition once and survive cycles.
#[derive(Clone, Copy)]
enum CondState {
    InProgress,
    Done(Option<bool>),
}

/// The evaluation context of one template.
pub struct Template<'a> {
    pub file: &'a str,
    root: &'a Node,
    params: HashMap<&'a str, &'a Node>,
    resource_types: HashMap<String, String>,
    conditions: HashMap<String, CondState>,
    /// Values known from outside the template (e.g. Serverless variables), by parameter name.
    overrides: HashMap<String, Cv>,
    /// Constructs not understood, with file and position.
    pub notes: Vec<Notification>,
    /// Bytes built by intrinsic functions so far, against [`MAX_TEMPLATE_INTRINSIC_BYTES`].
    built: usize,
}

impl<'a> Template<'a> {
    pub fn new(file: &'a str, root: &'a Node) -> Self {
        let params = root
            .get("Parameters")
            .map(|p| {
                p.entries()
                    .iter()
                    .map(|e| (e.key.as_str(), &e.value))
                    .collect()
            })
            .unwrap_or_default();
        let resource_types = root
            .get("Resources")
            .map(|r| {
                r.entries()
                    .iter()
                    .map(|e| {
                        let t = e.value.get("Type").and_then(Node::as_str).unwrap_or("");
                        (e.key.clone(), t.to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            file,
            root,
            params,
            resource_types,
            conditions: HashMap::new(),
            overrides: HashMap::new(),
            notes: Vec::new(),
            built: 0,
        }
    }

    /// Make a parameter's value known from outside the template.
    pub fn set_parameter(&mut self, name: impl Into<String>, value: Cv) {
        self.overrides.insert(name.into(), value);
    }

    pub fn root(&self) -> &'a Node {
        self.root
    }

    /// The type of resource `id`, if the template declares it.
    pub fn resource_type(&self, id: &str) -> Option<&str> {
        self.resource_types.get(id).map(String::as_str)
    }

    /// Register an implicit resource (SAM creates `<Function>Role`, `ServerlessRestApi`...), so
    /// references to it resolve like references to declared ones.
    pub fn add_implicit(&mut self, id: String, type_name: &str) {
        self.resource_types
            .entry(id)
            .or_insert_with(|| type_name.to_string());
    }

    fn note(&mut self, span: Span, what: impl std::fmt::Display) {
        self.notes.push(unsupported(self.file, span, what));
    }

    /// Evaluate a node: intrinsic functions resolved, everything else converted as is.
    pub fn eval(&mut self, node: &Node) -> Cv {
        tollgate_core::budget::check();
        if let Some((name, arg)) = intrinsic(node) {
            return self.call(name, arg, node.span);
        }
        match &node.value {
            Value::Seq(items) => {
                let items = items
                    .iter()
                    .map(|i| self.eval(i))
                    .filter(|v| !matches!(v.kind, CvKind::NoValue))
                    .collect();
                Cv::new(node.span, CvKind::List(items))
            }
            Value::Map(entries) => {
                let entries = entries
                    .iter()
                    .map(|e| (e.key.clone(), e.key_span, self.eval(&e.value)))
                    .collect();
                Cv::new(node.span, CvKind::Map(entries))
            }
            _ => literal(node, node.span),
        }
    }

    fn call(&mut self, name: &str, arg: &Node, span: Span) -> Cv {
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.reference(target, span),
                None => self.bad(span, "`Ref` expects a logical id or parameter name"),
            },
            "Fn::GetAtt" => self.get_att(arg, span),
            // Past the template's budget, nothing more is built (the note was given once).
            "Fn::Sub" | "Fn::Join" if self.built > MAX_TEMPLATE_INTRINSIC_BYTES => Cv::unknown(
                span,
                format!("`{name}` past the template's evaluation budget"),
            ),
            "Fn::Sub" => self.sub(arg, span),
            "Fn::Join" => self.join(arg, span),
            "Fn::If" => self.fn_if(arg, span),
            "Fn::FindInMap" => self.find_in_map(arg, span),
            "Fn::Select" => self.select(arg, span),
            "Fn::Split" => self.split(arg, span),
            // The decoded value is what matters to a rule (secrets in user data, for example).
            "Fn::Base64" => {
                // With a short-form tag the argument is the tagged node itself: evaluate it
                // without the tag.
                let mut v = match arg.tag {
                    Some(_) => self.eval(&Node {
                        tag: None,
                        ..arg.clone()
                    }),
                    None => self.eval(arg),
                };
                v.span = span;
                v
            }
            "Fn::ImportValue" => {
                Cv::unknown(span, "value imported from another stack (Fn::ImportValue)")
            }
            "Fn::GetAZs" => Cv::unknown(span, "availability zones are only known at deploy time"),
            "Fn::Cidr" => Cv::unknown(span, "Fn::Cidr is computed at deploy time"),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" | "Condition" => {
                match self.cond_fn(name, arg, span) {
                    Some(b) => Cv::new(span, CvKind::Bool(b)),
                    None => Cv::unknown(span, "condition not statically decidable"),
                }
            }
            other => {
                self.note(span, format!("intrinsic function `{other}` is not evaluated; its value is treated as unknown"));
                Cv::unknown(span, format!("{other} is not evaluated"))
            }
        }
    }

    /// `text` as the string result of `function`, when it fits the caps; otherwise unknown,
    /// with a note saying which cap it crossed.
    fn built(&mut self, function: &str, span: Span, text: String) -> Cv {
        let before = self.built;
        self.built = self.built.saturating_add(text.len());
        if self.built <= MAX_TEMPLATE_INTRINSIC_BYTES {
            return Cv::str(span, text);
        }
        if before <= MAX_TEMPLATE_INTRINSIC_BYTES {
            self.note(span, format!("the intrinsic functions of this template build more than {MAX_TEMPLATE_INTRINSIC_BYTES} bytes of strings; this `{function}` and every later one are treated as unknown"));
        }
        Cv::unknown(
            span,
            format!("`{function}` past the template's evaluation budget"),
        )
    }

    /// The unknown value of a `function` whose result would pass [`MAX_INTRINSIC_BYTES`].
    fn too_large(&mut self, function: &str, span: Span) -> Cv {
        self.note(
            span,
            format!("`{function}` builds a string of more than {MAX_INTRINSIC_BYTES} bytes; its value is treated as unknown"),
        );
        Cv::unknown(span, format!("`{function}` result too large"))
    }

    fn bad(&mut self, span: Span, what: &str) -> Cv {
        self.note(
            span,
            format!("unexpected intrinsic shape: {what}; the value is treated as unknown"),
        );
        Cv::unknown(span, what.to_string())
    }

    /// `Ref` to a parameter, a resource or a pseudo parameter.
    fn reference(&mut self, target: &str, span: Span) -> Cv {
        if target == "AWS::NoValue" {
            return Cv::new(span, CvKind::NoValue);
        }
        if PSEUDO.contains(&target) {
            return Cv::str(span, format!("${{{target}}}"));
        }
        if let Some(v) = self.overrides.get(target) {
            let mut v = v.clone();
            v.span = span;
            return v;
        }
        if let Some(param) = self.params.get(target).copied() {
            return parameter_value(target, param, span);
        }
        if let Some(t) = self.resource_type(target).map(str::to_string) {
            return Cv::new(span, CvKind::Ref(Ref::resource(target, None, Some(t))));
        }
        self.note(
            span,
            format!(
                "`Ref` to `{target}`, which is neither a parameter nor a resource of the template"
            ),
        );
        Cv::unknown(span, format!("unresolved reference to `{target}`"))
    }

    fn get_att(&mut self, arg: &Node, span: Span) -> Cv {
        let (id, attr) = match &arg.value {
            Value::String(s) => match s.split_once('.') {
                Some((id, attr)) => (id.to_string(), Cv::str(arg.span, attr)),
                None => return self.bad(span, "`Fn::GetAtt` expects `LogicalId.Attribute`"),
            },
            Value::Seq(items) if items.len() == 2 => match items[0].as_str() {
                Some(id) => (id.to_string(), self.eval(&items[1])),
                None => return self.bad(span, "`Fn::GetAtt` expects a logical id first"),
            },
            _ => return self.bad(span, "`Fn::GetAtt` expects `[LogicalId, Attribute]`"),
        };
        let Some(attr) = attr.text() else {
            return Cv::unknown(span, "attribute name not statically known");
        };
        let type_name = self.resource_type(&id).map(str::to_string);
        if type_name.is_none() {
            self.note(
                span,
                format!("`Fn::GetAtt` on `{id}`, which is not a resource of the template"),
            );
        }
        Cv::new(span, CvKind::Ref(Ref::resource(id, Some(attr), type_name)))
    }

    /// A `Fn::Sub` whose template is the result of another intrinsic function (`Fn::Transform`
    /// most often): that function is evaluated as anywhere else (and noted if it cannot be),
    /// and the substitution's result is unknown unless it gives a plain string.
    fn computed_template(&mut self, template: &Node, span: Span) -> Cv {
        match decided_text(&self.eval(template)) {
            Some(text) => Cv::str(span, text),
            None => Cv::unknown(span, "`Fn::Sub` of a template another function computes"),
        }
    }

    fn sub(&mut self, arg: &Node, span: Span) -> Cv {
        let (template, vars) = match &arg.value {
            Value::String(s) => (s.as_str(), HashMap::new()),
            Value::Seq(items) if items.len() == 2 => match items[0].as_str() {
                Some(s) => {
                    let vars = items[1]
                        .entries()
                        .iter()
                        .map(|e| (e.key.clone(), self.eval(&e.value)))
                        .collect::<HashMap<_, _>>();
                    (s, vars)
                }
                // `Fn::Sub: [{Fn::Transform: ...}, {...}]`: the template is another function's
                // result, which CloudFormation computes first.
                None if intrinsic(&items[0]).is_some() => {
                    return self.computed_template(&items[0], span)
                }
                None => return self.bad(span, "`Fn::Sub` expects a string template"),
            },
            _ if intrinsic(arg).is_some() => return self.computed_template(arg, span),
            _ => {
                return self.bad(
                    span,
                    "`Fn::Sub` expects a string or `[string, {variables}]`",
                )
            }
        };
        let mut out = String::new();
        let mut rest = template;
        let mut sole_ref = None;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                // `${!Literal}` writes `${Literal}` verbatim.
                out.push_str("${");
                rest = literal;
                continue;
            }
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            rest = &after[end + 1..];
            let value = match vars.get(name) {
                Some(v) => v.clone(),
                None => match name.split_once('.') {
                    Some((id, attr))
                        if !PSEUDO.contains(&name) && self.resource_type(id).is_some() =>
                    {
                        let t = self.resource_type(id).map(str::to_string);
                        Cv::new(
                            span,
                            CvKind::Ref(Ref::resource(id, Some(attr.to_string()), t)),
                        )
                    }
                    _ => self.reference(name, span),
                },
            };
            match &value.kind {
                CvKind::Unknown(reason) => return Cv::unknown(span, reason.clone()),
                CvKind::Ref(r)
                    if out.is_empty() && template.trim() == format!("${{{}}}", &after[..end]) =>
                {
                    sole_ref = Some(r.clone());
                }
                _ => {}
            }
            match value.text() {
                Some(text) if out.len() + text.len() > MAX_INTRINSIC_BYTES => {
                    return self.too_large("Fn::Sub", span)
                }
                Some(text) => out.push_str(&text),
                None if matches!(value.kind, CvKind::NoValue) => {}
                None => return Cv::unknown(span, format!("`${{{name}}}` is not a string")),
            }
        }
        if out.len() + rest.len() > MAX_INTRINSIC_BYTES {
            return self.too_large("Fn::Sub", span);
        }
        out.push_str(rest);
        match sole_ref {
            Some(r) => Cv::new(span, CvKind::Ref(r)),
            None => self.built("Fn::Sub", span, out),
        }
    }

    fn join(&mut self, arg: &Node, span: Span) -> Cv {
        let Some([delim, list]) = arg.as_seq().and_then(|s| <&[Node; 2]>::try_from(s).ok()) else {
            return self.bad(span, "`Fn::Join` expects `[delimiter, [values]]`");
        };
        let Some(delim) = delim.as_str() else {
            return self.bad(span, "`Fn::Join` expects a string delimiter");
        };
        let list = self.eval(list);
        let items = match &list.kind {
            CvKind::List(items) => items,
            CvKind::Unknown(reason) => return Cv::unknown(span, reason.clone()),
            _ => return self.bad(span, "`Fn::Join` expects a list of values"),
        };
        let mut parts = Vec::with_capacity(items.len());
        // Counted before joining: a long delimiter between many items multiplies.
        let mut size = 0usize;
        for (i, item) in items.iter().enumerate() {
            match (&item.kind, item.text()) {
                (CvKind::Unknown(reason), _) => return Cv::unknown(span, reason.clone()),
                (_, Some(text)) => {
                    size = size.saturating_add(text.len()).saturating_add(if i > 0 {
                        delim.len()
                    } else {
                        0
                    });
                    if size > MAX_INTRINSIC_BYTES {
                        return self.too_large("Fn::Join", span);
                    }
                    parts.push(text)
                }
                _ => return Cv::unknown(span, "`Fn::Join` of a value that is not a string"),
            }
        }
        self.built("Fn::Join", span, parts.join(delim))
    }

    fn fn_if(&mut self, arg: &Node, span: Span) -> Cv {
        let Some([cond, then, otherwise]) =
            arg.as_seq().and_then(|s| <&[Node; 3]>::try_from(s).ok())
        else {
            return self.bad(
                span,
                "`Fn::If` expects `[condition, value-if-true, value-if-false]`",
            );
        };
        let Some(name) = cond.as_str() else {
            return self.bad(span, "`Fn::If` expects a condition name");
        };
        match self.condition(name) {
            Some(true) => self.eval(then),
            Some(false) => self.eval(otherwise),
            None => Cv::unknown(
                span,
                format!("condition `{name}` is not statically decidable"),
            ),
        }
    }

    fn find_in_map(&mut self, arg: &Node, span: Span) -> Cv {
        let Some(items) = arg.as_seq().filter(|s| s.len() >= 3) else {
            return self.bad(
                span,
                "`Fn::FindInMap` expects `[map, top-level key, second-level key]`",
            );
        };
        let mut keys = Vec::with_capacity(3);
        for item in &items[..3] {
            let key = self.eval(item);
            match (&key.kind, key.text()) {
                (CvKind::Str(s), _) if s.contains("${") => {
                    return Cv::unknown(span, "mapping key depends on a deploy-time value")
                }
                (CvKind::Ref(_), _) => {
                    return Cv::unknown(span, "mapping key depends on a deploy-time value")
                }
                (CvKind::Unknown(reason), _) => return Cv::unknown(span, reason.clone()),
                (_, Some(text)) => keys.push(text),
                _ => return self.bad(span, "`Fn::FindInMap` keys must be strings"),
            }
        }
        let found = self
            .root
            .get("Mappings")
            .and_then(|m| m.get(&keys[0]))
            .and_then(|m| m.get(&keys[1]))
            .and_then(|m| m.get(&keys[2]));
        match found {
            Some(node) => literal(node, span),
            // The language extensions' DefaultValue.
            None => match items.get(3).and_then(|d| d.get("DefaultValue")) {
                Some(default) => self.eval(default),
                None => {
                    self.note(
                        span,
                        format!(
                            "`Fn::FindInMap` finds no `{}/{}/{}` in Mappings",
                            keys[0], keys[1], keys[2]
                        ),
                    );
                    Cv::unknown(span, "mapping entry not found")
                }
            },
        }
    }

    fn select(&mut self, arg: &Node, span: Span) -> Cv {
        let Some([index, list]) = arg.as_seq().and_then(|s| <&[Node; 2]>::try_from(s).ok()) else {
            return self.bad(span, "`Fn::Select` expects `[index, [values]]`");
        };
        let index = self.eval(index);
        let list = self.eval(list);
        let Some(i) = index.text().and_then(|t| t.trim().parse::<usize>().ok()) else {
            return Cv::unknown(span, "index not statically known");
        };
        match &list.kind {
            CvKind::List(items) => match items.get(i) {
                Some(item) => item.clone(),
                None => self.bad(span, "`Fn::Select` index out of range"),
            },
            _ => Cv::unknown(span, "list not statically known"),
        }
    }

    fn split(&mut self, arg: &Node, span: Span) -> Cv {
        let Some([delim, source]) = arg.as_seq().and_then(|s| <&[Node; 2]>::try_from(s).ok())
        else {
            return self.bad(span, "`Fn::Split` expects `[delimiter, string]`");
        };
        let Some(delim) = delim.as_str().filter(|d| !d.is_empty()) else {
            return self.bad(span, "`Fn::Split` expects a non-empty string delimiter");
        };
        let source = self.eval(source);
        match &source.kind {
            // A placeholder (`${AWS::StackId}`, `${Bucket.Arn}`) stands for text only known at
            // deploy time, delimiters included: the pieces cannot be known.
            CvKind::Str(s) if s.contains("${") => Cv::unknown(
                span,
                "string to split holds values only known at deploy time",
            ),
            CvKind::Str(s) if s.matches(delim).count() >= MAX_SPLIT_ITEMS => {
                self.note(
                    span,
                    format!("`Fn::Split` makes more than {MAX_SPLIT_ITEMS} items; its value is treated as unknown"),
                );
                Cv::unknown(span, "`Fn::Split` result too large")
            }
            CvKind::Str(s) => Cv::new(
                span,
                CvKind::List(s.split(delim).map(|p| Cv::str(span, p)).collect()),
            ),
            _ => Cv::unknown(span, "string to split not statically known"),
        }
    }

    /// Decide the named condition of the `Conditions` section.
    pub fn condition(&mut self, name: &str) -> Option<bool> {
        match self.conditions.get(name) {
            Some(CondState::Done(v)) => return *v,
            // A cycle: CloudFormation rejects it; we simply cannot decide.
            Some(CondState::InProgress) => return None,
            None => {}
        }
        self.conditions
            .insert(name.to_string(), CondState::InProgress);
        let node = self.root.get("Conditions").and_then(|c| c.get(name));
        let value = match node {
            Some(node) => self.cond_node(node),
            None => {
                let span = self.root.span;
                self.note(
                    span,
                    format!("condition `{name}` is not defined in Conditions"),
                );
                None
            }
        };
        self.conditions
            .insert(name.to_string(), CondState::Done(value));
        value
    }

    fn cond_node(&mut self, node: &Node) -> Option<bool> {
        if let Some(name) = condition_ref(node) {
            return self.condition(name);
        }
        match intrinsic(node) {
            Some((name, arg)) => self.cond_fn(name, arg, node.span),
            None => node.as_bool(),
        }
    }

    fn cond_fn(&mut self, name: &str, arg: &Node, span: Span) -> Option<bool> {
        match name {
            "Condition" => {
                let name = arg.as_str()?;
                self.condition(name)
            }
            "Fn::Equals" => {
                let [a, b] = arg.as_seq().and_then(|s| <&[Node; 2]>::try_from(s).ok())?;
                let (a, b) = (self.eval(a), self.eval(b));
                let (a, b) = (decided_text(&a)?, decided_text(&b)?);
                Some(a == b)
            }
            "Fn::Not" => {
                let inner = arg.as_seq().and_then(|s| s.first())?;
                self.cond_node(inner).map(|b| !b)
            }
            "Fn::And" | "Fn::Or" => {
                let items = arg.as_seq()?;
                let values: Vec<Option<bool>> = items.iter().map(|i| self.cond_node(i)).collect();
                let decisive = name == "Fn::Or";
                if values.contains(&Some(decisive)) {
                    Some(decisive)
                } else if values.iter().all(Option::is_some) {
                    Some(!decisive)
                } else {
                    None
                }
            }
            _ => {
                self.note(span, format!("`{name}` is not a condition function"));
                None
            }
        }
    }
}

/// The long form `{"Condition": "Name"}` of a condition reference inside `Fn::And`, `Fn::Or`
/// and `Fn::Not` (only there: elsewhere `Condition` is an ordinary key).
fn condition_ref(node: &Node) -> Option<&str> {
    match &node.value {
        Value::Map(entries) if entries.len() == 1 && entries[0].key == "Condition" => {
            entries[0].value.as_str()
        }
        _ => None,
    }
}

/// Text of a value that is fully decided: no placeholders for deploy-time values.
fn decided_text(v: &Cv) -> Option<String> {
    match &v.kind {
        CvKind::Str(s) if s.contains("${") => None,
        CvKind::Ref(_) | CvKind::Unknown(_) => None,
        _ => v.text(),
    }
}

/// The intrinsic function a node calls, if any: `(name, argument)`. Short-form tags and the
/// one-key long form are both recognised.
pub fn intrinsic(node: &Node) -> Option<(&str, &Node)> {
    if let Some(tag) = node.tag.as_deref() {
        let name = match tag {
            "!Ref" => "Ref",
            "!Condition" => "Condition",
            "!GetAtt" => "Fn::GetAtt",
            "!Sub" => "Fn::Sub",
            "!Join" => "Fn::Join",
            "!If" => "Fn::If",
            "!FindInMap" => "Fn::FindInMap",
            "!Select" => "Fn::Select",
            "!Split" => "Fn::Split",
            "!Base64" => "Fn::Base64",
            "!ImportValue" => "Fn::ImportValue",
            "!GetAZs" => "Fn::GetAZs",
            "!Cidr" => "Fn::Cidr",
            "!Equals" => "Fn::Equals",
            "!And" => "Fn::And",
            "!Or" => "Fn::Or",
            "!Not" => "Fn::Not",
            "!Transform" => "Fn::Transform",
            "!Length" => "Fn::Length",
            "!ToJsonString" => "Fn::ToJsonString",
            other => other,
        };
        return Some((name, node));
    }
    match &node.value {
        Value::Map(entries) if entries.len() == 1 => {
            let e = &entries[0];
            (e.key == "Ref" || e.key.starts_with("Fn::")).then_some((e.key.as_str(), &e.value))
        }
        _ => None,
    }
}

/// A node converted without evaluating anything (parameter defaults, mapping values).
pub fn literal(node: &Node, span: Span) -> Cv {
    let kind = match &node.value {
        Value::Null => CvKind::Null,
        Value::Bool(b) => CvKind::Bool(*b),
        Value::Number(n) => CvKind::Number(n.clone()),
        Value::String(s) => CvKind::Str(s.clone()),
        Value::Seq(items) => CvKind::List(items.iter().map(|i| literal(i, i.span)).collect()),
        Value::Map(entries) => CvKind::Map(
            entries
                .iter()
                .map(|e| (e.key.clone(), e.key_span, literal(&e.value, e.value.span)))
                .collect(),
        ),
        Value::Block(_) | Value::Expr(_) => CvKind::Unknown("not a CloudFormation value".into()),
    };
    Cv::new(span, kind)
}

/// The value of a parameter from its `Default`; unknown without one.
fn parameter_value(name: &str, decl: &Node, span: Span) -> Cv {
    let Some(default) = decl.get("Default") else {
        return Cv::unknown(span, format!("parameter `{name}` has no default"));
    };
    let is_list = decl
        .get("Type")
        .and_then(Node::as_str)
        .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
    match (&default.value, is_list) {
        (Value::String(s), true) => Cv::new(
            span,
            CvKind::List(s.split(',').map(|p| Cv::str(span, p.trim())).collect()),
        ),
        _ => literal(default, span),
    }
}
