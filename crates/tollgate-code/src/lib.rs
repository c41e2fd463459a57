//! tollgate's function code stage: the Lambda handlers the templates declare (and the
//! conventional `handler(event, context)` ones no template names) are read with tree-sitter,
//! and event data is traced to dangerous calls: shells, `eval`, unsafe deserializers, SQL and
//! DynamoDB expressions, outgoing requests, file paths, HTML responses and logs. Findings are
//! ranked by how exposed the function is in the cloud model (an unauthenticated route or URL,
//! a role that reaches PHI/PCI data or can escalate) and carry the data flow for SARIF.
//!
//! Nothing is executed: files are parsed, never imported or run.

mod discover;
mod engine;
mod exposure;
mod lang;
mod module;
mod paths;
pub mod rules;
mod stage;
mod taint;

pub use exposure::Exposure;
pub use lang::Lang;
pub use stage::{scan, CodeStage};
