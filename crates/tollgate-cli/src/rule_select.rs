//! `--check` / `--skip-check`: which rules a run reports, chosen on the command line the way
//! Checkov's flags of the same names do. A rule is named by code (`TG1001`), name
//! (`lambda-dlq`), a peer tool's id (`CKV_AWS_116`), or, for the dependency stage, an advisory
//! id or alias (`GHSA-...`, `CVE-...`). Findings of rules left out are dropped, not suppressed:
//! the run behaves as if those checks did not exist.

use tollgate_core::{Evaluation, Finding, Rule};

/// The rules one run keeps.
#[derive(Debug, Default)]
pub struct RuleSelection {
    check: Vec<String>,
    skip: Vec<String>,
}

impl RuleSelection {
    /// Check the names against `rules` (the built-in catalog). A name that is no rule's and does
    /// not look like an advisory id (`PREFIX-...`, known only once the scan has run) is an error
    /// naming it, with the closest codes as a hint.
    pub fn new(check: &[String], skip: &[String], rules: &[Rule]) -> Result<Self, String> {
        let clean = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect()
        };
        let (check, skip) = (clean(check), clean(skip));
        for (flag, names) in [("--check", &check), ("--skip-check", &skip)] {
            for name in names {
                if !rules.iter().any(|r| r.answers_to(name)) && !looks_like_advisory(name) {
                    let closest = crate::commands::explain::closest(rules, name);
                    let mut message = format!("{flag}: unknown rule `{name}`");
                    if !closest.is_empty() {
                        message
                            .push_str(&format!("; the closest codes are {}", closest.join(", ")));
                    }
                    return Err(message);
                }
            }
        }
        Ok(Self { check, skip })
    }

    pub fn is_empty(&self) -> bool {
        self.check.is_empty() && self.skip.is_empty()
    }

    /// Drop the findings of rules not selected. `rules` includes the ones stages made at run
    /// time (one per advisory), so advisory aliases match too.
    pub fn retain(&self, findings: &mut Vec<Finding>, rules: &[Rule]) {
        if !self.is_empty() {
            findings.retain(|f| self.selects(&f.rule, rules));
        }
    }

    /// Drop the evaluations of rules not selected, as [`RuleSelection::retain`] drops their
    /// findings.
    pub fn retain_evaluations(&self, evaluations: &mut Vec<Evaluation>, rules: &[Rule]) {
        if !self.is_empty() {
            evaluations.retain(|e| self.selects(&e.rule_id, rules));
        }
    }

    /// Whether the rule with this code is selected.
    fn selects(&self, code: &str, rules: &[Rule]) -> bool {
        let named = |names: &[String]| {
            names.iter().any(|name| {
                code.eq_ignore_ascii_case(name)
                    || rules.iter().any(|r| r.code == code && r.answers_to(name))
            })
        };
        (self.check.is_empty() || named(&self.check)) && !named(&self.skip)
    }
}

/// Whether `name` has an advisory id's shape (`GHSA-8q59-q68h-6hv4`, `CVE-2024-1234`,
/// `PYSEC-2021-1`, `RUSTSEC-2020-0001`, `GO-2023-1`; any case): letters, a dash, then text
/// with a digit. Rule names are words without digits, so `lambda-dql` is not one.
pub fn looks_like_advisory(name: &str) -> bool {
    name.trim().split_once('-').is_some_and(|(prefix, rest)| {
        !prefix.is_empty()
            && prefix.bytes().all(|b| b.is_ascii_alphabetic())
            && !prefix.eq_ignore_ascii_case("TG")
            && rest.bytes().any(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::{Location, Severity};

    fn rules() -> Vec<Rule> {
        vec![
            Rule::new("TG1001", "lambda-dlq", "iac", Severity::High, "DLQ")
                .equivalents(["CKV_AWS_116"]),
            Rule::new("TG1002", "lambda-tracing", "iac", Severity::Low, "X-Ray"),
            Rule::new("GHSA-aaaa-bbbb-cccc", "ghsa", "deps", Severity::High, "adv")
                .equivalents(["CVE-2024-0001"]),
        ]
    }

    fn findings() -> Vec<Finding> {
        ["TG1001", "TG1002", "GHSA-aaaa-bbbb-cccc", "semgrep.rule"]
            .iter()
            .map(|code| Finding::new(*code, Severity::High, "m", Location::file("a")))
            .collect()
    }

    fn kept(check: &[&str], skip: &[&str]) -> Vec<String> {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let selection = RuleSelection::new(&owned(check), &owned(skip), &rules()).unwrap();
        let mut f = findings();
        selection.retain(&mut f, &rules());
        f.into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn by_code_name_checkov_id_and_alias() {
        assert_eq!(kept(&["TG1001"], &[]), ["TG1001"]);
        assert_eq!(kept(&["ckv_aws_116"], &[]), ["TG1001"]);
        assert_eq!(kept(&["lambda-tracing"], &[]), ["TG1002"]);
        assert_eq!(kept(&["CVE-2024-0001"], &[]), ["GHSA-aaaa-bbbb-cccc"]);
        assert_eq!(
            kept(&[], &["CKV_AWS_116", "GHSA-aaaa-bbbb-cccc"]),
            ["TG1002", "semgrep.rule"]
        );
        assert_eq!(kept(&["TG1001", "TG1002"], &["TG1002"]), ["TG1001"]);
        assert_eq!(kept(&[], &[]).len(), 4);
    }

    #[test]
    fn unknown_names_are_refused_with_a_hint() {
        let err = RuleSelection::new(&["TG1003".into()], &[], &rules()).unwrap_err();
        assert!(err.contains("--check: unknown rule `TG1003`"), "{err}");
        assert!(err.contains("TG1001"), "{err}");
        let err = RuleSelection::new(&[], &["nonsense".into()], &rules()).unwrap_err();
        assert!(err.starts_with("--skip-check"), "{err}");
        // Advisories are only known once the scan ran: their ids are taken on trust.
        assert!(RuleSelection::new(&["GHSA-zzzz-zzzz-zz99".into()], &[], &rules()).is_ok());
        assert!(looks_like_advisory("pysec-2018-28") && looks_like_advisory("CVE-2018-18074"));
        assert!(!looks_like_advisory("lambda-dql") && !looks_like_advisory("TG-1001"));
    }
}
