//! Compliance catalogs: for each [`Framework`], the controls tollgate knows with their
//! official titles, and which rules check each. The catalogs are data, one TOML file per
//! framework next to this module, embedded in the binary and parsed once; their `[rules]`
//! table is the single source of every built-in rule's controls ([`Rule::new`] reads it
//! through [`mapped_controls`]). [`unknown_controls`] lists citations that are not in a
//! catalog (a test keeps it empty) and [`coverage`] says, per control, which rules cover it,
//! so `tollgate rules --framework` and the audit report can show honestly what is covered and
//! what is not.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::{Control, Framework, Rule};

/// One control of a framework's catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlInfo {
    /// The id rules cite, e.g. `164.312(a)(2)(iv)`, `SC-28`, `3.5.1`.
    pub id: String,
    /// The control's title in the framework's own words.
    pub title: String,
}

/// A framework's catalog: which edition of the framework it follows and its controls, in the
/// framework's own order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// The framework's slug (`hipaa`, `nist-800-53`...), checked against the file it is in.
    pub framework: String,
    /// The edition the ids and titles come from, e.g. `PCI DSS v4.0`.
    pub edition: String,
    /// Where the framework's text is published.
    pub source: String,
    pub controls: Vec<ControlInfo>,
    /// Rule code -> the ids of the controls of this framework the rule checks, in the order
    /// the rule's documentation lists them.
    #[serde(default)]
    pub rules: BTreeMap<String, Vec<String>>,
}

impl Catalog {
    /// The control with this id, if the catalog has it.
    pub fn control(&self, id: &str) -> Option<&ControlInfo> {
        self.controls.iter().find(|c| c.id == id)
    }
}

fn source(framework: Framework) -> &'static str {
    match framework {
        Framework::CisAws => include_str!("cis-aws.toml"),
        Framework::Nist80053 => include_str!("nist-800-53.toml"),
        Framework::PciDss => include_str!("pci-dss.toml"),
        Framework::Hipaa => include_str!("hipaa.toml"),
        Framework::Gdpr => include_str!("gdpr.toml"),
        Framework::Soc2 => include_str!("soc2.toml"),
    }
}

/// Parse and check one catalog file. The files are compiled in and this is run by the tests,
/// so an error here is a defect of the data shipped with tollgate, not of user input.
fn parse(framework: Framework, text: &str) -> Result<Catalog, String> {
    let name = format!("{}.toml", framework.slug());
    let catalog: Catalog = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    if catalog.framework != framework.slug() {
        return Err(format!(
            "{name}: says framework `{}`, expected `{}`",
            catalog.framework,
            framework.slug()
        ));
    }
    let mut seen = BTreeSet::new();
    for control in &catalog.controls {
        if control.id.trim().is_empty() || control.title.trim().is_empty() {
            return Err(format!("{name}: a control has an empty id or title"));
        }
        if !seen.insert(control.id.as_str()) {
            return Err(format!("{name}: control `{}` is listed twice", control.id));
        }
    }
    for (code, ids) in &catalog.rules {
        if ids.is_empty() {
            return Err(format!("{name}: rule `{code}` lists no control"));
        }
        let mut cited = BTreeSet::new();
        for id in ids {
            if !seen.contains(id.as_str()) {
                return Err(format!(
                    "{name}: rule `{code}` cites control `{id}`, which the catalog does not list"
                ));
            }
            if !cited.insert(id.as_str()) {
                return Err(format!("{name}: rule `{code}` cites control `{id}` twice"));
            }
        }
    }
    Ok(catalog)
}

/// The catalog of `framework`, parsed on first use.
pub fn catalog(framework: Framework) -> &'static Catalog {
    static CATALOGS: OnceLock<Vec<Catalog>> = OnceLock::new();
    let all = CATALOGS.get_or_init(|| {
        Framework::ALL
            .iter()
            .map(|f| {
                parse(*f, source(*f)).unwrap_or_else(|e| panic!("built-in compliance catalog: {e}"))
            })
            .collect()
    });
    let index = Framework::ALL
        .iter()
        .position(|f| *f == framework)
        .expect("Framework::ALL lists every framework");
    &all[index]
}

/// The controls of `framework`, in the framework's order.
pub fn controls(framework: Framework) -> &'static [ControlInfo] {
    &catalog(framework).controls
}

/// The controls the catalogs map rule `code` to: every framework in [`Framework::ALL`]'s
/// order, each framework's controls in the order its `[rules]` table lists them. Empty for a
/// code no catalog names (dependency advisories, user policies, rules checking no control).
pub fn mapped_controls(code: &str) -> Vec<Control> {
    Framework::ALL
        .iter()
        .flat_map(|f| {
            catalog(*f)
                .rules
                .get(code)
                .into_iter()
                .flatten()
                .map(|id| Control::new(*f, id.clone()))
        })
        .collect()
}

/// Every rule code some catalog's `[rules]` table names, sorted.
pub fn mapped_rule_codes() -> BTreeSet<&'static str> {
    Framework::ALL
        .iter()
        .flat_map(|f| catalog(*f).rules.keys().map(String::as_str))
        .collect()
}

/// The catalog entry of a control a rule cites, if the catalog has it.
pub fn control_info(control: &Control) -> Option<&'static ControlInfo> {
    catalog(control.framework).control(&control.id)
}

/// The official title of a control, if the catalog has it.
pub fn title(framework: Framework, id: &str) -> Option<&'static str> {
    catalog(framework).control(id).map(|c| c.title.as_str())
}

/// Every (rule code, control) where a rule cites a control its framework's catalog does not
/// have: a typo, or a control the catalog has yet to list.
pub fn unknown_controls(rules: &[Rule]) -> Vec<(String, Control)> {
    rules
        .iter()
        .flat_map(|rule| {
            rule.controls
                .iter()
                .filter(|c| control_info(c).is_none())
                .map(|c| (rule.code.clone(), c.clone()))
        })
        .collect()
}

/// The `## Compliance` section of a rule's generated page: per framework, in the rule's
/// order, each control with its official title (or its id alone if the catalog lacks it).
/// Empty when the rule cites no control.
pub fn markdown_section(controls: &[Control]) -> String {
    use std::fmt::Write;
    let mut frameworks: Vec<Framework> = Vec::new();
    for c in controls {
        if !frameworks.contains(&c.framework) {
            frameworks.push(c.framework);
        }
    }
    let mut out = String::new();
    if frameworks.is_empty() {
        return out;
    }
    out.push_str("## Compliance\n\n");
    for framework in frameworks {
        let edition = &catalog(framework).edition;
        let _ = if edition.contains(framework.title()) {
            writeln!(out, "- {} ({edition})", framework.name())
        } else {
            writeln!(
                out,
                "- {} ({}, {edition})",
                framework.name(),
                framework.title()
            )
        };
        for c in controls.iter().filter(|c| c.framework == framework) {
            match c.title() {
                Some(title) => {
                    let _ = writeln!(out, "  - {}: {title}", c.id);
                }
                None => {
                    let _ = writeln!(out, "  - {}", c.id);
                }
            }
        }
    }
    out
}

/// One control of a catalog and the rules that cite it (empty: no rule covers it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlCoverage<'a> {
    pub control: &'static ControlInfo,
    /// Codes of the rules that cite the control, in the order `rules` lists them.
    pub rules: Vec<&'a str>,
}

/// Per control of `framework`'s catalog, in catalog order, the rules among `rules` that cite
/// it. Citing is all it says: a covered control is one tollgate checks something for, not one
/// a scan can prove met.
pub fn coverage(framework: Framework, rules: &[Rule]) -> Vec<ControlCoverage<'_>> {
    controls(framework)
        .iter()
        .map(|control| ControlCoverage {
            control,
            rules: rules
                .iter()
                .filter(|r| {
                    r.controls
                        .iter()
                        .any(|c| c.framework == framework && c.id == control.id)
                })
                .map(|r| r.code.as_str())
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Severity;

    #[test]
    fn every_catalog_parses_with_unique_ids() {
        for framework in Framework::ALL {
            let catalog = parse(framework, source(framework)).unwrap();
            assert!(
                catalog.controls.len() >= 10,
                "{framework}: {} controls",
                catalog.controls.len()
            );
            assert_eq!(controls(framework), catalog.controls.as_slice());
        }
    }

    #[test]
    fn titles_are_the_frameworks_own() {
        assert_eq!(
            title(Framework::Hipaa, "164.312(a)(2)(iv)"),
            Some("Encryption and decryption")
        );
        assert_eq!(
            title(Framework::Hipaa, "164.312(b)"),
            Some("Audit controls")
        );
        assert_eq!(
            title(Framework::Nist80053, "SC-28"),
            Some("Protection of Information at Rest")
        );
        assert_eq!(title(Framework::Nist80053, "AU-2"), Some("Event Logging"));
        assert_eq!(
            title(Framework::CisAws, "3.2"),
            Some("Ensure CloudTrail log file validation is enabled")
        );
        assert!(title(Framework::PciDss, "3.5.1")
            .unwrap()
            .starts_with("PAN"));
        assert!(title(Framework::Soc2, "CC6.1").is_some());
        assert!(title(Framework::Gdpr, "Art. 32(1)(a)")
            .unwrap()
            .contains("encryption"));
        assert_eq!(title(Framework::Hipaa, "164.999"), None);
    }

    #[test]
    fn unknown_controls_and_coverage() {
        let rules = vec![
            Rule::new("TG1", "a", "iac", Severity::Low, "A")
                .control(Framework::Hipaa, "164.312(b)")
                .control(Framework::Hipaa, "164.312(z)"),
            Rule::new("TG2", "b", "iac", Severity::Low, "B")
                .control(Framework::Hipaa, "164.312(b)"),
        ];
        assert_eq!(
            unknown_controls(&rules),
            vec![(
                "TG1".to_string(),
                Control::new(Framework::Hipaa, "164.312(z)")
            )]
        );
        let coverage = coverage(Framework::Hipaa, &rules);
        assert_eq!(coverage.len(), controls(Framework::Hipaa).len());
        let audit = coverage
            .iter()
            .find(|c| c.control.id == "164.312(b)")
            .unwrap();
        assert_eq!(audit.rules, vec!["TG1", "TG2"]);
        assert!(coverage
            .iter()
            .any(|c| c.control.id == "164.312(d)" && c.rules.is_empty()));
    }

    #[test]
    fn rule_pages_cite_each_control_with_its_title() {
        let controls = [
            Control::new(Framework::Nist80053, "SC-28"),
            Control::new(Framework::Hipaa, "164.312(b)"),
            Control::new(Framework::Nist80053, "AU-2"),
        ];
        assert_eq!(
            markdown_section(&controls),
            "## Compliance\n\n\
             - NIST-800-53 (NIST SP 800-53 Rev. 5)\n  \
             - SC-28: Protection of Information at Rest\n  - AU-2: Event Logging\n\
             - HIPAA (HIPAA Security Rule, 45 CFR Part 164, Subpart C)\n  - 164.312(b): Audit controls\n"
        );
        assert_eq!(markdown_section(&[]), "");
    }

    #[test]
    fn rules_take_their_controls_from_the_catalogs() {
        let controls = mapped_controls("TG1307");
        assert!(controls.contains(&Control::new(Framework::Hipaa, "164.312(a)(2)(iv)")));
        assert!(controls.contains(&Control::new(Framework::Hipaa, "164.312(e)(2)(ii)")));
        assert!(controls.contains(&Control::new(Framework::Nist80053, "SC-28")));
        let rule = Rule::new("TG1307", "x", "iac", Severity::High, "X");
        assert_eq!(rule.controls, controls);
        // Frameworks in `Framework::ALL` order, so the order never depends on a map's.
        let order: Vec<usize> = controls
            .iter()
            .map(|c| {
                Framework::ALL
                    .iter()
                    .position(|f| *f == c.framework)
                    .unwrap()
            })
            .collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]), "{controls:?}");
        assert!(mapped_controls("GHSA-xxxx-xxxx-xxxx").is_empty());
        assert!(mapped_rule_codes().contains("TG2001"));
        for framework in Framework::ALL {
            for ids in catalog(framework).rules.values() {
                for id in ids {
                    assert!(
                        title(framework, id).is_some_and(|t| !t.trim().is_empty()),
                        "{framework} {id} has no title"
                    );
                }
            }
        }
    }

    #[test]
    fn a_mapping_to_a_control_the_catalog_lacks_is_refused() {
        let head = "framework = \"gdpr\"\nedition = \"e\"\nsource = \"s\"\n\
                    [[controls]]\nid = \"Art. 25\"\ntitle = \"t\"\n";
        let err = parse(
            Framework::Gdpr,
            &format!("{head}[rules]\nTG1 = [\"Art. 99\"]\n"),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "gdpr.toml: rule `TG1` cites control `Art. 99`, which the catalog does not list"
        );
        let err = parse(
            Framework::Gdpr,
            &format!("{head}[rules]\nTG1 = [\"Art. 25\", \"Art. 25\"]\n"),
        )
        .unwrap_err();
        assert_eq!(err, "gdpr.toml: rule `TG1` cites control `Art. 25` twice");
        let err = parse(Framework::Gdpr, &format!("{head}[rules]\nTG1 = []\n")).unwrap_err();
        assert_eq!(err, "gdpr.toml: rule `TG1` lists no control");
        let ok = parse(
            Framework::Gdpr,
            &format!("{head}[rules]\nTG1 = [\"Art. 25\"]\n"),
        )
        .unwrap();
        assert_eq!(ok.rules["TG1"], vec!["Art. 25"]);
    }

    #[test]
    fn a_bad_catalog_is_refused_with_its_file_name() {
        let head = "edition = \"e\"\nsource = \"s\"\n";
        let twice = format!(
            "framework = \"gdpr\"\n{head}[[controls]]\nid = \"Art. 25\"\ntitle = \"t\"\n\
             [[controls]]\nid = \"Art. 25\"\ntitle = \"t\"\n"
        );
        let err = parse(Framework::Gdpr, &twice).unwrap_err();
        assert_eq!(err, "gdpr.toml: control `Art. 25` is listed twice");
        let other = format!("framework = \"soc2\"\n{head}controls = []\n");
        let err = parse(Framework::Gdpr, &other).unwrap_err();
        assert!(err.contains("says framework `soc2`"), "{err}");
        let unknown_key = format!("framework = \"gdpr\"\n{head}controls = []\nextra = 1\n");
        let err = parse(Framework::Gdpr, &unknown_key).unwrap_err();
        assert!(
            err.starts_with("gdpr.toml:") && err.contains("extra"),
            "{err}"
        );
    }
}
