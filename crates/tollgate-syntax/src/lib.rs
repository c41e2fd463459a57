//! Spanned documents: YAML (with CloudFormation short-form tags), JSON and HCL parsed into one
//! [`Node`] tree in which every key and value knows where it came from.

mod access;
mod error;
mod hcl;
mod json;
mod lines;
mod node;
mod span;
mod yaml;
mod yaml_end;
mod yaml_scalar;

pub use error::{SyntaxError, SyntaxErrorKind};
pub use node::{
    Block, Document, Entry, Expr, ExprKind, Format, Limits, Node, TemplatePart, TraversalStep,
    Value,
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
