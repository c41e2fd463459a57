//! The base revision's findings that are known to be the head's own, so that `--diff-base`
//! neither post-processes nor compares them a second time.
//!
//! When the base's scan adopted the head's results of a stage ([`super::adopt_results`]), that
//! stage reported the very same findings, in the same order, in both scans. What marking reads
//! of a base finding is its key (rule and fingerprint) and its severity, and post-processing
//! gives those from the finding itself, the config and the rules with the finding's code: the
//! texts, which decide suppressions, play no part. So when a code is reported by adopted stages
//! only, in both scans, and its rules are the same in both, the base's findings of that code
//! are, for marking, the head's findings of that code, in the head's order, and no other finding
//! of either scan has their keys. Marking then gives what the full comparison gives: the head's
//! finding is `unchanged`, or `updated` when the first finding with its key (in the head's
//! order, which the base's list shares) has a lower severity, and none of those base findings
//! is `absent`.
//!
//! When the base computed its IaC findings from the head's deployment unit by unit
//! ([`tollgate_iac::SharedByUnit`]), the same holds of the findings of the rules that judge
//! each resource on its own, in the files where the units that differ reported none: the base
//! took them from the head as they were. Their keys are not any other finding's, since a key
//! holds the rule and the file.

use std::collections::HashMap;
use std::sync::Arc;

use tollgate_core::{BaselineState, Finding, Rule, Severity};
use tollgate_iac::rules::StringSet;
use tollgate_iac::SharedByUnit;

use crate::pipeline::ScanResult;

/// Which findings of both scans are the same, by rule code.
pub struct SharedFindings {
    /// Codes reported by adopted stages only, whose rules are the same in both scans.
    codes: StringSet,
    /// The IaC codes the base took unit by unit, whose rules are the same in both scans and
    /// which no other stage reports, with the files where they were not taken.
    by_unit: Option<(StringSet, Arc<SharedByUnit>)>,
}

impl SharedFindings {
    /// `None` when the findings of the stages `base` adopted cannot be told from the others by
    /// their rule code, or when `head` or `base` is not a complete scan whose findings carry
    /// no baseline state yet. `base` holds its findings as its stages reported them.
    pub fn new(head: &ScanResult, base: &ScanResult) -> Option<Self> {
        let adopted = &base.adopted;
        let by_unit = base.shared_by_unit.clone();
        // A failed stage may have reported in one scan only.
        if (adopted.is_empty() && by_unit.is_none()) || head.failed || base.failed {
            return None;
        }
        // Findings already marked (`--baseline` as well) are judged from scratch.
        if head.findings.iter().any(|f| f.baseline_state.is_some()) {
            return None;
        }
        let codes_of = |result: &ScanResult, stage: &str| {
            result
                .codes_by_stage
                .iter()
                .find(|(name, _)| name == stage)
                .map(|(_, codes)| codes.clone())
        };
        let mut codes = StringSet::default();
        for &stage in adopted {
            let head_codes = codes_of(head, stage)?;
            if codes_of(base, stage)? != head_codes {
                return None;
            }
            codes.extend(head_codes);
        }
        let mut unit_codes = by_unit
            .as_ref()
            .map(|shared| shared.codes.clone())
            .unwrap_or_default();
        // A code another stage reports too would not say where a finding came from.
        for result in [head, base] {
            for (stage, stage_codes) in &result.codes_by_stage {
                if !adopted.contains(&stage.as_str()) && !stage_codes.is_disjoint(&codes) {
                    return None;
                }
                if stage != tollgate_iac::IacStage::NAME {
                    unit_codes.retain(|code| !stage_codes.contains(code));
                }
            }
        }
        let (head_rules, base_rules) = (rules_by_code(&head.rules), rules_by_code(&base.rules));
        let same_rules =
            |code: &String| head_rules.get(code.as_str()) == base_rules.get(code.as_str());
        codes.retain(same_rules);
        unit_codes.retain(same_rules);
        Some(Self {
            codes,
            by_unit: by_unit.map(|shared| (unit_codes, shared)),
        })
    }

    /// Whether `finding` (of either scan) is one both scans hold alike.
    pub fn covers(&self, finding: &Finding) -> bool {
        self.codes.contains(&finding.rule)
            || self.by_unit.as_ref().is_some_and(|(codes, shared)| {
                codes.contains(&finding.rule) && shared.covers(finding)
            })
    }

    /// [`SharedFindings::covers`] for findings that come in runs of one rule, as a stage
    /// reports them: the rule's codes are looked up once per run, a finding's file only when
    /// its rule's findings are shared unit by unit.
    pub fn covering(&self) -> impl FnMut(&Finding) -> bool + '_ {
        // The last rule, whether its findings are all shared, and whether they are outside
        // the files the units that differ report in.
        let mut last: Option<(String, bool, bool)> = None;
        move |finding| {
            let (all, by_unit) = match &last {
                Some((rule, all, by_unit)) if *rule == finding.rule => (*all, *by_unit),
                _ => {
                    let all = self.codes.contains(&finding.rule);
                    let by_unit = self.by_unit.as_ref().is_some_and(|(codes, shared)| {
                        codes.contains(&finding.rule) && shared.codes.contains(&finding.rule)
                    });
                    last = Some((finding.rule.clone(), all, by_unit));
                    (all, by_unit)
                }
            };
            all || (by_unit
                && self.by_unit.as_ref().is_some_and(|(_, shared)| {
                    !shared.changed_paths.contains(&finding.location.path)
                }))
        }
    }

    /// The state of each of the head's post-processed `findings` that the base holds alike, by
    /// position; `None` for the others, which the baseline judges.
    pub fn states(&self, findings: &[Finding]) -> Vec<Option<BaselineState>> {
        let mut first: HashMap<(&str, &str), Severity, foldhash::fast::RandomState> =
            HashMap::default();
        findings
            .iter()
            .map(|f| {
                if !self.covers(f) {
                    return None;
                }
                let key = (f.rule.as_str(), f.fingerprint.as_str());
                let first = *first.entry(key).or_insert(f.severity);
                Some(if f.severity > first {
                    BaselineState::Updated
                } else {
                    BaselineState::Unchanged
                })
            })
            .collect()
    }
}

/// The rules of a scan by code (stages may declare one more than once).
fn rules_by_code(rules: &[Rule]) -> HashMap<&str, Vec<&Rule>> {
    let mut by_code: HashMap<&str, Vec<&Rule>> = HashMap::new();
    for rule in rules {
        by_code.entry(rule.code.as_str()).or_default().push(rule);
    }
    by_code
}
