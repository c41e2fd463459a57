//! Severity as SARIF carries it, both ways.

use serde_json::Value;
use serde_sarif::sarif::{PropertyBag, ReportingDescriptor, Result as SarifResult, ResultLevel};
use tollgate_core::Severity;

/// Property with tollgate's own severity word, so a round trip through SARIF is exact.
pub const SEVERITY_PROPERTY: &str = "tollgate/severity";
/// Property GitHub code scanning reads for a security severity score.
pub const SECURITY_SEVERITY_PROPERTY: &str = "security-severity";

pub fn result_level(severity: Severity) -> ResultLevel {
    match severity.sarif_level() {
        "error" => ResultLevel::Error,
        "warning" => ResultLevel::Warning,
        _ => ResultLevel::Note,
    }
}

/// `security-severity` written as GitHub expects it: a string with one decimal.
pub fn score_text(severity: Severity) -> String {
    format!("{:.1}", severity.security_severity())
}

fn level_severity(level: &str) -> Severity {
    match level {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "note" => Severity::Low,
        _ => Severity::Info,
    }
}

fn score_of(value: &Value) -> Option<f64> {
    match value {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// The severity a property bag states: `tollgate/severity`, else `security-severity`.
pub fn severity_from_properties(bag: Option<&PropertyBag>) -> Option<Severity> {
    let props = &bag?.additional_properties;
    if let Some(sev) = props
        .get(SEVERITY_PROPERTY)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
    {
        return Some(sev);
    }
    props
        .get(SECURITY_SEVERITY_PROPERTY)
        .and_then(score_of)
        .map(Severity::from_score)
}

/// The severity of a result: its own `tollgate/severity` or `security-severity` property, else
/// its rule's `security-severity`, else its `level` (or the rule's default level; SARIF's
/// default is `warning`).
pub fn result_severity(result: &SarifResult, rule: Option<&ReportingDescriptor>) -> Severity {
    if let Some(sev) = severity_from_properties(result.properties.as_ref()) {
        return sev;
    }
    if let Some(sev) = rule.and_then(|r| severity_from_properties(r.properties.as_ref())) {
        return sev;
    }
    if let Some(level) = result.level {
        return level_severity(&level.to_string());
    }
    let default_level = rule
        .and_then(|r| r.default_configuration.as_ref())
        .and_then(|c| c.level.as_ref())
        .and_then(Value::as_str)
        .unwrap_or("warning");
    level_severity(default_level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_model() {
        assert_eq!(result_level(Severity::Critical), ResultLevel::Error);
        assert_eq!(result_level(Severity::Medium), ResultLevel::Warning);
        assert_eq!(result_level(Severity::Low), ResultLevel::Note);
        assert_eq!(score_text(Severity::High), "8.0");
    }

    #[test]
    fn result_severity_prefers_own_words() {
        let mut result = SarifResult::builder().message("m").build();
        assert_eq!(result_severity(&result, None), Severity::Medium);
        result.level = Some(ResultLevel::Error);
        assert_eq!(result_severity(&result, None), Severity::High);
        let mut bag = PropertyBag::default();
        bag.additional_properties
            .insert(SECURITY_SEVERITY_PROPERTY.into(), "9.8".into());
        result.properties = Some(bag.clone());
        assert_eq!(result_severity(&result, None), Severity::Critical);
        bag.additional_properties
            .insert(SEVERITY_PROPERTY.into(), "low".into());
        result.properties = Some(bag);
        assert_eq!(result_severity(&result, None), Severity::Low);
    }
}
