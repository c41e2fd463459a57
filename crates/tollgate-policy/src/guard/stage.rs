//! Guard rule files in the policy stage: loaded from the policy paths, evaluated against every
//! CloudFormation and SAM template of the scan, each FAIL a finding at the offending property
//! (else the resource's header).

use std::collections::BTreeMap;
use std::time::Instant;

use tollgate_core::evaluation::Recorder;
use tollgate_core::{
    Finding, Location, Notification, Rule, ScanContext, Severity, Span, StageReport, Verdict,
};

use super::document::{templates, templates_taking, TemplateDoc};
use super::{evaluate, parse, Failure, Limits, RuleFile, Seg, Stop, MAX_STEPS};
use crate::code::{derived_code, rule_name, valid_code};
use crate::evaluate::{point, Budgets, Inputs, STAGE};
use crate::locate::{locate_in, Step};

/// Parse the Guard files among `sources`; files that do not parse become notifications.
pub fn load(sources: Vec<(String, String)>, report: &mut StageReport) -> Vec<RuleFile> {
    let mut files = Vec::new();
    for (path, text) in sources {
        match parse(&path, &text) {
            Ok(file) => files.push(file),
            Err(err) => report.notify(
                Notification::error(
                    "policy-error",
                    format!("{err}; the Guard rules of this file are not evaluated"),
                )
                .at(Location::at(err.file.clone(), point(err.line, err.col)))
                .stage(STAGE),
            ),
        }
    }
    files
}

/// The package-like name of a rule file's rules, for codes and SARIF rule names:
/// `guard.<file stem>`.
pub fn package(file: &RuleFile) -> String {
    let name = file.path.rsplit('/').next().unwrap_or(&file.path);
    format!("guard.{}", name.strip_suffix(".guard").unwrap_or(name))
}

/// Evaluate `files` against the scan's templates into `report`.
pub fn evaluate_all(
    ctx: &ScanContext,
    files: &[RuleFile],
    inputs: &Inputs,
    budgets: Budgets,
    report: &mut StageReport,
) {
    if files.is_empty() {
        return;
    }
    let docs = templates(ctx, &inputs.resources);
    evaluate_templates(ctx, files, &docs, inputs, budgets, report);
}

/// [`evaluate_all`] for the last reader of `inputs`' resource properties: the templates take
/// them instead of copying them, and they are left empty (see [`templates_taking`]).
pub fn evaluate_all_taking(
    ctx: &ScanContext,
    files: &[RuleFile],
    inputs: &mut Inputs,
    budgets: Budgets,
    report: &mut StageReport,
) {
    if files.is_empty() {
        return;
    }
    let docs = templates_taking(ctx, &mut inputs.resources);
    evaluate_templates(ctx, files, &docs, inputs, budgets, report);
}

fn evaluate_templates(
    ctx: &ScanContext,
    files: &[RuleFile],
    docs: &[TemplateDoc],
    inputs: &Inputs,
    budgets: Budgets,
    report: &mut StageReport,
) {
    let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
    // Evaluations by code and resource: a rule file's several rules judge the same resources.
    let mut evaluations = if ctx.wants_evaluations() {
        Recorder::default()
    } else {
        Recorder::off()
    };
    for file in files {
        evaluate_file(
            ctx,
            file,
            docs,
            inputs,
            budgets,
            report,
            &mut rules,
            &mut evaluations,
        );
    }
    report.evaluations.extend(evaluations.into_evaluations());
    report.dynamic_rules.extend(rules.into_values());
}

#[allow(clippy::too_many_arguments)]
fn evaluate_file(
    ctx: &ScanContext,
    file: &RuleFile,
    docs: &[TemplateDoc],
    inputs: &Inputs,
    budgets: Budgets,
    report: &mut StageReport,
    rules: &mut BTreeMap<String, Rule>,
    evaluations: &mut Recorder,
) {
    let started = Instant::now();
    // Each rule's SARIF rule (its code and severity), once for all templates.
    let described: Vec<Rule> = file.rules.iter().map(|r| describe(file, r)).collect();
    let package = package(file);
    if ctx.is_cancelled() {
        report.not_checked.push(file.path.clone());
        return;
    }
    for (done, doc) in docs.iter().enumerate() {
        if ctx.is_cancelled() {
            report.not_checked.push(file.path.clone());
            return;
        }
        if started.elapsed() > budgets.policy {
            report.notify(
                Notification::error(
                    "policy-timeout",
                    format!(
                        "{}: Guard rule file ran out of its {} s budget after {done} of {} templates and was stopped; results it reported before stay",
                        file.path,
                        budgets.policy.as_secs(),
                        docs.len()
                    ),
                )
                .at(Location::file(file.path.clone()))
                .stage(STAGE),
            );
            return;
        }
        let limits = Limits {
            max_steps: MAX_STEPS,
            deadline: Instant::now() + budgets.document,
        };
        let results = match evaluate(file, &doc.json, limits) {
            Ok(results) => results,
            Err(stop) => {
                report.notify(stop_notification(file, &doc.file, &stop));
                // A rule file that ran out of budget or hit a mistake of its own would on
                // every template: it stops here, and what it reported so far stays.
                return;
            }
        };
        let mut parsed: Option<Option<std::sync::Arc<tollgate_syntax::Document>>> = None;
        for result in &results {
            let Some(n) = file.rules.iter().position(|r| r.name == result.name) else {
                continue;
            };
            let (rule, described) = (&file.rules[n], &described[n]);
            let (code, severity) = (described.code.clone(), described.default_severity);
            let policy = format!("{package}.{}", rule.name);
            let failed = if result.status == super::Status::Fail {
                by_resource(&result.failures)
            } else {
                Vec::new()
            };
            // What the rule concluded on each resource it looked at: a failure under the
            // resource fails it, a block that passed there passes it, one that skipped
            // (a `when` that did not hold) does not apply.
            let mut verdicts: BTreeMap<&str, Verdict> = BTreeMap::new();
            for (id, status) in result.judged.iter().filter(|_| evaluations.is_on()) {
                let verdict = match status {
                    super::Status::Pass => Verdict::Pass,
                    // A block that failed inside a rule that passed (an `or`) passes.
                    super::Status::Fail if result.status == super::Status::Fail => Verdict::Fail,
                    super::Status::Fail => Verdict::Pass,
                    super::Status::Skip => Verdict::NotApplicable,
                };
                verdicts.insert(id.as_str(), verdict);
            }
            for (id, _) in failed.iter().filter(|_| evaluations.is_on()) {
                if let Some(id) = id {
                    verdicts.insert(id, Verdict::Fail);
                }
            }
            for (id, verdict) in verdicts {
                let Some(r) = doc.resources.get(id).map(|&i| &inputs.resources[i]) else {
                    continue;
                };
                evaluations.record(
                    &code,
                    &r.doc.address,
                    Location::at(doc.file.clone(), r.header),
                    verdict,
                );
            }
            if failed.is_empty() && result.judged.is_empty() {
                continue;
            }
            rules
                .entry(code.clone())
                .or_insert_with(|| described.clone());
            if !failed.is_empty() && parsed.is_none() {
                // The template's parsed document, looked up once for all its findings.
                parsed = Some(ctx.file(&doc.file).and_then(|f| ctx.document(f).ok()));
            }
            let parsed = parsed.as_ref().and_then(Option::as_deref);
            for (resource, failures) in failed {
                report.push(finding(
                    file, &policy, &code, severity, doc, parsed, inputs, resource, &failures,
                ));
            }
        }
    }
}

/// The SARIF rule of Guard rule `rule` of `file`: its `# code:` (else one derived from the
/// file and rule names), `# severity:` (else high) and `# title:`.
pub fn describe(file: &RuleFile, rule: &super::ast::NamedRule) -> Rule {
    let package = package(file);
    let code = rule
        .code
        .clone()
        .filter(|c| valid_code(c))
        .unwrap_or_else(|| derived_code(&package, &rule.name));
    let severity = rule
        .severity
        .as_deref()
        .and_then(|s| s.parse::<Severity>().ok())
        .unwrap_or(Severity::High);
    let mut described = Rule::new(
        code,
        rule_name(&package, &rule.name),
        STAGE,
        severity,
        rule.title
            .clone()
            .unwrap_or_else(|| format!("Guard rule `{}`", rule.name)),
    )
    .description(format!(
        "CloudFormation Guard rule `{}` of `{}`.",
        rule.name, file.path
    ))
    .tags(["security", "policy", "guard"]);
    // The `# title:` comment and the file's name are the repository's text.
    tollgate_core::display::sanitize_rule(&mut described);
    described
}

/// Failures grouped by the resource they are under (`Resources.<id>`; `None` for those
/// elsewhere in the template) and by what they say, in order: one finding each.
fn by_resource(failures: &[Failure]) -> Vec<(Option<&str>, Vec<&Failure>)> {
    let mut out: Vec<(Option<&str>, String, Vec<&Failure>)> = Vec::new();
    for f in failures {
        let id = match f.path.as_slice() {
            [Seg::Key(r), Seg::Key(id), ..] if r == "Resources" => Some(id.as_str()),
            _ => None,
        };
        let said = said(f);
        match out.iter_mut().find(|(r, s, _)| *r == id && *s == said) {
            Some((_, _, list)) => list.push(f),
            None => out.push((id, said, vec![f])),
        }
    }
    out.into_iter().map(|(id, _, list)| (id, list)).collect()
}

/// The rule's own words for a failure, on one line; what failed where when it has none.
fn said(f: &Failure) -> String {
    f.message
        .as_deref()
        .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| f.detail.clone())
}

#[allow(clippy::too_many_arguments)]
fn finding(
    file: &RuleFile,
    policy: &str,
    code: &str,
    severity: Severity,
    doc: &TemplateDoc,
    parsed: Option<&tollgate_syntax::Document>,
    inputs: &Inputs,
    resource: Option<&str>,
    failures: &[&Failure],
) -> Finding {
    let first = failures[0];
    let message = said(first);
    let scanned = resource.and_then(|id| doc.resources.get(id).map(|&i| &inputs.resources[i]));
    let (location, line) = match scanned {
        Some(r) => {
            let steps: Vec<Step> = first.path[2..]
                .iter()
                .map(|s| match s {
                    Seg::Key(k) => Step::Key(k.clone()),
                    Seg::Index(i) => Step::Index(*i),
                })
                .collect();
            let span = match parsed {
                Some(parsed) if !steps.is_empty() => locate_in(parsed, r, &steps),
                _ => None,
            };
            (
                Location::at(doc.file.clone(), span.unwrap_or(r.header)),
                r.header.start.line,
            )
        }
        None => (Location::at(doc.file.clone(), Span::line(1)), 1),
    };
    let mut f = Finding::new(code.to_string(), severity, message.clone(), location)
        .evidence(format!("{policy}: {message}"))
        .property("policy", policy.to_string())
        .property("policy-file", file.path.clone())
        .property("guard-rule-line", first.line)
        .resource_line(line);
    if let Some(r) = scanned {
        f = f.resource(r.doc.address.clone());
    }
    f
}

fn stop_notification(file: &RuleFile, template: &str, stop: &Stop) -> Notification {
    match stop {
        Stop::Error { line, col, message } => Notification::error(
            "policy-error",
            format!(
                "{}:{line}:{col}: {message} (while evaluating {template}); the Guard rules of this file are not evaluated further",
                file.path
            ),
        )
        .at(Location::at(file.path.clone(), point(*line, *col))),
        Stop::Steps(_) | Stop::Time => Notification::error(
            "policy-timeout",
            format!(
                "{}: Guard rule file stopped on {template}: {stop}; results it reported before stay",
                file.path
            ),
        )
        .at(Location::file(file.path.clone())),
    }
    .stage(STAGE)
}
