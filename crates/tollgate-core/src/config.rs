//! `tollgate.toml`: every key optional, unknown keys rejected with file:line:col.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Severity;

mod load;
pub use load::{
    default_config_text, discover_config, find_config, load, parse, ConfigError, CONFIG_FILE_NAMES,
};

/// Default cap on the size of one scanned file.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// The whole configuration. `Config::default()` is what runs without a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Stages to run; empty means all built-in stages plus every external one.
    pub stages: Vec<String>,
    /// Globs (relative to the scanned root) a file must match to be scanned; empty means all.
    pub include: Vec<String>,
    /// Globs of files never scanned.
    pub exclude: Vec<String>,
    /// Lowest severity that fails the build; `none` never fails.
    pub fail_on: Option<FailOn>,
    /// Largest file scanned, in bytes; larger files are reported and skipped.
    pub max_file_bytes: Option<u64>,
    /// Seconds a stage may run before it is stopped and reported.
    pub stage_timeout: Option<u64>,
    /// Fail closed: a file not read or parsed, a skipped stage or any error makes the run a
    /// tool failure (exit code 2), as `--strict` does.
    pub strict: Option<bool>,
    /// Per-rule settings keyed by rule code (`TG1001`) or name.
    pub rules: BTreeMap<String, RuleConfig>,
    /// Findings to ignore, each with a reason and an optional expiry date.
    pub ignore: Vec<IgnoreEntry>,
    pub stage: StageConfigs,
    /// `[classification]`: resources whose data is PHI, PCI or PII by name, for those that
    /// carry no classification tag.
    pub classification: ClassificationConfig,
    /// `[compliance]`: the frameworks this repository answers to.
    pub compliance: ComplianceConfig,
    /// The file this config was read from, as the user named it (filled in by the loader), so
    /// messages about its entries can point into it.
    #[serde(skip)]
    pub path: Option<String>,
}

impl Config {
    /// The config file as notifications name it: the path it was read from when relative, its
    /// file name when the path is absolute (reports never carry absolute paths), else
    /// `tollgate.toml`.
    pub fn file_name(&self) -> &str {
        match self.path.as_deref() {
            None => "tollgate.toml",
            Some(path) if std::path::Path::new(path).is_absolute() => {
                path.rsplit(['/', '\\']).next().unwrap_or(path)
            }
            Some(path) => path,
        }
    }

    /// A path the config names, taken relative to the config file's directory (so a config
    /// means the same thing from any working directory); relative to the working directory
    /// when the config did not come from a file.
    pub fn path_from_config(&self, relative: &str) -> std::path::PathBuf {
        let dir = self
            .path
            .as_deref()
            .and_then(|p| std::path::Path::new(p).parent())
            .unwrap_or_else(|| std::path::Path::new(""));
        dir.join(relative)
    }

    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes.unwrap_or(DEFAULT_MAX_FILE_BYTES)
    }
}

/// `--fail-on` / `fail-on`: a severity or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    None,
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    /// The lowest severity that fails, or `None` when nothing does.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::None => None,
            FailOn::Info => Some(Severity::Info),
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
        }
    }
}

impl std::str::FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "never" => Ok(FailOn::None),
            "info" => Ok(FailOn::Info),
            "low" => Ok(FailOn::Low),
            "medium" => Ok(FailOn::Medium),
            "high" => Ok(FailOn::High),
            "critical" => Ok(FailOn::Critical),
            other => Err(format!(
                "unknown level `{other}`, expected one of none, info, low, medium, high, critical"
            )),
        }
    }
}

/// `[rules.TG1001]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleConfig {
    pub severity: Option<Severity>,
    pub disable: bool,
    /// Line of the `[rules.X]` key in the config file, for messages (filled in by the loader).
    #[serde(skip)]
    pub line: Option<u32>,
}

/// `[[ignore]]`: a rule (code, name, peer-tool id or advisory id/alias) ignored in some paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IgnoreEntry {
    pub rule: String,
    /// Globs; empty means everywhere.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Why it is ignored. Required: an ignore without a reason is rejected.
    pub reason: String,
    /// `YYYY-MM-DD`. From that day on the entry stops applying and is reported.
    #[serde(default)]
    pub expires: Option<toml_date::TomlDate>,
    /// Line of the entry in `tollgate.toml`, for messages (filled in by the loader).
    #[serde(skip)]
    pub line: Option<u32>,
}

/// `[stage.*]` tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct StageConfigs {
    /// `[[stage.external]]`: commands that write SARIF.
    pub external: Vec<ExternalStage>,
    /// `[stage.iac]`: settings of the IaC stage.
    pub iac: IacStageConfig,
    /// `[stage.deps]`: settings of the dependency stage.
    pub deps: DepsStageConfig,
    /// `[stage.permissions]`: settings of the permissions stage.
    pub permissions: PermissionsStageConfig,
    /// `[stage.policy]`: settings of the policy stage.
    pub policy: PolicyStageConfig,
}

/// `[stage.policy]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyStageConfig {
    /// Directories (or files) of `.rego` policies, relative to the scanned root; `policies/`
    /// or `.tollgate/policies/` when present if not set.
    pub paths: Vec<String>,
    /// Packages whose `deny`, `violation` and `warn` rules report; `["main"]` when not set.
    pub namespaces: Vec<String>,
    /// Milliseconds one policy may spend on one input document before it is stopped and
    /// reported (default 1000).
    pub eval_timeout_ms: Option<u64>,
    /// Seconds one policy may spend on all the scan's documents together before it is stopped
    /// and reported, keeping what it found so far (default 60).
    pub policy_timeout_seconds: Option<u64>,
    /// Mebibytes one policy may hold while it evaluates one input document before it is
    /// stopped and reported (default 128).
    pub eval_memory_mib: Option<u64>,
}

/// `[stage.permissions]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct PermissionsStageConfig {
    /// 12-digit AWS account ids that are the user's own: trust and resource policies naming
    /// them are not reported as granting another account.
    pub trusted_accounts: Vec<String>,
}

/// `[stage.deps]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct DepsStageConfig {
    /// Check development-only dependencies too (npm `dev`, Poetry dev groups, Maven `test`
    /// scope...); they are checked and marked when not set.
    pub include_dev: Option<bool>,
    /// Advisory databases (directories of OSV JSON files or OSV `all.zip` files), relative to
    /// the config file's directory; `--advisory-db` replaces them. When set, the network is
    /// never used.
    pub advisory_db: Vec<String>,
    /// Never use the network; `--offline` turns it on too.
    pub offline: Option<bool>,
    /// Where the downloaded database and indexes are kept, relative to the config file's
    /// directory; the user cache directory when not set.
    pub cache_dir: Option<String>,
    /// Line of `cache-dir` in the config file, so a finding about the cached database can
    /// point at it (filled in by the loader).
    #[serde(skip)]
    pub cache_dir_line: Option<u32>,
}

/// `[stage.iac]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct IacStageConfig {
    /// The tag key whose value (`PHI`, `PCI`, `PII`) classifies a resource's data and raises
    /// its data-protection rules; `DataClassification` when not set.
    pub classification_key: Option<String>,
}

/// `[classification]`: globs matched, ignoring ASCII case, against a resource's address
/// (`PatientsTable`, `aws_dynamodb_table.patients`) and its known name (a table or bucket
/// name). A resource tagged with a classification keeps its tag's class.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClassificationConfig {
    /// Resources holding protected health information (HIPAA).
    pub phi: Vec<String>,
    /// Resources holding cardholder data (PCI DSS).
    pub pci: Vec<String>,
    /// Resources holding personal data (GDPR).
    pub pii: Vec<String>,
}

/// `[compliance]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ComplianceConfig {
    /// Frameworks the pull request summary gives a line each (their failing controls) and
    /// `tollgate report` covers by default: hipaa, gdpr, pci-dss, soc2, cis-aws, nist-800-53.
    #[serde(with = "framework_names")]
    pub frameworks: Vec<crate::Framework>,
}

/// Frameworks by the names users type (`pci-dss`, `nist-800-53`), as `--framework` takes them.
mod framework_names {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::Framework;

    pub fn serialize<S: Serializer>(frameworks: &[Framework], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(frameworks.iter().map(|f| f.slug()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Framework>, D::Error> {
        let names = Vec::<String>::deserialize(d)?;
        let mut out = Vec::new();
        for name in names {
            let framework: Framework = name.parse().map_err(serde::de::Error::custom)?;
            if !out.contains(&framework) {
                out.push(framework);
            }
        }
        Ok(out)
    }
}

/// A plugin stage: any command that writes SARIF 2.1.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExternalStage {
    /// Stage name (`[a-z0-9-]+`), used by `--stages` and in `automationDetails.id`.
    pub name: String,
    /// Program to run. Run directly, never through a shell.
    pub command: String,
    #[serde(default)]
    pub args: Vec<String>,
    /// Seconds before the command is killed (default 300).
    #[serde(default)]
    pub timeout: Option<u64>,
    /// Where the SARIF comes from: `stdout` (default) or a file path relative to the root.
    #[serde(default)]
    pub sarif: SarifSource,
    /// Working directory relative to the root (default: the root).
    #[serde(default)]
    pub workdir: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", untagged)]
pub enum SarifSource {
    #[default]
    #[serde(skip)]
    Stdout,
    /// `sarif = "stdout"` or `sarif = { file = "out.sarif" }`.
    Named(SarifSourceSpec),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum SarifSourceSpec {
    Stdout,
    File(String),
}

/// A TOML date read as `YYYY-MM-DD` (a TOML local date or a string).
pub mod toml_date {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub struct TomlDate(pub time::Date);

    const FORMAT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]");

    impl TomlDate {
        pub fn parse(text: &str) -> Result<Self, String> {
            time::Date::parse(text.trim(), FORMAT)
                .map(TomlDate)
                .map_err(|_| format!("invalid date `{text}`, expected YYYY-MM-DD"))
        }
    }

    impl std::fmt::Display for TomlDate {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let text = self.0.format(FORMAT).map_err(|_| std::fmt::Error)?;
            f.write_str(&text)
        }
    }

    impl Serialize for TomlDate {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(self)
        }
    }

    impl<'de> Deserialize<'de> for TomlDate {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            // TOML dates arrive as a datetime value whose string form is `YYYY-MM-DD`;
            // strings are accepted too.
            struct Visitor;
            impl<'de> serde::de::Visitor<'de> for Visitor {
                type Value = TomlDate;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a date as YYYY-MM-DD")
                }
                fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<TomlDate, E> {
                    TomlDate::parse(v).map_err(E::custom)
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<TomlDate, A::Error> {
                    // toml's datetime is a one-entry map with a private key.
                    let (_, value): (String, String) = map
                        .next_entry()?
                        .ok_or_else(|| serde::de::Error::custom("expected a date"))?;
                    TomlDate::parse(&value).map_err(serde::de::Error::custom)
                }
            }
            d.deserialize_any(Visitor)
        }
    }
}
