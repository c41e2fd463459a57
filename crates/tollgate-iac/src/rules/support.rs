//! Shared vocabulary for rule metadata: the base [`Rule`] every IaC rule starts from, the
//! "how to fix" section with one example per format, and the compliance control sets that
//! several rules map to (so one control mapping is corrected in one place).

use tollgate_core::{Framework, Rule, Severity};

/// Where generated rule docs live, for `helpUri`.
const DOCS_BASE: &str = "https://github.com/tollgate-dev/tollgate/blob/main/docs/rules";

/// A rule of the IaC stage with its docs link and service tag.
pub(crate) fn iac_rule(
    code: &str,
    name: &str,
    severity: Severity,
    title: &str,
    service: &str,
) -> Rule {
    Rule::new(code, name, "iac", severity, title)
        .help_uri(format!("{DOCS_BASE}/{code}.md"))
        .tags(["iac", "aws", service])
}

/// One fix example per format. `serverless` is `None` where the Serverless Framework has no
/// setting of its own for the resource (then `resources.Resources` takes the CloudFormation
/// form).
pub(crate) struct Fix {
    pub summary: &'static str,
    pub cloudformation: &'static str,
    pub serverless: Option<&'static str>,
    pub terraform: &'static str,
}

impl Fix {
    /// The remediation markdown: the summary, then a fenced example per format.
    pub(crate) fn markdown(&self) -> String {
        let mut out = format!("{}\n\n", self.summary.trim());
        let mut block = |title: &str, lang: &str, code: &str| {
            out.push_str(&format!(
                "**{title}**\n\n```{lang}\n{}\n```\n\n",
                code.trim_matches('\n')
            ));
        };
        block("CloudFormation / SAM", "yaml", self.cloudformation);
        if let Some(sls) = self.serverless {
            block("Serverless Framework", "yaml", sls);
        }
        block("Terraform", "hcl", self.terraform);
        out.trim_end().to_string()
    }
}

/// A set of compliance controls.
pub(crate) type Controls = &'static [(Framework, &'static str)];

use Framework::{CisAws, Gdpr, Hipaa, Nist80053, PciDss, Soc2};

pub(crate) const ENCRYPTION_AT_REST: Controls = &[
    (Nist80053, "SC-28"),
    (Nist80053, "SC-12"),
    (PciDss, "3.5.1"),
    (Hipaa, "164.312(a)(2)(iv)"),
    (Gdpr, "Art. 32(1)(a)"),
    (Soc2, "CC6.1"),
];

pub(crate) const ENCRYPTION_IN_TRANSIT: Controls = &[
    (Nist80053, "SC-8"),
    (Nist80053, "SC-13"),
    (PciDss, "4.2.1"),
    (Hipaa, "164.312(e)(1)"),
    (Gdpr, "Art. 32(1)(a)"),
    (Soc2, "CC6.7"),
];

pub(crate) const LOGGING: Controls = &[
    (Nist80053, "AU-2"),
    (Nist80053, "AU-12"),
    (PciDss, "10.2.1"),
    (Hipaa, "164.312(b)"),
    (Soc2, "CC7.2"),
];

pub(crate) const LOG_RETENTION: Controls = &[
    (Nist80053, "AU-11"),
    (PciDss, "10.5.1"),
    (Hipaa, "164.316(b)(2)(i)"),
    (Soc2, "CC7.2"),
];

pub(crate) const TRACING: Controls = &[(Nist80053, "AU-12"), (Nist80053, "SI-4"), (Soc2, "CC7.2")];

pub(crate) const PUBLIC_ACCESS: Controls = &[
    (Nist80053, "AC-3"),
    (Nist80053, "AC-21"),
    (PciDss, "1.4.1"),
    (Hipaa, "164.312(a)(1)"),
    (Gdpr, "Art. 32(1)(b)"),
    (Soc2, "CC6.1"),
];

pub(crate) const AUTHENTICATION: Controls = &[
    (Nist80053, "AC-3"),
    (Nist80053, "IA-2"),
    (PciDss, "7.2.1"),
    (Hipaa, "164.312(d)"),
    (Soc2, "CC6.1"),
];

pub(crate) const BACKUP: Controls = &[
    (Nist80053, "CP-9"),
    (Nist80053, "CP-10"),
    (Hipaa, "164.308(a)(7)(ii)(A)"),
    (Gdpr, "Art. 32(1)(c)"),
    (Soc2, "A1.2"),
];

pub(crate) const AVAILABILITY: Controls =
    &[(Nist80053, "SC-5"), (Nist80053, "CP-10"), (Soc2, "A1.1")];

pub(crate) const NETWORK: Controls = &[(Nist80053, "SC-7"), (PciDss, "1.3.1"), (Soc2, "CC6.6")];

pub(crate) const SECRETS: Controls = &[
    (Nist80053, "IA-5(7)"),
    (Nist80053, "SC-28"),
    (PciDss, "8.3.2"),
    (Hipaa, "164.312(a)(2)(iv)"),
    (Soc2, "CC6.1"),
];

pub(crate) const KEY_MANAGEMENT: Controls = &[
    (CisAws, "3.6"),
    (Nist80053, "SC-12"),
    (PciDss, "3.7.4"),
    (Soc2, "CC6.1"),
];

pub(crate) const INTEGRITY: Controls =
    &[(Nist80053, "SI-7"), (Nist80053, "CM-14"), (Soc2, "CC8.1")];

pub(crate) const PATCHING: Controls = &[(Nist80053, "SI-2"), (PciDss, "6.3.3"), (Soc2, "CC7.1")];

/// Add a control set (and any extra controls) to a rule.
pub(crate) fn with_controls(rule: Rule, sets: &[Controls]) -> Rule {
    sets.iter().fold(rule, |rule, set| rule.with_controls(set))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_markdown_has_one_block_per_format() {
        let fix = Fix {
            summary: "Do it.",
            cloudformation: "A: 1\n",
            serverless: None,
            terraform: "a = 1",
        };
        let md = fix.markdown();
        assert!(md.starts_with("Do it.\n\n**CloudFormation / SAM**\n\n```yaml\nA: 1\n```"));
        assert!(!md.contains("Serverless"));
        assert!(md.ends_with("```hcl\na = 1\n```"));
    }

    #[test]
    fn controls_are_not_repeated() {
        let r = with_controls(
            iac_rule("TG1", "x", Severity::Low, "X", "s3"),
            &[ENCRYPTION_AT_REST, SECRETS],
        );
        let sc28 = r.controls.iter().filter(|c| c.id == "SC-28").count();
        assert_eq!(sc28, 1);
    }
}
