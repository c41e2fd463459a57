//! The `permissions` stage: reads the scan's cloud model (shared with the IaC stage through the
//! context's memo), analyses every IAM policy against the action catalog and runs the rules.

use std::sync::Arc;

use tollgate_core::{Evaluation, Finding, Rule, ScanContext, Stage, StageError, StageReport};
use tollgate_iac::CloudModel;

use crate::analysis::Analysis;
use crate::catalog::catalog;
use crate::expand::Expander;
use crate::rules;

/// The permissions stage (`permissions`).
#[derive(Debug, Default, Clone, Copy)]
pub struct PermissionsStage;

impl PermissionsStage {
    pub const NAME: &'static str = "permissions";

    pub fn new() -> Self {
        Self
    }
}

impl Stage for PermissionsStage {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn reads_documents(&self) -> bool {
        false
    }

    fn rules(&self) -> Vec<Rule> {
        rules::metas()
    }

    fn run(&self, ctx: &ScanContext) -> Result<StageReport, StageError> {
        // Parse errors of the templates are the IaC stage's to report; this stage only reads
        // the model they produced.
        // A model cut short by the stage timeout is still checked: its resources come from
        // templates mapped whole, and the ones it did not get to are listed.
        let outcome = outcome(ctx);
        Ok(StageReport {
            findings: outcome.findings.clone(),
            evaluations: outcome.evaluations.clone(),
            not_checked: tollgate_iac::model(ctx).not_checked.clone(),
            ..StageReport::default()
        })
    }
}

/// What the permission rules concluded about the scan's cloud model.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub evaluations: Vec<Evaluation>,
}

/// The permission analysis of the scan, computed once per scan and kept in the context's memo:
/// the `permissions` stage reports it and the `code` stage ranks handlers by it, so a run with
/// both stages analyses every policy once.
pub fn outcome(ctx: &ScanContext) -> Arc<Outcome> {
    ctx.memo(|ctx| {
        let model = tollgate_iac::model(ctx);
        let trusted = &ctx.config().stage.permissions.trusted_accounts;
        let (findings, evaluations) = evaluate_model_with(&model, trusted);
        Outcome {
            findings,
            evaluations,
        }
    })
}

/// Every permissions finding for `model`.
pub fn check_model(model: &CloudModel) -> Vec<Finding> {
    check_model_with(model, &[])
}

/// [`check_model`] with account ids that are the user's own (`[stage.permissions]
/// trusted-accounts`): principals in them are not another account.
pub fn check_model_with(model: &CloudModel, trusted_accounts: &[String]) -> Vec<Finding> {
    evaluate_model_with(model, trusted_accounts).0
}

/// [`check_model_with`] and the evaluations: one per (rule, owner of a policy the rule
/// reads), a pass where the rule found nothing.
pub fn evaluate_model_with(
    model: &CloudModel,
    trusted_accounts: &[String],
) -> (Vec<Finding>, Vec<Evaluation>) {
    let mut expander = Expander::new(catalog());
    let mut analysis = Analysis::new(model, &mut expander);
    analysis.trusted_accounts = trusted_accounts.to_vec();
    rules::run_all(&analysis)
}
