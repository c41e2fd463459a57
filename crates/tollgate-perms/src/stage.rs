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

/// What the permission rules concluded, computed once per scan and kept in the context's memo:
/// the `permissions` stage reports it and the `code` stage ranks handlers by it.
pub fn outcome(ctx: &ScanContext) -> Arc<Outcome> {
    ctx.memo(|ctx| {
        // The analysis is kept for later readers (the policy stage, the compliance report)
        // only when the scan keeps documents for readers other than the model's builder;
        // otherwise nothing but these rules reads it, and it goes as soon as they are done
        // rather than when every stage is (on a large scan, tens of MiB held beside the IaC
        // rules' findings).
        let wants = ctx.wants_evaluations();
        let (findings, mut evaluations) = if ctx.caches_documents() {
            rules::run_all_with(analysis(ctx).get(), wants)
        } else {
            rules::run_all_with(fresh_analysis(ctx).get(), wants)
        };
        // Not held for a run that shows none (see `ScanContext::without_evaluations`).
        if !ctx.wants_evaluations() {
            evaluations = Vec::new();
        }
        Outcome {
            findings,
            evaluations,
        }
    })
}

self_cell::self_cell!(
    /// The permission analysis of a cloud model, kept with the model it borrows from so that it
    /// can be shared: see [`analysis`].
    pub struct ScanAnalysis {
        owner: Arc<CloudModel>,
        #[covariant]
        dependent: Analysis,
    }
);

impl ScanAnalysis {
    /// Analyse every policy of `model`; principals in `trusted_accounts` are the user's own.
    pub fn of(model: Arc<CloudModel>, trusted_accounts: &[String]) -> Self {
        Self::new(model, |model| {
            let mut expander = Expander::new(catalog());
            let mut analysis = Analysis::new(model, &mut expander);
            analysis.trusted_accounts = trusted_accounts.to_vec();
            analysis
        })
    }

    pub fn get(&self) -> &Analysis<'_> {
        self.borrow_dependent()
    }

    /// The model analysed: its resources are the ones the analysis points at.
    pub fn model(&self) -> &CloudModel {
        self.borrow_owner()
    }
}

impl std::fmt::Debug for ScanAnalysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanAnalysis")
            .field("policies", &self.get().policies.len())
            .field("identities", &self.get().identities.len())
            .finish()
    }
}

/// The permission analysis of the scan's cloud model, computed once per scan and kept in the
/// context's memo beside the model: the permission rules, the policy stage's input and the
/// compliance report's data inventory all read it, and analysing every policy of a large
/// repository again for each of them cost as much as the rules themselves.
pub fn analysis(ctx: &ScanContext) -> Arc<ScanAnalysis> {
    ctx.memo(fresh_analysis)
}

/// The permission analysis of the scan's cloud model, made anew and not kept.
fn fresh_analysis(ctx: &ScanContext) -> ScanAnalysis {
    ScanAnalysis::of(
        tollgate_iac::model(ctx),
        &ctx.config().stage.permissions.trusted_accounts,
    )
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
