//! One policy file's regorus engine, with the limits that make a hostile policy harmless:
//! a per-evaluation time budget, capped `numbers.range`, `print` kept off stdout. The
//! interpreter is built without `http.send`, `opa.runtime` and every builtin that reads files
//! or the environment (see the crate README), so a policy cannot reach them at all.

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value};

use super::load::{error_message, located, PolicyFile};

/// Most numbers `numbers.range` / `numbers.range_step` may produce. regorus builds the whole
/// array inside one builtin call, where its time limit cannot interrupt it.
pub const MAX_RANGE: i64 = 100_000;

/// Longest string `concat` may build, in bytes, and most elements `array.concat` may build:
/// joining a value with itself doubles it, and a few dozen doublings exhaust memory inside
/// one builtin call, before the time limit is looked at again.
pub const MAX_BUILT_STRING: usize = 1024 * 1024;
pub const MAX_BUILT_ARRAY: usize = 100_000;

/// Bytes one evaluation may hold at once, whatever built them (the interpreter's
/// comprehensions, set operations and rule values as well as builtins), as counted by the
/// binary's allocator ([`tollgate_alloc`]). Twice what the builtins may build
/// ([`super::growth::MAX_BUILT_PER_EVALUATION`]), so that a builtin's own refusal, which names
/// it and its line, comes first when a builtin is what builds too much.
pub const MAX_HELD_PER_EVALUATION: usize = 128 * 1024 * 1024;

/// Units of work (expressions, rule bodies) regorus does between two reads of the clock: every
/// one. Not every unit is short: integer arithmetic has no size limit, and squaring a number
/// again and again makes each step cost about three times the one before (`3` squared 28
/// times, a hostile-input campaign policy). With a read every 64 units, an evaluation past its
/// budget went on through every remaining step, 46 s for a 1 s budget; now it stops after the
/// step in progress (2.2 s). Reading the clock at every unit once took a tenth of the stage's
/// time; since rule indexing and reuse leave far fewer units to run, the stage's benchmark
/// tells the two apart by about 2 ms of its 30 ms of Rego evaluation
/// (`crates/tollgate-policy/README.md`).
const CLOCK_CHECK_INTERVAL: NonZeroU32 = match NonZeroU32::new(1) {
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
    /// Stopped for holding more than its memory budget. Like a timeout, it costs the time
    /// budget (the allocator waits it out, see `tollgate_alloc`), and the policy would do it
    /// again on the next document: the stage stops the policy.
    pub over_memory: bool,
}

/// A policy file's engine.
pub struct Evaluator {
    engine: Engine,
    /// Each evaluation's time budget.
    budget: Duration,
    /// Bytes each evaluation may hold.
    memory: usize,
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
        // `print` would write to stdout, which carries the report only; its calls are renamed
        // below, and this keeps any left (over regorus's argument limit) off stdout too.
        engine.set_gather_prints(true);
        let mut print_arities = std::collections::BTreeSet::new();
        add_range_limits(&mut engine)
            .and_then(|()| add_growth_limits(&mut engine))
            .and_then(|()| super::growth::add(&mut engine))
            .map_err(|e| EvalError {
                file: policy.path.clone(),
                line: 1,
                col: 1,
                message: e,
                timed_out: false,
                over_memory: false,
            })?;
        // `print` is renamed to an extension that formats nothing (see `print`).
        let files: Vec<(&PolicyFile, String)> = libraries
            .into_iter()
            .chain([policy])
            .map(|file| {
                let (text, arities) = super::print::inert(&file.text);
                print_arities.extend(arities);
                (file, text)
            })
            .collect();
        super::print::add_extensions(&mut engine, &print_arities)
            .map_err(|e| error(&policy.path, &e, false))?;
        for (file, text) in files {
            engine.set_rego_v0(file.v0);
            engine
                .add_policy(file.path.clone(), text)
                .map_err(|e| error(&file.path, &format!("{e:#}"), false))?;
        }
        Ok(Self {
            engine,
            budget,
            memory: MAX_HELD_PER_EVALUATION,
            file: policy.path.clone(),
            package: policy.package.clone(),
        })
    }

    /// Let each evaluation hold `bytes` (instead of [`MAX_HELD_PER_EVALUATION`]).
    pub fn set_memory_budget(&mut self, bytes: usize) {
        self.memory = bytes;
    }

    /// The value of `data.<package>.<rule>` for `input`, as JSON (`Undefined` is `None`).
    pub fn eval(
        &mut self,
        rule: &str,
        input: &Value,
    ) -> Result<Option<serde_json::Value>, EvalError> {
        self.engine.set_input(input.clone());
        super::growth::start_evaluation();
        let path = format!("data.{}.{rule}", self.package);
        let deadline = Instant::now() + self.budget;
        let (result, over) =
            tollgate_alloc::scope(self.memory, deadline, || self.engine.eval_rule(path));
        // Prints are dropped: policies are data, and their output has no place in the report.
        let _ = self.engine.take_prints();
        if over {
            // Stopped by its time budget once it held too much (see `tollgate_alloc`), or
            // finished meanwhile: either way it is over its memory budget.
            return Err(EvalError {
                file: self.file.clone(),
                line: 1,
                col: 1,
                message: format!(
                    "evaluation held more than {} MiB (comprehensions, set operations, rule values), over tollgate's limit per evaluation",
                    self.memory >> 20
                ),
                timed_out: false,
                over_memory: true,
            });
        }
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
            super::error_text::without_document_values(&error_message(text))
        },
        timed_out,
        over_memory: false,
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

/// `concat` and `array.concat` refusing to build more than [`MAX_BUILT_STRING`] bytes or
/// [`MAX_BUILT_ARRAY`] elements; what they build otherwise is what regorus's own would.
fn add_growth_limits(engine: &mut Engine) -> Result<(), String> {
    engine
        .add_extension(
            "concat".to_string(),
            2,
            Box::new(|args: Vec<Value>| concat(&args[0], &args[1])),
        )
        .map_err(|e| e.to_string())?;
    engine
        .add_extension(
            "array.concat".to_string(),
            2,
            Box::new(|args: Vec<Value>| array_concat(&args[0], &args[1])),
        )
        .map_err(|e| e.to_string())
}

fn concat(delimiter: &Value, collection: &Value) -> anyhow::Result<Value> {
    let delimiter = delimiter
        .as_string()
        .map_err(|_| anyhow::anyhow!("concat: the delimiter must be a string"))?;
    let items: Vec<&Value> = match (collection.as_array(), collection.as_set()) {
        (Ok(a), _) => a.iter().collect(),
        (_, Ok(s)) => s.iter_sorted().collect(),
        _ => anyhow::bail!("concat: the collection must be an array or a set of strings"),
    };
    let mut parts = Vec::with_capacity(items.len());
    let mut total = delimiter
        .len()
        .saturating_mul(items.len().saturating_sub(1));
    for item in items {
        let s = item
            .as_string()
            .map_err(|_| anyhow::anyhow!("concat: the collection must hold strings only"))?;
        total = total.saturating_add(s.len());
        parts.push(s.as_ref());
    }
    if total > MAX_BUILT_STRING {
        anyhow::bail!(
            "concat would build a string of {total} bytes, over tollgate's limit of {MAX_BUILT_STRING}"
        );
    }
    super::growth::charge("concat", total)?;
    Ok(Value::from(parts.join(delimiter.as_ref())))
}

fn array_concat(a: &Value, b: &Value) -> anyhow::Result<Value> {
    let (Ok(a), Ok(b)) = (a.as_array(), b.as_array()) else {
        anyhow::bail!("array.concat: both arguments must be arrays");
    };
    let total = a.len().saturating_add(b.len());
    if total > MAX_BUILT_ARRAY {
        anyhow::bail!(
            "array.concat would build an array of {total} elements, over tollgate's limit of {MAX_BUILT_ARRAY}"
        );
    }
    super::growth::charge(
        "array.concat",
        total.saturating_mul(super::growth::ENTRY_BYTES),
    )?;
    Ok(Value::from(
        a.iter().chain(b.iter()).cloned().collect::<Vec<Value>>(),
    ))
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
    super::growth::charge(
        "numbers.range",
        (count as usize).saturating_mul(super::growth::ENTRY_BYTES),
    )?;
    let dir = if to >= from { step } else { -step };
    let mut out = Vec::with_capacity(count as usize);
    let mut v = from;
    for _ in 0..count {
        out.push(Value::from(v));
        v += dir;
    }
    Ok(Value::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rego::load_policies;

    fn eval(text: &str) -> Result<Option<serde_json::Value>, EvalError> {
        let set = load_policies(vec![("p.rego".into(), text.into())]);
        assert!(set.errors.is_empty(), "{:?}", set.errors);
        // Every hostile policy here is stopped by a size or memory limit, never by the clock;
        // the budget only has to outlast a debug build on a loaded machine (at 5 s, two of
        // them ran out of time first at a load average of 11).
        let mut e = Evaluator::new(&set.files[0], [], Duration::from_secs(60)).unwrap();
        e.eval("deny", &Value::new_object())
    }

    #[test]
    fn runtime_errors_do_not_repeat_the_document() {
        // regorus writes the evaluation's locals into an unsafe variable's message and the
        // argument into a type error's: here a function's environment with a key in it.
        let key = "AKIAIOSFODNN7EXAMPLE";
        let input = Value::from_json_str(&format!(
            "{{\"resource\": {{\"properties\": {{\"Environment\": {{\"Variables\": {{\"AWS_ACCESS_KEY_ID\": \"{key}\"}}}}}}}}}}"
        ))
        .unwrap();
        for (rule, expected) in [
            // An unsafe variable in a head is found at run time, with every scope.
            (
                "deny contains undeclared.y if {\n  r := input.resource\n  r.properties\n}\n",
                "var undeclared is unsafe",
            ),
            (
                "deny contains x if {\n  x := sum(input.resource.properties.Environment)\n}\n",
                "Got an object of 1 keys.",
            ),
            (
                "deny contains x if {\n  x := abs(input.resource.properties.Environment.Variables.AWS_ACCESS_KEY_ID)\n}\n",
                "Got `\"AKIA****\"` instead",
            ),
        ] {
            let text = format!("package main\nimport rego.v1\n\n{rule}");
            let set = load_policies(vec![("p.rego".into(), text)]);
            assert!(set.errors.is_empty(), "{:?}", set.errors);
            let mut e = Evaluator::new(&set.files[0], [], Duration::from_secs(60)).unwrap();
            let err = e.eval("deny", &input).unwrap_err();
            assert!(err.message.ends_with(expected), "{err}");
            assert!(!err.message.contains(key), "{err}");
            assert!(err.message.len() < 200, "{err}");
        }
    }

    #[test]
    fn concat_and_array_concat_work_as_usual() {
        let out = eval("package main\nimport rego.v1\n\ndeny contains x if {\n  x := [concat(\", \", [\"a\", \"b\"]), concat(\"-\", {\"z\", \"y\"}), concat(\"\", []), format_int(count(array.concat([1, 2], [3])), 10)]\n}\n").unwrap();
        assert_eq!(out, Some(serde_json::json!([["a, b", "y-z", "", "3"]])));
    }

    #[test]
    fn values_built_by_doubling_are_refused() {
        // Each step doubles the string: 2^25 bytes at the end, refused at the step past 1 MiB.
        let mut text = doubled_by_concat("s25", 25);
        text.push_str("}\n");
        let err = eval(&text).unwrap_err();
        assert!(
            err.message.contains("over tollgate's limit of 1048576"),
            "{err}"
        );
        let mut text = String::from(
            "package main\nimport rego.v1\n\ndeny contains count(a20) if {\n  a0 := [1]\n",
        );
        for i in 1..=20 {
            text.push_str(&format!("  a{i} := array.concat(a{}, a{})\n", i - 1, i - 1));
        }
        text.push_str("}\n");
        let err = eval(&text).unwrap_err();
        assert!(
            err.message.contains("over tollgate's limit of 100000"),
            "{err}"
        );
    }

    /// A policy whose body starts with `s0 := "ab"` and `n` strings each doubling the last
    /// through `concat` (`s{n}` is 2^(n+1) bytes), its result `count(<result>)`.
    fn doubled_by_concat(result: &str, n: usize) -> String {
        let mut text = format!(
            "package main\nimport rego.v1\n\ndeny contains count({result}) if {{\n  s0 := \"ab\"\n"
        );
        for i in 1..=n {
            text.push_str(&format!(
                "  s{i} := concat(\"\", [s{}, s{}])\n",
                i - 1,
                i - 1
            ));
        }
        text
    }

    /// Builds a deep value of shared parts: `a{n}` prints as 2^n copies of a short string.
    fn doubled(n: usize, last: &str) -> String {
        let mut text = String::from(
            "package main\nimport rego.v1\n\ndeny contains x if {\n  a0 := [\"abcdefgh\"]\n",
        );
        for i in 1..=n {
            text.push_str(&format!("  a{i} := [a{}, a{}]\n", i - 1, i - 1));
        }
        text.push_str(&format!("  x := {last}\n}}\n"));
        text
    }

    #[test]
    fn printing_shared_parts_formats_nothing() {
        // 2^40 copies if formatted: regorus's own `print` would format them in one call.
        // Formatting them would run out of the evaluation's time budget: it evaluates.
        let result = eval(&doubled(40, "print(\"deep\", a40)")).expect("evaluates");
        assert_eq!(result, Some(serde_json::json!([true])));
    }

    #[test]
    fn serializing_shared_parts_and_expanding_blocks_are_refused() {
        // 2^40 copies once printed: regorus's own would print them inside one call.
        for call in [
            "json.marshal(a40)",
            "json.marshal_with_options(a40, {\"pretty\": true, \"indent\": \"  \"})",
            "sprintf(\"%v\", [a40])",
        ] {
            let err = eval(&doubled(40, call)).unwrap_err();
            assert!(
                err.message.contains("over tollgate's limit"),
                "{call}: {err}"
            );
            assert!(!err.timed_out, "{call}: {err}");
        }
        for cidr in ["::/0", "10.0.0.0/8"] {
            let text = format!("package main\nimport rego.v1\n\ndeny contains count(net.cidr_expand(\"{cidr}\"))\n");
            let err = eval(&text).unwrap_err();
            assert!(
                err.message.contains("over tollgate's limit"),
                "{cidr}: {err}"
            );
        }
    }

    #[test]
    fn encodings_and_replacements_that_double_are_refused() {
        for step in [
            "base64.encode(base64.encode(base64.encode(s{p})))",
            "strings.replace_n({\"a\": \"aa\", \"b\": \"bb\"}, s{p})",
            "regex.replace(s{p}, \"(a+)\", \"$1$1\")",
        ] {
            let mut text = String::from(
                "package main\nimport rego.v1\n\ndeny contains count(s40) if {\n  s0 := \"ab\"\n",
            );
            for i in 1..=40 {
                let p = (i - 1).to_string();
                text.push_str(&format!("  s{i} := {}\n", step.replace("{p}", &p)));
            }
            text.push_str("}\n");
            let err = eval(&text).unwrap_err();
            assert!(
                err.message.contains("over tollgate's limit"),
                "{step}: {err}"
            );
            assert!(!err.timed_out, "{step}: {err}");
        }
    }

    #[test]
    fn unions_of_many_large_sets_or_objects_are_refused() {
        // 1,000 objects of 1,000 entries: a million merged, each a copy in regorus's own; then
        // 400 sets of 300 numbers.
        let err = eval("package main\nimport rego.v1\n\ndeny contains count(u) if {\n  o := {k: 1 | some i in numbers.range(1, 1000); k := format_int(i, 10)}\n  u := object.union_n([p | some j in numbers.range(1, 1000); p := {format_int(j, 10): o}])\n}\n").unwrap_err();
        assert!(err.message.contains("over tollgate's limit"), "{err}");
        let err = eval("package main\nimport rego.v1\n\ndeny contains count(u) if {\n  sets := {s | some j in numbers.range(1, 400); s := {x | some i in numbers.range(1, 300); x := i + j * 1000}}\n  u := union(sets)\n}\n").unwrap_err();
        assert!(err.message.contains("over tollgate's limit"), "{err}");
    }

    #[test]
    fn what_one_evaluation_builds_in_all_is_bounded() {
        // Each concat is under the per-call limit; a hundred thousand of them are not.
        let mut text = doubled_by_concat("xs", 18);
        // 512 KiB each, 100,000 times: 50 GiB.
        text.push_str("  xs := [concat(\"\", [s18, format_int(i, 10)]) | some i in numbers.range(1, 100000)]\n}\n");
        let err = eval(&text).unwrap_err();
        assert!(err.message.contains("per evaluation"), "{err}");
        assert!(!err.timed_out, "{err}");
    }

    #[test]
    fn splitting_a_long_string_again_and_again_is_bounded() {
        let mut text = doubled_by_concat("xs", 19);
        // A million one-character strings, 100,000 times.
        text.push_str(
            "  xs := [count(split(s19, \"\")) | some i in numbers.range(1, 100000)]\n}\n",
        );
        let err = eval(&text).unwrap_err();
        assert!(err.message.contains("per evaluation"), "{err}");
        let out = eval("package main\nimport rego.v1\n\ndeny contains x if {\n  x := [split(\"a:b::c\", \":\"), split(\"héllo\", \"\"), split(\"\", \",\"), split(\"abc\", \"abc\")]\n}\n").unwrap();
        assert_eq!(
            out,
            Some(serde_json::json!([[
                ["a", "b", "", "c"],
                ["h", "é", "l", "l", "o"],
                [""],
                ["", ""]
            ]]))
        );
    }

    #[test]
    fn capped_builtins_work_as_usual() {
        let out = eval("package main\nimport rego.v1\n\ndeny contains x if {\n  x := [json.marshal({\"a\": [1, \"b\"]}), json.marshal_with_options({\"a\": 1}, {\"pretty\": true, \"indent\": \" \"}), base64.encode(\"hi\"), strings.replace_n({\"a\": \"1\", \"b\": \"2\"}, \"abc\"), regex.replace(\"a-b\", \"([a-z])\", \"<$1>\"), object.union_n([{\"a\": {\"b\": 1}}, {\"a\": {\"c\": 2}}, {\"d\": 3}]), union({{1, 2}, {2, 3}}), net.cidr_expand(\"10.0.0.0/30\")]\n}\n").unwrap();
        assert_eq!(
            out,
            Some(serde_json::json!([[
                "{\"a\":[1,\"b\"]}",
                "{\n \"a\": 1\n}",
                "aGk=",
                "12c",
                "<a>-<b>",
                {"a": {"b": 1, "c": 2}, "d": 3},
                [1, 2, 3],
                ["10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"]
            ]]))
        );
    }

    #[test]
    fn charged_builtins_work_as_usual() {
        let out = eval("package main\nimport rego.v1\n\ndeny contains x if {\n  x := [upper(\"abß\"), lower(\"ÀB\"), strings.reverse(\"héllo\"), array.reverse([1, [2], \"3\"]), sort({3, 1, 2}), sort([\"b\", \"a\"]), glob.quote_meta(\"*.a*\"), indexof_n(\"aaaa\", \"aa\"), indexof_n(\"héhé\", \"é\"), indexof_n(\"ab\", \"\"), regex.split(\"[,;]\", \"a,b;;c\"), regex.find_n(\"[0-9]+\", \"a1b22c333\", 2), regex.find_n(\"[0-9]+\", \"a1b22c333\", -1), json.unmarshal(\"{\\\"a\\\": [1, true]}\"), bits.lsh(3, 2), bits.lsh(1, 40)]\n}\n").unwrap();
        assert_eq!(
            out,
            Some(serde_json::json!([[
                "ABSS",
                "àb",
                "olléh",
                ["3", [2], 1],
                [1, 2, 3],
                ["a", "b"],
                "\\*.a\\*",
                [0, 1, 2],
                [1, 3],
                [0, 1],
                ["a", "b", "", "c"],
                ["1", "22"],
                ["1", "22", "333"],
                {"a": [1, true]},
                12,
                1099511627776u64
            ]]))
        );
    }

    #[test]
    fn a_glob_pattern_too_long_to_compile_is_a_policy_error() {
        // 512 KiB of wildcards: the glob crate's regular expression would be over its size
        // limit, which it answers with a panic that cost the whole policy.
        let text = doubled_by_concat("m", 17).replace("s0 := \"ab\"", "s0 := \"a*b?\"")
            + "  m := glob.match(s17, [\".\"], \"ab\")\n}\n";
        let err = eval(&text).unwrap_err();
        assert!(
            err.message
                .contains("glob.match: a pattern of 524288 bytes is over tollgate's limit"),
            "{err}"
        );
    }

    #[test]
    fn charged_builtins_called_again_and_again_are_bounded() {
        // A 1 MiB string (s19) turned into another 1 MiB string a hundred times: 100 MiB, over
        // the evaluation's 64 MiB; an array of 100,000 numbers reversed or sorted ten times.
        for call in ["upper(s19)", "lower(s19)"] {
            let mut text = doubled_by_concat("xs", 19);
            text.push_str(&format!(
                "  xs := [{call} | some i in numbers.range(1, 100)]\n}}\n"
            ));
            let err = eval(&text).unwrap_err();
            assert!(err.message.contains("per evaluation"), "{call}: {err}");
        }
        // 60 MiB of upper case, then a glob pattern of 32 KiB quoted a hundred times.
        let mut text = doubled_by_concat("xs", 19);
        text.push_str("  big := [upper(s19) | some i in numbers.range(1, 60)]\n  xs := [glob.quote_meta(s14) | some i in numbers.range(1, 100)]\n}\n");
        let err = eval(&text).unwrap_err();
        assert!(
            err.message.contains("glob.quote_meta") && err.message.contains("per evaluation"),
            "{err}"
        );
        for call in ["array.reverse(r)", "sort(r)"] {
            let text = format!("package main\nimport rego.v1\n\ndeny contains count(xs) if {{\n  r := numbers.range(1, 100000)\n  xs := [{call} | some i in numbers.range(1, 10)]\n}}\n");
            let err = eval(&text).unwrap_err();
            assert!(err.message.contains("per evaluation"), "{call}: {err}");
        }
        // One call whose result would hold more than 100,000 entries (half a million here)
        // or a number of four billion bits.
        for call in [
            "indexof_n(s19, \"a\")",
            "regex.split(\"a\", s19)",
            "regex.find_n(\"a\", s19, -1)",
            "json.unmarshal(concat(\"\", [\"[\", replace(s19, \"a\", \"0,\"), \"0]\"]))",
            "bits.lsh(1, 4000000000)",
        ] {
            let mut text = doubled_by_concat("x", 19);
            text.push_str(&format!("  x := {call}\n}}\n"));
            let err = eval(&text).unwrap_err();
            assert!(
                err.message.contains("over tollgate's limit"),
                "{call}: {err}"
            );
            assert!(!err.timed_out, "{call}: {err}");
        }
    }

    #[test]
    fn hostile_patterns_are_refused_when_compiled() {
        // regorus compiles with a 100 KiB limit: this pattern's program is far larger, and
        // the capped regex builtins compile with the same limit (undefined, no error).
        let out = eval("package main\nimport rego.v1\n\ndeny contains x if {\n  x := [regex.split(\"(a{1000}){1000}\", \"aa\"), regex.replace(\"aa\", \"(a{1000}){1000}\", \"b\")]\n}\n");
        assert!(out.is_err() || out == Ok(None), "{out:?}");
    }

    #[test]
    fn sprintf_replace_and_object_union_work_as_usual() {
        let out = eval("package main\nimport rego.v1\n\ndeny contains x if {\n  x := [sprintf(\"%s has %d (%v) %5d|%.2f\", [\"f\", 3, {\"a\": [1]}, 42, 1.5]), replace(\"a-b-c\", \"-\", \"+\"), replace(\"ab\", \"\", \".\"), object.union({\"a\": {\"b\": 1, \"c\": 2}, \"d\": 3}, {\"a\": {\"b\": 9}, \"e\": 4})]\n}\n").unwrap();
        assert_eq!(
            out,
            Some(serde_json::json!([[
                "f has 3 ({\"a\": [1]})    42|1.50",
                "a+b+c",
                ".a.b.",
                {"a": {"b": 9, "c": 2}, "d": 3, "e": 4}
            ]]))
        );
    }

    #[test]
    fn sprintf_widths_replace_and_union_that_explode_are_refused() {
        let err =
            eval("package main\nimport rego.v1\n\ndeny contains sprintf(\"%999999999d\", [1])\n")
                .unwrap_err();
        assert!(err.message.contains("over tollgate's limit"), "{err}");
        assert!(err.line == 4, "{err}");
        // Each step doubles the string through sprintf, then through replace.
        let mut text = String::from(
            "package main\nimport rego.v1\n\ndeny contains count(s25) if {\n  s0 := \"ab\"\n",
        );
        for i in 1..=25 {
            text.push_str(&format!(
                "  s{i} := sprintf(\"%s%s\", [s{}, s{}])\n",
                i - 1,
                i - 1
            ));
        }
        text.push_str("}\n");
        let err = eval(&text).unwrap_err();
        assert!(err.message.contains("over tollgate's limit"), "{err}");
        let mut text = String::from(
            "package main\nimport rego.v1\n\ndeny contains count(s25) if {\n  s0 := \"ab\"\n",
        );
        for i in 1..=25 {
            text.push_str(&format!("  s{i} := replace(s{}, \"\", \"ab\")\n", i - 1));
        }
        text.push_str("}\n");
        let err = eval(&text).unwrap_err();
        assert!(
            err.message.contains("over tollgate's limit of 1048576"),
            "{err}"
        );
        // Two objects whose union could exceed the entry limit.
        let err = eval("package main\nimport rego.v1\n\ndeny contains count(u) if {\n  o := {k: 1 | some i in numbers.range(1, 50001); k := format_int(i, 10)}\n  u := object.union(o, o)\n}\n").unwrap_err();
        assert!(
            err.message.contains("over tollgate's limit of 100000"),
            "{err}"
        );
    }
}
