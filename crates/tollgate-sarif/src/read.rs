//! SARIF results back into core findings, for the publishing job that reads a log written by
//! an earlier one, and for baselines.

use serde_json::Value;
use serde_sarif::sarif::{Location as SarifLocation, Region, Result as SarifResult, Run};
use tollgate_core::{
    BaselineState, Finding, Location, Notification, NotificationLevel, Pos, RelatedLocation, Span,
    Suppression, SuppressionKind,
};

use crate::access::{
    accepted_suppression, fingerprint_of, message_text, primary_path, resource, rule_id, rule_of,
};
use crate::result::RESOURCE_LINE_PROPERTY;
use crate::severity::{result_severity, SECURITY_SEVERITY_PROPERTY, SEVERITY_PROPERTY};
use crate::uri::{decode, has_scheme};

/// Every result of `run` as a finding. Severity comes from the result's `tollgate/severity`,
/// else its `security-severity`, else its rule's, else its level. Results without any rule id
/// (which [`crate::parse_log`] refuses) and results of kind `pass`, `notApplicable` or `open`
/// (evaluations, see [`crate::is_evaluation`]) are skipped. `evidence` stays empty: tollgate does not
/// write it to SARIF, the fingerprint stands for it.
pub fn findings_from_run(run: &Run) -> Vec<Finding> {
    run.results
        .iter()
        .flatten()
        .filter_map(|result| finding_of(result, run))
        .collect()
}

/// One result of `run` as a finding, as [`findings_from_run`] reads it; `run` needs its tool
/// (for rules), not its results.
pub(crate) fn finding_of(result: &SarifResult, run: &Run) -> Option<Finding> {
    // A passed, not applicable or undecided check is a record, not a problem.
    if crate::result::is_evaluation(result) {
        return None;
    }
    let mut finding = finding(result, run)?;
    // The log may come from a plugin or an earlier job of a pull request.
    tollgate_core::display::sanitize_finding(&mut finding);
    Some(finding)
}

/// The rules of `run` that are cases of another rule ([`tollgate_core::Rule::instance_of`]:
/// each advisory of the dependency check), as far as a report needs them: code, name, stage,
/// severity, title and the rule they are a case of. Their texts are escaped as findings' are.
pub fn instance_rules_of_run(run: &Run) -> Vec<tollgate_core::Rule> {
    let text = |s: &str| tollgate_core::display::visible_line(s).into_owned();
    run.tool
        .driver
        .rules
        .iter()
        .flatten()
        .filter_map(|descriptor| {
            let props = &descriptor.properties.as_ref()?.additional_properties;
            let parent = props.get(crate::rules::INSTANCE_OF_PROPERTY)?.as_str()?;
            let prop = |key: &str| props.get(key).and_then(Value::as_str).map(text);
            let severity = prop(crate::severity::SEVERITY_PROPERTY)
                .and_then(|s| s.parse().ok())
                .unwrap_or(tollgate_core::Severity::Medium);
            let title = descriptor
                .short_description
                .as_ref()
                .map(|d| text(&d.text))
                .unwrap_or_else(|| text(&descriptor.id));
            // The help is written as description, "## How to fix" and remediation, then the
            // equivalent ids (see `Rule::help_markdown`).
            let remediation = descriptor
                .help
                .as_ref()
                .and_then(|h| h.markdown.as_deref())
                .and_then(|h| h.split_once("## How to fix\n\n"))
                .map(|(_, fix)| fix.split("\n\nEquivalent checks: ").next().unwrap_or(fix))
                .map(|fix| tollgate_core::display::visible(fix).into_owned())
                .unwrap_or_default();
            let equivalents: Vec<String> = props
                .get("equivalents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(text)
                .collect();
            Some(
                tollgate_core::Rule::new(
                    text(&descriptor.id),
                    descriptor.name.as_deref().map(text).unwrap_or_default(),
                    prop("tollgate/stage").unwrap_or_default(),
                    severity,
                    title,
                )
                .remediation(remediation)
                .equivalents(equivalents)
                .instance_of(text(parent)),
            )
        })
        .collect()
}

/// The `toolExecutionNotifications` of `run`'s invocations as notifications, so a log read
/// back (`tollgate post`) still says which files were not checked. Their texts are escaped
/// like findings'.
pub fn notifications_from_run(run: &Run) -> Vec<Notification> {
    let mut out = Vec::new();
    for invocation in run.invocations.iter().flatten() {
        for note in invocation.tool_execution_notifications.iter().flatten() {
            let level = match note.level.as_ref().and_then(Value::as_str) {
                Some("error") => NotificationLevel::Error,
                Some("note" | "none") => NotificationLevel::Note,
                _ => NotificationLevel::Warning,
            };
            let id = note
                .descriptor
                .as_ref()
                .and_then(|d| d.id.clone())
                .unwrap_or_else(|| "tool-notification".to_string());
            let mut notification =
                Notification::new(level, id, note.message.text.clone().unwrap_or_default());
            notification.location = note.locations.iter().flatten().find_map(location);
            notification.stage = note
                .properties
                .as_ref()
                .and_then(|p| p.additional_properties.get("tollgate/stage"))
                .and_then(Value::as_str)
                .map(str::to_string);
            tollgate_core::display::sanitize_notification(&mut notification);
            out.push(notification);
        }
    }
    out
}

fn finding(result: &SarifResult, run: &Run) -> Option<Finding> {
    let rule = rule_id(result, run)?;
    let severity = result_severity(result, rule_of(result, run));
    let region = result
        .locations
        .as_ref()
        .and_then(|l| l.first())
        .and_then(|l| l.physical_location.as_ref())
        .and_then(|p| p.region.as_ref())
        .and_then(span);
    let mut out = Finding::new(
        rule.clone(),
        severity,
        message_text(result, run),
        Location::new(primary_path(result), region),
    );
    out.resource = resource(result);
    out.fingerprint = fingerprint_of(result, run, &rule);
    for related in result.related_locations.iter().flatten() {
        if let Some(location) = location(related) {
            let message = related
                .message
                .as_ref()
                .and_then(|m| m.text.clone())
                .unwrap_or_default();
            out.related.push(RelatedLocation { location, message });
        }
    }
    // The first thread of the first flow: the only shape tollgate writes.
    let steps = result
        .code_flows
        .iter()
        .flatten()
        .flat_map(|flow| flow.thread_flows.first())
        .take(1)
        .flat_map(|thread| thread.locations.iter());
    for step in steps {
        if let Some(at) = step.location.as_ref() {
            if let Some(location) = location(at) {
                let message = at
                    .message
                    .as_ref()
                    .and_then(|m| m.text.clone())
                    .unwrap_or_default();
                out.code_flow.push(RelatedLocation { location, message });
            }
        }
    }
    out.suppression = accepted_suppression(result).map(|s| {
        Box::new(Suppression {
            kind: match s.kind.as_str() {
                Some("inSource") => SuppressionKind::InSource,
                _ => SuppressionKind::External,
            },
            justification: s.justification.clone().unwrap_or_default(),
        })
    });
    out.baseline_state = result
        .baseline_state
        .as_ref()
        .and_then(Value::as_str)
        .and_then(|s| match s {
            "new" => Some(BaselineState::New),
            "unchanged" => Some(BaselineState::Unchanged),
            "updated" => Some(BaselineState::Updated),
            "absent" => Some(BaselineState::Absent),
            _ => None,
        });
    if let Some(bag) = &result.properties {
        for (key, value) in &bag.additional_properties {
            match key.as_str() {
                SEVERITY_PROPERTY | SECURITY_SEVERITY_PROPERTY => {}
                RESOURCE_LINE_PROPERTY => {
                    out.resource_line = value.as_u64().and_then(|l| u32::try_from(l).ok());
                }
                "tollgate/tags" => {
                    out.properties.insert("tags".to_string(), value.clone());
                }
                _ => {
                    out.properties.insert(key.clone(), value.clone());
                }
            }
        }
        if let Some(tags) = &bag.tags {
            out.properties.insert(
                "tags".to_string(),
                Value::Array(tags.iter().cloned().map(Value::String).collect()),
            );
        }
    }
    Some(out)
}

fn location(location: &SarifLocation) -> Option<Location> {
    let physical = location.physical_location.as_ref()?;
    let uri = physical.artifact_location.as_ref()?.uri.as_deref()?;
    let path = if has_scheme(uri) {
        uri.to_string()
    } else {
        decode(uri)
    };
    Some(Location::new(path, physical.region.as_ref().and_then(span)))
}

fn clamp(n: i64) -> u32 {
    u32::try_from(n.max(1)).unwrap_or(u32::MAX)
}

/// A region as a span. Only line/column regions are understood; a region with only
/// `startLine` becomes a whole-line span, the way tollgate writes one.
fn span(region: &Region) -> Option<Span> {
    let start_line = clamp(region.start_line?);
    let Some(start_col) = region.start_column else {
        let end_line = region.end_line.map_or(start_line, clamp).max(start_line);
        if end_line == start_line {
            return Some(Span::line(start_line));
        }
        return Some(Span::new(Pos::new(start_line, 1), Pos::new(end_line, 1)));
    };
    let start_col = clamp(start_col);
    let end_line = region.end_line.map_or(start_line, clamp).max(start_line);
    let end_col = region.end_column.map_or(start_col, clamp);
    Some(Span::new(
        Pos::new(start_line, start_col),
        Pos::new(end_line, end_col),
    ))
}
