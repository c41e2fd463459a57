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
    let path = [
        Step::Key("runs"),
        Step::Index(ri),
        Step::Key("results"),
        Step::Index(i),
    ];
    if !has_message(result) {
        let mut at = path.to_vec();
        at.push(Step::Key("message"));
        return Err(cx.invalid(&at, "expected `text` or `id` in the result's message", None));
    }
    check_rule_reference(result, rule_count, &path, cx)
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
    };
    for mut run in members.runs.ok_or_else(refused)? {
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
}

fn has_message(result: &SarifResult) -> bool {
    let m = &result.message;
    m.text.as_deref().is_some_and(|t| !t.is_empty())
        || m.id.as_deref().is_some_and(|t| !t.is_empty())
        || m.markdown.as_deref().is_some_and(|t| !t.is_empty())
}

fn check_rule_reference(
    result: &SarifResult,
    rule_count: usize,
    path: &[Step],
    cx: &Context,
) -> Result<(), SarifError> {
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
            let mut at = path.to_vec();
            at.extend_from_slice(name);
            return Err(cx.invalid(
                &at,
                &format!(
                    "expected an index below {rule_count} (the driver's rule count), found {index}"
                ),
                None,
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
        return Err(cx.invalid(
            path,
            "expected `ruleId`, `rule.id` or `ruleIndex` naming the rule",
            Some("tollgate gates and deduplicates by rule; a result without one cannot be placed"),
        ));
    }
    Ok(())
}
