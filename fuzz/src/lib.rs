//! Fuzzing support for tollgate: a deterministic text mutator ([`mutate`]), a runner that
//! checks invariants on mutants of real-shaped seeds inside `cargo test` ([`runner`]), the
//! seeds ([`seeds`]) and the span invariants every parser must keep ([`spans`]).
//!
//! The targets themselves live in `tests/`, one file per parser family; `README.md` says how
//! to run them longer and what they found.

pub mod checks;
pub mod mutate;
pub mod policies;
pub mod runner;
pub mod schema;
pub mod seeds;
pub mod spans;

pub use runner::{run, run_and_assert, Seed, Target};
