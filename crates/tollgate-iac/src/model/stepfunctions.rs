//! AWS Step Functions state machines.

use super::{Ref, ResourceMeta, Val};

/// `AWS::StepFunctions::StateMachine`, `AWS::Serverless::StateMachine`,
/// `aws_sfn_state_machine`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMachine {
    pub meta: ResourceMeta,
    pub name: Val<String>,
    /// `STANDARD` or `EXPRESS`.
    pub kind: Val<String>,
    /// `LoggingConfiguration.Level`: `ALL`, `ERROR`, `FATAL`, `OFF`.
    pub log_level: Val<String>,
    pub log_destinations: Vec<Val<Ref>>,
    /// `TracingConfiguration.Enabled`.
    pub tracing: Val<bool>,
    pub role: Val<Ref>,
}
