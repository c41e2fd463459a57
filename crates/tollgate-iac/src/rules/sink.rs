//! [`RuleSink`]: where a rule's check puts what it found. It owns the parts every rule would
//! otherwise repeat: the location (offending value, else the resource header), the resource
//! address and header line, normalised evidence, and the data-classification raise.
//!
//! It also keeps the rule's [`Evaluation`]s, one per resource it judged: every finding fails
//! its resource, the `expect*` helpers record a pass or an unknown value on their own, and a
//! rule that reports only what is wrong declares each resource it looks at with
//! [`RuleSink::evaluated`] (a pass unless a finding or an unknown value follows), or says the
//! rule does not apply to it with [`RuleSink::not_applicable`].

use time::Date;
use tollgate_core::evaluation::Recorder;
use tollgate_core::{Evaluation, Finding, Location, Rule, Severity, Verdict};
use tollgate_syntax::Span;

use crate::model::{ResourceMeta, Val};

/// Collects one rule's findings over one model.
#[derive(Debug)]
pub struct RuleSink<'r> {
    rule: &'r Rule,
    data_protection: bool,
    today: Date,
    findings: Vec<Finding>,
    evaluations: Recorder,
}

impl<'r> RuleSink<'r> {
    /// `data_protection`: whether the rule protects data (encryption, public access, logging,
    /// backups), so that classified resources raise its severity.
    pub fn new(rule: &'r Rule, data_protection: bool, today: Date) -> Self {
        Self {
            rule,
            data_protection,
            today,
            findings: Vec::new(),
            evaluations: Recorder::default(),
        }
    }

    /// The rule looked at `res`: it passes unless a finding or an unknown value is recorded on
    /// it too. Call it for each resource the rule judges before deciding anything about it.
    pub fn evaluated(&mut self, res: &ResourceMeta) {
        self.judge(res, Verdict::Pass);
    }

    /// A value the rule needs on `res` could not be resolved (a parameter without default, an
    /// unknown Terraform value): neither pass nor fail.
    pub fn unknown(&mut self, res: &ResourceMeta) {
        self.judge(res, Verdict::Unknown);
    }

    /// The rule's precondition does not hold for `res` (a rule about classified data on an
    /// unclassified bucket, a rule about zip packages on an image function).
    pub fn not_applicable(&mut self, res: &ResourceMeta) {
        self.judge(res, Verdict::NotApplicable);
    }

    /// Record nothing but findings, for a run whose outputs show no evaluations.
    pub fn without_evaluations(mut self) -> Self {
        self.evaluations = Recorder::off();
        self
    }

    /// Record `verdict` on `res`, combined with what was recorded on it before.
    fn judge(&mut self, res: &ResourceMeta, verdict: Verdict) {
        // A recorder that keeps nothing needs no address worked out.
        if !self.evaluations.is_on() {
            return;
        }
        self.evaluations.record_at(
            &self.rule.code,
            &res.qualified_address_ref(),
            &res.file,
            Some(res.header),
            verdict,
        );
    }

    /// The day the scan judges against (runtime deprecations).
    pub fn today(&self) -> Date {
        self.today
    }

    pub fn rule(&self) -> &Rule {
        self.rule
    }

    /// Report a value written at `span` in the resource's own file. `evidence` is the offending
    /// text; pass a redacted form for anything secret.
    pub fn at(
        &mut self,
        res: &ResourceMeta,
        span: Span,
        evidence: &str,
        message: impl Into<String>,
    ) {
        self.push(res, res.location(span), evidence, message.into(), None);
    }

    /// Report a value written in another file than the resource's header (a Terraform policy
    /// document declared elsewhere, a module).
    pub fn at_in(
        &mut self,
        res: &ResourceMeta,
        file: &str,
        span: Span,
        evidence: &str,
        message: impl Into<String>,
    ) {
        self.push(
            res,
            Location::at(file, span),
            evidence,
            message.into(),
            None,
        );
    }

    /// Report a missing attribute: the finding points at the resource header.
    pub fn missing(&mut self, res: &ResourceMeta, message: impl Into<String>) {
        self.push(res, res.header_location(), "", message.into(), None);
    }

    /// [`missing`](Self::missing) for a rule that may report several things missing on one
    /// resource (the routes of one function): `subject` names which, so each finding keeps a
    /// fingerprint of its own.
    pub fn missing_about(&mut self, res: &ResourceMeta, subject: &str, message: impl Into<String>) {
        self.push(res, res.header_location(), subject, message.into(), None);
    }

    /// Report at `severity` instead of the rule's default, for a case the rule knows to be
    /// less exposed (a private API reachable only from named VPCs): at `span` when written,
    /// else at the header.
    pub fn at_severity(
        &mut self,
        severity: Severity,
        res: &ResourceMeta,
        span: Option<Span>,
        evidence: &str,
        message: impl Into<String>,
    ) {
        let location = span.map_or_else(|| res.header_location(), |s| res.location(s));
        self.push(res, location, evidence, message.into(), Some(severity));
    }

    /// Report on `val`: at its span when written, else at the header. Never call this with an
    /// unknown value: the rule decides badness, and unknown is never bad.
    pub fn on<T>(
        &mut self,
        res: &ResourceMeta,
        val: &Val<T>,
        evidence: &str,
        message: impl Into<String>,
    ) {
        debug_assert!(!val.is_unknown(), "rules never report unknown values");
        match val.span() {
            Some(span) => self.at(res, span, evidence, message),
            None => self.missing(res, message),
        }
    }

    /// The common shape of a check: `val` must be written and good. Absent reports `missing`
    /// at the header; known and not `ok` reports `bad(value)` at the value (evidence: the
    /// value); unknown reports nothing.
    pub fn expect<T: std::fmt::Display>(
        &mut self,
        res: &ResourceMeta,
        val: &Val<T>,
        ok: impl FnOnce(&T) -> bool,
        missing: impl Into<String>,
        bad: impl FnOnce(&T) -> String,
    ) {
        match val {
            Val::Absent => self.missing(res, missing),
            Val::Known { value, span } if !ok(value) => {
                let message = bad(value);
                self.at(res, *span, &value.to_string(), message);
            }
            Val::Known { .. } => self.evaluated(res),
            Val::Unknown { .. } => self.unknown(res),
        }
    }

    /// [`expect`](Self::expect) for a switch that must be on: "`kind` `address` does not
    /// enable `setting`" when absent, "... turns `setting` off" when written false.
    pub fn expect_enabled(
        &mut self,
        res: &ResourceMeta,
        val: &Val<bool>,
        kind: &str,
        setting: &str,
    ) {
        let name = &res.address;
        self.expect(
            res,
            val,
            |on| *on,
            format!("{kind} `{name}` does not enable {setting}."),
            |_| format!("{kind} `{name}` turns {setting} off."),
        );
    }

    /// [`expect`](Self::expect) for a KMS key that must be customer-managed: "`kind` `address`
    /// is not encrypted with a customer-managed KMS key." when absent, "... is encrypted with the
    /// AWS-managed key `key`." when it names one.
    pub fn expect_customer_managed_key(
        &mut self,
        res: &ResourceMeta,
        key: &Val<crate::model::Ref>,
        kind: &str,
    ) {
        let name = &res.address;
        self.expect(
            res,
            key,
            |key| key.is_customer_managed_key(),
            format!("{kind} `{name}` is not encrypted with a customer-managed KMS key."),
            |key| format!("{kind} `{name}` is encrypted with the AWS-managed key `{key}`."),
        );
    }

    /// The finding just reported answers only `ids` of the rule's peer-tool equivalents: a
    /// rule that asks at once what Checkov asks as several checks (a public ACL that is
    /// readable but not writable answers CKV_AWS_20, not CKV_AWS_57) says which, in the
    /// finding's `equivalents` property. Without it the finding answers them all.
    pub fn answers(&mut self, ids: &[&str]) {
        debug_assert!(
            ids.iter()
                .all(|id| self.rule.equivalents.iter().any(|e| e == id)),
            "{}: {ids:?} are not all among the rule's equivalents",
            self.rule.code
        );
        if let Some(last) = self.findings.last_mut() {
            last.properties
                .insert("equivalents".to_string(), ids.to_vec().into());
        }
    }

    fn push(
        &mut self,
        res: &ResourceMeta,
        location: Location,
        evidence: &str,
        message: String,
        severity: Option<Severity>,
    ) {
        self.judge(res, Verdict::Fail);
        let mut severity = severity.unwrap_or(self.rule.default_severity);
        let mut message = message;
        let mut finding_props = Vec::new();
        if let Some(class) = res.classification.as_ref() {
            let key = res
                .tags
                .iter()
                .find(|t| t.value.span() == Some(class.span))
                .map_or(crate::model::DEFAULT_CLASSIFICATION_KEY, |t| t.key.as_str());
            finding_props.push(("dataClassification", class.class.as_str().to_string()));
            if self.data_protection && severity != Severity::Critical {
                let raised = severity.raised();
                message = format!(
                    "{} Severity raised from {} to {} because the resource is tagged {}={}.",
                    message.trim_end(),
                    severity,
                    raised,
                    key,
                    class.class.as_str()
                );
                severity = raised;
            }
        }
        let resource = res.qualified_address();
        if resource != res.address {
            message = format!(
                "{} Reached through the root configuration `{}`.",
                message.trim_end(),
                res.scope
            );
        }
        let mut finding = Finding::new(self.rule.code.clone(), severity, message, location)
            .resource(resource)
            .resource_line(res.header.start.line)
            .evidence(evidence);
        for (k, v) in finding_props {
            finding = finding.property(k, v);
        }
        self.findings.push(finding);
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// The findings and the evaluations, in the order the rule made them.
    pub fn finish(self) -> (Vec<Finding>, Vec<Evaluation>) {
        (self.findings, self.evaluations.into_evaluations())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Classification, DataClass, SourceFormat, Tag};
    use tollgate_syntax::Pos;

    fn meta(classified: bool) -> ResourceMeta {
        let mut m = ResourceMeta::new(
            "Bucket",
            "AWS::S3::Bucket",
            "t.yaml",
            Span::line(3),
            SourceFormat::CloudFormation,
        );
        if classified {
            let span = Span::new(Pos::new(9, 20), Pos::new(9, 23));
            m.tags.push(Tag {
                key: "Sensitivity".into(),
                key_span: Span::line(9),
                value: Val::known("PHI".into(), span),
            });
            m.classification = Some(Classification {
                class: DataClass::Phi,
                span,
            });
        }
        m
    }

    fn rule() -> Rule {
        Rule::new("TG1303", "x", "iac", Severity::Low, "X")
    }

    #[test]
    fn missing_points_at_header_and_raise_says_why() {
        let rule = rule();
        let mut sink = RuleSink::new(&rule, true, time::macros::date!(2026 - 01 - 01));
        sink.missing(&meta(true), "Versioning is off.");
        sink.missing(&meta(false), "Versioning is off.");
        let f = sink.into_findings();
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(f[0].message.ends_with(
            "Severity raised from low to medium because the resource is tagged Sensitivity=PHI."
        ));
        assert_eq!(f[0].location.start_line(), Some(3));
        assert_eq!(f[0].resource.as_deref(), Some("Bucket"));
        assert_eq!(f[0].resource_line, Some(3));
        assert_eq!(f[1].severity, Severity::Low);
        assert_eq!(f[1].message, "Versioning is off.");
    }

    #[test]
    fn not_data_protection_keeps_severity_and_value_span_wins() {
        let rule = rule();
        let mut sink = RuleSink::new(&rule, false, time::macros::date!(2026 - 01 - 01));
        let val = Val::known(false, Span::line(7));
        sink.on(
            &meta(true),
            &val,
            "Status:  Suspended",
            "Versioning is suspended.",
        );
        let f = sink.into_findings();
        assert_eq!(f[0].severity, Severity::Low);
        assert_eq!(f[0].location.start_line(), Some(7));
        assert_eq!(f[0].evidence, "Status: Suspended");
    }

    #[test]
    fn evaluations_follow_what_the_rule_recorded() {
        let rule = rule();
        let mut sink = RuleSink::new(&rule, false, time::macros::date!(2026 - 01 - 01));
        let mut other = meta(false);
        other.address = "Other".into();
        other.header = Span::line(20);
        let mut third = meta(false);
        third.address = "Third".into();
        let mut fourth = meta(false);
        fourth.address = "Fourth".into();
        // Known and good: pass; then one unknown setting makes it unknown.
        let on = Val::known(true, Span::line(5));
        sink.expect_enabled(&meta(false), &on, "S3 bucket", "versioning");
        sink.unknown(&meta(false));
        // Declared, then a finding: fail, and a later pass does not undo it.
        sink.evaluated(&other);
        sink.missing(&other, "Versioning is off.");
        sink.evaluated(&other);
        sink.not_applicable(&third);
        let unknown: Val<bool> = Val::Unknown {
            span: Span::line(7),
            reason: "parameter".into(),
        };
        sink.expect_enabled(&fourth, &unknown, "S3 bucket", "versioning");
        let (findings, evaluations) = sink.finish();
        let verdicts: Vec<(&str, Verdict, Option<u32>)> = evaluations
            .iter()
            .map(|e| (e.resource.as_str(), e.verdict, e.location.start_line()))
            .collect();
        assert_eq!(
            verdicts,
            vec![
                ("Bucket", Verdict::Unknown, Some(3)),
                ("Other", Verdict::Fail, Some(20)),
                ("Third", Verdict::NotApplicable, Some(3)),
                ("Fourth", Verdict::Unknown, Some(3)),
            ]
        );
        assert!(evaluations.iter().all(|e| e.rule_id == "TG1303"));
        assert_eq!(findings.len(), 1);
        let i = Evaluation::matching(&evaluations, &findings[0]).unwrap();
        assert_eq!(evaluations[i].resource, "Other");
    }
}
