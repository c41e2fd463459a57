//! One policy file's regorus engine, with the limits that make a hostile policy harmless:
//! a per-evaluation time budget, capped `numbers.range`, `print` kept off stdout. The
//! interpreter is built without `http.send`, `opa.runtime` and every builtin that reads files
//! or the environment (see the crate README), so a policy cannot reach them at all.

use std::num::NonZeroU32;
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value};

use super::load::{error_message, located, PolicyFile};

/// Most numbers `numbers.range` / `numbers.range_step` may produce. regorus builds the whole
/// array inside one builtin call, where its time limit cannot interrupt it.
pub const MAX_RANGE: i64 = 100_000;

/// Units of work (expressions, rule bodies) regorus does between two reads of the clock. At
/// every unit, reading the clock took about a tenth of the policy stage's time; a unit is short
/// (the builtins that build large values are capped, see [`MAX_RANGE`]), so 64 of them
/// overshoot the budget by microseconds.
const CLOCK_CHECK_INTERVAL: NonZeroU32 = match NonZeroU32::new(64) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

/// An evaluation that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct EvalError {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
    /// Stopped by the time budget.
    pub timed_out: bool,
}

/// A policy file's engine.
pub struct Evaluator {
    engine: Engine,
    pub file: String,
    pub package: String,
}

impl std::fmt::Debug for Evaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("file", &self.file)
            .finish()
    }
}

impl Evaluator {
    /// An engine holding `policy` and the `libraries` it may use, each evaluation limited to
    /// `budget`.
    pub fn new<'a>(
        policy: &'a PolicyFile,
        libraries: impl IntoIterator<Item = &'a PolicyFile>,
        budget: Duration,
    ) -> Result<Self, EvalError> {
        let mut engine = Engine::new();
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit: budget,
            check_interval: CLOCK_CHECK_INTERVAL,
        });
        // `print` would write to stdout, which carries the report only.
        engine.set_gather_prints(true);
        add_range_limits(&mut engine).map_err(|e| EvalError {
            file: policy.path.clone(),
            line: 1,
            col: 1,
            message: e,
            timed_out: false,
        })?;
        for file in libraries.into_iter().chain([policy]) {
            engine.set_rego_v0(file.v0);
            engine
                .add_policy(file.path.clone(), file.text.clone())
                .map_err(|e| error(&file.path, &format!("{e:#}"), false))?;
        }
        Ok(Self {
            engine,
            file: policy.path.clone(),
            package: policy.package.clone(),
        })
    }

    /// The value of `data.<package>.<rule>` for `input`, as JSON (`Undefined` is `None`).
    pub fn eval(
        &mut self,
        rule: &str,
        input: &Value,
    ) -> Result<Option<serde_json::Value>, EvalError> {
        self.engine.set_input(input.clone());
        let path = format!("data.{}.{rule}", self.package);
        let result = self.engine.eval_rule(path);
        // Prints are dropped: policies are data, and their output has no place in the report.
        let _ = self.engine.take_prints();
        match result {
            Ok(Value::Undefined) => Ok(None),
            Ok(value) => serde_json::to_value(&value)
                .map(Some)
                .map_err(|e| error(&self.file, &e.to_string(), false)),
            Err(e) => {
                let text = format!("{e:#}");
                let timed_out = text.contains("exceeded time limit");
                Err(error(&self.file, &text, timed_out))
            }
        }
    }

    /// Run a `test_*` rule: `Ok(true)` when it holds.
    pub fn run_test(&mut self, rule: &str) -> Result<bool, EvalError> {
        match self.eval(rule, &Value::Undefined)? {
            Some(serde_json::Value::Bool(b)) => Ok(b),
            Some(_) => Ok(true),
            None => Ok(false),
        }
    }
}

fn error(file: &str, text: &str, timed_out: bool) -> EvalError {
    // The error names the file it happened in, which may be a library of the policy.
    let (file, line, col) = located(text).unwrap_or_else(|| (file.to_string(), 1, 1));
    EvalError {
        file,
        line,
        col,
        message: if timed_out {
            "evaluation exceeded its time budget".to_string()
        } else {
            error_message(text)
        },
        timed_out,
    }
}

/// `numbers.range` and `numbers.range_step` with at most [`MAX_RANGE`] numbers. Extensions
/// are looked up before builtins, so these replace regorus's own.
fn add_range_limits(engine: &mut Engine) -> Result<(), String> {
    engine
        .add_extension(
            "numbers.range".to_string(),
            2,
            Box::new(|args: Vec<Value>| range(&args[0], &args[1], None)),
        )
        .map_err(|e| e.to_string())?;
    engine
        .add_extension(
            "numbers.range_step".to_string(),
            3,
            Box::new(|args: Vec<Value>| range(&args[0], &args[1], Some(&args[2]))),
        )
        .map_err(|e| e.to_string())
}

fn range(from: &Value, to: &Value, step: Option<&Value>) -> anyhow::Result<Value> {
    let (Ok(from), Ok(to)) = (from.as_i64(), to.as_i64()) else {
        return Ok(Value::Undefined);
    };
    let step = match step {
        Some(s) => match s.as_i64() {
            Ok(s) if s > 0 => s,
            _ => {
                return Err(anyhow::anyhow!(
                    "numbers.range_step: step must be a positive integer"
                ))
            }
        },
        None => 1,
    };
    let count = (to - from).unsigned_abs() / step as u64 + 1;
    if count > MAX_RANGE as u64 {
        anyhow::bail!("numbers.range of {count} numbers is over tollgate's limit of {MAX_RANGE}");
    }
    let dir = if to >= from { step } else { -step };
    let mut out = Vec::with_capacity(count as usize);
    let mut v = from;
    for _ in 0..count {
        out.push(Value::from(v));
        v += dir;
    }
    Ok(Value::from(out))
}
