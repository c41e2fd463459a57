//! Spanned documents: YAML (with CloudFormation short-form tags), JSON and HCL parsed into one
//! [`Node`] tree in which every key and value knows where it came from.
//!
//! Conventions shared by the three formats:
//! - Positions are 1-based lines and columns in Unicode code points; a span's end column is
//!   exclusive. A leading byte-order mark is skipped and not counted.
//! - YAML and JSON maps keep the last of repeated keys (as CloudFormation does); HCL bodies keep
//!   every entry, since a repeated key there is a list of blocks.
//! - Nesting counts levels of collections, blocks and compound expressions, the top-level
//!   value being level 1. Deeper input fails with [`SyntaxErrorKind::TooDeep`] at the first
//!   level too many, without recursing into it. Whatever the limit says, the YAML scanner
//!   stops at 255 levels of `[`/`{`, the JSON parser at 256 levels and HCL's parser at 64.
//! - [`SyntaxError::message`] says what was expected, without file or position: callers add
//!   `path:line:col` from [`SyntaxError::pos`].

mod access;
mod error;
mod hcl;
mod hcl_fast;
mod hcl_split;
mod json;
mod lines;
mod node;
mod span;
mod yaml;
mod yaml_end;
mod yaml_fast;
mod yaml_relax;
mod yaml_scalar;

pub use error::{SyntaxError, SyntaxErrorKind};
pub use node::{
    Block, Document, DuplicateKey, Entry, Expr, ExprKind, Format, Limits, Node, TemplatePart,
    TraversalStep, Value,
};
pub use span::{Pos, Span};

/// Parse `text` as `format` within `limits`.
pub fn parse(text: &str, format: Format, limits: &Limits) -> Result<Document, SyntaxError> {
    if text.len() > limits.max_bytes {
        return Err(SyntaxError::new(
            SyntaxErrorKind::TooLarge,
            None,
            format!(
                "file is {} bytes, larger than the limit of {} bytes",
                text.len(),
                limits.max_bytes
            ),
        ));
    }
    // A byte-order mark is not content; positions are counted as editors show them, after it.
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    match format {
        Format::Yaml => yaml::parse(text, limits),
        Format::Json => json::parse(text, limits),
        Format::Hcl => hcl::parse(text, limits),
    }
}

/// The YAML fast path alone: the document, or `None` where it leaves the text to the event
/// path. For differential tests and fuzzing, which check that whatever it returns is what
/// [`parse_yaml_events`] returns.
#[doc(hidden)]
pub fn parse_yaml_fast(text: &str, limits: &Limits) -> Option<Document> {
    yaml_fast::parse(text.strip_prefix('\u{FEFF}').unwrap_or(text), limits)
}

/// The YAML event path alone (`yaml-rust2` and the relaxed layouts), without the fast path.
#[doc(hidden)]
pub fn parse_yaml_events(text: &str, limits: &Limits) -> Result<Document, SyntaxError> {
    yaml::parse_events(text.strip_prefix('\u{FEFF}').unwrap_or(text), limits)
}

/// The HCL fast path alone: the document, or `None` where it leaves the text to `hcl-edit`.
/// For differential tests and fuzzing, which check that whatever it returns is what
/// [`parse_hcl_edit`] returns.
#[doc(hidden)]
pub fn parse_hcl_fast(text: &str, limits: &Limits) -> Option<Document> {
    hcl_fast::parse(text.strip_prefix('\u{FEFF}').unwrap_or(text), limits)
}

/// HCL through `hcl-edit` alone, without the fast path.
#[doc(hidden)]
pub fn parse_hcl_edit(text: &str, limits: &Limits) -> Result<Document, SyntaxError> {
    hcl::parse_edit(text.strip_prefix('\u{FEFF}').unwrap_or(text), limits)
}
