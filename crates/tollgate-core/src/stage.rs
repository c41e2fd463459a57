use serde::{Deserialize, Serialize};

use crate::{Evaluation, Finding, Location, Rule, ScanContext};

/// How serious a notification about the run itself is (SARIF notification `level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationLevel {
    Note,
    Warning,
    Error,
}

impl NotificationLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationLevel::Note => "note",
            NotificationLevel::Warning => "warning",
            NotificationLevel::Error => "error",
        }
    }
}

/// Something the run has to say that is not a finding: a file that could not be parsed, a stage
/// that failed, an expired ignore. Becomes a SARIF `toolExecutionNotification`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub level: NotificationLevel,
    /// Stable kebab-case descriptor id: `parse-error`, `file-skipped`, `stage-failed`,
    /// `stage-timeout`, `plugin-failed`, `unused-suppression`, `expired-ignore`, `truncated`...
    pub id: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The stage that raised it, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
}

impl Notification {
    pub fn new(
        level: NotificationLevel,
        id: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            level,
            id: id.into(),
            message: message.into(),
            location: None,
            stage: None,
        }
    }

    pub fn error(id: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(NotificationLevel::Error, id, message)
    }

    pub fn warning(id: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(NotificationLevel::Warning, id, message)
    }

    pub fn note(id: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(NotificationLevel::Note, id, message)
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn stage(mut self, stage: impl Into<String>) -> Self {
        self.stage = Some(stage.into());
        self
    }

    /// Whether this says that a file, or part of one, was not checked: it could not be read
    /// or parsed, an adapter failed on it, the walk could not enter it, or entries of it were
    /// skipped. Every output shows these, so an unparsed file never passes for a clean one.
    pub fn leaves_unchecked(&self) -> bool {
        NOT_CHECKED_IDS.contains(&self.id.as_str())
    }

    /// Whether `--strict` (config `strict = true`) turns this into a tool failure: an error,
    /// a file not checked (see [`Notification::leaves_unchecked`]), a plugin skipped, or
    /// advisories missing for some packages. Teams that want the gate to fail closed use it.
    pub fn fails_strict(&self) -> bool {
        self.level == NotificationLevel::Error
            || self.leaves_unchecked()
            || INCOMPLETE_SCAN_IDS.contains(&self.id.as_str())
    }
}

/// Notification ids that mean a file, or part of one, was not checked.
pub const NOT_CHECKED_IDS: &[&str] = &[
    "parse-error",
    "parser-failed",
    "adapter-failed",
    "file-skipped",
    "walk-error",
    "entries-skipped",
];

/// Notification ids that mean a stage, or part of one, did not run on everything (a configured
/// policy path with no policy in it: a pull request can delete the policies).
pub const INCOMPLETE_SCAN_IDS: &[&str] = &[
    "plugin-skipped",
    "advisory-db-incomplete",
    "policy-path-empty",
];

/// What one stage found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageReport {
    pub findings: Vec<Finding>,
    pub notifications: Vec<Notification>,
    /// Rules known only at run time (one per advisory in the dependency stage). Static rules
    /// come from [`Stage::rules`].
    pub dynamic_rules: Vec<Rule>,
    /// What each rule concluded per resource it judged, passes included (see
    /// [`Evaluation`]). Stages that do not record evaluations leave it empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evaluations: Vec<Evaluation>,
    /// Files the stage did not get to because the scan was cancelled (its `stage-timeout`
    /// passed). The findings of the files it did check are still in the report; the pipeline
    /// names these in its `stage-timeout` notification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<String>,
}

impl StageReport {
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub fn notify(&mut self, notification: Notification) {
        self.notifications.push(notification);
    }

    pub fn extend(&mut self, other: StageReport) {
        self.findings.extend(other.findings);
        self.notifications.extend(other.notifications);
        self.dynamic_rules.extend(other.dynamic_rules);
        self.evaluations.extend(other.evaluations);
        self.not_checked.extend(other.not_checked);
    }
}

/// A stage failed as a whole (not one file in it). The pipeline turns it into an error
/// notification and exit code 2, and still reports every other stage.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct StageError {
    pub message: String,
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StageError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

/// A security stage. Implementations are synchronous and CPU-bound (the pipeline runs them on
/// blocking threads with a timeout); they never print, and push everything they have to say into
/// the returned report. A stage should check [`ScanContext::is_cancelled`] between files: once
/// its timeout passed, it stops promptly and still returns the results of the files it checked,
/// listing the others in [`StageReport::not_checked`].
pub trait Stage: Send + Sync {
    /// Name used by `--stages` and config (`iac`, `permissions`, `deps`, `policy`).
    fn name(&self) -> &str;

    /// Every rule this stage can raise, for `tollgate rules`, `explain` and SARIF.
    fn rules(&self) -> Vec<Rule>;

    fn run(&self, ctx: &ScanContext) -> Result<StageReport, StageError>;

    /// Whether the stage asks the context for parsed documents itself
    /// ([`ScanContext::document`]) or Terraform's evaluated modules, rather than only through
    /// the memoized cloud model. When no selected stage does, the pipeline lets the context
    /// drop each document once the model has read it ([`ScanContext::without_document_cache`])
    /// instead of holding them all, and the evaluated modules once they are mapped.
    fn reads_documents(&self) -> bool {
        true
    }
}
