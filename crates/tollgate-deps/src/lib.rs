//! Dependency stage.
