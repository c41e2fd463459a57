//! The `iac` stage: builds (or reuses) the scan's cloud model, runs every rule of the catalog
//! over it and reports the model's notifications (parse errors, constructs not understood).

use std::sync::Arc;

use tollgate_core::{Evaluation, Finding, Rule, ScanContext, Stage, StageError, StageReport};

use crate::{model, rules};

/// The IaC stage (`iac`).
#[derive(Debug, Default, Clone, Copy)]
pub struct IacStage;

impl IacStage {
    pub const NAME: &'static str = "iac";

    pub fn new() -> Self {
        Self
    }
}

impl Stage for IacStage {
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
        // The adapters check for cancellation between files; a cancelled scan still checks
        // what the model holds so far, and lists the templates it did not get to.
        let model = model(ctx);
        let mut report = StageReport::default();
        for notification in &model.notifications {
            let mut n = notification.clone();
            if n.stage.is_none() {
                n.stage = Some(Self::NAME.to_string());
            }
            report.notify(n);
        }
        (report.findings, report.evaluations) = match ctx.memoized::<RuleOutcome>() {
            // Adopted from a scan with the same model (see [`RuleOutcome`]).
            Some(done) => (done.findings.clone(), done.evaluations.clone()),
            None => {
                let (findings, evaluations) =
                    rules::run_all_with(&model, ctx.today(), ctx.wants_evaluations());
                if ctx.is_kept_for_reuse() {
                    ctx.adopt_memo(Arc::new(RuleOutcome {
                        findings: findings.clone(),
                        evaluations: evaluations.clone(),
                    }));
                }
                (findings, evaluations)
            }
        };
        report.not_checked = model.not_checked.clone();
        Ok(report)
    }
}

/// What the IaC rules concluded about a scan's cloud model, as they returned it. A scan kept
/// for reuse ([`ScanContext::kept_for_reuse`]: a pull request's head) keeps it in its memo; the
/// scan of the base revision adopts it when its model is equal to the head's, since the rules
/// read nothing but the model and the date.
#[derive(Debug, Default)]
pub struct RuleOutcome {
    pub findings: Vec<Finding>,
    pub evaluations: Vec<Evaluation>,
}
