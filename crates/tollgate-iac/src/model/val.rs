//! `Val<T>`: a model value with the place it was written, or the honest admission that it
//! cannot be known statically. Rules must never treat `Unknown` as a bad value.

use std::fmt;

use tollgate_syntax::Span;

/// A value of the cloud model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val<T> {
    /// Resolved statically; `span` is where the user wrote it (for a default, where the default
    /// was written, e.g. SAM `Globals` or a CloudFormation parameter default).
    Known { value: T, span: Span },
    /// Written, but not decidable statically (parameter without default, `!ImportValue`,
    /// `var.x` without default, module output, an undecidable condition...).
    Unknown { span: Span, reason: String },
    /// Not written at all: the service default applies. Rules report on the resource header.
    Absent,
}

// Written by hand: the derive would require `T: Default`, which `Ref` and documents lack.
#[allow(clippy::derivable_impls)]
impl<T> Default for Val<T> {
    fn default() -> Self {
        Val::Absent
    }
}

impl<T> Val<T> {
    pub fn known(value: T, span: Span) -> Self {
        Val::Known { value, span }
    }

    pub fn unknown(span: Span, reason: impl Into<String>) -> Self {
        Val::Unknown {
            span,
            reason: reason.into(),
        }
    }

    /// The value when it is known.
    pub fn get(&self) -> Option<&T> {
        match self {
            Val::Known { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Val::Known { .. })
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Val::Unknown { .. })
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Val::Absent)
    }

    /// Written by the user, known or not.
    pub fn is_present(&self) -> bool {
        !self.is_absent()
    }

    /// Where the value was written (known or unknown); `None` when absent.
    pub fn span(&self) -> Option<Span> {
        match self {
            Val::Known { span, .. } | Val::Unknown { span, .. } => Some(*span),
            Val::Absent => None,
        }
    }

    pub fn as_ref(&self) -> Val<&T> {
        match self {
            Val::Known { value, span } => Val::Known { value, span: *span },
            Val::Unknown { span, reason } => Val::Unknown {
                span: *span,
                reason: reason.clone(),
            },
            Val::Absent => Val::Absent,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Val<U> {
        match self {
            Val::Known { value, span } => Val::Known {
                value: f(value),
                span,
            },
            Val::Unknown { span, reason } => Val::Unknown { span, reason },
            Val::Absent => Val::Absent,
        }
    }

    /// `self` unless it is absent, then `fallback` (used to apply defaults such as SAM Globals
    /// or Serverless `provider` settings, keeping the span of whichever was written).
    pub fn or(self, fallback: Val<T>) -> Val<T> {
        if self.is_absent() {
            fallback
        } else {
            self
        }
    }

    /// Whether the value is known and satisfies `pred`. Unknown and absent give `false`.
    pub fn is_known_and(&self, pred: impl FnOnce(&T) -> bool) -> bool {
        self.get().is_some_and(pred)
    }
}

impl Val<bool> {
    /// Known to be `true`.
    pub fn is_true(&self) -> bool {
        self.get() == Some(&true)
    }

    /// Known to be `false`.
    pub fn is_false(&self) -> bool {
        self.get() == Some(&false)
    }
}

impl Val<String> {
    pub fn as_str(&self) -> Option<&str> {
        self.get().map(String::as_str)
    }

    /// Known and equal to `other`, ignoring ASCII case (AWS enum values are written both ways).
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.as_str().is_some_and(|s| s.eq_ignore_ascii_case(other))
    }
}

/// What a value that names another resource points at: a resource of the same template or
/// configuration (so a rule can tell "a CMK declared here" from "alias/aws/s3"), or a literal
/// name, id or ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ref {
    /// `!Ref MyKey`, `!GetAtt MyKey.Arn`, `aws_kms_key.main.arn`, SAM's implicit resources.
    Resource {
        /// Address of the target: logical id (CloudFormation/SAM/Serverless) or Terraform
        /// address (`aws_kms_key.main`, `module.x.aws_kms_key.main`).
        address: String,
        /// `Arn`, `arn`, `id`... `None` for a plain `Ref`.
        attr: Option<String>,
        /// The target's type (`AWS::KMS::Key`, `aws_kms_key`) when the target is known.
        type_name: Option<String>,
    },
    /// A literal: `alias/aws/s3`, `arn:aws:sqs:...`, a bucket name.
    Literal(String),
}

impl Ref {
    pub fn resource(
        address: impl Into<String>,
        attr: Option<String>,
        type_name: Option<String>,
    ) -> Self {
        Ref::Resource {
            address: address.into(),
            attr,
            type_name,
        }
    }

    pub fn literal(text: impl Into<String>) -> Self {
        Ref::Literal(text.into())
    }

    /// The address of the referenced resource, when it is one of the template's.
    pub fn address(&self) -> Option<&str> {
        match self {
            Ref::Resource { address, .. } => Some(address),
            Ref::Literal(_) => None,
        }
    }

    /// Whether this names a customer-managed KMS key: a key or alias declared in the template
    /// (or a resource of unknown type: given the benefit of the doubt), or a literal key id,
    /// key ARN or alias that is not an AWS-managed `alias/aws/*` one.
    pub fn is_customer_managed_key(&self) -> bool {
        match self {
            Ref::Resource { type_name, .. } => match type_name.as_deref() {
                None => true,
                Some(t) => {
                    let t = t.to_ascii_lowercase();
                    t.contains("kms") || t.contains("unknown")
                }
            },
            Ref::Literal(text) => {
                let t = text.trim();
                !t.is_empty() && !is_aws_managed_alias(t)
            }
        }
    }
}

/// `alias/aws/s3`, `arn:aws:kms:eu-west-1:123:alias/aws/lambda`: keys AWS manages for itself.
pub fn is_aws_managed_alias(text: &str) -> bool {
    text.starts_with("alias/aws/") || text.contains(":alias/aws/")
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ref::Resource {
                address,
                attr: Some(attr),
                ..
            } => write!(f, "{address}.{attr}"),
            Ref::Resource { address, .. } => f.write_str(address),
            Ref::Literal(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_syntax::Pos;

    fn span() -> Span {
        Span::new(Pos::new(3, 5), Pos::new(3, 9))
    }

    #[test]
    fn or_keeps_written_value_and_falls_back_when_absent() {
        let written = Val::known(true, span());
        assert!(written
            .clone()
            .or(Val::known(false, Span::line(1)))
            .is_true());
        let absent: Val<bool> = Val::Absent;
        assert!(absent.or(Val::known(false, Span::line(1))).is_false());
        let unknown: Val<bool> = Val::unknown(span(), "parameter without default");
        assert!(unknown
            .clone()
            .or(Val::known(true, Span::line(1)))
            .is_unknown());
        assert!(!unknown.is_true() && !unknown.is_false());
    }

    #[test]
    fn customer_managed_keys() {
        assert!(!Ref::literal("alias/aws/s3").is_customer_managed_key());
        assert!(!Ref::literal("arn:aws:kms:eu-west-1:1:alias/aws/sqs").is_customer_managed_key());
        assert!(Ref::literal("arn:aws:kms:eu-west-1:1:key/abcd").is_customer_managed_key());
        assert!(
            Ref::resource("Key", Some("Arn".into()), Some("AWS::KMS::Key".into()))
                .is_customer_managed_key()
        );
        assert!(!Ref::resource("Q", None, Some("AWS::SQS::Queue".into())).is_customer_managed_key());
    }
}
