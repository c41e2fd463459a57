#![allow(dead_code)]
pub mod fake;
pub mod openapi;
