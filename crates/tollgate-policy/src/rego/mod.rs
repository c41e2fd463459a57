//! Rego policies: loading (v0 and v1 syntax), annotations, the recursion check, and
//! evaluation with regorus under limits.

pub mod capped;
pub mod charged;
pub mod engine;
pub mod error_text;
pub mod growth;
pub mod index;
pub mod load;
pub mod metadata;
pub mod print;
pub mod projection;
pub mod reads;
pub mod recursion;

pub use engine::{EvalError, Evaluator};
pub use load::{load_policies, LoadError, PolicyFile, PolicySet};
