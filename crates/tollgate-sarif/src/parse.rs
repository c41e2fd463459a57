//! Reading a SARIF log written by another tool, and checking what tollgate relies on.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_sarif::sarif::{Result as SarifResult, Run, Sarif};
use tollgate_core::Finding;

use crate::locate::{locate, Step};
use crate::SarifError;

/// Largest log `parse_log` reads. External tools are untrusted: a runaway one must not take the
/// machine down. GitHub refuses anything near this size anyway.
pub const MAX_LOG_BYTES: usize = 256 * 1024 * 1024;

/// Parse and check a SARIF 2.1.0 log. `source_name` (a file name or tool name) starts every
/// error message. Checked: JSON syntax and shapes (with the JSON path and line:col), `version`
/// is `2.1.0`, `runs` is present, every run names its tool, every result has a message (text or
/// id) and a rule (`ruleId`, `rule.id` or an index that exists). Every error names the JSON
/// path and the line:col of the offending value.
pub fn parse_log(text: &str, source_name: &str) -> Result<Sarif, SarifError> {
    if text.len() > MAX_LOG_BYTES {
        return Err(SarifError::TooLarge {
            source_name: source_name.to_string(),
            size: text.len(),
            max: MAX_LOG_BYTES,
        });
    }
    // serde_json stops at 128 levels of nesting, which bounds the recursion on hostile input.
    let mut de = serde_json::Deserializer::from_str(text);
    let log: Sarif = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        SarifError::Json {
            source_name: source_name.to_string(),
            path,
            line: inner.line(),
            column: inner.column(),
            message: strip_position(&inner.to_string()),
        }
    })?;
    de.end().map_err(|e| SarifError::Json {
        source_name: source_name.to_string(),
        path: ".".to_string(),
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    check(&log, &Context { text, source_name })?;
    Ok(log)
}

/// serde_json appends " at line L column C"; the error shows the position up front instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Where a problem is: the steps to the offending value, written out as a JSON path and
/// located in the text.
struct Context<'t> {
    text: &'t str,
    source_name: &'t str,
}

impl Context<'_> {
    fn invalid(&self, path: &[Step], message: &str, hint: Option<&str>) -> SarifError {
        SarifError::Invalid {
            source_name: self.source_name.to_string(),
            path: path_text(path),
            position: locate(self.text, path),
            message: message.to_string(),
            hint: hint.map(str::to_string),
        }
    }
}

fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

fn check(log: &Sarif, cx: &Context) -> Result<(), SarifError> {
    if log.version.as_str() != Some("2.1.0") {
        return Err(cx.invalid(
            &[Step::Key("version")],
            &format!("expected \"2.1.0\", found {}", log.version),
            Some("tollgate reads SARIF 2.1.0 only; most tools have an option to emit it"),
        ));
    }
    for (ri, run) in log.runs.iter().enumerate() {
        check_run(run, ri, cx)?;
    }
    Ok(())
}

fn check_run(run: &Run, ri: usize, cx: &Context) -> Result<(), SarifError> {
    if run.tool.driver.name.trim().is_empty() {
        return Err(cx.invalid(
            &[
                Step::Key("runs"),
                Step::Index(ri),
                Step::Key("tool"),
                Step::Key("driver"),
                Step::Key("name"),
            ],
            "expected the tool's name, found an empty string",
            None,
        ));
    }
    for (i, result) in run.results.iter().flatten().enumerate() {
        check_result(result, run, ri, i, cx)?;
    }
    Ok(())
}

/// What tollgate relies on in result `i` of run `ri`: a message and a rule it can name.
fn check_result(
    result: &SarifResult,
    run: &Run,
    ri: usize,
    i: usize,
    cx: &Context,
) -> Result<(), SarifError> {
    let rule_count = run.tool.driver.rules.as_ref().map_or(0, Vec::len);
    let Some((steps, message)) = result_problem(result, rule_count) else {
        return Ok(());
    };
    let mut at = vec![
        Step::Key("runs"),
        Step::Index(ri),
        Step::Key("results"),
        Step::Index(i),
    ];
    at.extend(steps);
    let hint = (message == NO_RULE).then_some(NO_RULE_HINT);
    Err(cx.invalid(&at, &message, hint))
}

const NO_RULE: &str = "expected `ruleId`, `rule.id` or `ruleIndex` naming the rule";
const NO_RULE_HINT: &str =
    "tollgate gates and deduplicates by rule; a result without one cannot be placed";

/// What is wrong with a result for tollgate (no message, no rule it can name, a rule index
/// out of range): the steps from the result to the offending value, and what was expected.
fn result_problem(result: &SarifResult, rule_count: usize) -> Option<(Vec<Step<'static>>, String)> {
    if !has_message(result) {
        return Some((
            vec![Step::Key("message")],
            "expected `text` or `id` in the result's message".to_string(),
        ));
    }
    rule_reference_problem(result, rule_count)
}

/// A log read without building all of its results: each run's tool, invocations and other
/// parts as SARIF, its results as JSON text borrowed from the log's own text, turned into
/// findings one at a time. A log of 200,000 results then takes about its own size in memory
/// plus the findings, instead of several times that in SARIF structures (see the README).
pub struct LazyLog<'t> {
    text: &'t str,
    source_name: String,
    /// Each run without its results.
    pub runs: Vec<Run>,
    results: Vec<Vec<&'t RawValue>>,
    /// Whether each run had a `results` list (an empty one included).
    has_results: Vec<bool>,
}

/// The parts of a log that are read before the results: runs as their members, unparsed.
#[derive(Deserialize)]
struct LogMembers<'t> {
    version: Option<String>,
    #[serde(borrow)]
    runs: Option<Vec<std::collections::BTreeMap<String, &'t RawValue>>>,
}

/// Read `text` as [`parse_log`] does (same size cap, same checks, same error messages), but
/// leave the results as text until [`LazyLog::findings`] asks for them.
pub fn read_log_lazily<'t>(text: &'t str, source_name: &str) -> Result<LazyLog<'t>, SarifError> {
    if text.len() > MAX_LOG_BYTES {
        return Err(SarifError::TooLarge {
            source_name: source_name.to_string(),
            size: text.len(),
            max: MAX_LOG_BYTES,
        });
    }
    // Any problem is reported the way `parse_log` reports it, with the JSON path and position;
    // reading the log the slow way only happens for a log that is refused anyway.
    let refused = || match parse_log(text, source_name) {
        Err(e) => e,
        Ok(_) => SarifError::Invalid {
            source_name: source_name.to_string(),
            path: ".".to_string(),
            position: None,
            message: "the log could not be read".to_string(),
            hint: None,
        },
    };
    let members: LogMembers = serde_json::from_str(text).map_err(|_| refused())?;
    if members.version.as_deref() != Some("2.1.0") {
        return Err(refused());
    }
    let mut log = LazyLog {
        text,
        source_name: source_name.to_string(),
        runs: Vec::new(),
        results: Vec::new(),
        has_results: Vec::new(),
    };
    for mut run in members.runs.ok_or_else(refused)? {
        log.has_results
            .push(run.get("results").is_some_and(|r| r.get() != "null"));
        let results: Vec<&'t RawValue> = match run.remove("results") {
            Some(raw) if raw.get() != "null" => {
                serde_json::from_str(raw.get()).map_err(|_| refused())?
            }
            _ => Vec::new(),
        };
        let mut shell = String::from("{");
        for (i, (key, value)) in run.iter().enumerate() {
            if i > 0 {
                shell.push(',');
            }
            shell.push_str(&serde_json::to_string(key).unwrap_or_default());
            shell.push(':');
            shell.push_str(value.get());
        }
        shell.push('}');
        let run: Run = serde_json::from_str(&shell).map_err(|_| refused())?;
        log.runs.push(run);
        log.results.push(results);
    }
    let cx = Context { text, source_name };
    for (ri, run) in log.runs.iter().enumerate() {
        check_run(run, ri, &cx)?;
    }
    Ok(log)
}

impl LazyLog<'_> {
    /// Every result of every run as a finding (see [`crate::findings_from_run`]), each result
    /// read, checked and dropped in turn.
    pub fn findings(&self) -> Result<Vec<Finding>, SarifError> {
        let cx = Context {
            text: self.text,
            source_name: &self.source_name,
        };
        let mut findings = Vec::new();
        for (ri, (run, results)) in self.runs.iter().zip(&self.results).enumerate() {
            findings.reserve(results.len());
            for (i, raw) in results.iter().enumerate() {
                let result: SarifResult = serde_json::from_str(raw.get()).map_err(|_| {
                    parse_log(self.text, &self.source_name)
                        .err()
                        .unwrap_or_else(|| {
                            cx.invalid(&[Step::Key("runs")], "unreadable result", None)
                        })
                })?;
                check_result(&result, run, ri, i, &cx)?;
                findings.extend(crate::read::finding_of(&result, run));
            }
        }
        Ok(findings)
    }

    /// How many results the log holds.
    pub fn result_count(&self) -> usize {
        self.results.iter().map(Vec::len).sum()
    }

    /// Whether run `ri` had a `results` list (an empty one included).
    pub fn has_results(&self, ri: usize) -> bool {
        self.has_results.get(ri).copied().unwrap_or(false)
    }

    /// The results of run `ri`, each read and checked in turn (as [`parse_log`] checks them).
    /// One that cannot be read is an error naming its JSON path and its line and column in
    /// the log; the ones after it still come.
    pub fn results(&self, ri: usize) -> impl Iterator<Item = Result<SarifResult, SarifError>> + '_ {
        let run = &self.runs[ri];
        let rule_count = run.tool.driver.rules.as_ref().map_or(0, Vec::len);
        let mut cursor = LineCursor::new(self.text);
        self.results[ri].iter().enumerate().map(move |(i, raw)| {
            let offset = (raw.get().as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
            let (line, column) = cursor.position(offset);
            let path = format!("runs[{ri}].results[{i}]");
            let mut de = serde_json::Deserializer::from_str(raw.get());
            let result: SarifResult = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let inner_path = e.path().to_string();
                let inner = e.into_inner();
                // The error's position is within the result's text.
                let (line, column) = if inner.line() <= 1 {
                    (line, column + inner.column().saturating_sub(1))
                } else {
                    (line + inner.line() - 1, inner.column())
                };
                SarifError::Json {
                    source_name: self.source_name.clone(),
                    path: if inner_path == "." {
                        path.clone()
                    } else {
                        format!("{path}.{inner_path}")
                    },
                    line,
                    column,
                    message: strip_position(&inner.to_string()),
                }
            })?;
            match result_problem(&result, rule_count) {
                None => Ok(result),
                Some((steps, message)) => {
                    let mut at = path;
                    for step in steps {
                        if let Step::Key(key) = step {
                            at.push('.');
                            at.push_str(key);
                        }
                    }
                    Err(SarifError::Invalid {
                        source_name: self.source_name.clone(),
                        path: at,
                        position: Some((line, column)),
                        message,
                        hint: None,
                    })
                }
            }
        })
    }
}

/// Line and column (1-based, in characters) of byte offsets visited in increasing order,
/// counted from where the previous one left off (a log is often one long line).
struct LineCursor<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
    column: usize,
}

impl<'t> LineCursor<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
            column: 1,
        }
    }

    /// `offset` must be on a character boundary (where a JSON value starts).
    fn position(&mut self, offset: usize) -> (usize, usize) {
        if offset < self.offset {
            *self = Self::new(self.text);
        }
        let Some(passed) = self.text.get(self.offset..offset) else {
            return (self.line, self.column);
        };
        match passed.rfind('\n') {
            Some(last) => {
                self.line += passed.bytes().filter(|b| *b == b'\n').count();
                self.column = passed[last + 1..].chars().count() + 1;
            }
            None => self.column += passed.chars().count(),
        }
        self.offset = offset;
        (self.line, self.column)
    }
}

fn has_message(result: &SarifResult) -> bool {
    let m = &result.message;
    m.text.as_deref().is_some_and(|t| !t.is_empty())
        || m.id.as_deref().is_some_and(|t| !t.is_empty())
        || m.markdown.as_deref().is_some_and(|t| !t.is_empty())
}

fn rule_reference_problem(
    result: &SarifResult,
    rule_count: usize,
) -> Option<(Vec<Step<'static>>, String)> {
    // An index into an extension's rules cannot be checked against the driver's.
    let in_extension = result
        .rule
        .as_ref()
        .is_some_and(|r| r.tool_component.is_some());
    let indexes: [(&[Step], Option<i64>); 2] = [
        (&[Step::Key("ruleIndex")], result.rule_index),
        (
            &[Step::Key("rule"), Step::Key("index")],
            result.rule.as_ref().and_then(|r| r.index),
        ),
    ];
    for (name, index) in indexes {
        let Some(index) = index else { continue };
        if in_extension && name.len() == 2 {
            continue;
        }
        // SARIF uses -1 for "not set".
        if index < -1 || index >= rule_count as i64 {
            return Some((
                name.to_vec(),
                format!(
                    "expected an index below {rule_count} (the driver's rule count), found {index}"
                ),
            ));
        }
    }
    let has_id = result.rule_id.as_deref().is_some_and(|s| !s.is_empty())
        || result
            .rule
            .as_ref()
            .and_then(|r| r.id.as_deref())
            .is_some_and(|s| !s.is_empty());
    let has_index = indexes.iter().any(|(_, i)| i.is_some_and(|i| i >= 0));
    if !has_id && !has_index {
        return Some((Vec::new(), NO_RULE.to_string()));
    }
    None
}
