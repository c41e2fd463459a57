//! The gate: what the exit code says about a run.

use serde::{Deserialize, Serialize};
use tollgate_core::{Finding, Severity};

/// The run's outcome. Exit codes: pass 0, fail 1, error 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No active finding at or above the threshold.
    Pass,
    /// At least one active finding at or above the threshold.
    Fail,
    /// The tool itself failed (config, unreadable path, stage or plugin error). Wins over
    /// `Fail`: a partial scan cannot be trusted to pass or fail.
    Error,
}

impl Verdict {
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
            Verdict::Error => 2,
        }
    }
}

/// Judge the findings: only active ones (not suppressed, not known from the baseline) at or
/// above `threshold` fail; `None` never fails.
pub fn judge<'f>(
    findings: impl IntoIterator<Item = &'f Finding>,
    threshold: Option<Severity>,
    tool_failed: bool,
) -> Verdict {
    if tool_failed {
        return Verdict::Error;
    }
    let failing = threshold.is_some_and(|t| {
        findings
            .into_iter()
            .any(|f| f.is_active() && f.severity >= t)
    });
    if failing {
        Verdict::Fail
    } else {
        Verdict::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::{BaselineState, Location, Suppression, SuppressionKind};

    fn finding(severity: Severity) -> Finding {
        Finding::new("TG1001", severity, "m", Location::file("t.yaml"))
    }

    #[test]
    fn threshold_is_inclusive() {
        let findings = [finding(Severity::High)];
        assert_eq!(judge(&findings, Some(Severity::High), false), Verdict::Fail);
        assert_eq!(
            judge(&findings, Some(Severity::Critical), false),
            Verdict::Pass
        );
        assert_eq!(judge(&findings, Some(Severity::Info), false), Verdict::Fail);
        assert_eq!(judge(&findings, None, false), Verdict::Pass);
        assert_eq!(judge(&[], Some(Severity::Info), false), Verdict::Pass);
    }

    #[test]
    fn suppressed_and_known_findings_do_not_fail() {
        let mut suppressed = finding(Severity::Critical);
        suppressed.suppression = Some(Box::new(Suppression {
            kind: SuppressionKind::External,
            justification: "accepted risk".into(),
        }));
        let mut known = finding(Severity::Critical);
        known.baseline_state = Some(BaselineState::Unchanged);
        let mut fresh = finding(Severity::Critical);
        fresh.baseline_state = Some(BaselineState::New);
        assert_eq!(
            judge(
                &[suppressed.clone(), known.clone()],
                Some(Severity::Low),
                false
            ),
            Verdict::Pass
        );
        assert_eq!(
            judge(&[suppressed, known, fresh], Some(Severity::Low), false),
            Verdict::Fail
        );
    }

    #[test]
    fn tool_failure_wins() {
        assert_eq!(
            judge(&[finding(Severity::Critical)], Some(Severity::Low), true),
            Verdict::Error
        );
        assert_eq!(judge(&[], None, true), Verdict::Error);
        assert_eq!(
            [Verdict::Pass, Verdict::Fail, Verdict::Error].map(Verdict::exit_code),
            [0, 1, 2]
        );
    }
}
