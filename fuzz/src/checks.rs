//! The invariants of each fuzz target, as functions of the input text: an `Err` names the
//! broken invariant. The seeded runner (`tests/`) and the libFuzzer targets (`libfuzzer/`)
//! both call them, so the two ways of fuzzing check the same things.

use std::path::Path;

use tollgate_deps::lockfile::{LockfileKind, NoIncludes};
use tollgate_sarif::{
    findings_from_run, mark_baseline, merge, parse_log, rebase_uris, to_json_pretty, Baseline,
};
use tollgate_syntax::{parse, Document, Format, Limits, Node, Pos, SyntaxError, Value};

use crate::spans::{check_document, Lines};

/// Parses and checks spans (of the document, or of the error's position).
pub fn parse_checked(text: &str, format: Format) -> Result<Result<Document, SyntaxError>, String> {
    let parsed = parse(text, format, &Limits::default());
    match &parsed {
        Ok(doc) => check_document(text, doc)?,
        Err(e) => {
            if let Some(pos) = e.pos {
                Lines::new(text).check_pos(pos, "error position")?;
            }
        }
    }
    Ok(parsed)
}

/// YAML (CloudFormation, SAM, Serverless): no panic; spans inside the text; and the fast path
/// gives the event path's document or leaves the text to it.
pub fn yaml(text: &str) -> Result<(), String> {
    let _parsed = parse_checked(text, Format::Yaml)?;
    yaml_paths_agree(text)
}

/// Wherever the YAML fast path returns a document, the event path returns the same one (it
/// never accepts what the event path refuses).
pub fn yaml_paths_agree(text: &str) -> Result<(), String> {
    let limits = Limits::default();
    let Some(fast) = tollgate_syntax::parse_yaml_fast(text, &limits) else {
        return Ok(());
    };
    match tollgate_syntax::parse_yaml_events(text, &limits) {
        Ok(events) if events == fast => Ok(()),
        Ok(_) => Err("the YAML fast path and the event path give different documents".into()),
        Err(e) => Err(format!(
            "the YAML fast path accepts what the event path refuses: {}",
            e.message
        )),
    }
}

/// HCL (Terraform): no panic; spans inside the text; and the fast path gives `hcl-edit`'s
/// document or leaves the text to it.
pub fn hcl(text: &str) -> Result<(), String> {
    let _parsed = parse_checked(text, Format::Hcl)?;
    hcl_paths_agree(text)
}

/// Wherever the HCL fast path returns a document, `hcl-edit` returns the same one (it never
/// accepts what `hcl-edit` refuses).
pub fn hcl_paths_agree(text: &str) -> Result<(), String> {
    let limits = Limits::default();
    let Some(fast) = tollgate_syntax::parse_hcl_fast(text, &limits) else {
        return Ok(());
    };
    match tollgate_syntax::parse_hcl_edit(text, &limits) {
        Ok(edit) if edit == fast => Ok(()),
        Ok(_) => Err("the HCL fast path and hcl-edit give different documents".into()),
        Err(e) => Err(format!(
            "the HCL fast path accepts what hcl-edit refuses: {}",
            e.message
        )),
    }
}

/// JSON: spans inside the text, and accepted, rejected and valued as `serde_json` does.
pub fn json_matches_serde_json(text: &str) -> Result<(), String> {
    let ours = parse_checked(text, Format::Json)?;
    // A byte-order mark is skipped on purpose (files saved by some editors start with
    // one); serde_json reads strings, not files, and rejects it.
    if text.starts_with('\u{feff}') {
        return Ok(());
    }
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match (&ours, &theirs) {
        (Ok(doc), Ok(value)) => same(&doc.roots[0], value, "$"),
        (Err(_), Err(_)) => Ok(()),
        // serde_json stops at 128 levels, tollgate at 256: not a disagreement on JSON.
        (Ok(_), Err(e)) if e.to_string().contains("recursion limit") => Ok(()),
        (Ok(_), Err(e)) => Err(format!("tollgate accepts what serde_json rejects: {e}")),
        (Err(e), Ok(_)) => Err(format!(
            "tollgate rejects what serde_json accepts: {}",
            e.message
        )),
    }
}

/// Whether a parsed node holds the same value as serde_json's reading of the same text.
fn same(node: &Node, value: &serde_json::Value, at: &str) -> Result<(), String> {
    use serde_json::Value as J;
    let equal = match (&node.value, value) {
        (Value::Null, J::Null) => true,
        (Value::Bool(a), J::Bool(b)) => a == b,
        (Value::String(a), J::String(b)) => a == b,
        (Value::Number(text), J::Number(n)) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => text.parse::<i128>() == Ok(i128::from(i)),
            (_, Some(u)) => text.parse::<i128>() == Ok(i128::from(u)),
            // serde_json (without its `float_roundtrip` feature) may round a long number
            // one unit in the last place off the correctly rounded value Rust's parser gives.
            _ => match (text.parse::<f64>().ok(), n.as_f64()) {
                (Some(a), Some(b)) => a == b || (a - b).abs() <= a.abs() * 4.0 * f64::EPSILON,
                _ => false,
            },
        },
        (Value::Seq(items), J::Array(values)) => {
            if items.len() != values.len() {
                return Err(format!(
                    "{at}: {} items, serde_json {}",
                    items.len(),
                    values.len()
                ));
            }
            for (i, (n, v)) in items.iter().zip(values).enumerate() {
                same(n, v, &format!("{at}[{i}]"))?;
            }
            true
        }
        (Value::Map(entries), J::Object(map)) => {
            if entries.len() != map.len() {
                return Err(format!(
                    "{at}: {} keys, serde_json {}",
                    entries.len(),
                    map.len()
                ));
            }
            for e in entries {
                let Some(v) = map.get(&e.key) else {
                    return Err(format!("{at}: key {:?} not in serde_json's map", e.key));
                };
                same(&e.value, v, &format!("{at}.{}", e.key))?;
            }
            true
        }
        _ => false,
    };
    if equal {
        Ok(())
    } else {
        Err(format!(
            "{at}: tollgate {:?}, serde_json {value}",
            node.value
        ))
    }
}

/// Every lockfile kind with the name of its seeded target (and regression folder) and the file
/// name its parser is given.
pub const LOCKFILES: &[(&str, LockfileKind, &str)] = &[
    ("cargo_lock", LockfileKind::CargoLock, "Cargo.lock"),
    ("npm_lock", LockfileKind::NpmLock, "package-lock.json"),
    ("yarn_lock", LockfileKind::YarnLock, "yarn.lock"),
    ("pnpm_lock", LockfileKind::PnpmLock, "pnpm-lock.yaml"),
    (
        "requirements",
        LockfileKind::Requirements,
        "requirements.txt",
    ),
    ("poetry_lock", LockfileKind::PoetryLock, "poetry.lock"),
    ("pipfile_lock", LockfileKind::PipfileLock, "Pipfile.lock"),
    ("uv_lock", LockfileKind::UvLock, "uv.lock"),
    ("pdm_lock", LockfileKind::PdmLock, "pdm.lock"),
    ("go_mod", LockfileKind::GoMod, "go.mod"),
    ("go_sum", LockfileKind::GoSum, "go.sum"),
    ("gemfile_lock", LockfileKind::GemfileLock, "Gemfile.lock"),
    ("composer_lock", LockfileKind::ComposerLock, "composer.lock"),
    (
        "gradle_lockfile",
        LockfileKind::GradleLockfile,
        "gradle.lockfile",
    ),
    ("maven_pom", LockfileKind::MavenPom, "pom.xml"),
];

/// A lockfile of `kind` named `path`: no panic; every package, unpinned requirement, skipped
/// entry and error line inside the text, error column >= 1.
pub fn lockfile(kind: LockfileKind, path: &str, text: &str) -> Result<(), String> {
    {
        let lines = Lines::new(text);
        match tollgate_deps::lockfile::parse(kind, path, text, &NoIncludes) {
            Ok(parsed) => {
                for p in &parsed.packages {
                    if p.declared_in.is_none() {
                        lines.check_line(p.line, &format!("package {}@{}", p.name, p.version))?;
                    }
                }
                for u in &parsed.unpinned {
                    if u.path == path {
                        lines.check_line(u.line, &format!("unpinned {}", u.name))?;
                    }
                }
                for (line, message) in &parsed.skipped {
                    lines.check_line(*line, &format!("skipped entry ({message})"))?;
                }
            }
            Err(e) => {
                lines.check_line(e.line, &format!("error `{}`", e.message))?;
                if e.col == 0 {
                    return Err(format!("error `{}` at column 0", e.message));
                }
            }
        }
        Ok(())
    }
}

/// A SARIF log read by `merge`, `--baseline`, `post` and as plugin output: no panic, and a
/// merged log tollgate writes reads back.
pub fn sarif(text: &str) -> Result<(), String> {
    let Ok(log) = parse_log(text, "fuzzed.sarif") else {
        return Ok(());
    };
    // `post` and `--baseline`.
    let mut findings: Vec<_> = log.runs.iter().flat_map(findings_from_run).collect();
    let baseline = Baseline::from_log(&log);
    mark_baseline(&mut findings, &baseline);
    // A plugin's log, rebased from its working directory onto the repository.
    for run in &log.runs {
        let mut run = run.clone();
        rebase_uris(&mut run, Path::new("/src/app/tool"), Path::new("/src/app"));
    }
    // `merge`: what it writes must read back and validate against the SARIF schema.
    if let Ok(merged) = merge(vec![log.clone(), log]) {
        let out = to_json_pretty(&merged);
        parse_log(&out, "merged.sarif")
            .map_err(|e| format!("merge wrote a log it cannot read: {e}"))?;
        let value: serde_json::Value = serde_json::from_str(&out)
            .map_err(|e| format!("merge wrote a log that is not JSON: {e}"))?;
        let errors = crate::schema::sarif_schema_errors(&value);
        if !errors.is_empty() {
            return Err(format!(
                "merge wrote a log the SARIF schema refuses: {}",
                errors.join("; ")
            ));
        }
    }
    Ok(())
}

/// Built-in stage names, as the binary passes its own to the config loader.
const STAGES: &[&str] = &["parse", "iac", "permissions", "deps"];

/// `tollgate.toml`: no panic, every error position inside the text.
pub fn config(text: &str) -> Result<(), String> {
    if let Err(e) = tollgate_core::config::parse(text, "tollgate.toml", STAGES) {
        if let Some((line, col)) = e.position {
            Lines::new(text).check_pos(Pos::new(line, col), "config error")?;
        }
    }
    Ok(())
}
