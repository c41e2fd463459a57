//! Stages built into the CLI crate itself.

pub mod parse_check;
