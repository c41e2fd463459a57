//! tollgate's model and contracts: rules, findings, severities, locations, the [`Stage`] trait
//! and the [`ScanContext`] every stage reads. No network, no async runtime.

pub mod budget;
pub mod classify;
pub mod compliance;
pub mod config;
mod context;
pub mod display;
pub mod evaluation;
mod finding;
pub mod fingerprint;
pub mod generated_docs;
pub mod glob;
pub mod inventory;
pub mod postprocess;
pub mod properties;
mod rare_vec;
mod rule;
mod severity;
mod stage;
pub mod suppress;
#[cfg(test)]
mod test_support;

pub use config::{Config, ConfigError};
pub use context::{
    read_regular_text, read_text, FileError, ParseError, Parsed, ReadLog, ScanContext,
};
pub use evaluation::{Evaluation, Verdict};
pub use finding::{
    BaselineState, Finding, Location, RelatedLocation, Suppression, SuppressionKind,
};
pub use inventory::{walk, walk_file, FileKind, Inventory, SourceFile, WalkOptions};
pub use postprocess::{apply_rule_config, RuleIndex};
pub use properties::Properties;
pub use rare_vec::RareVec;
pub use rule::{Control, Framework, Precision, Rule, UnknownFramework};
pub use severity::{Severity, UnknownSeverity};
pub use stage::{Notification, NotificationLevel, Stage, StageError, StageReport};
pub use suppress::{apply_suppressions, apply_suppressions_in};
pub use tollgate_syntax::{Pos, Span};
