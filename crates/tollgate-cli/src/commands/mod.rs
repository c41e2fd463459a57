//! One module per subcommand. Each returns the process exit code.

pub mod db;
pub mod explain;
pub mod init;
pub mod merge;
pub mod policy;
pub mod post;
pub mod report;
pub mod rules;
pub mod run;
