//! `tollgate policy test`: the `test_*` rules of `*_test.rego` files, run as `opa test` runs
//! them (every policy file loaded together, each test evaluated on its own, a test passes when
//! its rule is true), and the cases of Guard unit-test files (`NAME_tests.yaml` next to
//! `NAME.guard`, or in a `tests/` directory below it), run as `cfn-guard test` runs them. Each
//! test has the same time budget as a policy in a scan.

use std::time::{Duration, Instant};

use crate::guard::{unit_tests, GuardError, RuleFile};
use crate::rego::{load_policies, EvalError, Evaluator, LoadError, PolicyFile, PolicySet};

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// The rule is false or undefined.
    Fail,
    /// Evaluation failed (runtime error, time budget).
    Error(EvalError),
}

/// One test's result.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub file: String,
    pub package: String,
    pub name: String,
    pub line: u32,
    pub outcome: Outcome,
    pub elapsed: Duration,
    /// Why a test failed, when more can be said than its name (Guard: the expectations that
    /// did not hold).
    pub detail: Option<String>,
}

/// Everything `policy test` found.
#[derive(Debug, Default)]
pub struct TestReport {
    pub results: Vec<TestResult>,
    /// Files that could not be loaded (a failure of the run: their tests did not run).
    pub load_errors: Vec<LoadError>,
}

impl TestReport {
    pub fn passed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Pass)
            .count()
    }

    /// Every test passed and every file loaded.
    pub fn ok(&self) -> bool {
        self.load_errors.is_empty() && self.passed() == self.results.len()
    }
}

/// Run the tests of `sources` (`(path, text)` of every `.rego`, `.guard` and Guard test file
/// under the directory; other files are ignored).
pub fn run_tests(sources: Vec<(String, String)>, budget: Duration) -> TestReport {
    let (rego, other): (Vec<_>, Vec<_>) = sources
        .into_iter()
        .partition(|(path, _)| path.ends_with(".rego"));
    let mut report = run_rego_tests(rego, budget);
    run_guard_tests(other, budget, &mut report);
    report
}

fn run_rego_tests(sources: Vec<(String, String)>, budget: Duration) -> TestReport {
    let set = load_policies(sources);
    let mut report = TestReport {
        load_errors: set.errors.clone(),
        ..TestReport::default()
    };
    for file in set.files.iter().filter(|f| !f.tests.is_empty()) {
        let mut evaluator = match everything(&set, file, budget) {
            Ok(e) => e,
            Err(err) => {
                report.load_errors.push(LoadError {
                    file: err.file,
                    line: err.line,
                    col: err.col,
                    message: err.message,
                });
                continue;
            }
        };
        for (name, line) in &file.tests {
            let started = Instant::now();
            let outcome = match evaluator.run_test(name) {
                Ok(true) => Outcome::Pass,
                Ok(false) => Outcome::Fail,
                Err(err) => Outcome::Error(err),
            };
            report.results.push(TestResult {
                file: file.path.clone(),
                package: file.package.clone(),
                name: name.clone(),
                line: *line,
                outcome,
                elapsed: started.elapsed(),
                detail: None,
            });
        }
    }
    report
}

/// Guard unit-test files against the rule files they are named after.
fn run_guard_tests(sources: Vec<(String, String)>, budget: Duration, report: &mut TestReport) {
    let rule_texts: Vec<&(String, String)> = sources
        .iter()
        .filter(|(path, _)| path.ends_with(".guard"))
        .collect();
    let mut parsed: Vec<(String, Result<RuleFile, GuardError>)> = Vec::new();
    for (path, text) in &rule_texts {
        let result = crate::guard::parse(path, text);
        if let Err(err) = &result {
            report.load_errors.push(LoadError {
                file: err.file.clone(),
                line: err.line,
                col: err.col,
                message: err.message.clone(),
            });
        }
        parsed.push((path.clone(), result));
    }
    for (test_path, text) in &sources {
        let Some(candidates) = unit_tests::rule_file_for(test_path) else {
            continue;
        };
        let Some((rule_path, rules)) = candidates
            .iter()
            .find_map(|c| parsed.iter().find(|(p, _)| p == c))
        else {
            continue;
        };
        // A rule file that did not parse is already a load error.
        let Ok(rules) = rules else { continue };
        match unit_tests::run(rules, test_path, text, budget) {
            Ok(cases) => {
                for case in cases {
                    let outcome = match &case.error {
                        Some(message) => Outcome::Error(EvalError {
                            file: rule_path.clone(),
                            line: 1,
                            col: 1,
                            message: message.clone(),
                            timed_out: false,
                            over_memory: false,
                        }),
                        None if case.mismatches.is_empty() => Outcome::Pass,
                        None => Outcome::Fail,
                    };
                    report.results.push(TestResult {
                        file: test_path.clone(),
                        package: crate::guard::stage::package(rules),
                        name: case.name,
                        line: case.line,
                        outcome,
                        elapsed: case.elapsed,
                        detail: (!case.mismatches.is_empty()).then(|| case.mismatches.join("; ")),
                    });
                }
            }
            Err(message) => {
                let (file, line, col) = located_message(&message, test_path);
                report.load_errors.push(LoadError {
                    file,
                    line,
                    col,
                    message,
                });
            }
        }
    }
}

/// `file:line:col: text` split into its place, for a load error.
fn located_message(message: &str, fallback: &str) -> (String, u32, u32) {
    let mut parts = message.splitn(4, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(f), Some(l), Some(c)) => match (l.parse(), c.parse()) {
            (Ok(l), Ok(c)) => (f.to_string(), l, c),
            _ => (fallback.to_string(), 1, 1),
        },
        _ => (fallback.to_string(), 1, 1),
    }
}

/// An engine with every loaded file, evaluating in `file`'s package.
fn everything(
    set: &PolicySet,
    file: &PolicyFile,
    budget: Duration,
) -> Result<Evaluator, EvalError> {
    Evaluator::new(
        file,
        set.files.iter().filter(|f| f.path != file.path),
        budget,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_pass_fail_and_error() {
        let policy = "package main\nimport rego.v1\n\ndeny contains \"no tag\" if not input.resource.tags.CostCenter\n";
        let tests = "package main\nimport rego.v1\n\ntest_denies_untagged if {\n  deny[\"no tag\"] with input as {\"resource\": {\"tags\": {}}}\n}\n\ntest_wrong if {\n  count(deny) == 0 with input as {\"resource\": {\"tags\": {}}}\n}\n\ntest_broken if {\n  1 / 0 == 1\n}\n";
        let report = run_tests(
            vec![
                ("p/tags.rego".into(), policy.into()),
                ("p/tags_test.rego".into(), tests.into()),
            ],
            Duration::from_secs(1),
        );
        let outcomes: Vec<(&str, bool, bool)> = report
            .results
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.outcome == Outcome::Pass,
                    matches!(r.outcome, Outcome::Error(_)),
                )
            })
            .collect();
        assert_eq!(
            outcomes,
            [
                ("test_denies_untagged", true, false),
                ("test_wrong", false, false),
                ("test_broken", false, true)
            ]
        );
        assert!(!report.ok());
    }
}
