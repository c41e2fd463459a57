//! Every rule against its fixtures: `tests/fixtures/<CODE>/{fires,passes}.<format>`.
//!
//! A `fires` file starts with a comment naming where the rule must fire, e.g.
//! `# expect: TG1001@12 TG1001@30`; the rule must fire at exactly those lines of that file. A
//! `passes` file must not make the rule fire at all. Each file is scanned alone (its own scan
//! context) through the `iac` stage, judged on a fixed day, and the
//! findings of each fixture set are snapshotted (rule, file, line, severity, message).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tollgate_core::{
    Config, Evaluation, FileKind, Finding, ScanContext, SourceFile, Stage, StageReport, Verdict,
};
use tollgate_iac::{rules, IacStage};

/// The day fixtures are judged on (runtime deprecations).
const TODAY: time::Date = time::macros::date!(2026 - 06 - 01);

fn fixtures_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The kind of a fixture file, from its double extension (fixture names cannot be
/// `serverless.yml`, so the harness classifies them instead of the inventory walk).
fn kind_of(name: &str) -> Option<FileKind> {
    if name.ends_with(".serverless.yml") {
        Some(FileKind::Serverless)
    } else if name.ends_with(".sam.yaml") {
        Some(FileKind::Sam { json: false })
    } else if name.ends_with(".cfn.yaml") {
        Some(FileKind::CloudFormation { json: false })
    } else if name.ends_with(".cfn.json") {
        Some(FileKind::CloudFormation { json: true })
    } else if name.ends_with(".tf.json") {
        Some(FileKind::TerraformJson)
    } else if name.ends_with(".tf") {
        Some(FileKind::Terraform)
    } else if name.ends_with(".plan.json") {
        Some(FileKind::TerraformPlan)
    } else {
        None
    }
}

/// Scan one file alone through the `iac` stage and return every finding of every rule, with
/// the stage's notifications (shown when a fixture fails).
fn scan(dir: &Path, name: &str, kind: FileKind) -> (Vec<Finding>, Vec<String>) {
    let report = scan_report(dir, name, kind);
    let notes = report
        .notifications
        .iter()
        .map(|n| n.message.clone())
        .collect();
    (report.findings, notes)
}

/// Scan one file alone through the `iac` stage: its whole report, evaluations included.
fn scan_report(dir: &Path, name: &str, kind: FileKind) -> StageReport {
    let abs = dir.join(name);
    let size = std::fs::metadata(&abs).map(|m| m.len()).unwrap_or(0);
    let file = SourceFile {
        path: name.to_string(),
        abs,
        kind,
        size,
    };
    let ctx = ScanContext::new(
        dir.to_path_buf(),
        vec![file],
        Arc::new(Config::default()),
        TODAY,
    );
    IacStage::new().run(&ctx).expect("the iac stage runs")
}

/// The lines of `code` announced by the first line, `# expect: TG1001@12 TG1001@30` (JSON
/// fixtures, which have no comments, carry it as their first key: `"//": "expect: ..."`).
fn expected_lines(text: &str, code: &str) -> Result<BTreeSet<u32>, String> {
    let line = text
        .lines()
        .take(2)
        .find(|l| l.contains("expect:"))
        .ok_or_else(|| format!("the first line must be `# expect: {code}@LINE`"))?;
    let rest = line
        .split_once("expect:")
        .map_or("", |(_, rest)| rest)
        .trim()
        .trim_end_matches([',', '"']);
    rest.split_whitespace()
        .map(|item| {
            let (rule, line) = item
                .split_once('@')
                .ok_or_else(|| format!("`{item}`: expected CODE@LINE"))?;
            if rule != code {
                return Err(format!("`{item}`: fixture of {code} expects another rule"));
            }
            line.parse::<u32>()
                .map_err(|_| format!("`{item}`: bad line number"))
        })
        .collect()
}

fn rule_dirs() -> Vec<(String, PathBuf)> {
    let mut dirs: Vec<(String, PathBuf)> = std::fs::read_dir(fixtures_root())
        .expect("fixtures directory")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| {
            name.len() == 6
                && name.starts_with("TG")
                && name[2..].chars().all(|c| c.is_ascii_digit())
        })
        .collect();
    dirs.sort();
    dirs
}

fn files_of(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixture set")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| kind_of(n).is_some())
        .collect();
    names.sort();
    names
}

#[test]
fn every_rule_fires_where_expected_and_not_on_passes() {
    let mut failures = Vec::new();
    let mut snapshots = Vec::new();
    for (code, dir) in rule_dirs() {
        let mut snapshot = String::new();
        for name in files_of(&dir) {
            let kind = kind_of(&name).expect("filtered");
            let text = std::fs::read_to_string(dir.join(&name)).expect("fixture text");
            let (findings, notes) = scan(&dir, &name, kind);
            let mine: Vec<&Finding> = findings.iter().filter(|f| f.rule == code).collect();
            let got: BTreeSet<u32> = mine
                .iter()
                .filter_map(|f| f.location.start_line())
                .collect();
            let context = || {
                let others: Vec<String> = findings
                    .iter()
                    .map(|f| format!("{}@{}", f.rule, f.location.start_line().unwrap_or(0)))
                    .collect();
                format!("\n    all findings: {others:?}\n    notifications: {notes:?}")
            };
            if name.starts_with("fires") {
                match expected_lines(&text, &code) {
                    Ok(want) if want == got => {}
                    Ok(want) => failures.push(format!(
                        "{code}/{name}: expected lines {want:?}, got {got:?}{}",
                        context()
                    )),
                    Err(e) => failures.push(format!("{code}/{name}: {e}")),
                }
            } else if !mine.is_empty() {
                failures.push(format!(
                    "{code}/{name}: must not fire, fired at {got:?}{}",
                    context()
                ));
            }
            for f in &mine {
                assert_eq!(
                    f.location.path, name,
                    "findings point into the scanned file"
                );
                let _ = writeln!(
                    snapshot,
                    "{name}:{} {} [{}] {}",
                    f.location.start_line().unwrap_or(0),
                    f.rule,
                    f.severity,
                    f.message
                );
            }
        }
        snapshots.push((code, snapshot));
    }
    assert!(
        failures.is_empty(),
        "{} fixture failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Snapshots after the line checks, so a wrong line is reported as such first.
    // An absolute snapshot directory: insta's own lookup goes through the workspace root and
    // files snapshots under a wrong, nested path when that lookup fails.
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.bind(|| {
        for (code, snapshot) in snapshots {
            insta::assert_snapshot!(code, snapshot);
        }
    });
}

/// Evaluations agree with findings on every fixture: each finding of any rule has a Fail
/// evaluation of its rule and resource, each resource is judged at most once per rule, a rule
/// records a Fail where its `fires` fixture expects it and at least one judged resource and no
/// Fail on its `passes` fixtures. A rule that reports only what is wrong must declare what it
/// looked at (`RuleSink::evaluated`), or this fails on its `passes` fixtures.
#[test]
fn evaluations_agree_with_findings_on_every_fixture() {
    let mut failures = Vec::new();
    let mut passes_seen = std::collections::BTreeMap::<String, usize>::new();
    for (code, dir) in rule_dirs() {
        for name in files_of(&dir) {
            let report = scan_report(&dir, &name, kind_of(&name).expect("filtered"));
            for f in &report.findings {
                match Evaluation::matching(&report.evaluations, f) {
                    Some(i) if report.evaluations[i].verdict == Verdict::Fail => {}
                    other => failures.push(format!(
                        "{code}/{name}: finding {}@{} on {:?} has no Fail evaluation ({:?})",
                        f.rule,
                        f.location.start_line().unwrap_or(0),
                        f.resource,
                        other.map(|i| report.evaluations[i].verdict)
                    )),
                }
            }
            let mut keys = BTreeSet::new();
            for e in &report.evaluations {
                if !keys.insert((&e.rule_id, &e.resource, &e.location)) {
                    failures.push(format!(
                        "{code}/{name}: {} judged {} twice",
                        e.rule_id, e.resource
                    ));
                }
            }
            let mine: Vec<&Evaluation> = report
                .evaluations
                .iter()
                .filter(|e| e.rule_id == code)
                .collect();
            if name.starts_with("fires") {
                if !mine.iter().any(|e| e.verdict == Verdict::Fail) {
                    failures.push(format!("{code}/{name}: no Fail evaluation"));
                }
            } else if mine.is_empty() && !(terraform_only(&code) && kind_is_cloudformation(&name)) {
                // A Terraform-only rule has nothing to judge in CloudFormation: its passes
                // fixtures there only show that it stays quiet.
                failures.push(format!(
                    "{code}/{name}: the rule recorded no evaluation; declare the resources it \
                     looks at with `out.evaluated(&resource.meta)`"
                ));
            } else if let Some(e) = mine.iter().find(|e| e.verdict == Verdict::Fail) {
                failures.push(format!("{code}/{name}: Fail evaluation on {}", e.resource));
            } else {
                *passes_seen.entry(code.clone()).or_default() +=
                    mine.iter().filter(|e| e.verdict == Verdict::Pass).count();
            }
        }
    }
    for (code, passes) in &passes_seen {
        if *passes == 0 {
            failures.push(format!(
                "{code}: no Pass evaluation on any `passes` fixture"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} evaluation failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Where every value a rule needs is unknown, the rule says so: Unknown, never Fail on that
/// value and never Pass by default.
#[test]
fn unknown_values_make_unknown_evaluations() {
    let dir = fixtures_root().join("TG-unknown-values");
    let mut unknown_rules = BTreeSet::new();
    for name in files_of(&dir) {
        let report = scan_report(&dir, &name, kind_of(&name).expect("filtered"));
        unknown_rules.extend(
            report
                .evaluations
                .iter()
                .filter(|e| e.verdict == Verdict::Unknown)
                .map(|e| e.rule_id.clone()),
        );
    }
    for code in ["TG1201", "TG1302", "TG1303", "TG1401"] {
        assert!(
            unknown_rules.contains(code),
            "{code} has no Unknown evaluation; rules with one: {unknown_rules:?}"
        );
    }
}

/// A rule never reports on a value that cannot be known statically: in these fixtures every
/// value the rules read is a parameter without default, an import or a variable without
/// default, and no finding may point at a line holding one.
#[test]
fn no_rule_reports_an_unknown_value() {
    let dir = fixtures_root().join("TG-unknown-values");
    let mut wrong = Vec::new();
    let mut total = 0;
    for name in files_of(&dir) {
        let text = std::fs::read_to_string(dir.join(&name)).expect("fixture text");
        let lines: Vec<&str> = text.lines().collect();
        let (findings, notes) = scan(&dir, &name, kind_of(&name).expect("filtered"));
        total += findings.len();
        for f in &findings {
            let line = f.location.start_line().unwrap_or(0) as usize;
            let at = lines.get(line.wrapping_sub(1)).copied().unwrap_or("");
            if ["!Ref Unknown", "!ImportValue", "var.unknown"]
                .iter()
                .any(|m| at.contains(m))
            {
                wrong.push(format!(
                    "{name}:{line} {} `{}` ({notes:?})",
                    f.rule,
                    at.trim()
                ));
            }
        }
    }
    assert!(
        total > 0,
        "the fixtures still raise findings about missing attributes"
    );
    assert!(
        wrong.is_empty(),
        "findings on unknown values:\n{}",
        wrong.join("\n")
    );
}

/// Findings about secrets show at most a redacted prefix: the value written on the offending
/// line appears neither in the message nor in the evidence the fingerprint is made of.
#[test]
fn secret_values_are_never_printed() {
    let mut leaks = Vec::new();
    let mut checked = 0;
    for code in ["TG1005", "TG1505"] {
        let dir = fixtures_root().join(code);
        for name in files_of(&dir)
            .into_iter()
            .filter(|n| n.starts_with("fires"))
        {
            let text = std::fs::read_to_string(dir.join(&name)).expect("fixture text");
            let lines: Vec<&str> = text.lines().collect();
            let (findings, _) = scan(&dir, &name, kind_of(&name).expect("filtered"));
            for f in findings.iter().filter(|f| f.rule == code) {
                let line = f.location.start_line().unwrap_or(0) as usize;
                let at = lines.get(line.wrapping_sub(1)).copied().unwrap_or("");
                // The value is what follows the key's `:` or `=`, without quotes.
                let value = at
                    .split_once([':', '='])
                    .map_or("", |(_, v)| v)
                    .trim()
                    .trim_matches('"');
                assert!(value.len() >= 8, "{name}:{line}: no value found on `{at}`");
                checked += 1;
                let shown = [&f.message, &f.evidence];
                if shown
                    .iter()
                    .any(|t| t.contains(value) || t.contains(&value[..8]))
                {
                    leaks.push(format!("{name}:{line}: {}", f.message));
                }
            }
        }
    }
    assert!(checked >= 6, "only {checked} secret findings checked");
    assert!(leaks.is_empty(), "secrets printed:\n{}", leaks.join("\n"));
}

/// Rules about a setting only Terraform can write: CloudFormation (and so Serverless
/// `resources:`) has no property for it. They need `passes` fixtures in those formats only.
const TERRAFORM_ONLY: &[(&str, &str)] = &[
    (
        "TG1507",
        "CloudFormation cannot create SecureString parameters",
    ),
    ("TG1512", "CloudFormation cannot share SSM documents"),
    (
        "TG1114",
        "CloudFormation writes a new deployment for each change",
    ),
    ("TG1313", "CloudFormation cannot upload S3 objects"),
    (
        "TG1908",
        "CloudFormation writes policies inside the resources that use them",
    ),
    (
        "TG1901",
        "CloudFormation has no account password policy resource",
    ),
    (
        "TG1902",
        "CloudFormation has no account password policy resource",
    ),
];

fn terraform_only(code: &str) -> bool {
    TERRAFORM_ONLY.iter().any(|(c, _)| *c == code)
}

/// CloudFormation, SAM or Serverless: the formats without Terraform-only settings.
fn kind_is_cloudformation(name: &str) -> bool {
    matches!(
        kind_of(name),
        Some(FileKind::CloudFormation { .. } | FileKind::Sam { .. } | FileKind::Serverless)
    )
}

/// The quality bar: every rule has a fixture that fires and one that must not, in
/// CloudFormation or SAM, Serverless and Terraform.
#[test]
fn every_rule_has_fixtures_in_each_format() {
    let mut missing = Vec::new();
    for rule in rules::metas() {
        let dir = fixtures_root().join(&rule.code);
        let names = if dir.is_dir() {
            files_of(&dir)
        } else {
            Vec::new()
        };
        let terraform_only = terraform_only(&rule.code);
        for outcome in ["fires", "passes"] {
            let has = |suffixes: &[&str]| {
                names
                    .iter()
                    .any(|n| n.starts_with(outcome) && suffixes.iter().any(|s| n.ends_with(s)))
            };
            if !has(&[".tf", ".tf.json"]) {
                missing.push(format!("{}: no {outcome} Terraform fixture", rule.code));
            }
            if terraform_only && outcome == "fires" {
                continue;
            }
            if !has(&[".cfn.yaml", ".cfn.json", ".sam.yaml"]) {
                missing.push(format!(
                    "{}: no {outcome} CloudFormation/SAM fixture",
                    rule.code
                ));
            }
            // Serverless declares functions and APIs natively and everything else under
            // `resources:` in CloudFormation form, so every rule has Serverless fixtures too.
            if !has(&[".serverless.yml"]) {
                missing.push(format!("{}: no {outcome} Serverless fixture", rule.code));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing fixtures:\n{}",
        missing.join("\n")
    );
}

#[test]
fn expectation_header_parses() {
    assert_eq!(
        expected_lines("# expect: TG1001@3 TG1001@9\nx", "TG1001").unwrap(),
        BTreeSet::from([3, 9])
    );
    assert!(expected_lines("# expect: TG1002@3", "TG1001").is_err());
    assert!(expected_lines("Resources:", "TG1001").is_err());
    assert_eq!(
        expected_lines("{\n  \"//\": \"expect: TG1008@12\",\n", "TG1008").unwrap(),
        BTreeSet::from([12])
    );
}
