//! Reading the facts tollgate needs out of a SARIF result, whichever of SARIF's equivalent
//! spellings the writing tool chose.

use serde_sarif::sarif::{
    ArtifactLocation, ReportingDescriptor, Result as SarifResult, Run, Suppression,
};
use tollgate_core::fingerprint::{fingerprint, normalize_evidence, PARTIAL_FINGERPRINT_KEY};

use crate::uri::decode;

/// The descriptor a result points at through `ruleIndex` / `rule.index` (driver rules only).
pub fn rule_of<'r>(result: &SarifResult, run: &'r Run) -> Option<&'r ReportingDescriptor> {
    let in_extension = result
        .rule
        .as_ref()
        .is_some_and(|r| r.tool_component.is_some());
    let index = result.rule_index.or_else(|| {
        result
            .rule
            .as_ref()
            .and_then(|r| r.index)
            .filter(|_| !in_extension)
    })?;
    let rules = run.tool.driver.rules.as_deref()?;
    usize::try_from(index).ok().and_then(|i| rules.get(i))
}

/// `ruleId`, else `rule.id`, else the id of the indexed rule.
pub fn rule_id(result: &SarifResult, run: &Run) -> Option<String> {
    result
        .rule_id
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| result.rule.as_ref().and_then(|r| r.id.clone()))
        .or_else(|| rule_of(result, run).map(|r| r.id.clone()))
}

pub fn primary_artifact(result: &SarifResult) -> Option<&ArtifactLocation> {
    result
        .locations
        .as_ref()?
        .first()?
        .physical_location
        .as_ref()?
        .artifact_location
        .as_ref()
}

/// The primary location's path: percent-decoded when relative (a repo path); a URI with a
/// scheme is kept as written.
pub fn primary_path(result: &SarifResult) -> String {
    match primary_artifact(result).and_then(|a| a.uri.as_deref()) {
        Some(uri) if crate::uri::has_scheme(uri) => uri.to_string(),
        Some(uri) => decode(uri),
        None => String::new(),
    }
}

pub fn start_line(result: &SarifResult) -> Option<i64> {
    result
        .locations
        .as_ref()?
        .first()?
        .physical_location
        .as_ref()?
        .region
        .as_ref()?
        .start_line
}

/// `fullyQualifiedName` (else `name`) of the primary location's first logical location.
pub fn resource(result: &SarifResult) -> Option<String> {
    let logical = result
        .locations
        .as_ref()?
        .first()?
        .logical_locations
        .as_ref()?
        .first()?;
    logical
        .fully_qualified_name
        .clone()
        .or_else(|| logical.name.clone())
}

/// The result's message as plain text: `text`, else the rule's (or driver's global) message
/// string named by `id` with its `{0}`-style placeholders filled from `arguments`, else
/// `markdown`, else the bare id.
pub fn message_text(result: &SarifResult, run: &Run) -> String {
    let m = &result.message;
    if let Some(text) = m.text.as_ref().filter(|t| !t.is_empty()) {
        return text.clone();
    }
    if let Some(id) = m.id.as_deref() {
        let template = rule_of(result, run)
            .and_then(|r| r.message_strings.as_ref())
            .and_then(|strings| strings.get(id))
            .or_else(|| {
                run.tool
                    .driver
                    .global_message_strings
                    .as_ref()
                    .and_then(|strings| strings.get(id))
            });
        if let Some(template) = template {
            return fill_placeholders(&template.text, m.arguments.as_deref().unwrap_or(&[]));
        }
    }
    m.markdown
        .clone()
        .or_else(|| m.id.clone())
        .unwrap_or_default()
}

/// SARIF message templates: `{N}` is argument N, `{{` and `}}` are literal braces.
fn fill_placeholders(template: &str, arguments: &[String]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(end) = tail.find('}').filter(|_| tail.starts_with('{')) {
            if let Some(arg) = tail[1..end]
                .parse::<usize>()
                .ok()
                .and_then(|n| arguments.get(n))
            {
                out.push_str(arg);
                rest = &tail[end + 1..];
                continue;
            }
        }
        out.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

/// tollgate's fingerprint of a result: the `tollgate/v1` partial fingerprint when present,
/// else one computed the way tollgate computes its own (rule, path, resource, evidence), so
/// results of external tools can be baselined too. The evidence is the tool's own partial
/// fingerprints when it wrote any (they are meant to survive edits), else the message.
pub fn fingerprint_of(result: &SarifResult, run: &Run, rule: &str) -> String {
    let partial = result.partial_fingerprints.as_ref();
    if let Some(fp) = partial.and_then(|p| p.get(PARTIAL_FINGERPRINT_KEY)) {
        return fp.clone();
    }
    let evidence = match partial.filter(|p| !p.is_empty()) {
        // A BTreeMap iterates in key order, so the text is stable.
        Some(p) => p
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
        None => normalize_evidence(&message_text(result, run)),
    };
    fingerprint(
        rule,
        &primary_path(result),
        resource(result).as_deref(),
        &evidence,
    )
}

/// The first suppression that silences the result: one without a status or `accepted`. One
/// under review, rejected, or with a status that is not a string does not: a security gate
/// errs on the side of counting.
pub fn accepted_suppression(result: &SarifResult) -> Option<&Suppression> {
    result
        .suppressions
        .iter()
        .flatten()
        .find(|s| match &s.status {
            None => true,
            Some(status) => status.as_str() == Some("accepted"),
        })
}

#[cfg(test)]
mod tests {
    use super::fill_placeholders;

    #[test]
    fn placeholders() {
        let args = ["a".to_string(), "b".to_string()];
        assert_eq!(fill_placeholders("{1} then {0}", &args), "b then a");
        assert_eq!(fill_placeholders("{{0}} {2} {x}", &args), "{0} {2} {x}");
    }
}
