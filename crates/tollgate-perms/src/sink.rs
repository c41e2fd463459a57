//! Where rules put their findings: one place that turns "this policy, this span" into a
//! [`Finding`] with the owner's address, and lowers the severity when a condition narrows the
//! statement (saying so in the message).

use tollgate_core::evaluation::Recorder;
use tollgate_core::{Evaluation, Finding, Location, RelatedLocation, Rule, Severity, Verdict};
use tollgate_iac::model::ResourceMeta;
use tollgate_syntax::Span;

use crate::analysis::{PolicyView, Restriction};

/// Collects one rule's findings.
#[derive(Debug)]
pub struct Sink<'r> {
    rule: &'r Rule,
    findings: Vec<Finding>,
    evaluations: Recorder,
}

impl<'r> Sink<'r> {
    pub fn new(rule: &'r Rule) -> Self {
        Self {
            rule,
            findings: Vec::new(),
            evaluations: Recorder::default(),
        }
    }

    /// Record nothing but findings, for a run whose outputs show no evaluations.
    pub fn without_evaluations(mut self) -> Self {
        self.evaluations = Recorder::off();
        self
    }

    /// Record `verdict` on the resource that owns a policy the rule reads; a finding on it
    /// records a failure on its own.
    pub fn judge(&mut self, owner: &ResourceMeta, verdict: Verdict) {
        self.evaluations.record_at(
            &self.rule.code,
            &owner.address,
            &owner.file,
            Some(owner.header),
            verdict,
        );
    }

    pub fn rule(&self) -> &Rule {
        self.rule
    }

    /// Report at `span` of `policy` with the rule's default severity.
    pub fn at(&mut self, policy: &PolicyView<'_>, span: Span, evidence: &str, message: String) {
        self.push(
            policy.owner,
            &policy.doc.file,
            span,
            self.rule.default_severity,
            evidence,
            message,
        );
    }

    /// Report at `span` of `policy` with `severity`.
    pub fn at_with(
        &mut self,
        policy: &PolicyView<'_>,
        span: Span,
        severity: Severity,
        evidence: &str,
        message: String,
    ) {
        self.push(
            policy.owner,
            &policy.doc.file,
            span,
            severity,
            evidence,
            message,
        );
    }

    /// Report at `span` of `policy`; a restricting condition lowers the severity one level.
    pub fn narrowed(
        &mut self,
        policy: &PolicyView<'_>,
        span: Span,
        restriction: Restriction<'_>,
        evidence: &str,
        message: String,
    ) {
        let (severity, message) = match restriction {
            Restriction::None => (self.rule.default_severity, message),
            r => {
                let lowered = lowered(self.rule.default_severity);
                let message = format!(
                    "{} Severity lowered to {lowered} because {} narrows it.",
                    message.trim_end(),
                    r.describe()
                );
                (lowered, message)
            }
        };
        self.push(
            policy.owner,
            &policy.doc.file,
            span,
            severity,
            evidence,
            message,
        );
    }

    /// Report at `span` in the owner's own file, with `severity`.
    pub fn on_owner(
        &mut self,
        owner: &ResourceMeta,
        span: Span,
        severity: Severity,
        evidence: &str,
        message: String,
    ) {
        self.push(owner, &owner.file, span, severity, evidence, message);
    }

    fn push(
        &mut self,
        owner: &ResourceMeta,
        file: &str,
        span: Span,
        severity: Severity,
        evidence: &str,
        message: String,
    ) {
        self.judge(owner, Verdict::Fail);
        let mut finding = Finding::new(
            self.rule.code.clone(),
            severity,
            message,
            Location::at(file, span),
        )
        .resource(owner.address.clone())
        .evidence(evidence);
        // An inline suppression on the resource header only makes sense in the same file.
        if owner.file == file {
            finding = finding.resource_line(owner.header.start.line);
        }
        self.findings.push(finding);
    }

    /// Attach related locations to the finding just reported.
    pub fn relate_last(&mut self, locations: Vec<Location>, message: &str) {
        if let Some(last) = self.findings.last_mut() {
            last.related
                .extend(locations.into_iter().map(|location| RelatedLocation {
                    location,
                    message: message.to_string(),
                }));
        }
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// The findings and one evaluation per resource judged.
    pub fn finish(self) -> (Vec<Finding>, Vec<Evaluation>) {
        (self.findings, self.evaluations.into_evaluations())
    }
}

/// One level less serious (info stays info).
pub fn lowered(severity: Severity) -> Severity {
    match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}
