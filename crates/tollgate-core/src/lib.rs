//! tollgate's model and contracts: rules, findings, severities, locations, the [`Stage`] trait
//! and the [`ScanContext`] every stage reads. No network, no async runtime.

pub mod config;
mod context;
pub mod fingerprint;
mod finding;
pub mod inventory;
mod rule;
mod severity;
mod stage;

pub use config::Config;
pub use context::{read_text, FileError, ParseError, ScanContext};
pub use finding::{
    BaselineState, Finding, Location, RelatedLocation, Suppression, SuppressionKind,
};
pub use inventory::{FileKind, SourceFile};
pub use rule::{Control, Framework, Precision, Rule};
pub use severity::{Severity, UnknownSeverity};
pub use stage::{Notification, NotificationLevel, Stage, StageError, StageReport};
pub use tollgate_syntax::{Pos, Span};
