//! The value of a CloudFormation property after intrinsic functions were evaluated: a spanned
//! tree that keeps references to the template's resources as references and marks what
//! cannot be decided statically.

use tollgate_syntax::Span;

use crate::model::{Ref, Val};

/// An evaluated value and the span of what the user wrote for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cv {
    pub span: Span,
    pub kind: CvKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CvKind {
    Null,
    /// `AWS::NoValue`: the property is removed, as if it were not written.
    NoValue,
    Bool(bool),
    /// As written.
    Number(String),
    /// A string. Embedded references and pseudo parameters that cannot be resolved are kept as
    /// `${LogicalId.Attr}` / `${AWS::Region}` placeholders, as `Fn::Sub` writes them.
    Str(String),
    List(Vec<Cv>),
    Map(Vec<(String, Span, Cv)>),
    /// A whole value that is a reference to a resource of the template.
    Ref(Ref),
    /// Not decidable statically; the text says why.
    Unknown(String),
}

impl Cv {
    pub fn new(span: Span, kind: CvKind) -> Self {
        Self { span, kind }
    }

    pub fn unknown(span: Span, reason: impl Into<String>) -> Self {
        Self::new(span, CvKind::Unknown(reason.into()))
    }

    pub fn str(span: Span, s: impl Into<String>) -> Self {
        Self::new(span, CvKind::Str(s.into()))
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, CvKind::Unknown(_))
    }

    /// Null or `AWS::NoValue`: nothing was set.
    pub fn is_nothing(&self) -> bool {
        matches!(self.kind, CvKind::Null | CvKind::NoValue)
    }

    /// The value at `key` of a map (last one wins for repeated keys).
    pub fn get(&self, key: &str) -> Option<&Cv> {
        match &self.kind {
            CvKind::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _, _)| k == key)
                .map(|(_, _, v)| v)
                .filter(|v| !matches!(v.kind, CvKind::NoValue)),
            _ => None,
        }
    }

    /// Follow keys one after another. An unknown value on the way is returned as is: what
    /// lies under an unresolvable map is unknown, not absent.
    pub fn path(&self, keys: &[&str]) -> Option<&Cv> {
        let mut current = self;
        for key in keys {
            if current.is_unknown() {
                return Some(current);
            }
            current = current.get(key)?;
        }
        Some(current)
    }

    pub fn entries(&self) -> &[(String, Span, Cv)] {
        match &self.kind {
            CvKind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Cv] {
        match &self.kind {
            CvKind::List(items) => items,
            _ => &[],
        }
    }

    /// A scalar as text; references as `${Id.Attr}` placeholders.
    pub fn text(&self) -> Option<String> {
        match &self.kind {
            CvKind::Str(s) | CvKind::Number(s) => Some(s.clone()),
            CvKind::Bool(b) => Some(b.to_string()),
            CvKind::Ref(r) => Some(placeholder(r)),
            _ => None,
        }
    }

    /// As a model string: known scalars (references as placeholders), unknown, or absent.
    pub fn to_str(&self) -> Val<String> {
        match &self.kind {
            CvKind::Unknown(reason) => Val::unknown(self.span, reason.clone()),
            _ => match self.text() {
                Some(s) => Val::known(s, self.span),
                None if self.is_nothing() => Val::Absent,
                None => Val::unknown(self.span, "expected a string, found a list or map"),
            },
        }
    }

    /// As a model boolean (CloudFormation accepts `"true"`/`"false"` strings).
    pub fn to_bool(&self) -> Val<bool> {
        match &self.kind {
            CvKind::Bool(b) => Val::known(*b, self.span),
            CvKind::Str(s) if s.eq_ignore_ascii_case("true") => Val::known(true, self.span),
            CvKind::Str(s) if s.eq_ignore_ascii_case("false") => Val::known(false, self.span),
            CvKind::Unknown(reason) => Val::unknown(self.span, reason.clone()),
            _ if self.is_nothing() => Val::Absent,
            _ => Val::unknown(self.span, "expected true or false"),
        }
    }

    /// As a model integer.
    pub fn to_int(&self) -> Val<i64> {
        match &self.kind {
            CvKind::Number(s) | CvKind::Str(s) => match s.trim().parse::<i64>() {
                Ok(n) => Val::known(n, self.span),
                Err(_) => Val::unknown(self.span, format!("expected an integer, found `{s}`")),
            },
            CvKind::Unknown(reason) => Val::unknown(self.span, reason.clone()),
            _ if self.is_nothing() => Val::Absent,
            _ => Val::unknown(self.span, "expected an integer"),
        }
    }

    /// As a model reference: a resource of the template, or a literal id / ARN / name.
    pub fn to_ref(&self) -> Val<Ref> {
        match &self.kind {
            CvKind::Ref(r) => Val::known(r.clone(), self.span),
            CvKind::Str(s) | CvKind::Number(s) => Val::known(Ref::Literal(s.clone()), self.span),
            CvKind::Unknown(reason) => Val::unknown(self.span, reason.clone()),
            _ if self.is_nothing() => Val::Absent,
            _ => Val::unknown(self.span, "expected a name, id or ARN"),
        }
    }

    /// Each entry of a list as a model string; a single scalar counts as a one-item list (IAM
    /// and many properties accept both), an unresolvable list is one unknown entry.
    pub fn to_str_list(&self) -> Vec<Val<String>> {
        match &self.kind {
            CvKind::List(items) => items
                .iter()
                .filter(|i| !i.is_nothing())
                .map(Cv::to_str)
                .collect(),
            _ if self.is_nothing() => Vec::new(),
            _ => vec![self.to_str()],
        }
    }

    /// Like [`Cv::to_str_list`] for references.
    pub fn to_ref_list(&self) -> Vec<Val<Ref>> {
        match &self.kind {
            CvKind::List(items) => items
                .iter()
                .filter(|i| !i.is_nothing())
                .map(Cv::to_ref)
                .collect(),
            _ if self.is_nothing() => Vec::new(),
            _ => vec![self.to_ref()],
        }
    }
}

/// `${Id}` or `${Id.Attr}`: how a reference reads inside a string, as `Fn::Sub` writes it.
pub fn placeholder(r: &Ref) -> String {
    match r {
        Ref::Literal(s) => s.clone(),
        other => format!("${{{other}}}"),
    }
}

/// Property lookups that turn "not written" into `Val::Absent`.
pub trait Props {
    fn str_at(&self, keys: &[&str]) -> Val<String>;
    fn bool_at(&self, keys: &[&str]) -> Val<bool>;
    fn int_at(&self, keys: &[&str]) -> Val<i64>;
    fn ref_at(&self, keys: &[&str]) -> Val<Ref>;
}

impl Props for Option<&Cv> {
    fn str_at(&self, keys: &[&str]) -> Val<String> {
        self.and_then(|v| v.path(keys))
            .map_or(Val::Absent, Cv::to_str)
    }
    fn bool_at(&self, keys: &[&str]) -> Val<bool> {
        self.and_then(|v| v.path(keys))
            .map_or(Val::Absent, Cv::to_bool)
    }
    fn int_at(&self, keys: &[&str]) -> Val<i64> {
        self.and_then(|v| v.path(keys))
            .map_or(Val::Absent, Cv::to_int)
    }
    fn ref_at(&self, keys: &[&str]) -> Val<Ref> {
        self.and_then(|v| v.path(keys))
            .map_or(Val::Absent, Cv::to_ref)
    }
}

impl Props for Cv {
    fn str_at(&self, keys: &[&str]) -> Val<String> {
        Some(self).str_at(keys)
    }
    fn bool_at(&self, keys: &[&str]) -> Val<bool> {
        Some(self).bool_at(keys)
    }
    fn int_at(&self, keys: &[&str]) -> Val<i64> {
        Some(self).int_at(keys)
    }
    fn ref_at(&self, keys: &[&str]) -> Val<Ref> {
        Some(self).ref_at(keys)
    }
}
