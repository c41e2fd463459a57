use crate::Pos;

/// Why a text could not be parsed. `pos` points at the offending place when it is known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub pos: Option<Pos>,
    /// What went wrong and what was expected, without the file name (the caller adds it).
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// The text is not valid YAML / JSON / HCL.
    Invalid,
    /// Nesting deeper than [`crate::Limits::max_depth`].
    TooDeep,
    /// Larger than [`crate::Limits::max_bytes`].
    TooLarge,
    /// YAML aliases would expand past [`crate::Limits::max_alias_nodes`].
    AliasLimit,
    /// Not UTF-8.
    Encoding,
}

impl SyntaxError {
    pub fn new(kind: SyntaxErrorKind, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Self {
            kind,
            pos,
            message: message.into(),
        }
    }
}
