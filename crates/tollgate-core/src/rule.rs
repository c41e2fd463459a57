use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Severity;

/// A compliance framework a rule maps to. In SARIF each becomes a `taxonomy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framework {
    CisAws,
    Nist80053,
    PciDss,
    Hipaa,
    Gdpr,
    Soc2,
}

impl Framework {
    pub const ALL: [Framework; 6] = [
        Framework::CisAws,
        Framework::Nist80053,
        Framework::PciDss,
        Framework::Hipaa,
        Framework::Gdpr,
        Framework::Soc2,
    ];

    /// Short stable name, used as the SARIF taxonomy name.
    pub fn name(self) -> &'static str {
        match self {
            Framework::CisAws => "CIS-AWS",
            Framework::Nist80053 => "NIST-800-53",
            Framework::PciDss => "PCI-DSS",
            Framework::Hipaa => "HIPAA",
            Framework::Gdpr => "GDPR",
            Framework::Soc2 => "SOC2",
        }
    }

    /// The lowercase name users type (`--framework pci-dss`), also the name of the
    /// framework's catalog file.
    pub fn slug(self) -> &'static str {
        match self {
            Framework::CisAws => "cis-aws",
            Framework::Nist80053 => "nist-800-53",
            Framework::PciDss => "pci-dss",
            Framework::Hipaa => "hipaa",
            Framework::Gdpr => "gdpr",
            Framework::Soc2 => "soc2",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Framework::CisAws => "CIS Amazon Web Services Foundations Benchmark",
            Framework::Nist80053 => "NIST SP 800-53 Rev. 5",
            Framework::PciDss => "PCI DSS v4.0",
            Framework::Hipaa => "HIPAA Security Rule",
            Framework::Gdpr => "EU General Data Protection Regulation",
            Framework::Soc2 => "SOC 2 Trust Services Criteria",
        }
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A framework name that is none of [`Framework::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown compliance framework `{0}` (expected one of hipaa, gdpr, pci-dss, soc2, cis-aws, nist-800-53)")]
pub struct UnknownFramework(pub String);

impl std::str::FromStr for Framework {
    type Err = UnknownFramework;

    /// Accepts the slug (`pci-dss`) or the SARIF taxonomy name (`PCI-DSS`), in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Framework::ALL
            .into_iter()
            .find(|f| f.slug().eq_ignore_ascii_case(s) || f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownFramework(s.to_string()))
    }
}

/// One control of a compliance framework, e.g. NIST-800-53 `SC-28`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Control {
    pub framework: Framework,
    pub id: String,
}

impl Control {
    pub fn new(framework: Framework, id: impl Into<String>) -> Self {
        Self {
            framework,
            id: id.into(),
        }
    }

    /// The control's official title from its framework's catalog
    /// ([`crate::compliance`]), when the catalog has the control.
    pub fn title(&self) -> Option<&'static str> {
        crate::compliance::title(self.framework, &self.id)
    }
}

/// How sure a rule is when it fires; SARIF `properties.precision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    VeryHigh,
    High,
    Medium,
    Low,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::VeryHigh => "very-high",
            Precision::High => "high",
            Precision::Medium => "medium",
            Precision::Low => "low",
        }
    }
}

/// What a rule is: its stable code, its words for people, and where it maps in other tools and
/// compliance frameworks. Rules are data; the check that raises findings lives next to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Stable code, e.g. `TG1001`, or an advisory id such as `GHSA-xxxx` for dependency rules.
    pub code: String,
    /// kebab-case name, e.g. `lambda-without-dead-letter-queue`.
    pub name: String,
    /// The stage that owns the rule (`iac`, `permissions`, `deps`, `policy`, `core`, ...).
    pub stage: String,
    pub default_severity: Severity,
    /// One line, no trailing period.
    pub title: String,
    /// Markdown: what the rule checks and why it matters.
    pub description: String,
    /// Markdown: how to fix it, with examples.
    pub remediation: String,
    pub help_uri: Option<String>,
    pub tags: Vec<String>,
    /// The compliance controls the rule checks. [`Rule::new`] takes them from the catalogs'
    /// `[rules]` tables ([`crate::compliance::mapped_controls`]), the one place they are kept.
    pub controls: Vec<Control>,
    /// Ids of equivalent checks in peer tools, e.g. `CKV_AWS_116`.
    pub equivalents: Vec<String>,
    pub precision: Precision,
    /// The rule this one is a case of, for compliance: its findings count under that rule's
    /// controls and evaluations. Each advisory is its own rule (named by its OSV id, so ignores
    /// and code scanning name the advisory), and every one is a case of the dependency stage's
    /// "package has a known vulnerability" rule, which records the packages found clean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_of: Option<String>,
}

impl Rule {
    pub fn new(
        code: impl Into<String>,
        name: impl Into<String>,
        stage: impl Into<String>,
        default_severity: Severity,
        title: impl Into<String>,
    ) -> Self {
        let code = code.into();
        Self {
            controls: crate::compliance::mapped_controls(&code),
            code,
            name: name.into(),
            stage: stage.into(),
            default_severity,
            title: title.into(),
            description: String::new(),
            remediation: String::new(),
            help_uri: None,
            tags: vec!["security".to_string()],
            equivalents: Vec::new(),
            precision: Precision::High,
            instance_of: None,
        }
    }

    pub fn description(mut self, markdown: impl Into<String>) -> Self {
        self.description = markdown.into();
        self
    }

    pub fn remediation(mut self, markdown: impl Into<String>) -> Self {
        self.remediation = markdown.into();
        self
    }

    pub fn help_uri(mut self, uri: impl Into<String>) -> Self {
        self.help_uri = Some(uri.into());
        self
    }

    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for tag in tags {
            let tag = tag.into();
            if !self.tags.contains(&tag) {
                self.tags.push(tag);
            }
        }
        self
    }

    /// Cite one more control. Built-in rules never do: their controls are data in the
    /// catalogs, and a test fails on a rule whose controls differ from its catalog entries.
    pub fn control(mut self, framework: Framework, id: impl Into<String>) -> Self {
        self.controls.push(Control::new(framework, id));
        self
    }

    pub fn equivalents<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.equivalents.extend(ids.into_iter().map(Into::into));
        self
    }

    pub fn precision(mut self, precision: Precision) -> Self {
        self.precision = precision;
        self
    }

    /// Make this rule a case of rule `code` (see [`Rule::instance_of`]): it checks that
    /// rule's controls too.
    pub fn instance_of(mut self, code: impl Into<String>) -> Self {
        let code = code.into();
        for control in crate::compliance::mapped_controls(&code) {
            if !self.controls.contains(&control) {
                self.controls.push(control);
            }
        }
        self.instance_of = Some(code);
        self
    }

    /// The code this rule's findings count under for compliance: the rule it is a case of,
    /// else its own.
    pub fn counted_as(&self) -> &str {
        self.instance_of.as_deref().unwrap_or(&self.code)
    }

    /// The full markdown help: description, then remediation.
    pub fn help_markdown(&self) -> String {
        let mut out = String::new();
        out.push_str(self.description.trim());
        if !self.remediation.trim().is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str("## How to fix\n\n");
            out.push_str(self.remediation.trim());
        }
        if !self.equivalents.is_empty() {
            out.push_str("\n\nEquivalent checks: ");
            out.push_str(&self.equivalents.join(", "));
        }
        out
    }

    /// Whether `id` names this rule: its code, its name, or one of its peer-tool equivalents
    /// (so `checkov:skip=CKV_AWS_116` suppresses the tollgate rule that mirrors it).
    pub fn answers_to(&self, id: &str) -> bool {
        self.code.eq_ignore_ascii_case(id)
            || self.name.eq_ignore_ascii_case(id)
            || self.equivalents.iter().any(|e| e.eq_ignore_ascii_case(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_keeps_security_tag_once() {
        let rule = Rule::new("TG0001", "x", "core", Severity::Low, "X")
            .tags(["security", "lambda"])
            .equivalents(["CKV_AWS_1"]);
        assert_eq!(rule.tags, vec!["security", "lambda"]);
        assert!(rule.answers_to("ckv_aws_1"));
        assert!(rule.answers_to("TG0001"));
        assert!(!rule.answers_to("TG0002"));
    }

    /// A case of a catalog rule checks that rule's controls and counts under its code; a rule
    /// of its own counts under itself.
    #[test]
    fn a_case_of_a_rule_takes_its_controls() {
        let parent = crate::compliance::mapped_controls("TG3004");
        assert!(!parent.is_empty());
        let case = Rule::new("GHSA-aaaa-bbbb-cccc", "x", "deps", Severity::High, "X")
            .instance_of("TG3004");
        assert_eq!(case.controls, parent);
        assert_eq!(case.counted_as(), "TG3004");
        let own = Rule::new("GHSA-aaaa-bbbb-cccc", "x", "deps", Severity::High, "X");
        assert!(own.controls.is_empty());
        assert_eq!(own.counted_as(), "GHSA-aaaa-bbbb-cccc");
    }

    #[test]
    fn frameworks_parse_from_slug_or_name() {
        for f in Framework::ALL {
            assert_eq!(f.slug().parse::<Framework>(), Ok(f));
            assert_eq!(f.name().parse::<Framework>(), Ok(f));
        }
        assert_eq!("HIPAA".parse::<Framework>(), Ok(Framework::Hipaa));
        let err = "sox".parse::<Framework>().unwrap_err();
        assert!(err.to_string().contains("`sox`"), "{err}");
        assert_eq!(
            Control::new(Framework::Nist80053, "SC-28").title(),
            Some("Protection of Information at Rest")
        );
    }
}
