//! Findings as SARIF results.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_sarif::sarif::{
    ArtifactLocation, CodeFlow, Location as SarifLocation, LogicalLocation, Message,
    PhysicalLocation, PropertyBag, Region, Result as SarifResult, ResultKind, ResultLevel,
    Suppression as SarifSuppression, ThreadFlow, ThreadFlowLocation,
};
use tollgate_core::fingerprint::PARTIAL_FINGERPRINT_KEY;
use tollgate_core::{Evaluation, Finding, Location, Span, SuppressionKind, Verdict};

use crate::build::SRCROOT;
use crate::severity::{result_level, score_text, SECURITY_SEVERITY_PROPERTY, SEVERITY_PROPERTY};
use crate::uri::encode_path;

/// Property holding the line of the resource's header, so a finding read back from SARIF keeps it.
pub const RESOURCE_LINE_PROPERTY: &str = "tollgate/resource-line";

/// A SARIF region for a span. A span that only knows its line (start == end at column 1) gives
/// only `startLine`, so viewers highlight the whole line instead of an empty range.
pub fn region(span: Span) -> Option<Region> {
    if span.start.line == 0 {
        return None;
    }
    let mut region = Region::builder()
        .start_line(i64::from(span.start.line))
        .build();
    if span.start == span.end && span.start.col <= 1 {
        return Some(region);
    }
    let start_col = span.start.col.max(1);
    let end_line = span.end.line.max(span.start.line);
    let mut end_col = span.end.col.max(1);
    if end_line == span.start.line {
        end_col = end_col.max(start_col);
    }
    region.start_column = Some(i64::from(start_col));
    region.end_line = Some(i64::from(end_line));
    region.end_column = Some(i64::from(end_col));
    Some(region)
}

/// A physical location: the encoded repo-relative URI under `%SRCROOT%`, plus the region.
pub fn physical(location: &Location) -> PhysicalLocation {
    let artifact = ArtifactLocation::builder()
        .uri(encode_path(&location.path))
        .uri_base_id(SRCROOT)
        .build();
    let mut physical = PhysicalLocation::builder()
        .artifact_location(artifact)
        .build();
    physical.region = location.region.and_then(region);
    physical
}

pub fn location(location: &Location) -> SarifLocation {
    SarifLocation::builder()
        .physical_location(physical(location))
        .build()
}

/// The result's properties: the finding's own, then tollgate's severity words (which win, so a
/// finding cannot misstate its own severity through a property).
fn properties(finding: &Finding) -> PropertyBag {
    let mut props: BTreeMap<String, Value> = BTreeMap::new();
    let mut tags = None;
    for (key, value) in &finding.properties {
        if key == "tags" {
            // `tags` is the property bag's own field and must be a list of strings; anything
            // else would make the log unreadable, so it is kept under another key.
            if let Some(list) = as_string_list(value) {
                tags = Some(list);
                continue;
            }
            props.insert("tollgate/tags".to_string(), value.clone());
            continue;
        }
        props.insert(key.clone(), value.clone());
    }
    props.insert(
        SECURITY_SEVERITY_PROPERTY.to_string(),
        Value::String(score_text(finding.severity)),
    );
    props.insert(
        SEVERITY_PROPERTY.to_string(),
        Value::String(finding.severity.as_str().to_string()),
    );
    if let Some(line) = finding.resource_line {
        props.insert(RESOURCE_LINE_PROPERTY.to_string(), Value::from(line));
    }
    let mut bag = PropertyBag::builder().additional_properties(props).build();
    bag.tags = tags;
    bag
}

fn as_string_list(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Property of an evaluation's result: the verdict in tollgate's words (`pass`,
/// `not-applicable`, `unknown`). Its presence marks a result as an evaluation, not a finding.
pub const VERDICT_PROPERTY: &str = "tollgate/verdict";

/// Property of an evaluation's result: the resource address, as `properties.resource` (also in
/// the logical location, where viewers look for it).
pub const RESOURCE_PROPERTY: &str = "resource";

/// Whether a result is a recorded check rather than a problem: SARIF `kind` `pass`,
/// `notApplicable` or `open` (the tool could not decide). Such results are never findings:
/// they are not gated, published, uploaded or baselined.
pub fn is_evaluation(result: &SarifResult) -> bool {
    matches!(
        result.kind,
        Some(ResultKind::Pass | ResultKind::NotApplicable | ResultKind::Open)
    )
}

/// A passing, not applicable or unknown evaluation as a result of rule `rule_index`: SARIF
/// `kind` from [`Verdict::sarif_kind`], level `none`, located at the resource's header. A
/// failing one is not written this way: its findings are the results.
pub fn evaluation_result(evaluation: &Evaluation, rule_index: usize) -> Option<SarifResult> {
    let (kind, words) = match evaluation.verdict {
        Verdict::Fail => return None,
        Verdict::Pass => (ResultKind::Pass, "passed"),
        Verdict::NotApplicable => (ResultKind::NotApplicable, "does not apply to"),
        Verdict::Unknown => (ResultKind::Open, "could not decide about"),
    };
    debug_assert_eq!(
        serde_json::to_value(&kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string)),
        Some(evaluation.verdict.sarif_kind().to_string())
    );
    let mut primary = location(&evaluation.location);
    primary.logical_locations = Some(vec![LogicalLocation::builder()
        .fully_qualified_name(evaluation.resource.clone())
        .kind("resource")
        .build()]);
    let mut bag = BTreeMap::new();
    bag.insert(
        RESOURCE_PROPERTY.to_string(),
        Value::String(evaluation.resource.clone()),
    );
    bag.insert(
        VERDICT_PROPERTY.to_string(),
        Value::String(evaluation.verdict.as_str().to_string()),
    );
    // Written so that no two evaluations of one rule at one place read alike: `tollgate merge`
    // tells results without fingerprints apart by rule, place and message.
    let message = format!("{} {words} `{}`.", evaluation.rule_id, evaluation.resource);
    let mut out = SarifResult::builder()
        .rule_id(evaluation.rule_id.clone())
        .rule_index(rule_index as i64)
        .message(Message::builder().text(message).build())
        .locations(vec![primary])
        .properties(PropertyBag::builder().additional_properties(bag).build())
        .build();
    out.kind = Some(kind);
    out.level = Some(ResultLevel::None);
    Some(out)
}

/// One finding as a result of rule `rule_index`.
pub fn result(finding: &Finding, rule_index: usize) -> SarifResult {
    let mut primary = location(&finding.location);
    if let Some(resource) = &finding.resource {
        primary.logical_locations = Some(vec![LogicalLocation::builder()
            .fully_qualified_name(resource.clone())
            .kind("resource")
            .build()]);
    }

    let mut fingerprint = finding.fingerprint.clone();
    if fingerprint.is_empty() {
        let mut copy = finding.clone();
        copy.ensure_fingerprint();
        fingerprint = copy.fingerprint;
    }
    let mut partial = BTreeMap::new();
    partial.insert(PARTIAL_FINGERPRINT_KEY.to_string(), fingerprint);

    let mut out = SarifResult::builder()
        .rule_id(finding.rule.clone())
        .rule_index(rule_index as i64)
        .level(result_level(finding.severity))
        .message(Message::builder().text(finding.message.clone()).build())
        .locations(vec![primary])
        .partial_fingerprints(partial)
        .properties(properties(finding))
        .build();

    if !finding.related.is_empty() {
        let related = finding
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                let mut loc = location(&rel.location);
                // Ids start at 1 so a message can link them as `[text](1)`.
                loc.id = Some(i as i64 + 1);
                loc.message = Some(Message::builder().text(rel.message.clone()).build());
                loc
            })
            .collect();
        out.related_locations = Some(related);
    }
    if !finding.code_flow.is_empty() {
        let steps = finding
            .code_flow
            .iter()
            .map(|step| {
                let mut loc = location(&step.location);
                loc.message = Some(Message::builder().text(step.message.clone()).build());
                ThreadFlowLocation::builder().location(loc).build()
            })
            .collect::<Vec<_>>();
        let thread = ThreadFlow::builder().locations(steps).build();
        out.code_flows = Some(vec![CodeFlow::builder().thread_flows(vec![thread]).build()]);
    }
    if let Some(suppression) = &finding.suppression {
        let kind = match suppression.kind {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::External => "external",
        };
        let mut s = SarifSuppression::builder()
            .kind(Value::String(kind.to_string()))
            .status(Value::String("accepted".to_string()))
            .build();
        s.justification = Some(suppression.justification.clone());
        out.suppressions = Some(vec![s]);
    }
    if let Some(state) = finding.baseline_state {
        out.baseline_state = Some(Value::String(state.as_str().to_string()));
    }
    out
}
