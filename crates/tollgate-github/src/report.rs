//! The markdown report shared by the check run, the sticky summary comment and the step
//! summary: counts by severity and stage, new/fixed/unchanged since the base, top findings with
//! links, and the gate verdict.

use std::collections::{BTreeMap, BTreeSet};

use tollgate_core::compliance;
use tollgate_core::{
    BaselineState, Finding, Framework, Notification, NotificationLevel, Rule, Severity,
};

use crate::context::PrContext;
use crate::markdown::escape;
use crate::publish::Verdict;

/// How many findings the report lists by name.
const TOP_FINDINGS: usize = 20;

/// Numbers about one run's findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Findings that count (not suppressed, not known from the base), by severity.
    pub by_severity: BTreeMap<Severity, usize>,
    /// Findings that count, by the stage of their rule (`other` when the rule is unknown).
    pub by_stage: BTreeMap<String, usize>,
    pub new: usize,
    pub unchanged: usize,
    /// Present in the base, gone in the head.
    pub fixed: usize,
    pub suppressed: usize,
    pub active: usize,
}

impl Counts {
    pub fn of(findings: &[Finding], rules: &[Rule]) -> Counts {
        let stage_of = |code: &str| {
            rules
                .iter()
                .find(|r| r.code == code)
                .map(|r| r.stage.clone())
                .unwrap_or_else(|| "other".to_string())
        };
        let mut c = Counts::default();
        for f in findings {
            match f.baseline_state {
                Some(BaselineState::Absent) => {
                    c.fixed += 1;
                    continue;
                }
                Some(BaselineState::Unchanged) => c.unchanged += 1,
                Some(BaselineState::New | BaselineState::Updated) => c.new += 1,
                None => {}
            }
            if f.suppression.is_some() {
                c.suppressed += 1;
            }
            if f.is_active() {
                c.active += 1;
                *c.by_severity.entry(f.severity).or_default() += 1;
                *c.by_stage.entry(stage_of(&f.rule)).or_default() += 1;
            }
        }
        c
    }
}

pub fn verdict_line(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "✅ **Passed**: no blocking findings",
        Verdict::Fail => "❌ **Failed**: blocking findings at or above the threshold",
        Verdict::Error => "⚠️ **Error**: tollgate could not complete the scan",
    }
}

pub fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🟥",
        Severity::High => "🟧",
        Severity::Medium => "🟨",
        Severity::Low => "🟦",
        Severity::Info => "⬜",
    }
}

/// The full markdown report. `ctx` adds links to the head commit; `has_baseline` adds the
/// new/fixed/unchanged line; `notifications` adds what was not checked and the tool's errors.
pub fn render(
    findings: &[Finding],
    rules: &[Rule],
    notifications: &[Notification],
    verdict: Verdict,
    ctx: Option<&PrContext>,
    has_baseline: bool,
) -> String {
    let counts = Counts::of(findings, rules);
    let mut out = String::new();
    out.push_str("## tollgate security report\n\n");
    out.push_str(verdict_line(verdict));
    out.push_str("\n\n");
    if counts.active == 0 {
        out.push_str("No findings that count.");
    } else {
        out.push_str("| severity | findings |\n|---|---:|\n");
        for s in Severity::ALL.iter().rev() {
            if let Some(n) = counts.by_severity.get(s) {
                out.push_str(&format!("| {} {} | {n} |\n", severity_icon(*s), s));
            }
        }
        out.push_str("\n| stage | findings |\n|---|---:|\n");
        for (stage, n) in &counts.by_stage {
            out.push_str(&format!("| {} | {n} |\n", escape(stage)));
        }
    }
    out.push('\n');
    if has_baseline {
        out.push_str(&format!(
            "\nSince the base: **{} new**, **{} fixed**, {} unchanged.\n",
            counts.new, counts.fixed, counts.unchanged
        ));
    }
    if counts.suppressed > 0 {
        out.push_str(&format!("\n{} suppressed.\n", counts.suppressed));
    }
    let mut top: Vec<&Finding> = findings.iter().filter(|f| f.is_active()).collect();
    top.sort_by_key(|f| std::cmp::Reverse(f.severity));
    if !top.is_empty() {
        out.push_str("\n### Top findings\n\n");
        for f in top.iter().take(TOP_FINDINGS) {
            let line = f.location.start_line();
            let place = match line {
                Some(l) => format!("{}:{l}", f.location.path),
                None => f.location.path.clone(),
            };
            let place = match ctx {
                Some(c) => format!(
                    "[{}]({})",
                    escape(&place),
                    c.blob_url(&f.location.path, line)
                ),
                None => format!(
                    "`{}`",
                    tollgate_core::display::visible_line(&place).replace('`', "'")
                ),
            };
            out.push_str(&format!(
                "- {} **{}** {}: {} ({place})\n",
                severity_icon(f.severity),
                escape(&f.rule),
                f.severity,
                escape(&f.message)
            ));
        }
        if top.len() > TOP_FINDINGS {
            out.push_str(&format!("\n…and {} more.\n", top.len() - TOP_FINDINGS));
        }
    }
    not_checked(&mut out, notifications);
    out
}

/// The files that were not checked and the tool's errors: a file that did not parse must not
/// look clean because it reported nothing.
fn not_checked(out: &mut String, notifications: &[Notification]) {
    let problems: Vec<&Notification> = notifications
        .iter()
        .filter(|n| n.leaves_unchecked() || n.level == NotificationLevel::Error)
        .collect();
    if problems.is_empty() {
        return;
    }
    out.push_str(&format!(
        "\n### Not checked\n\n{} problem{} left part of the scan incomplete; what they name may hold findings this report cannot show.\n\n",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    ));
    for n in problems.iter().take(TOP_FINDINGS) {
        let place = n.location.as_ref().map(|l| match l.start_line() {
            Some(line) => format!("{}:{line}", l.path),
            None => l.path.clone(),
        });
        let place = place
            .map(|p| {
                format!(
                    "`{}` ",
                    tollgate_core::display::visible_line(&p).replace('`', "'")
                )
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "- {place}**{}** ({}): {}\n",
            n.level.as_str(),
            escape(&n.id),
            escape(&n.message)
        ));
    }
    if problems.len() > TOP_FINDINGS {
        out.push_str(&format!("\n…and {} more.\n", problems.len() - TOP_FINDINGS));
    }
}

/// How many failing control ids one framework's line names before it says how many more.
const CONTROLS_NAMED: usize = 8;

/// The compliance lines of the summary: per framework, the controls that an active finding
/// fails (`HIPAA: 2 controls failing (164.312(a)(2)(iv), 164.312(b))`), in the catalog's
/// order, and a link to the full report when one was uploaded. A control counts as failing
/// when a rule mapped to it has a finding that counts; the report behind the link also shows
/// what passed. Empty when no framework is asked for.
pub fn compliance(
    findings: &[Finding],
    rules: &[Rule],
    frameworks: &[Framework],
    report_url: Option<&str>,
) -> String {
    if frameworks.is_empty() {
        return String::new();
    }
    let failing_rules: BTreeSet<&str> = findings
        .iter()
        .filter(|f| f.is_active())
        .map(|f| f.rule.as_str())
        .collect();
    let mut out = String::from("\n### Compliance\n\n");
    for framework in frameworks {
        let failing: Vec<&str> = compliance::controls(*framework)
            .iter()
            .filter(|control| {
                rules.iter().any(|r| {
                    failing_rules.contains(r.code.as_str())
                        && r.controls
                            .iter()
                            .any(|c| c.framework == *framework && c.id == control.id)
                })
            })
            .map(|control| control.id.as_str())
            .collect();
        let name = framework.name();
        match failing.len() {
            0 => out.push_str(&format!("- **{name}**: no control failing\n")),
            n => {
                let mut ids: Vec<String> = failing
                    .iter()
                    .take(CONTROLS_NAMED)
                    .map(|id| escape(id))
                    .collect();
                if n > CONTROLS_NAMED {
                    ids.push(format!("{} more", n - CONTROLS_NAMED));
                }
                out.push_str(&format!(
                    "- **{name}**: {n} control{} failing ({})\n",
                    if n == 1 { "" } else { "s" },
                    ids.join(", ")
                ));
            }
        }
    }
    if let Some(url) = report_url.filter(|u| is_plain_link(u)) {
        out.push_str(&format!(
            "\n[Compliance report]({url}): every control with what passed and failed, and the data inventory (HTML).\n"
        ));
    }
    out
}

/// Whether `url` can go into a markdown link as it is: `https://` or `http://`, and nothing
/// that would end the link or start markup.
fn is_plain_link(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 2048
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "()<>[]\"'`\\".contains(c))
}

/// Every finding that counts as a table, most severe first: the check run's `text`.
pub fn details(findings: &[&Finding]) -> String {
    let mut rows: Vec<&&Finding> = findings.iter().collect();
    rows.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut out = String::from("| severity | rule | location | message |\n|---|---|---|---|\n");
    for f in rows {
        let place = match f.location.start_line() {
            Some(l) => format!("{}:{l}", f.location.path),
            None => f.location.path.clone(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            f.severity,
            escape(&f.rule),
            escape(&place),
            escape(&f.message)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::Location;

    #[test]
    fn counts_split_by_baseline_and_suppression() {
        let mut a = Finding::new("TG1", Severity::High, "a", Location::file("x"));
        a.baseline_state = Some(BaselineState::New);
        let mut b = a.clone();
        b.baseline_state = Some(BaselineState::Absent);
        let mut c = a.clone();
        c.baseline_state = Some(BaselineState::Unchanged);
        let rules = vec![Rule::new("TG1", "r", "iac", Severity::High, "R")];
        let counts = Counts::of(&[a, b, c], &rules);
        assert_eq!(
            (counts.new, counts.fixed, counts.unchanged, counts.active),
            (1, 1, 1, 1)
        );
        assert_eq!(counts.by_stage.get("iac"), Some(&1));
        let md = render(&[], &rules, &[], Verdict::Pass, None, true);
        assert!(md.contains("Passed") && md.contains("0 new"));
    }

    #[test]
    fn compliance_lines_name_failing_controls_in_catalog_order() {
        let rules = vec![
            Rule::new("TGX1", "a", "iac", Severity::High, "A")
                .control(Framework::Hipaa, "164.312(b)")
                .control(Framework::Hipaa, "164.312(a)(2)(iv)"),
            Rule::new("TGX2", "b", "iac", Severity::High, "B")
                .control(Framework::Hipaa, "164.312(d)"),
        ];
        let open = Finding::new("TGX1", Severity::High, "a", Location::file("x"));
        let mut accepted = Finding::new("TGX2", Severity::High, "b", Location::file("x"));
        accepted.baseline_state = Some(BaselineState::Unchanged);
        let url = "https://github.com/acme/app/actions/runs/1/artifacts/2";
        let md = compliance(
            &[open, accepted],
            &rules,
            &[Framework::Hipaa, Framework::Gdpr],
            Some(url),
        );
        assert!(
            md.contains("- **HIPAA**: 2 controls failing (164\\.312\\(a\\)\\(2\\)\\(iv\\), 164\\.312\\(b\\))\n"),
            "{md}"
        );
        assert!(md.contains("- **GDPR**: no control failing\n"), "{md}");
        assert!(md.contains(&format!("[Compliance report]({url})")), "{md}");
        assert_eq!(compliance(&[], &rules, &[], Some(url)), "");
    }

    #[test]
    fn compliance_lines_cap_the_ids_and_refuse_odd_links() {
        let ids: Vec<&str> = compliance::controls(Framework::Nist80053)
            .iter()
            .take(10)
            .map(|c| c.id.as_str())
            .collect();
        let rule = ids.iter().fold(
            Rule::new("TGX1", "a", "iac", Severity::High, "A"),
            |r, id| r.control(Framework::Nist80053, *id),
        );
        let f = Finding::new("TGX1", Severity::High, "a", Location::file("x"));
        let md = compliance(
            &[f],
            &[rule],
            &[Framework::Nist80053],
            Some("javascript:alert(1)"),
        );
        assert!(md.contains("10 controls failing ("), "{md}");
        assert!(md.contains(", 2 more)"), "{md}");
        assert!(!md.contains("Compliance report"), "{md}");
        for bad in [
            "https://x/a) [y](https://evil",
            "https://x/\nb",
            "http://x/<b>",
        ] {
            assert!(!is_plain_link(bad), "{bad}");
        }
        assert!(is_plain_link(
            "https://github.com/o/r/actions/runs/9#artifacts"
        ));
    }

    /// A message or file name from the pull request cannot mention people, link, embed HTML
    /// or break out of the link to the file.
    #[test]
    fn attacker_text_is_inert_in_the_summary() {
        let ctx = PrContext::from_vars(
            |_| None,
            &crate::context::ContextOverrides {
                repo: Some("acme/app".into()),
                sha: Some("abcdef1".into()),
                pr: Some(7),
                ..Default::default()
            },
        )
        .unwrap();
        let f = Finding::new(
            "TG1",
            Severity::High,
            "ping @admin, see [this](https://evil.test) <img src=x> #1\x1b[2J",
            Location::file("a)[pwn](https:/evil.test/x.yaml"),
        );
        let md = render(
            std::slice::from_ref(&f),
            &[],
            &[],
            Verdict::Fail,
            Some(&ctx),
            false,
        );
        assert!(
            !md.contains("@admin") && md.contains("@\u{200B}admin"),
            "{md}"
        );
        assert!(
            !md.contains("[this]") && !md.contains("<img") && !md.contains("https://evil"),
            "{md}"
        );
        assert!(
            md.contains("blob/abcdef1/a%29%5Bpwn%5D%28https%3A/evil.test/x.yaml"),
            "{md}"
        );
        assert!(!md.contains('\x1b'), "{md}");
        let table = details(&[&f]);
        assert!(
            !table.contains("@admin") && !table.contains("<img"),
            "{table}"
        );
    }

    /// A file that did not parse is named in the summary even when nothing was found.
    #[test]
    fn unparsed_files_are_listed() {
        let notes = vec![
            Notification::error("parse-error", "package-lock.json: expected `,` @admin").at(
                Location::at("package-lock.json", tollgate_core::Span::line(7)),
            ),
            Notification::note("unused-suppression", "not a problem"),
        ];
        let md = render(&[], &[], &notes, Verdict::Pass, None, false);
        assert!(md.contains("### Not checked"), "{md}");
        assert!(
            md.contains("- `package-lock.json:7` **error** (parse\\-error)"),
            "{md}"
        );
        assert!(
            !md.contains("@admin") && !md.contains("not a problem"),
            "{md}"
        );
    }
}
