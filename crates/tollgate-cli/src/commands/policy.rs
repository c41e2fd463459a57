//! `tollgate policy test [DIR]` and `tollgate policy eval [PATH]`: the policy author's tools.

use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tollgate_core::inventory::WalkOptions;
use tollgate_core::{Config, ScanContext};
use tollgate_policy::input::{redacted, PolicyInput};
use tollgate_policy::test_runner::{run_tests, Outcome};

use crate::args::{PolicyCommand, PolicyEvalArgs, PolicyTestArgs};

pub fn run(command: &PolicyCommand) -> anyhow::Result<u8> {
    match command {
        PolicyCommand::Test(args) => test(args),
        PolicyCommand::Eval(args) => eval(args),
    }
}

/// The scan context of `root` (its config found or given), as `tollgate run` builds it.
fn context(root: &Path, config: Option<&Path>) -> anyhow::Result<ScanContext> {
    if !root.is_dir() {
        anyhow::bail!("{} is not a directory", root.display());
    }
    let config = match config
        .map(Path::to_path_buf)
        .or_else(|| tollgate_core::config::find_config(root))
    {
        Some(file) => crate::pipeline::load_config(&file)?,
        None => Config::default(),
    };
    let inventory = tollgate_core::walk(root, &WalkOptions::from_config(&config));
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot read {}", root.display()))?;
    Ok(ScanContext::new(
        root,
        inventory.files,
        Arc::new(config),
        time::OffsetDateTime::now_utc().date(),
    ))
}

fn test(args: &PolicyTestArgs) -> anyhow::Result<u8> {
    let ctx = context(&args.dir, None)?;
    let mut sources = Vec::new();
    // Rego policies and tests, Guard rule files and their unit tests (`*_tests.yaml`...).
    let wanted = |path: &str| {
        path.ends_with(".rego")
            || path.ends_with(".guard")
            || tollgate_policy::guard::unit_tests::rule_file_for(path).is_some()
    };
    for file in ctx.files().iter().filter(|f| wanted(&f.path)) {
        match ctx.text(file) {
            Ok(text) => sources.push((file.path.clone(), text.to_string())),
            Err(err) => eprintln!(
                "error: {}: {err}",
                tollgate_core::display::visible_line(&file.path)
            ),
        }
    }
    let report = run_tests(sources, tollgate_policy::budget(&ctx));
    let mut out = String::new();
    for err in &report.load_errors {
        let _ = writeln!(out, "ERROR {err}");
    }
    let mut file = "";
    for r in &report.results {
        if r.file != file {
            file = &r.file;
            let _ = writeln!(out, "{file}:");
        }
        let name = if r.package.starts_with("guard.") {
            format!("{}: {}", r.package, r.name)
        } else {
            format!("data.{}.{}", r.package, r.name)
        };
        let ms = r.elapsed.as_secs_f64() * 1000.0;
        let _ = match &r.outcome {
            Outcome::Pass => writeln!(out, "  PASS  {name} ({ms:.1} ms)"),
            Outcome::Fail => match &r.detail {
                Some(detail) => writeln!(out, "  FAIL  {name} ({}:{}): {detail}", r.file, r.line),
                None => writeln!(out, "  FAIL  {name} ({}:{})", r.file, r.line),
            },
            Outcome::Error(err) => writeln!(out, "  ERROR {name}: {err}"),
        };
    }
    let total = report.results.len();
    let passed = report.passed();
    let errors = report
        .results
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Error(_)))
        .count();
    let _ = writeln!(
        out,
        "{passed}/{total} tests passed, {} failed, {errors} errors{}",
        total - passed - errors,
        if report.load_errors.is_empty() {
            String::new()
        } else {
            format!("; {} policy files did not load", report.load_errors.len())
        }
    );
    // Test names, file names and details come from the scanned files (a Guard test's `name`
    // is any YAML string): escape sequences and carriage returns are shown, not sent.
    crate::output::print_stdout(&tollgate_core::display::visible(&out));
    if total == 0 && report.load_errors.is_empty() {
        eprintln!(
            "note: no `test_*` rules in .rego files nor Guard test files (NAME_tests.yaml) under {}",
            args.dir.display()
        );
    }
    Ok(if report.ok() { 0 } else { 1 })
}

fn eval(args: &PolicyEvalArgs) -> anyhow::Result<u8> {
    let ctx = context(&args.path, args.config.as_deref())?;
    let inputs = tollgate_policy::inputs(&ctx);
    let (what, wanted, found): (&str, &str, Vec<PolicyInput>) = if let Some(address) =
        &args.resource
    {
        let found = inputs
            .resources
            .iter()
            .filter(|r| r.doc.address == *address)
            .map(|r| PolicyInput::Resource {
                resource: r.doc.clone(),
            })
            .collect();
        ("resource", address, found)
    } else if let Some(address) = &args.identity {
        let found = inputs
            .identities
            .iter()
            .filter(|i| i.address == *address)
            .map(|i| PolicyInput::Identity {
                identity: i.clone(),
            })
            .collect();
        ("identity", address, found)
    } else if let Some(unit) = &args.unit {
        let found = tollgate_policy::units::units(&inputs.resources, &inputs.identities)
            .into_iter()
            .filter(|(name, _)| name == unit)
            .map(|(_, input)| input)
            .collect();
        ("deployment unit", unit, found)
    } else {
        eprintln!("error: say which document to print: --resource ADDRESS, --identity ADDRESS or --unit NAME");
        return Ok(2);
    };
    if found.is_empty() {
        eprintln!("error: no {what} `{wanted}` under {}", args.path.display());
        let known: Vec<&str> = match what {
            "resource" => inputs
                .resources
                .iter()
                .map(|r| r.doc.address.as_str())
                .collect(),
            "identity" => inputs
                .identities
                .iter()
                .map(|i| i.address.as_str())
                .collect(),
            _ => inputs
                .resources
                .iter()
                .map(|r| r.doc.unit.as_str())
                .collect(),
        };
        let mut known: Vec<&str> = known;
        known.sort_unstable();
        known.dedup();
        if !known.is_empty() {
            let shown: Vec<&str> = known.iter().take(20).copied().collect();
            eprintln!(
                "hint: known: {}{}",
                shown.join(", "),
                if known.len() > shown.len() {
                    ", ..."
                } else {
                    ""
                }
            );
        }
        return Ok(2);
    }
    // One document as is; the same address in several units gives a list of them. Values
    // that look like secrets are redacted: this goes to a terminal or a CI log.
    let mut shown: Vec<serde_json::Value> = found.iter().map(redacted).collect();
    let text = if shown.len() == 1 {
        serde_json::to_string_pretty(&shown.remove(0))?
    } else {
        serde_json::to_string_pretty(&shown)?
    };
    crate::output::print_stdout(&format!("{text}\n"));
    Ok(0)
}
