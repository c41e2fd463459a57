//! Shared vocabulary for rule metadata: the base [`Rule`] every IaC rule starts from and the
//! "how to fix" section with one example per format. The compliance controls of each rule are
//! data, in the framework catalogs of `tollgate_core::compliance`.

use tollgate_core::{Rule, Severity};

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
}
