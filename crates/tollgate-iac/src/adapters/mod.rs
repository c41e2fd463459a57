//! Adapters turn each template format into the [`CloudModel`](crate::model::CloudModel).
//!
//! An adapter is a function `fn(&ScanContext, &mut CloudModel)`: it picks its own files from
//! the inventory (so formats that span several files, like Terraform modules, see them all),
//! checks [`ScanContext::is_cancelled`] between files, and reports parse errors and constructs
//! it does not understand as model notifications with file and line. Register it in [`ALL`].

pub mod cloudformation;
pub mod openapi;
pub mod sam;

use std::sync::Arc;

use tollgate_core::{
    FileKind, Location, Notification, ParseError, ReadLog, ScanContext, SourceFile, Span,
};
use tollgate_syntax::Document;

use crate::model::{CloudModel, Units};

pub mod serverless;
pub mod terraform;
pub mod terraform_plan;

#[cfg(test)]
mod isolation_tests;

/// The signature of an adapter.
pub type Adapter = fn(&ScanContext, &mut CloudModel);

/// Every adapter, run in this order by [`crate::model::build_model`].
pub const ALL: &[Adapter] = &[
    cloudformation::adapt,
    serverless::adapter,
    terraform::adapter,
    terraform_plan::adapter,
];

/// Whether an adapter reads files of this kind: what a cancelled scan left unchecked is
/// counted among them.
pub fn adapted(kind: &FileKind) -> bool {
    kind.is_template()
}

/// The file's parsed document, or `None` after recording why it could not be had (a
/// `parse-error` warning at the file, line and column). Either way the file counts as reached.
pub fn document(
    ctx: &ScanContext,
    file: &SourceFile,
    model: &mut CloudModel,
) -> Option<Arc<Document>> {
    model.reached.insert(file.path.clone());
    match ctx.document(file) {
        Ok(doc) => {
            model.notifications.extend(
                doc.duplicate_keys
                    .iter()
                    .map(|d| duplicate_key(&file.path, d)),
            );
            Some(doc)
        }
        Err(err) => {
            model.notifications.push(parse_error(file, &err));
            None
        }
    }
}

/// Map one file (or one configuration) into a model of its own, so that a bug tripped by
/// hostile input costs that file only: its part joins `model` when mapping finished, and a
/// panic becomes an `adapter-failed` error naming `file`; every other file is still checked.
///
/// The work runs under the file's time budget ([`file_budget`]): past it, the file is dropped
/// the same way, with a `file-timeout` error, and the stage goes on with the other files.
pub fn isolated(
    ctx: &ScanContext,
    file: &str,
    adapter: &str,
    model: &mut CloudModel,
    map: impl FnOnce(&mut CloudModel),
) {
    let mut part = CloudModel::default();
    let budget = file_budget(ctx);
    let mapped = tollgate_core::budget::run(budget, || {
        #[cfg(test)]
        test_hooks::maybe_fail(file);
        map(&mut part)
    });
    match mapped {
        Ok(()) => model.append(part),
        Err(stopped) => model
            .notifications
            .push(stopped_notification(file, adapter, budget, stopped)),
    }
}

/// Map each of `units` (files, or Terraform configurations) into a part of its own on all
/// cores (rayon's pool), then append the parts to `model` in the order of `units`: the model,
/// and so every report, is the same whichever thread mapped what. Each unit still goes
/// through [`isolated`] (its own panic guard and time budget, which are per thread).
pub fn map_each<T: Sync>(
    units: &[T],
    model: &mut CloudModel,
    map: impl Fn(&T, &mut CloudModel) + Sync,
) {
    // The files the units read count for the work this runs in ([`map_units`]).
    let log = ReadLog::current();
    let parts = map_parts(units, |unit| {
        let mut part = CloudModel::default();
        match &log {
            Some(log) => log.record(|| map(unit, &mut part)),
            None => map(unit, &mut part),
        }
        (part, None::<(Origin, &T)>)
    });
    append_parts(model, parts, |_| "", "");
}

/// [`map_each`] for deployment units, each named by `key` (its template's path) among the
/// units of `adapter`. A pull request's head records what each unit read and where its part
/// lies in the model ([`crate::model::Units`]); the base revision then takes the head's part,
/// copied, for every unit whose files are all the same blobs in both revisions, and maps only
/// the others.
pub fn map_units<T: Sync>(
    ctx: &ScanContext,
    adapter: &'static str,
    units: &[T],
    key: impl Fn(&T) -> &str + Sync,
    model: &mut CloudModel,
    map: impl Fn(&T, &mut CloudModel) + Sync,
) {
    let head = crate::model::head_model(ctx);
    let record = ctx.is_kept_for_reuse();
    let parts = map_parts(units, |unit| {
        if let Some(part) = head
            .as_deref()
            .and_then(|head| Units::reused_part(head, ctx, adapter, key(unit)))
        {
            return (part, Some(Origin::Head));
        }
        let mut part = CloudModel::default();
        if !record {
            map(unit, &mut part);
            return (part, None);
        }
        let log = ReadLog::new();
        log.record(|| map(unit, &mut part));
        (part, Some(Origin::Mapped(log)))
    });
    let logged = parts
        .into_iter()
        .zip(units)
        .map(|((part, origin), unit)| (part, origin.map(|origin| (origin, unit))))
        .collect();
    append_parts(model, logged, key, adapter);
}

/// Where a unit's part came from, when the scan keeps track ([`map_units`]).
enum Origin {
    /// Copied from the head's model.
    Head,
    /// Mapped here, having read what the log says.
    Mapped(ReadLog),
}

/// [`map_units`] for adapters whose unit is one template file, named by its path: each file's
/// document is handed to `map`, or its parse error recorded. A cancelled scan maps only what
/// was parsed already.
pub fn map_templates(
    ctx: &ScanContext,
    adapter: &'static str,
    files: &[&SourceFile],
    model: &mut CloudModel,
    map: impl Fn(&SourceFile, &Document, &mut CloudModel) + Sync,
) {
    map_units(
        ctx,
        adapter,
        files,
        |file| &file.path,
        model,
        |file, model| {
            if ctx.is_cancelled() && !ctx.is_parsed(file) {
                return;
            }
            if let Some(doc) = document(ctx, file, model) {
                map(file, &doc, model);
            }
        },
    );
}

/// Each unit's part (and the log of what it read, when kept), mapped on all cores.
fn map_parts<T: Sync, L: Send>(
    units: &[T],
    map: impl Fn(&T) -> (CloudModel, Option<L>) + Sync,
) -> Vec<(CloudModel, Option<L>)> {
    use rayon::prelude::*;
    #[cfg(test)]
    let hooks = test_hooks::current();
    units
        .par_iter()
        .map(|unit| {
            #[cfg(test)]
            let _hooks = test_hooks::adopt(&hooks);
            map(unit)
        })
        .collect()
}

/// Append `parts` in order, recording the units whose read logs were kept and where the parts
/// taken from the head went.
fn append_parts<T>(
    model: &mut CloudModel,
    parts: Vec<(CloudModel, Option<(Origin, &T)>)>,
    key: impl Fn(&T) -> &str,
    adapter: &'static str,
) {
    if parts.iter().all(|(_, logged)| logged.is_none()) {
        model.append_all(parts.into_iter().map(|(part, _)| part).collect());
        return;
    }
    let sizes: Vec<&CloudModel> = parts.iter().map(|(p, _)| p).collect();
    model.reserve_for(&sizes);
    for (part, logged) in parts {
        match logged {
            Some((Origin::Mapped(log), unit)) => {
                let from = model.marks();
                let reached = part.reached.iter().cloned().collect();
                model.append(part);
                Units::record(model, adapter, key(unit), &log, from, reached);
            }
            Some((Origin::Head, unit)) => {
                let from = model.marks();
                model.append(part);
                let to = model.marks();
                model.units.reused(adapter, key(unit), from, to);
            }
            None => model.append(part),
        }
    }
}

/// How long the adapters may work on one file (or one Terraform configuration): a tenth of
/// the stage's timeout (`stage-timeout`, 300 s by default), between 0.1 s and 60 s. A file
/// past it is not checked; the others are.
pub fn file_budget(ctx: &ScanContext) -> std::time::Duration {
    let stage = ctx.config().stage_timeout.unwrap_or(300);
    std::time::Duration::from_millis(stage.saturating_mul(100).clamp(100, 60_000))
}

/// The error for work on `file` that [`tollgate_core::budget::run`] stopped.
pub fn stopped_notification(
    file: &str,
    adapter: &str,
    budget: std::time::Duration,
    stopped: tollgate_core::budget::Stopped,
) -> Notification {
    match stopped {
        tollgate_core::budget::Stopped::Panicked => adapter_failed(file, adapter),
        tollgate_core::budget::Stopped::Exceeded => Notification::error(
            "file-timeout",
            format!(
                "{file}: the {adapter} adapter took longer than this file's budget of {:.1} s (a tenth of `stage-timeout`), so it was not checked; the other files were",
                budget.as_secs_f64()
            ),
        )
        .at(Location::file(file.to_string()))
        .stage("iac"),
    }
}

/// The `adapter-failed` error: the adapter panicked on `file`, which was not checked.
pub fn adapter_failed(file: &str, adapter: &str) -> Notification {
    Notification::error(
        "adapter-failed",
        format!(
            "{file}: the {adapter} adapter failed on this file, which was not checked; hint: please report it with the file"
        ),
    )
    .at(Location::file(file.to_string()))
    .stage("iac")
}

/// The `duplicate-key` note: a key written twice in one mapping. The later value is the one
/// read, as CloudFormation and the PyYAML-based tools read it (Checkov refuses such files).
fn duplicate_key(file: &str, d: &tollgate_syntax::DuplicateKey) -> Notification {
    Notification::note(
        "duplicate-key",
        format!(
            "{file}:{}:{}: `{}` is written again at line {} of the same mapping; the later value is used",
            d.dropped.start.line, d.dropped.start.col, d.key, d.kept.start.line
        ),
    )
    .at(Location::at(file, d.dropped))
    .stage("iac")
}

/// The `parse-error` notification for `err` in `file`.
pub fn parse_error(file: &SourceFile, err: &ParseError) -> Notification {
    let pos = match err {
        ParseError::Syntax(e) => e.pos,
        ParseError::File(tollgate_core::FileError::NotUtf8 { line, col }) => {
            Some(tollgate_core::Pos::new(*line, *col))
        }
        _ => None,
    };
    let (message, region) = match pos {
        Some(p) => (
            format!(
                "{}:{}:{}: cannot parse template: {err}",
                file.path, p.line, p.col
            ),
            Some(Span::new(p, p)),
        ),
        None => (format!("{}: cannot parse template: {err}", file.path), None),
    };
    let notification = if *err == ParseError::ParserFailed {
        Notification::error("parser-failed", message)
    } else {
        Notification::warning("parse-error", message)
    };
    notification
        .at(Location::new(file.path.clone(), region))
        .stage("iac")
}

/// The `unsupported-construct` note: something in `file` at `span` the adapter does not
/// understand; the value it stood for is unknown and the rest of the file is still checked.
/// `items` with only the last of those sharing a key, each where it was written last: how a
/// later tag or environment variable overrides an earlier one of the same name. Each key's
/// last place is looked up, so thousands of entries take linear time, not quadratic.
pub fn last_of_each<T>(items: Vec<T>, key: impl Fn(&T) -> &str) -> Vec<T> {
    let last: std::collections::HashMap<&str, usize> = items
        .iter()
        .enumerate()
        .map(|(i, item)| (key(item), i))
        .collect();
    let keep: Vec<bool> = items
        .iter()
        .enumerate()
        .map(|(i, item)| last[key(item)] == i)
        .collect();
    items
        .into_iter()
        .zip(keep)
        .filter_map(|(item, keep)| keep.then_some(item))
        .collect()
}

pub fn unsupported(file: &str, span: Span, what: impl std::fmt::Display) -> Notification {
    Notification::note(
        "unsupported-construct",
        format!("{file}:{}:{}: {what}", span.start.line, span.start.col),
    )
    .at(Location::at(file, span))
    .stage("iac")
}

/// Lets tests make the adapters panic on a file, to check what a panic costs.
#[cfg(test)]
pub(crate) mod test_hooks {
    use std::cell::RefCell;

    thread_local! {
        static PANIC_ON: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Panic when mapping `file` (on this thread) until the guard is dropped.
    pub fn panic_on(file: &str) -> Guard {
        PANIC_ON.with(|p| *p.borrow_mut() = Some(file.to_string()));
        Guard
    }

    pub struct Guard;

    impl Drop for Guard {
        fn drop(&mut self) {
            PANIC_ON.with(|p| *p.borrow_mut() = None);
        }
    }

    thread_local! {
        static SLOW_ON: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Work on `file` (on this thread) without end until the guard is dropped.
    pub fn slow_on(file: &str) -> SlowGuard {
        SLOW_ON.with(|p| *p.borrow_mut() = Some(file.to_string()));
        SlowGuard
    }

    pub struct SlowGuard;

    impl Drop for SlowGuard {
        fn drop(&mut self) {
            SLOW_ON.with(|p| *p.borrow_mut() = None);
        }
    }

    /// The hooks set on this thread, to carry them onto the threads that map files.
    #[derive(Clone, Default)]
    pub struct Hooks {
        panic_on: Option<String>,
        slow_on: Option<String>,
    }

    pub fn current() -> Hooks {
        Hooks {
            panic_on: PANIC_ON.with(|p| p.borrow().clone()),
            slow_on: SLOW_ON.with(|p| p.borrow().clone()),
        }
    }

    fn set(hooks: &Hooks) {
        PANIC_ON.with(|p| p.borrow_mut().clone_from(&hooks.panic_on));
        SLOW_ON.with(|p| p.borrow_mut().clone_from(&hooks.slow_on));
    }

    /// Install `hooks` on this thread until the guard is dropped, then restore what was there.
    pub fn adopt(hooks: &Hooks) -> Adopted {
        let before = current();
        set(hooks);
        Adopted(before)
    }

    pub struct Adopted(Hooks);

    impl Drop for Adopted {
        fn drop(&mut self) {
            set(&self.0);
        }
    }

    pub(super) fn maybe_fail(file: &str) {
        if PANIC_ON.with(|p| p.borrow().as_deref() == Some(file)) {
            panic!("injected adapter failure on {file}");
        }
        if SLOW_ON.with(|p| p.borrow().as_deref() == Some(file)) {
            loop {
                tollgate_core::budget::check();
            }
        }
    }
}

#[cfg(test)]
mod last_of_each_tests {
    use super::last_of_each;

    #[test]
    fn a_key_written_again_moves_to_its_last_place_with_its_last_value() {
        let items = vec![("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5)];
        assert_eq!(
            last_of_each(items, |(k, _)| k),
            [("a", 3), ("c", 4), ("b", 5)]
        );
        // Many keys, each written twice (provider tags, then the resource's own).
        let keys: Vec<String> = (0..100_000).map(|i| format!("k{i}")).collect();
        let written: Vec<(&str, usize)> = keys
            .iter()
            .map(|k| (k.as_str(), 0))
            .chain(keys.iter().rev().map(|k| (k.as_str(), 1)))
            .collect();
        let kept = last_of_each(written, |(k, _)| k);
        assert_eq!(kept.len(), 100_000);
        assert!(kept.iter().all(|(_, v)| *v == 1));
        assert_eq!(kept[0].0, "k99999");
    }
}
