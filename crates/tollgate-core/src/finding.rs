use serde::{Deserialize, Serialize};
use tollgate_syntax::Span;

use crate::{Properties, RareVec, Severity};

/// Where something is: a repository-relative path (forward slashes, no leading `./`) and an
/// optional region. Never an absolute path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    pub region: Option<Span>,
}

impl Location {
    pub fn new(path: impl Into<String>, region: Option<Span>) -> Self {
        Self {
            path: path.into(),
            region,
        }
    }

    pub fn file(path: impl Into<String>) -> Self {
        Self::new(path, None)
    }

    pub fn at(path: impl Into<String>, span: Span) -> Self {
        Self::new(path, Some(span))
    }

    pub fn start_line(&self) -> Option<u32> {
        self.region.map(|r| r.start.line)
    }
}

/// A secondary location with a word on why it matters (e.g. "the role is defined here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedLocation {
    pub location: Location,
    pub message: String,
}

/// Why a finding does not count: an inline comment, a config ignore, or a peer tool's skip
/// comment. Suppressed findings are kept and marked, never deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    pub kind: SuppressionKind,
    pub justification: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SuppressionKind {
    /// A comment in the source (`tollgate:ignore[...]`, `checkov:skip=...`): SARIF `inSource`.
    InSource,
    /// A config entry (`[[ignore]]`) or a baseline: SARIF `external`.
    External,
}

/// Whether a finding is new relative to a baseline (SARIF `baselineState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BaselineState {
    New,
    Unchanged,
    Updated,
    Absent,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
            BaselineState::Updated => "updated",
            BaselineState::Absent => "absent",
        }
    }
}

/// One result of one rule at one place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule code (`TG1001`) or advisory id.
    pub rule: String,
    pub severity: Severity,
    /// Plain text, one or two sentences; never a full secret.
    pub message: String,
    pub location: Location,
    #[serde(default, skip_serializing_if = "RareVec::is_empty")]
    pub related: RareVec<RelatedLocation>,
    /// How untrusted data travelled to the offending place, one step per location in order
    /// (where it entered first, the offending use last); SARIF `codeFlows`. Empty for findings
    /// that are not about a data flow.
    #[serde(default, skip_serializing_if = "RareVec::is_empty")]
    pub code_flow: RareVec<RelatedLocation>,
    /// Resource address: `IntakeFunction`, `aws_lambda_function.charge`, `Cargo.lock#smallvec@1.6.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Line of the resource's header, where an inline suppression may also stand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_line: Option<u32>,
    /// The offending text, normalised (whitespace folded) for the fingerprint; redacted when
    /// it would carry a secret. Empty when the offence is a missing attribute.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub evidence: String,
    /// Stable across unrelated edits; see [`crate::fingerprint`]. Filled in by the pipeline
    /// when the stage left it empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fingerprint: String,
    /// Boxed: rarely set, and a large scan holds a hundred thousand findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Box<Suppression>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_state: Option<BaselineState>,
    /// Extra facts for machines (SARIF `properties`).
    #[serde(default, skip_serializing_if = "Properties::is_empty")]
    pub properties: Properties,
}

impl Finding {
    pub fn new(
        rule: impl Into<String>,
        severity: Severity,
        message: impl Into<String>,
        location: Location,
    ) -> Self {
        Self {
            rule: rule.into(),
            severity,
            message: message.into(),
            location,
            related: RareVec::new(),
            code_flow: RareVec::new(),
            resource: None,
            resource_line: None,
            evidence: String::new(),
            fingerprint: String::new(),
            suppression: None,
            baseline_state: None,
            properties: Properties::new(),
        }
    }

    pub fn resource(mut self, address: impl Into<String>) -> Self {
        self.resource = Some(address.into());
        self
    }

    pub fn resource_line(mut self, line: u32) -> Self {
        self.resource_line = Some(line);
        self
    }

    pub fn evidence(mut self, text: impl AsRef<str>) -> Self {
        self.evidence = crate::fingerprint::normalize_evidence(text.as_ref());
        self
    }

    pub fn related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(RelatedLocation {
            location,
            message: message.into(),
        });
        self
    }

    /// Append one step to the finding's data flow.
    pub fn flow_step(mut self, location: Location, message: impl Into<String>) -> Self {
        self.code_flow.push(RelatedLocation {
            location,
            message: message.into(),
        });
        self
    }

    pub fn property(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.properties.insert(key.into(), value.into());
        self
    }

    /// Whether the finding counts toward the gate: not suppressed, and not known from the
    /// baseline.
    pub fn is_active(&self) -> bool {
        self.suppression.is_none()
            && !matches!(
                self.baseline_state,
                Some(BaselineState::Unchanged | BaselineState::Absent)
            )
    }

    /// Compute the fingerprint if the stage did not set one.
    pub fn ensure_fingerprint(&mut self) {
        if self.fingerprint.is_empty() {
            self.fingerprint = crate::fingerprint::fingerprint(
                &self.rule,
                &self.location.path,
                self.resource.as_deref(),
                &self.evidence,
            );
        }
    }
}
