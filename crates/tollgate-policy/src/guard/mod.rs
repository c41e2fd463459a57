//! CloudFormation Guard rules (`.guard` files), evaluated by tollgate's own implementation of
//! the Guard 2/3 language: a parser that keeps positions, and an evaluator with a step and time
//! budget. See the crate README for what of the language is supported.
//!
//! - [`parse`]: rule files into [`ast::RuleFile`]; errors name `file:line:col`.
//! - [`eval`]: a rule file against one document: PASS, FAIL or SKIP per rule, and for each
//!   FAIL the document paths that failed.
//! - [`document`]: the documents rules see (CloudFormation and SAM templates).
//! - [`unit_tests`]: the `cfn-guard test` YAML format, for `tollgate policy test`.

pub mod ast;
pub mod document;
pub mod eval;
pub mod functions;
mod lex;
pub mod parse;
pub mod stage;
pub mod unit_tests;

pub use ast::RuleFile;
pub use eval::{evaluate, Failure, Limits, RuleResult, Seg, Status, Stop};
pub use parse::{parse, MAX_RULE_FILE_BYTES};

/// A rule file that could not be read: `file:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct GuardError {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// Most evaluation steps (clauses, query steps) one rule file may take on one document.
pub const MAX_STEPS: u64 = 2_000_000;

#[cfg(test)]
mod tests;
