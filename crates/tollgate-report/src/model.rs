//! The compliance report as data. Its JSON form is stable: fields are only added, and
//! `docs/compliance-report.schema.json` (generated from these types) describes it, so a GRC
//! tool can read it. The markdown and HTML forms are rendered from the same value.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the JSON form; raised only when a field changes meaning or goes away.
pub const REPORT_FORMAT_VERSION: u32 = 2;

/// Everything `tollgate report` says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceReport {
    /// [`REPORT_FORMAT_VERSION`].
    pub format_version: u32,
    /// Where and when the evidence was taken, and by which build.
    pub evidence: Evidence,
    /// Findings counted by severity and by stage.
    pub summary: FindingSummary,
    /// One entry per framework asked for, each with every control a rule maps to.
    pub frameworks: Vec<FrameworkReport>,
    /// Every resource classified PHI, PCI or PII, with how its data is protected and who
    /// reaches it.
    pub inventory: Vec<DataAsset>,
    /// Every finding, with the source lines around it. Controls refer to them by `id`.
    pub findings: Vec<FindingEntry>,
    /// What limits the report's claims (rules that record no passes, files not checked...).
    pub notes: Vec<String>,
}

/// Where and when the evidence was taken.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The repository: its `origin` remote without credentials, else its directory name.
    pub repository: Option<String>,
    /// The commit checked out (`HEAD`), when the scanned directory is in a git repository.
    pub commit: Option<String>,
    /// Whether the working tree had changes not committed when it was scanned.
    pub dirty: Option<bool>,
    /// When the scan ran (RFC 3339, UTC); for a report read from SARIF, when the log's scan
    /// ran if it says so.
    pub scan_time: String,
    /// `0.1.0 (commit 1a2b3c4d5e6f, x86_64-unknown-linux-gnu)`.
    pub tollgate_version: String,
    /// How many rules the build carries and the digest of the catalog (code, stage, default
    /// severity, title of every rule): two reports with one digest judged by the same rules.
    pub rule_catalog: String,
    /// The advisory database the dependency stage read, and its date.
    pub advisory_database: Option<String>,
    /// The config file used and the SHA-256 of its bytes.
    pub config: Option<ConfigEvidence>,
    /// `scan` when the report ran the scan itself, `sarif` when it read a log.
    pub source: String,
    /// The SARIF log read, as named on the command line.
    pub sarif_log: Option<String>,
}

impl Evidence {
    /// The header as the markdown and HTML forms show it: one (name, words) pair a fact.
    pub fn rows(&self) -> Vec<(&'static str, String)> {
        let unknown = || "unknown".to_string();
        let commit = match (&self.commit, self.dirty) {
            (Some(c), Some(true)) => format!("{c} (with uncommitted changes)"),
            (Some(c), _) => c.clone(),
            (None, _) => unknown(),
        };
        let config = self.config.as_ref().map_or_else(
            || "none (defaults)".to_string(),
            |c| format!("{} (sha256 {})", c.path, c.sha256),
        );
        let source = match &self.sarif_log {
            Some(log) => format!("SARIF log {log}"),
            None => "scan".to_string(),
        };
        vec![
            (
                "repository",
                self.repository.clone().unwrap_or_else(unknown),
            ),
            ("commit", commit),
            ("scan time", self.scan_time.clone()),
            ("tollgate", self.tollgate_version.clone()),
            ("rule catalog", self.rule_catalog.clone()),
            (
                "advisory database",
                self.advisory_database.clone().unwrap_or_else(unknown),
            ),
            ("config", config),
            ("source", source),
        ]
    }
}

/// The config file a report was made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigEvidence {
    /// The file as the report names it (relative when it can be).
    pub path: String,
    /// SHA-256 of the file's bytes, hexadecimal.
    pub sha256: String,
}

/// Findings counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FindingSummary {
    pub total: usize,
    /// Not suppressed.
    pub open: usize,
    pub suppressed: usize,
    /// Open findings per severity (`critical`, `high`, `medium`, `low`, `info`).
    pub by_severity: BTreeMap<String, usize>,
    /// Open findings per stage (`iac`, `permissions`, `deps`, ...).
    pub by_stage: BTreeMap<String, usize>,
}

/// One framework's controls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FrameworkReport {
    /// The command line's name: `hipaa`, `gdpr`, `pci-dss`, `soc2`, `cis-aws`, `nist-800-53`.
    pub id: String,
    /// Short name: `HIPAA`, `PCI-DSS`.
    pub name: String,
    /// `HIPAA Security Rule`.
    pub title: String,
    pub controls_failing: usize,
    pub controls_passing: usize,
    /// Controls whose resources include values that could not be resolved, and none failing.
    pub controls_unknown: usize,
    /// Controls no rule gave a verdict for in this scan (nothing of the kind was found, or
    /// the rules record failures only).
    pub controls_not_evaluated: usize,
    pub controls: Vec<ControlReport>,
}

/// What a control's verdict is over the scanned resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    /// A resource fails one of its rules (a finding that is not suppressed).
    Failing,
    /// No resource fails; some could not be judged.
    Unknown,
    /// Every resource its rules judged passed (suppressed findings are listed apart).
    Passing,
    /// No rule of it judged any resource.
    NotEvaluated,
}

impl ControlStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Failing => "failing",
            ControlStatus::Unknown => "unknown",
            ControlStatus::Passing => "passing",
            ControlStatus::NotEvaluated => "not evaluated",
        }
    }
}

/// One control and what the scan showed about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ControlReport {
    /// The framework's id of the control: `164.312(a)(2)(iv)`, `SC-28`, `3.5.1`.
    pub id: String,
    /// The control's title, when the rule catalog gives one.
    pub title: Option<String>,
    pub status: ControlStatus,
    /// Codes of the rules mapped to it.
    pub rules: Vec<String>,
    /// Resources any of its rules judged (passed, failed, suppressed or unknown).
    pub resources_evaluated: usize,
    /// Resources every rule passed.
    pub pass: usize,
    /// Resources a rule failed (with an open finding).
    pub fail: usize,
    /// Resources a rule could not judge (a value not resolved statically), none failing.
    pub unknown: usize,
    /// Resources whose only failures are suppressed.
    pub suppressed: usize,
    /// Resources its rules do not apply to.
    pub not_applicable: usize,
    /// Open findings of its rules, most severe first: at most the first 50 of
    /// `failuresTotal` (every finding is in the report's `findings`).
    pub failures: Vec<FailingResource>,
    /// Open findings of its rules, listed or not.
    pub failures_total: usize,
    /// Suppressed findings of its rules, the exceptions an auditor asks about: at most the
    /// first 200 of `suppressionsTotal`.
    pub suppressions: Vec<SuppressionEntry>,
    /// Suppressed findings of its rules, listed or not.
    pub suppressions_total: usize,
}

/// One failing resource of a control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailingResource {
    pub rule: String,
    pub severity: String,
    /// The resource's address, when the finding names one.
    pub resource: Option<String>,
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
    /// How to fix it: the rule's remediation, first paragraph.
    pub fix: String,
    /// The finding's `id` in [`ComplianceReport::findings`].
    pub finding: usize,
}

/// A suppressed finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuppressionEntry {
    pub rule: String,
    pub resource: Option<String>,
    pub path: String,
    pub line: Option<u32>,
    /// `in-source` (a comment next to the code) or `config` (an `[[ignore]]` entry or a
    /// baseline).
    pub kind: String,
    pub reason: String,
    /// `YYYY-MM-DD` of the `[[ignore]]` entry that suppressed it, when it has one.
    pub expires: Option<String>,
    pub finding: usize,
}

/// One finding, for drill-down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FindingEntry {
    pub id: usize,
    pub rule: String,
    /// The rule's title.
    pub title: String,
    pub stage: String,
    pub severity: String,
    pub message: String,
    pub path: String,
    pub line: Option<u32>,
    pub resource: Option<String>,
    /// The suppression's reason, when it is suppressed.
    pub suppressed: Option<String>,
    pub fix: String,
    /// A few source lines around `line`.
    pub frame: Vec<FrameLine>,
}

/// One source line of a code frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FrameLine {
    pub number: u32,
    /// The line, without control characters, cut at 240 characters.
    pub text: String,
    /// The line the finding points at.
    pub highlight: bool,
}

/// The class of data a resource holds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum DataClassName {
    #[serde(rename = "PHI")]
    Phi,
    #[serde(rename = "PCI")]
    Pci,
    #[serde(rename = "PII")]
    Pii,
}

impl DataClassName {
    pub fn as_str(self) -> &'static str {
        match self {
            DataClassName::Phi => "PHI",
            DataClassName::Pci => "PCI",
            DataClassName::Pii => "PII",
        }
    }
}

/// Who holds the key data at rest is encrypted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    /// Not encrypted at rest.
    None,
    /// Encrypted with a key AWS owns and the account cannot see or audit (S3 SSE-S3,
    /// DynamoDB's default, SSE-SQS).
    AwsOwned,
    /// Encrypted with the service's AWS-managed KMS key (`alias/aws/...`).
    AwsManaged,
    /// Encrypted with a KMS key the account manages.
    CustomerManaged,
    /// Could not be resolved statically.
    Unknown,
    /// The resource stores no data at rest of its own.
    NotApplicable,
}

impl KeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::None => "none",
            KeyType::AwsOwned => "AWS-owned",
            KeyType::AwsManaged => "AWS-managed",
            KeyType::CustomerManaged => "customer-managed",
            KeyType::Unknown => "unknown",
            KeyType::NotApplicable => "n/a",
        }
    }
}

/// Yes, no, or honestly not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FactState {
    Yes,
    No,
    Unknown,
    NotApplicable,
}

impl FactState {
    pub fn as_str(self) -> &'static str {
        match self {
            FactState::Yes => "yes",
            FactState::No => "no",
            FactState::Unknown => "unknown",
            FactState::NotApplicable => "n/a",
        }
    }
}

/// One fact about a data asset with the words that back it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fact {
    pub state: FactState,
    pub detail: String,
}

impl Fact {
    pub fn new(state: FactState, detail: impl Into<String>) -> Self {
        Self {
            state,
            detail: detail.into(),
        }
    }
}

/// Encryption at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AtRest {
    pub key: KeyType,
    pub detail: String,
}

/// A principal of the scan that can read or write a data asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Accessor {
    /// The role (or a policy attached to nothing in the scan) that holds the grant.
    pub principal: String,
    /// Functions and state machines that run as it.
    pub functions: Vec<String>,
    /// Some of the granted actions (`dynamodb:GetItem`), at most eight, then `...`.
    pub actions: Vec<String>,
    /// The grant is on `"Resource": "*"` or a service-wide ARN, not on this resource by name.
    pub wildcard: bool,
    /// Where the granting statement is.
    pub path: String,
    pub line: u32,
}

/// A resource whose data is classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataAsset {
    pub resource: String,
    /// `AWS::DynamoDB::Table`, `aws_s3_bucket`.
    pub resource_type: String,
    /// Its table, bucket, queue or topic name when known.
    pub name: Option<String>,
    pub path: String,
    pub line: u32,
    pub classification: DataClassName,
    /// `tag DataClassification = PHI` or `[classification] phi = "*patient*"`.
    pub classified_by: String,
    pub encryption_at_rest: AtRest,
    pub encryption_in_transit: Fact,
    pub access_logging: Fact,
    /// Point-in-time recovery, versioning or backups.
    pub backups: Fact,
    /// Anyone, without credentials, through a resource policy or ACL.
    pub public_access: Fact,
    /// Another AWS account through a resource policy.
    pub cross_account_access: Fact,
    /// Identities that can read it: those granted on it by name first, then those whose
    /// grant covers it through a wildcard; at most the first 20 of `readersTotal`.
    pub readers: Vec<Accessor>,
    pub readers_total: usize,
    /// Identities that can write it, listed the same way; at most 20 of `writersTotal`.
    pub writers: Vec<Accessor>,
    pub writers_total: usize,
}

/// The JSON Schema of [`ComplianceReport`], as `docs/compliance-report.schema.json` holds it.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(ComplianceReport);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
