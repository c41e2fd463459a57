//! What a rule concluded about each resource it looked at, passes included. Findings say only
//! what failed; an auditor also asks what was checked and passed. Stages record one
//! [`Evaluation`] per (rule, resource) they judged, and the compliance report and
//! `--include-passes` SARIF output are built from them.

use serde::{Deserialize, Serialize};

use crate::Location;

/// A rule's conclusion about one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The rule raised a finding on the resource.
    Fail,
    /// The rule checked the resource and found nothing wrong.
    Pass,
    /// The rule does not apply to this resource (e.g. an encryption rule on a resource with no
    /// data of the kind it protects).
    NotApplicable,
    /// A value the rule needs could not be resolved (a parameter, an unknown Terraform value):
    /// neither pass nor fail.
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Pass => "pass",
            Verdict::NotApplicable => "not-applicable",
            Verdict::Unknown => "unknown",
        }
    }

    /// The SARIF 2.1.0 `result.kind` this verdict is written as.
    pub fn sarif_kind(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Pass => "pass",
            Verdict::NotApplicable => "notApplicable",
            Verdict::Unknown => "open",
        }
    }
}

/// One rule judged one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The rule's code, e.g. `TG1201`.
    pub rule_id: String,
    /// The resource's address as findings name it (`Properties`-level logical id for
    /// CloudFormation, `aws_s3_bucket.logs` for Terraform, a role or function name...).
    pub resource: String,
    /// The resource's header: where an auditor finds it.
    pub location: Location,
    pub verdict: Verdict,
}
