//! A log written while tollgate's own results are built, a few at a time.

use std::io::Write;

use serde_json::Value;
use serde_sarif::sarif::{Result as SarifResult, Run, Sarif};
use tollgate_core::Notification;

use crate::build::{build_log, plan_run_within_limits, PlannedResults, RunInput};
use crate::edit::{edited_result, write_list, write_members, LogEdit};

/// Results built and written together: enough to keep both cores busy, few enough that they
/// weigh nothing next to the findings.
const BATCH: usize = 512;

/// How the first run's `results` reads in the pretty log while it is empty: a run's keys are
/// the only ones indented by six spaces (log, `runs`, run), and a raw line break never occurs
/// inside a JSON string, so the first match is tollgate's own run, which comes first.
const EMPTY_RESULTS: &[u8] = b"\n      \"results\": []";
/// The indentation of an item of a run's `results`.
const RESULT_INDENT: &[u8] = b"        ";

/// A log whose first run is tollgate's own run within GitHub's limits, the same log
/// [`crate::build_run_within_limits`] and [`build_log`] make, but whose results are built
/// only as the log is written, a few at a time: on a large scan they would otherwise all exist
/// as SARIF structures beside the findings they are made from.
#[derive(Debug)]
pub struct StreamedLog<'a> {
    /// The log, with the first run's results left empty.
    log: Sarif,
    results: PlannedResults<'a>,
}

impl<'a> StreamedLog<'a> {
    /// tollgate's own run of `input` within GitHub's limits, followed by `others` as they are,
    /// and the run's `truncated` notification, as [`crate::build_run_within_limits`] gives it.
    pub fn new(input: &RunInput<'a>, others: Vec<Run>) -> (Self, Option<Notification>) {
        let (own, results, note) = plan_run_within_limits(input);
        let mut runs = Vec::with_capacity(others.len() + 1);
        runs.push(own);
        runs.extend(others);
        (
            Self {
                log: build_log(runs),
                results,
            },
            note,
        )
    }

    /// tollgate's own run, without its results.
    pub fn own_run_mut(&mut self) -> &mut Run {
        &mut self.log.runs[0]
    }

    /// The runs after tollgate's own.
    pub fn other_runs(&self) -> &[Run] {
        &self.log.runs[1..]
    }

    /// The log as pretty JSON with a final newline, the text [`crate::write_json_pretty`] gives
    /// for [`Self::into_log`], streamed into `out` (which should be buffered).
    pub fn write_json_pretty(&self, out: impl Write) -> std::io::Result<()> {
        let mut splice = Splice {
            out,
            matched: 0,
            done: false,
            results: &self.results,
        };
        serde_json::to_writer_pretty(&mut splice, &self.log).map_err(std::io::Error::from)?;
        if !splice.done {
            return Err(std::io::Error::other(
                "the log's first run has no results to write",
            ));
        }
        splice.out.write_all(b"\n")
    }

    /// The same text as [`Self::write_json_pretty`], as a string.
    pub fn to_json_pretty(&self) -> String {
        let mut text = Vec::new();
        self.write_json_pretty(&mut text)
            .expect("SARIF types always serialise");
        String::from_utf8(text).expect("JSON is UTF-8")
    }

    /// The log written compactly into `out` (which should be buffered) with `edit` made to each
    /// run and result as it is written (see [`LogEdit`]): tollgate's own results are built a
    /// few at a time as in [`Self::write_json_pretty`], and the other runs' results become JSON
    /// values one at a time, only when `edit` changes them. The log is left as it was.
    pub fn write_edited(
        &mut self,
        edit: &impl LogEdit,
        mut out: impl Write,
    ) -> std::io::Result<()> {
        let mut runs = std::mem::take(&mut self.log.runs);
        let members = serde_json::to_value(&self.log);
        let written = members.map_err(std::io::Error::from).and_then(|members| {
            let Value::Object(members) = members else {
                return Err(std::io::Error::other("a log is a JSON object"));
            };
            write_members(&mut out, &members, "runs", |out| {
                out.write_all(b"[")?;
                for (i, run) in runs.iter_mut().enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    self.write_run_edited(i, run, edit, &mut *out)?;
                }
                out.write_all(b"]")
            })
        });
        self.log.runs = runs;
        written
    }

    /// Run `i` of the log, `run`, as [`Self::write_edited`] writes it.
    fn write_run_edited(
        &self,
        i: usize,
        run: &mut Run,
        edit: &impl LogEdit,
        out: &mut impl Write,
    ) -> std::io::Result<()> {
        use rayon::prelude::*;
        // The run's members with its results (if any) an empty list.
        let results = run.results.take();
        if results.is_some() {
            run.results = Some(Vec::new());
        }
        let members = serde_json::to_value(&*run);
        run.results = results;
        let Value::Object(mut members) = members? else {
            return Err(std::io::Error::other("a run is a JSON object"));
        };
        if edit.edits() {
            edit.edit_run(&mut members);
        }
        let edited = |result: &SarifResult| {
            let kind = result
                .kind
                .as_ref()
                .and_then(|k| match serde_json::to_value(k) {
                    Ok(Value::String(kind)) => Some(kind),
                    _ => None,
                });
            edited_result(result, kind.as_deref(), edit).transpose()
        };
        write_members(out, &members, "results", |out| {
            // Built (tollgate's own results) and edited a batch at a time, on all cores.
            let texts: Box<dyn Iterator<Item = std::io::Result<Vec<u8>>>> = if i == 0 {
                Box::new(self.results.items.chunks(BATCH).flat_map(|batch| {
                    batch
                        .par_iter()
                        .filter_map(|item| edited(&self.results.build(*item)?))
                        .collect::<Vec<_>>()
                }))
            } else {
                let results = run.results.as_deref().unwrap_or_default();
                Box::new(
                    results
                        .chunks(BATCH)
                        .flat_map(|batch| batch.par_iter().filter_map(edited).collect::<Vec<_>>()),
                )
            };
            write_list(out, texts)
        })
    }

    /// The whole log, results built.
    pub fn into_log(mut self) -> Sarif {
        self.log.runs[0].results = Some(self.results.build_all());
        self.log
    }
}

/// Passes the log's text through, except that the first run's empty `results` becomes its
/// results, built and written [`BATCH`] at a time.
struct Splice<'r, 'a, W> {
    out: W,
    /// How much of [`EMPTY_RESULTS`] the text last written ends with.
    matched: usize,
    /// Whether the results are written.
    done: bool,
    results: &'r PlannedResults<'a>,
}

impl<W: Write> Splice<'_, '_, W> {
    fn write_results(&mut self) -> std::io::Result<()> {
        use rayon::prelude::*;
        // `"results": ` and the list.
        self.out
            .write_all(&EMPTY_RESULTS[..EMPTY_RESULTS.len() - 2])?;
        let mut first = true;
        for batch in self.results.items.chunks(BATCH) {
            let texts: Vec<Vec<u8>> = batch
                .par_iter()
                .filter_map(|item| self.results.build(*item))
                .map(|result| indented(&result))
                .collect::<std::io::Result<_>>()?;
            for text in texts {
                let separator: &[u8] = if first { b"[\n" } else { b",\n" };
                first = false;
                self.out.write_all(separator)?;
                self.out.write_all(&text)?;
            }
        }
        self.out.write_all(if first { b"[]" } else { b"\n      ]" })
    }
}

/// `result` as pretty JSON, each line indented as an item of a run's `results`: written at
/// that depth in one pass rather than printed and then indented line by line.
fn indented(result: &serde_sarif::sarif::Result) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(2048);
    out.extend_from_slice(RESULT_INDENT);
    crate::pretty::pretty_into(result, RESULT_INDENT.len() / 2, &mut out)?;
    Ok(out)
}

impl<W: Write> Write for Splice<'_, '_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while !self.done && !rest.is_empty() {
            if self.matched == 0 {
                // Up to the next line break, nothing can match.
                let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
                self.out.write_all(&rest[..end])?;
                rest = &rest[end..];
                if rest.is_empty() {
                    break;
                }
            }
            let byte = rest[0];
            rest = &rest[1..];
            if byte == EMPTY_RESULTS[self.matched] {
                self.matched += 1;
                if self.matched == EMPTY_RESULTS.len() {
                    self.write_results()?;
                    self.done = true;
                }
            } else {
                // The line break opening the pattern occurs nowhere else in it, so a mismatch
                // starts over at this byte.
                self.out.write_all(&EMPTY_RESULTS[..self.matched])?;
                self.matched = 0;
                if byte == EMPTY_RESULTS[0] {
                    self.matched = 1;
                } else {
                    self.out.write_all(&[byte])?;
                }
            }
        }
        self.out.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}
