//! IaC stage.
