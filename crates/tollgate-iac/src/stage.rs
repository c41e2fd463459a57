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
        let leaves_taken = ctx.memoized::<LeaveTaken>().is_some();
        (report.findings, report.evaluations) = match ctx.memoized::<RuleOutcome>() {
            // Adopted from a scan with the same model (see [`RuleOutcome`]).
            Some(done) if leaves_taken => {
                let evaluations = match ctx.wants_evaluations() {
                    true => done.evaluations.clone(),
                    false => Vec::new(),
                };
                let pieces = vec![rules::Piece::Head(0..done.findings.len())];
                ctx.adopt_memo(Arc::new(TakenFindings { head: done, pieces }));
                (Vec::new(), evaluations)
            }
            Some(done) => (done.findings.clone(), done.evaluations.clone()),
            None => match changed_units(ctx, &model) {
                Some((run, head, shared)) => {
                    ctx.adopt_memo(Arc::new(shared));
                    let findings = if leaves_taken {
                        let pieces = run.pieces;
                        ctx.adopt_memo(Arc::new(TakenFindings { head, pieces }));
                        run.own
                    } else {
                        rules::Piece::assemble(&run.pieces, &head.findings, run.own, |_| true)
                            .expect("the pieces name the head's findings and the base's")
                    };
                    (findings, Vec::new())
                }
                None => {
                    let (findings, evaluations, ends) =
                        rules::run_all_split(&model, ctx.today(), ctx.wants_evaluations());
                    if ctx.is_kept_for_reuse() {
                        ctx.adopt_memo(Arc::new(RuleOutcome {
                            findings: findings.clone(),
                            evaluations: evaluations.clone(),
                            ends,
                        }));
                    }
                    (findings, evaluations)
                }
            },
        };
        report.not_checked = model.not_checked.clone();
        Ok(report)
    }
}

/// What the IaC rules concluded about a scan's cloud model, as they returned it. A scan kept
/// for reuse ([`ScanContext::kept_for_reuse`]: a pull request's head) keeps it in its memo; the
/// scan of the base revision adopts it when its model is equal to the head's, since the rules
/// read nothing but the model and the date. When the models differ but the base took some
/// deployment units' parts from the head's, the base computes its own from the head's
/// ([`rules::run_changed`]), and keeps in its memo which of them are the head's
/// ([`SharedByUnit`]).
#[derive(Debug, Default)]
pub struct RuleOutcome {
    pub findings: Vec<Finding>,
    pub evaluations: Vec<Evaluation>,
    /// Where each rule's findings end in `findings` (one entry per rule of the catalog).
    pub ends: Vec<usize>,
}

/// Set in a pull request's base revision's memo by a caller that takes the head's findings
/// the base's IaC stage would report from [`TakenFindings`] itself: the stage then reports
/// only the base's own and names the head's instead of copying them.
#[derive(Debug, Default)]
pub struct LeaveTaken;

/// A pull request's base revision's IaC findings, when its scan was asked to leave the head's
/// findings it takes where they are ([`LeaveTaken`]): the stage reported only the base's own
/// findings, and `pieces` lay out the whole list, the head's named in `head`'s findings
/// ([`rules::Piece`]). Kept in the base's memo.
#[derive(Debug)]
pub struct TakenFindings {
    pub head: Arc<RuleOutcome>,
    pub pieces: Vec<rules::Piece>,
}

/// Which of a base revision's IaC findings are the head's own, when the base computed them
/// from the head's [`RuleOutcome`] ([`rules::run_changed`]; kept in the base's memo): those
/// of the per-resource rules `codes` in any file but `changed_paths` (see
/// [`rules::ChangedRun`]). Both scans' findings of those codes in those files are equal, in
/// the same order.
#[derive(Debug, Default)]
pub struct SharedByUnit {
    pub codes: crate::rules::StringSet,
    pub changed_paths: crate::rules::StringSet,
}

impl SharedByUnit {
    /// Whether `finding` (of either scan) is one both scans hold alike.
    pub fn covers(&self, finding: &Finding) -> bool {
        self.codes.contains(&finding.rule) && !self.changed_paths.contains(&finding.location.path)
    }
}

/// The base revision's rule results computed from the head's, when `ctx` scans a pull
/// request's base with the head as donor, records no evaluations, and took some units' parts
/// from the head's model ([`rules::run_changed`]): its findings, and which are the head's.
fn changed_units(
    ctx: &ScanContext,
    model: &crate::CloudModel,
) -> Option<(rules::ChangedRun, Arc<RuleOutcome>, SharedByUnit)> {
    if ctx.wants_evaluations() {
        return None;
    }
    let head_model = crate::model::head_model(ctx)?;
    let head = ctx.donor()?.memoized::<RuleOutcome>()?;
    let mut run = rules::run_changed(&head_model, &head.findings, &head.ends, model, ctx.today())?;
    let shared = SharedByUnit {
        codes: std::mem::take(&mut run.per_resource),
        changed_paths: std::mem::take(&mut run.changed_paths),
    };
    tracing::debug!(
        own = run.own.len(),
        pieces = run.pieces.len(),
        changed_files = shared.changed_paths.len(),
        "base revision: IaC rule results taken unit by unit"
    );
    Some((run, head, shared))
}
