//! An advisory's severity: the highest CVSS base score among its vectors (v2, v3.x and v4,
//! scored by the `cvss` crate), else the database's own word (`database_specific.severity`,
//! GitHub's `MODERATE`...), else medium. RustSec informational advisories (unmaintained,
//! unsound) are low.

use tollgate_core::Severity;

use crate::osv::Advisory;

/// CVSS base score of a vector string, if it parses.
pub fn cvss_score(vector: &str) -> Option<f64> {
    vector.trim().parse::<cvss::Cvss>().ok().map(|c| c.score())
}

/// The severity and, when a vector gave it, the base score.
pub fn advisory_severity(advisory: &Advisory) -> (Severity, Option<f64>) {
    if advisory.informational().is_some() {
        return (Severity::Low, None);
    }
    let scores = advisory
        .severity
        .iter()
        .chain(advisory.affected.iter().flat_map(|a| a.severity.iter()))
        .filter(|s| s.kind.starts_with("CVSS"))
        .filter_map(|s| cvss_score(&s.score));
    if let Some(best) = scores.fold(None, |acc: Option<f64>, s| {
        Some(acc.map_or(s, |a| a.max(s)))
    }) {
        return (Severity::from_score(best), Some(best));
    }
    let word = advisory
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .or_else(|| {
            advisory.affected.iter().find_map(|a| {
                a.ecosystem_specific
                    .as_ref()
                    .and_then(|e| e.get("severity"))
                    .and_then(|s| s.as_str())
            })
        });
    match word.and_then(|w| w.parse::<Severity>().ok()) {
        Some(s) => (s, None),
        None => (Severity::Medium, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_cvss_examples() {
        // NVD / FIRST calculator examples.
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L", 3.7),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
            ),
            ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
        ];
        for (vector, want) in cases {
            let got = cvss_score(vector).unwrap_or(f64::NAN);
            assert!((got - want).abs() < 1e-9, "{vector}: {got} != {want}");
        }
        assert_eq!(cvss_score("CVSS:3.1/AV:X"), None);
    }

    fn advisory(json: &str) -> Advisory {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn highest_vector_then_database_word_then_medium() {
        let a = advisory(
            r#"{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L"},{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}"#,
        );
        assert_eq!(advisory_severity(&a), (Severity::Critical, Some(9.3)));
        let a = advisory(r#"{"id":"X","database_specific":{"severity":"MODERATE"}}"#);
        assert_eq!(advisory_severity(&a), (Severity::Medium, None));
        let a = advisory(r#"{"id":"X","database_specific":{"severity":"HIGH"}}"#);
        assert_eq!(advisory_severity(&a), (Severity::High, None));
        let a = advisory(r#"{"id":"X"}"#);
        assert_eq!(advisory_severity(&a), (Severity::Medium, None));
        let a = advisory(
            r#"{"id":"RUSTSEC-2020-0001","affected":[{"package":{"ecosystem":"crates.io","name":"x"},"database_specific":{"informational":"unmaintained"}}],"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}"#,
        );
        assert_eq!(advisory_severity(&a), (Severity::Low, None));
    }
}
