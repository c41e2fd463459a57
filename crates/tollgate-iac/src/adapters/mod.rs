//! Adapters turn each template format into the [`CloudModel`](crate::model::CloudModel).
//!
//! An adapter is a function `fn(&ScanContext, &mut CloudModel)`: it picks its own files from
//! the inventory (so formats that span several files, like Terraform modules, see them all),
//! checks [`ScanContext::is_cancelled`] between files, and reports parse errors and constructs
//! it does not understand as model notifications with file and line. Register it in [`ALL`].

pub mod cloudformation;
pub mod openapi;
pub mod sam;

use std::sync::Arc;

use tollgate_core::{Location, Notification, ParseError, ScanContext, SourceFile, Span};
use tollgate_syntax::Document;

use crate::model::CloudModel;

pub mod serverless;
pub mod terraform;
pub mod terraform_plan;

/// The signature of an adapter.
pub type Adapter = fn(&ScanContext, &mut CloudModel);

/// Every adapter, run in this order by [`crate::model::build_model`].
pub const ALL: &[Adapter] = &[
    cloudformation::adapt,
    serverless::adapter,
    terraform::adapter,
    terraform_plan::adapter,
];

/// The file's parsed document, or `None` after recording why it could not be had (a
/// `parse-error` warning at the file, line and column).
pub fn document(
    ctx: &ScanContext,
    file: &SourceFile,
    model: &mut CloudModel,
) -> Option<Arc<Document>> {
    match ctx.document(file) {
        Ok(doc) => Some(doc),
        Err(err) => {
            model.notifications.push(parse_error(file, &err));
            None
        }
    }
}

/// The `parse-error` notification for `err` in `file`.
pub fn parse_error(file: &SourceFile, err: &ParseError) -> Notification {
    let pos = match err {
        ParseError::Syntax(e) => e.pos,
        ParseError::File(tollgate_core::FileError::NotUtf8 { line, col }) => {
            Some(tollgate_core::Pos::new(*line, *col))
        }
        _ => None,
    };
    let (message, region) = match pos {
        Some(p) => (
            format!(
                "{}:{}:{}: cannot parse template: {err}",
                file.path, p.line, p.col
            ),
            Some(Span::new(p, p)),
        ),
        None => (format!("{}: cannot parse template: {err}", file.path), None),
    };
    Notification::warning("parse-error", message)
        .at(Location::new(file.path.clone(), region))
        .stage("iac")
}

/// The `unsupported-construct` note: something in `file` at `span` the adapter does not
/// understand; the value it stood for is unknown and the rest of the file is still checked.
pub fn unsupported(file: &str, span: Span, what: impl std::fmt::Display) -> Notification {
    Notification::note(
        "unsupported-construct",
        format!("{file}:{}:{}: {what}", span.start.line, span.start.col),
    )
    .at(Location::at(file, span))
    .stage("iac")
}
