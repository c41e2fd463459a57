//! IAM policy documents with every string spanned, shared by identity policies, trust policies
//! and resource policies (bucket, queue, topic, key). The permissions stage analyses these.

use tollgate_syntax::Span;

use super::Val;

/// A policy document. `file` is where it was written (a Terraform policy may come from a module
/// or another file than the resource using it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    pub file: String,
    pub span: Span,
    pub version: Val<String>,
    pub statements: Vec<Statement>,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement. Lists keep one entry per written string; an entry that cannot be resolved is
/// `Val::Unknown`. A whole list written as one unresolvable expression is one unknown entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub span: Span,
    pub sid: Val<String>,
    pub effect: Val<Effect>,
    pub actions: Vec<Val<String>>,
    pub not_actions: Vec<Val<String>>,
    pub resources: Vec<Val<String>>,
    pub not_resources: Vec<Val<String>>,
    pub principals: Vec<Principal>,
    pub not_principals: Vec<Principal>,
    pub conditions: Vec<Condition>,
    /// The `Condition` block was written but could not be resolved: treat as "some condition".
    pub conditions_unknown: bool,
}

impl Statement {
    pub fn new(span: Span) -> Self {
        Self {
            span,
            sid: Val::Absent,
            effect: Val::Absent,
            actions: Vec::new(),
            not_actions: Vec::new(),
            resources: Vec::new(),
            not_resources: Vec::new(),
            principals: Vec::new(),
            not_principals: Vec::new(),
            conditions: Vec::new(),
            conditions_unknown: false,
        }
    }

    pub fn is_allow(&self) -> bool {
        self.effect.get() == Some(&Effect::Allow)
    }

    pub fn is_deny(&self) -> bool {
        self.effect.get() == Some(&Effect::Deny)
    }

    /// Whether a principal entry is known to be everyone (`"*"` or `{"AWS": "*"}`).
    pub fn wildcard_principal(&self) -> Option<&Principal> {
        self.principals.iter().find(|p| p.is_wildcard())
    }

    /// Whether any condition is attached (known or not).
    pub fn has_conditions(&self) -> bool {
        !self.conditions.is_empty() || self.conditions_unknown
    }

    /// The condition on `key` (case-insensitive, as IAM compares keys), if any.
    pub fn condition_on(&self, key: &str) -> Option<&Condition> {
        self.conditions
            .iter()
            .find(|c| c.key.eq_ignore_ascii_case(key))
    }

    /// Whether an action entry is known to match `action` (`s3:GetObject` matches `s3:*`,
    /// `*`, `s3:Get*`). Service prefixes and names compare case-insensitively, as IAM does.
    pub fn allows_action(&self, action: &str) -> bool {
        self.actions
            .iter()
            .filter_map(|a| a.as_str())
            .any(|pattern| action_matches(pattern, action))
    }
}

/// Whether an IAM action pattern (with `*` and `?`) matches an action, case-insensitively.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    wildcard_matches(
        pattern.to_ascii_lowercase().as_bytes(),
        action.to_ascii_lowercase().as_bytes(),
    )
}

/// Whether `pattern` (with `*` and `?`, as IAM writes actions and resource ARNs) matches
/// `text` exactly, case-sensitively (IAM compares resource ARNs that way).
pub fn wildcard_matches(p: &[u8], s: &[u8]) -> bool {
    // Iterative glob with single backtrack point: linear in practice, no recursion blow-up
    // on hostile patterns.
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// One principal entry: the kind (`AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for a
/// bare `"Principal": "*"`) and one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub kind: String,
    pub value: Val<String>,
}

impl Principal {
    /// Everyone: `"*"`, `{"AWS": "*"}` or `{"AWS": "arn:aws:iam::*:root"}`-style wildcards,
    /// as the shared principal classifier decides.
    pub fn is_wildcard(&self) -> bool {
        super::classify(self, &[]) == super::PrincipalClass::Public
    }

    pub fn is_service(&self) -> bool {
        self.kind.eq_ignore_ascii_case("Service")
    }
}

/// One condition test: operator (`StringEquals`, `Bool`, `ForAnyValue:StringLike`...), key
/// (`aws:SecureTransport`) and values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub span: Span,
    pub operator: String,
    pub key: String,
    pub values: Vec<Val<String>>,
}

/// An identity-based policy attached by name (role inline policies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPolicy {
    pub name: Val<String>,
    pub document: Val<PolicyDocument>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_wildcards_are_case_sensitive_and_linear() {
        assert!(wildcard_matches(b"table/patients-*", b"table/patients-dev"));
        assert!(!wildcard_matches(
            b"table/Patients-*",
            b"table/patients-dev"
        ));
        assert!(wildcard_matches(b"*", b"anything"));
        assert!(!wildcard_matches(b"a*a*a*a*b", "a".repeat(2000).as_bytes()));
    }

    #[test]
    fn action_patterns() {
        assert!(action_matches("s3:*", "s3:GetObject"));
        assert!(action_matches("*", "lambda:InvokeFunction"));
        assert!(action_matches("Lambda:Invoke*", "lambda:InvokeFunction"));
        assert!(action_matches("s3:Get?bject", "s3:GetObject"));
        assert!(!action_matches("s3:Put*", "s3:GetObject"));
        assert!(!action_matches("s3:GetObject", "s3:GetObjectAcl"));
    }

    #[test]
    fn wildcard_principals() {
        let p = |kind: &str, v: &str| Principal {
            kind: kind.into(),
            value: Val::known(v.into(), Span::line(1)),
        };
        assert!(p("*", "*").is_wildcard());
        assert!(p("AWS", "*").is_wildcard());
        assert!(!p("Service", "lambda.amazonaws.com").is_wildcard());
        assert!(!p("AWS", "arn:aws:iam::123456789012:root").is_wildcard());
    }
}
