//! Guard unit tests in the `cfn-guard test` format: a YAML (or JSON) list of cases, each with
//! a `name`, an `input` document and the expected status of rules:
//!
//! ```yaml
//! - name: bucket without encryption
//!   input:
//!     Resources:
//!       B: { Type: AWS::S3::Bucket }
//!   expectations:
//!     rules:
//!       buckets_encrypted: FAIL
//! ```
//!
//! A test file `NAME_tests.yaml` (or `_test`, `.yml`, `.json`) tests `NAME.guard` in the same
//! directory or in its parent (cfn-guard's `tests/` layout).

use std::time::{Duration, Instant};

use serde_json::Value as Json;
use tollgate_syntax::{Format, Limits as SyntaxLimits, Node};

use super::document::node_json;
use super::{evaluate, Limits, RuleFile, MAX_STEPS};

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub name: String,
    pub line: u32,
    /// Expectations that did not hold: `rule: expected PASS, got FAIL`; empty when it passed.
    pub mismatches: Vec<String>,
    /// The evaluation stopped or a rule file mistake surfaced.
    pub error: Option<String>,
    pub elapsed: Duration,
}

/// The rule file a test file is for: `dir/x_tests.yaml` tests `dir/x.guard` or
/// `dir/../x.guard`; `None` for files that are not named as Guard tests.
pub fn rule_file_for(test_path: &str) -> Option<Vec<String>> {
    let (dir, name) = match test_path.rsplit_once('/') {
        Some((d, n)) => (d, n),
        None => ("", test_path),
    };
    let stem = [".yaml", ".yml", ".json"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))?;
    let base = stem
        .strip_suffix("_tests")
        .or_else(|| stem.strip_suffix("_test"))?;
    let join = |d: &str| {
        if d.is_empty() {
            format!("{base}.guard")
        } else {
            format!("{d}/{base}.guard")
        }
    };
    let mut candidates = vec![join(dir)];
    let parent = dir.rsplit_once('/').map_or("", |(p, _)| p);
    if !dir.is_empty() {
        candidates.push(join(parent));
    }
    Some(candidates)
}

/// Run the cases of `test_text` (from `test_path`) against `rules`.
pub fn run(
    rules: &RuleFile,
    test_path: &str,
    test_text: &str,
    budget: Duration,
) -> Result<Vec<CaseResult>, String> {
    let format = if test_path.ends_with(".json") {
        Format::Json
    } else {
        Format::Yaml
    };
    let doc = tollgate_syntax::parse(test_text, format, &SyntaxLimits::default()).map_err(|e| {
        let (line, col) = e.pos.map_or((1, 1), |p| (p.line, p.col));
        format!("{test_path}:{line}:{col}: {}", e.message)
    })?;
    let Some(root) = doc.root() else {
        return Ok(Vec::new());
    };
    let tollgate_syntax::Value::Seq(cases) = &root.value else {
        return Err(format!(
            "{test_path}:{}:{}: expected a list of test cases (`- name: ...`)",
            root.span.start.line, root.span.start.col
        ));
    };
    let mut out = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        out.push(run_case(rules, test_path, i, case, budget)?);
    }
    Ok(out)
}

fn run_case(
    rules: &RuleFile,
    test_path: &str,
    index: usize,
    case: &Node,
    budget: Duration,
) -> Result<CaseResult, String> {
    let at = |n: &Node| format!("{test_path}:{}:{}", n.span.start.line, n.span.start.col);
    let name = case
        .get("name")
        .and_then(Node::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("case {}", index + 1));
    let input = case.get("input").map(node_json).unwrap_or(Json::Null);
    let expected = case
        .get("expectations")
        .and_then(|e| e.get("rules"))
        .ok_or_else(|| {
            format!(
                "{}: test case `{name}` has no `expectations.rules`",
                at(case)
            )
        })?;
    let started = Instant::now();
    let mut result = CaseResult {
        name: name.clone(),
        line: case.span.start.line,
        mismatches: Vec::new(),
        error: None,
        elapsed: Duration::ZERO,
    };
    let limits = Limits {
        max_steps: MAX_STEPS,
        deadline: started + budget,
    };
    match evaluate(rules, &input, limits) {
        Ok(results) => {
            for entry in expected.entries() {
                let want = entry
                    .value
                    .as_str()
                    .map(str::to_ascii_uppercase)
                    .filter(|s| matches!(s.as_str(), "PASS" | "FAIL" | "SKIP"))
                    .ok_or_else(|| {
                        format!(
                            "{}: expected PASS, FAIL or SKIP for rule `{}`",
                            at(&entry.value),
                            entry.key
                        )
                    })?;
                match results.iter().find(|r| r.name == entry.key) {
                    Some(r) if r.status.as_str() == want => {}
                    Some(r) => result.mismatches.push(format!(
                        "rule `{}`: expected {want}, got {}{}",
                        entry.key,
                        r.status.as_str(),
                        r.failures
                            .first()
                            .map(|f| format!(" ({})", f.detail))
                            .unwrap_or_default()
                    )),
                    None => result.mismatches.push(format!(
                        "rule `{}`: no such rule in {}",
                        entry.key, rules.path
                    )),
                }
            }
        }
        Err(stop) => result.error = Some(stop.to_string()),
    }
    result.elapsed = started.elapsed();
    Ok(result)
}
