//! Where each deployment unit's part sits in a cloud model, and what the unit read: a pull
//! request's base revision takes a unit's part from the head's model, instead of mapping the
//! unit again, when every file the unit read is the same blob in both revisions.
//!
//! A unit is what an adapter maps in isolation: one CloudFormation, SAM or Serverless
//! template (with the files it includes), one plan, or every Terraform configuration at once
//! (a root reads its modules, variable files and any JSON file a policy names). Its part is a
//! function of the files it read through the [`ScanContext`], the config and nothing else, so
//! equal inputs give an equal part.

use std::collections::HashMap;

use tollgate_core::{ReadLog, ScanContext};

use super::CloudModel;

/// How many entries each list of a model holds (the resource lists in declaration order,
/// then the notifications): a unit's part spans from the marks taken before it was appended
/// to those taken after.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks(pub(crate) Vec<usize>);

/// What the head recorded about one unit.
#[derive(Debug, Clone)]
pub struct UnitRecord {
    /// Files the unit looked up (found or not), by path.
    reads: Vec<String>,
    /// The unit walked the inventory: what it saw holds only for the same listing.
    listed: bool,
    from: Marks,
    to: Marks,
    /// The files of the unit the part counts as reached.
    reached: Vec<String>,
}

/// Every unit a model was built from, by adapter and key (the template's path), with the
/// span of its part. Only a scan kept for reuse records them
/// ([`ScanContext::is_kept_for_reuse`]: a pull request's head); models compare equal whatever
/// their units say.
#[derive(Debug, Clone, Default)]
pub struct Units(
    HashMap<(&'static str, String), UnitRecord>,
    Vec<(&'static str, String)>,
    /// Where each part of `.1` lies in this model, in the same order.
    Vec<(Marks, Marks)>,
);

impl PartialEq for Units {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Units {
    /// Units of this model (the base revision's) whose parts were taken from the head's model,
    /// by adapter and key, in model order.
    pub fn taken_from_head(&self) -> &[(&'static str, String)] {
        &self.1
    }

    /// The unit `key` of `adapter` was taken from the head's model: its part spans `from` to
    /// `to` in this one.
    pub(crate) fn reused(&mut self, adapter: &'static str, key: &str, from: Marks, to: Marks) {
        self.1.push((adapter, key.to_string()));
        self.2.push((from, to));
    }

    /// Where the parts taken from the head lie, in this model (the base revision's) and in
    /// `head`'s; `None` when the head recorded no such unit.
    pub(crate) fn taken_spans(&self, head: &CloudModel) -> Option<TakenSpans> {
        let mut spans = TakenSpans::default();
        for (unit, here) in self.1.iter().zip(&self.2) {
            let record = head.units.0.get(unit)?;
            spans.head.push((record.from.clone(), record.to.clone()));
            spans.here.push(here.clone());
        }
        Some(spans)
    }

    /// Record the unit `key` of `adapter` whose part was just appended to `model` (which held
    /// `from` before), having read what `log` says.
    pub(crate) fn record(
        model: &mut CloudModel,
        adapter: &'static str,
        key: &str,
        log: &ReadLog,
        from: Marks,
        reached: Vec<String>,
    ) {
        let to = model.marks();
        // A part cut short by its time budget is not what mapping the unit gives: the next
        // scan maps it again.
        let timed_out = model.notifications[from.0[from.0.len() - 1]..to.0[to.0.len() - 1]]
            .iter()
            .any(|n| n.id == "file-timeout");
        if timed_out {
            return;
        }
        model.units.0.insert(
            (adapter, key.to_string()),
            UnitRecord {
                reads: log.paths(),
                listed: log.listed(),
                from,
                to,
                reached,
            },
        );
    }

    /// The head's part for the unit `key` of `adapter`, copied, when `ctx` (the base
    /// revision's scan, reusing the head's) holds the same blob as the head for every file
    /// the unit read, or no file where the head had none.
    pub(crate) fn reused_part(
        head: &CloudModel,
        ctx: &ScanContext,
        adapter: &'static str,
        key: &str,
    ) -> Option<CloudModel> {
        let record = head.units.0.get(&(adapter, key.to_string()))?;
        if record.listed && !ctx.same_listing_as_donor() {
            return None;
        }
        if !record.reads.iter().all(|path| ctx.same_in_donor(path)) {
            return None;
        }
        let mut part = CloudModel::default();
        part.extend_from(head, &record.from, &record.to);
        part.reached.extend(record.reached.iter().cloned());
        Some(part)
    }
}

/// The spans of the parts a base revision's model took from the head's, in both models.
#[derive(Debug, Default)]
pub(crate) struct TakenSpans {
    pub(crate) head: Vec<(Marks, Marks)>,
    pub(crate) here: Vec<(Marks, Marks)>,
}

/// The head's complete model, when `ctx` scans a pull request's base revision with the
/// head as donor: the one whose units it may take.
pub(crate) fn head_model(ctx: &ScanContext) -> Option<std::sync::Arc<CloudModel>> {
    if ctx.is_cancelled() {
        return None;
    }
    let head = ctx.donor()?.memoized::<CloudModel>()?;
    (head.not_checked.is_empty() && !head.units.0.is_empty()).then_some(head)
}
