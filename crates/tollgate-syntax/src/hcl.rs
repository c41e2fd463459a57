//! placeholder until implemented
use crate::{Document, Limits, SyntaxError, SyntaxErrorKind};
pub(crate) fn parse(_text: &str, _limits: &Limits) -> Result<Document, SyntaxError> {
    Err(SyntaxError::new(
        SyntaxErrorKind::Invalid,
        None,
        "HCL parser not built yet",
    ))
}
