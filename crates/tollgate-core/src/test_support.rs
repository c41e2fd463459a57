//! Fixtures shared by the unit tests of post-processing and suppressions.

use crate::postprocess::RuleIndex;
use crate::{Finding, Location, Notification, Rule, Severity, Span};

/// Three rules: two Lambda rules with distinct Checkov equivalents, and an S3 rule sharing one
/// of them (peer tools do map one check to several of ours).
pub(crate) fn sample_rules() -> RuleIndex {
    RuleIndex::new([
        Rule::new(
            "TG1001",
            "lambda-without-dlq",
            "iac",
            Severity::Medium,
            "DLQ",
        )
        .equivalents(["CKV_AWS_116"]),
        Rule::new(
            "TG1002",
            "lambda-without-tracing",
            "iac",
            Severity::Low,
            "Tracing",
        )
        .equivalents(["CKV_AWS_50"]),
        Rule::new("TG1301", "s3-public", "iac", Severity::High, "Public")
            .equivalents(["CKV_AWS_50"]),
    ])
}

/// A medium finding of `rule` at `path:line`.
pub(crate) fn finding_at(rule: &str, path: &str, line: u32) -> Finding {
    Finding::new(
        rule,
        Severity::Medium,
        "m",
        Location::at(path, Span::line(line)),
    )
}

/// Assert that a notification's message mentions every one of `words`.
pub(crate) fn assert_mentions(note: &Notification, words: &[&str]) {
    for word in words {
        assert!(
            note.message.contains(word),
            "`{word}` not in: {}",
            note.message
        );
    }
}
