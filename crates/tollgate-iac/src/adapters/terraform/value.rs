//! The evaluated value of a Terraform (or Serverless) expression: a spanned tree that keeps
//! references to other resources as references and marks what cannot be known statically.

use tollgate_syntax::Span;

/// An evaluated value and the span of the source text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Tv {
    pub span: Span,
    pub kind: TvKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TvKind {
    Null,
    Bool(bool),
    /// A number as written, so nothing is lost to rounding.
    Number(String),
    String(String),
    List(Vec<Tv>),
    /// Keys in source order, each with its own span.
    Object(Vec<(String, Span, Tv)>),
    /// A reference to another resource or data source (`aws_kms_key.main.arn`): `address` is
    /// `aws_kms_key.main` (with a `module.x.` prefix inside modules), `attr` the rest.
    Ref {
        address: String,
        attr: Vec<String>,
    },
    /// Not decidable statically; the text says why (`var.x has no default`).
    Unknown(String),
    /// `file("policy.json")` or `templatefile("policy.json.tpl", {...})`: a file of the scanned
    /// root (repository-relative path), read only by readers that need its content (policies),
    /// so its spans point into that file. `vars` are the template's variables.
    File {
        path: String,
        vars: Option<Box<Tv>>,
    },
}

impl Tv {
    pub fn new(span: Span, kind: TvKind) -> Self {
        Self { span, kind }
    }

    pub fn unknown(span: Span, reason: impl Into<String>) -> Self {
        Self::new(span, TvKind::Unknown(reason.into()))
    }

    pub fn string(span: Span, s: impl Into<String>) -> Self {
        Self::new(span, TvKind::String(s.into()))
    }

    pub fn null(span: Span) -> Self {
        Self::new(span, TvKind::Null)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, TvKind::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, TvKind::Unknown(_))
    }

    /// The string, also for numbers and booleans (Terraform converts them freely).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            TvKind::String(s) | TvKind::Number(s) => Some(s),
            TvKind::Bool(true) => Some("true"),
            TvKind::Bool(false) => Some("false"),
            _ => None,
        }
    }

    /// A boolean, also from the strings `"true"`/`"false"` (Terraform and YAML convert them).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            TvKind::Bool(b) => Some(*b),
            TvKind::String(s) => match s.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.kind {
            TvKind::Number(s) | TvKind::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Tv]> {
        match &self.kind {
            TvKind::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Span, Tv)]> {
        match &self.kind {
            TvKind::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key` of an object (the last one when a key repeats, as Terraform merges).
    /// Anything inside an unknown value is unknown: the unknown value itself is returned, so a
    /// setting under a `dynamic` block or an unresolved variable reads as unknown, not absent.
    pub fn get(&self, key: &str) -> Option<&Tv> {
        if self.is_unknown() {
            return Some(self);
        }
        self.entry(key).map(|(_, v)| v)
    }

    /// The key span and value under `key`.
    pub fn entry(&self, key: &str) -> Option<(Span, &Tv)> {
        self.as_object()?
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, s, v)| (*s, v))
    }

    /// Follow a path of object keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Tv> {
        keys.iter().try_fold(self, |v, k| v.get(k))
    }

    /// A block that Terraform may write once or several times (`versioning { }`), and that plan
    /// JSON writes as a list: the first object either way (or the unknown value of a `dynamic`
    /// block).
    pub fn block(&self, key: &str) -> Option<&Tv> {
        let v = self.get(key)?;
        match &v.kind {
            TvKind::List(items) => items.first(),
            TvKind::Object(_) | TvKind::Unknown(_) => Some(v),
            _ => None,
        }
    }

    /// Every object of a block written once or several times.
    pub fn blocks(&self, key: &str) -> Vec<&Tv> {
        match self.get(key).map(|v| &v.kind) {
            Some(TvKind::List(items)) => items.iter().collect(),
            Some(TvKind::Object(_)) => vec![self.get(key).expect("checked above")],
            _ => Vec::new(),
        }
    }

    /// A one-element list or a single value, as IAM JSON allows both: always a list.
    pub fn one_or_many(&self) -> Vec<&Tv> {
        match &self.kind {
            TvKind::List(items) => items.iter().collect(),
            TvKind::Null => Vec::new(),
            _ => vec![self],
        }
    }

    /// The reference's target address when this value is a reference.
    pub fn ref_address(&self) -> Option<&str> {
        match &self.kind {
            TvKind::Ref { address, .. } => Some(address),
            _ => None,
        }
    }

    /// A short rendering for messages and string contexts: references as `${address.attr}`.
    pub fn render(&self) -> Option<String> {
        match &self.kind {
            TvKind::String(s) | TvKind::Number(s) => Some(s.clone()),
            TvKind::Bool(b) => Some(b.to_string()),
            TvKind::Ref { address, attr } => {
                let mut s = format!("${{{address}");
                for a in attr {
                    s.push('.');
                    s.push_str(a);
                }
                s.push('}');
                Some(s)
            }
            _ => None,
        }
    }
}

impl Tv {
    /// A plain data node (JSON or YAML) as a value; HCL expressions in it become unknown.
    pub fn from_node(node: &tollgate_syntax::Node) -> Tv {
        use tollgate_syntax::Value;
        let span = node.span;
        match &node.value {
            Value::Null => Tv::null(span),
            Value::Bool(b) => Tv::new(span, TvKind::Bool(*b)),
            Value::Number(n) => Tv::new(span, TvKind::Number(n.clone())),
            Value::String(s) => Tv::string(span, s.clone()),
            Value::Seq(items) => Tv::new(
                span,
                TvKind::List(items.iter().map(Tv::from_node).collect()),
            ),
            Value::Map(entries) => Tv::new(
                span,
                TvKind::Object(
                    entries
                        .iter()
                        .map(|e| (e.key.clone(), e.key_span, Tv::from_node(&e.value)))
                        .collect(),
                ),
            ),
            Value::Block(b) => Tv::new(
                span,
                TvKind::Object(
                    b.body
                        .iter()
                        .map(|e| (e.key.clone(), e.key_span, Tv::from_node(&e.value)))
                        .collect(),
                ),
            ),
            // An expression in a data tree is a value its producer could not resolve; its text
            // says what it was (or why).
            Value::Expr(e) => Tv::unknown(span, e.text.trim()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_syntax::Pos;

    fn sp(line: u32) -> Span {
        Span::new(Pos::new(line, 1), Pos::new(line, 5))
    }

    #[test]
    fn blocks_read_the_same_from_hcl_objects_and_plan_lists() {
        let inner = Tv::new(
            sp(2),
            TvKind::Object(vec![(
                "enabled".into(),
                sp(2),
                Tv::new(sp(2), TvKind::Bool(true)),
            )]),
        );
        let hcl = Tv::new(
            sp(1),
            TvKind::Object(vec![("versioning".into(), sp(2), inner.clone())]),
        );
        let plan = Tv::new(
            sp(1),
            TvKind::Object(vec![(
                "versioning".into(),
                sp(2),
                Tv::new(sp(2), TvKind::List(vec![inner])),
            )]),
        );
        for v in [hcl, plan] {
            let b = v.block("versioning").expect("block");
            assert_eq!(b.get("enabled").and_then(Tv::as_bool), Some(true));
            assert_eq!(v.blocks("versioning").len(), 1);
        }
    }

    #[test]
    fn settings_inside_an_unknown_value_are_unknown() {
        let dynamic = Tv::unknown(
            sp(3),
            "dynamic block `vpc_config` is generated at plan time",
        );
        let body = Tv::new(
            sp(1),
            TvKind::Object(vec![("vpc_config".into(), sp(3), dynamic)]),
        );
        let subnets = body.block("vpc_config").and_then(|b| b.get("subnet_ids"));
        assert!(subnets.is_some_and(Tv::is_unknown));
        assert!(body.get("missing").is_none());
    }

    #[test]
    fn renders_references_as_interpolations() {
        let r = Tv::new(
            sp(1),
            TvKind::Ref {
                address: "aws_kms_key.main".into(),
                attr: vec!["arn".into()],
            },
        );
        assert_eq!(r.render().as_deref(), Some("${aws_kms_key.main.arn}"));
        assert_eq!(r.ref_address(), Some("aws_kms_key.main"));
        assert!(Tv::unknown(sp(1), "x").is_unknown());
    }
}
