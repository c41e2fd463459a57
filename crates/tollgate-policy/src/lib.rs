//! tollgate's policy stage: the team's own rules, written in Rego (OPA-compatible, conftest
//! conventions), evaluated in-process with regorus over the same cloud model the IaC stage
//! builds and the permissions stage's analysis of every identity.
//!
//! - [`input`]: the documents policies read (the contract; see `docs/policy-input.md`).
//! - [`resources`], [`units`], [`identities`]: building them from the scan; [`documents`]:
//!   the regorus values of every document, built once ([`rego_value`]: straight from the
//!   input types, without JSON text).
//! - [`rego`]: loading policies (v0 and v1 syntax, METADATA), limits, evaluation.
//! - [`evaluate`]: results into findings; [`locate`]: result paths into file positions.
//! - [`test_runner`]: `tollgate policy test`.

// The memory budget of an evaluation is counted by this allocator (`tollgate_alloc`).
#[cfg(test)]
#[global_allocator]
static TEST_ALLOCATOR: tollgate_alloc::Counting<std::alloc::System> =
    tollgate_alloc::Counting(std::alloc::System);

pub mod code;
pub mod documents;
pub mod evaluate;
pub mod guard;
pub mod identities;
pub mod input;
pub mod locate;
pub mod model_json;
pub mod rego;
pub mod rego_value;
pub mod resources;
mod stage;
pub mod test_runner;
pub mod units;

/// A hash map keyed by scanned data (addresses, units, document keys): foldhash, seeded per
/// process, where SipHash took a few per cent of the stage.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

pub use stage::{
    budget, inputs, inputs_for, load_from_scan, memory_budget, namespaces, policy_budget,
    policy_dirs, policy_rules, under, PolicyStage, DEFAULT_EVAL_MEMORY_BYTES,
    DEFAULT_EVAL_TIMEOUT_MS, DEFAULT_PATHS, DEFAULT_POLICY_TIMEOUT_SECONDS,
};
