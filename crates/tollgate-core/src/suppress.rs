//! Suppressions: inline comments (`tollgate:ignore[TG1001] reason`, `checkov:skip=CKV_AWS_116`)
//! and `[[ignore]]` config entries. Suppressed findings are kept and marked, never deleted; stale
//! suppressions (unused, expired) are reported so they do not outlive their reason.

mod comments;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use time::Date;

use crate::config::{Config, IgnoreEntry};
use crate::glob::PathGlobs;
use crate::postprocess::RuleIndex;
use crate::{Finding, Location, Notification, Span, Suppression, SuppressionKind};
use comments::{Directive, FileComments, Kind, Styles};

/// Justification recorded when a suppression comment gives no reason.
pub const NO_REASON: &str = "no reason given";

/// Mark suppressed findings, reading inline comments from the files that have findings.
///
/// `source` returns a file's text by repository-relative path (the scan context's cache).
/// Returns the notifications about suppressions themselves: malformed or reason-less comments,
/// unused inline suppressions, expired and unused config ignores.
pub fn apply_suppressions(
    findings: &mut [Finding],
    rules: &RuleIndex,
    config: &Config,
    today: Date,
    source: &dyn Fn(&str) -> Option<Arc<str>>,
) -> Vec<Notification> {
    apply_suppressions_in(findings, rules, config, today, &[], source)
}

/// Like [`apply_suppressions`], and also reads the comments of `scanned` files that have no
/// finding, so a `tollgate:ignore` left behind after its finding was fixed is reported too.
pub fn apply_suppressions_in(
    findings: &mut [Finding],
    rules: &RuleIndex,
    config: &Config,
    today: Date,
    scanned: &[&str],
    source: &dyn Fn(&str) -> Option<Arc<str>>,
) -> Vec<Notification> {
    let mut notes = Vec::new();
    apply_inline(findings, rules, scanned, source, &mut notes);
    apply_config(findings, rules, config, today, &mut notes);
    notes
}

/// Which ids of which directive suppressed something.
type Used = BTreeSet<(usize, usize)>;

fn apply_inline(
    findings: &mut [Finding],
    rules: &RuleIndex,
    scanned: &[&str],
    source: &dyn Fn(&str) -> Option<Arc<str>>,
    notes: &mut Vec<Notification>,
) {
    // One comment scan per file, however many findings it has.
    let mut files: BTreeMap<&str, Option<FileComments>> = BTreeMap::new();
    let paths = findings
        .iter()
        .map(|f| f.location.path.clone())
        .collect::<BTreeSet<_>>();
    for path in paths
        .iter()
        .map(String::as_str)
        .chain(scanned.iter().copied())
    {
        files.entry(path).or_insert_with(|| {
            let styles = Styles::for_path(path);
            if !styles.has_comments() {
                return None;
            }
            source(path).map(|text| FileComments::scan(&text, styles))
        });
    }

    let mut used: BTreeMap<String, Used> = BTreeMap::new();
    for finding in findings.iter_mut() {
        if finding.suppression.is_some() {
            continue;
        }
        let Some(Some(comments)) = files.get(finding.location.path.as_str()) else {
            continue;
        };
        let Some((d, i)) = matching_directive(finding, comments, rules) else {
            continue;
        };
        let directive = &comments.directives[d];
        finding.suppression = Some(Suppression {
            kind: SuppressionKind::InSource,
            justification: if directive.reason.is_empty() {
                NO_REASON.to_string()
            } else {
                directive.reason.clone()
            },
        });
        used.entry(finding.location.path.clone())
            .or_default()
            .insert((d, i));
    }

    for (path, comments) in &files {
        let Some(comments) = comments else { continue };
        let at = |line: u32| Location::at(*path, Span::line(line));
        for bad in &comments.malformed {
            notes.push(
                Notification::warning("invalid-suppression", bad.message.clone()).at(at(bad.line)),
            );
        }
        let used = used.get(*path);
        for (d, directive) in comments.directives.iter().enumerate() {
            if directive.kind != Kind::Ignore {
                // Checkov's skips are for Checkov too; an unmatched one is not stale.
                continue;
            }
            if directive.reason.is_empty() {
                notes.push(
                    Notification::warning(
                        "suppression-without-reason",
                        format!(
                            "`tollgate:ignore[{}]` gives no reason; add one after the brackets",
                            directive.ids.join(",")
                        ),
                    )
                    .at(at(directive.line)),
                );
            }
            for (i, id) in directive.ids.iter().enumerate() {
                if used.is_some_and(|u| u.contains(&(d, i))) {
                    continue;
                }
                let why = if rules.knows(id) {
                    format!("no {id} finding here")
                } else {
                    format!("{id} names no known rule")
                };
                notes.push(
                    Notification::note(
                        "unused-suppression",
                        format!(
                            "unused suppression `tollgate:ignore[{id}]` at {path}:{}: {why}",
                            directive.line
                        ),
                    )
                    .at(at(directive.line)),
                );
            }
        }
    }
}

/// The first directive (and id within it) that suppresses `finding`.
fn matching_directive(
    finding: &Finding,
    comments: &FileComments,
    rules: &RuleIndex,
) -> Option<(usize, usize)> {
    let line = finding.location.start_line();
    let header = finding.resource_line;
    comments
        .directives
        .iter()
        .enumerate()
        .filter(|(_, d)| applies_at(d, comments, line, header))
        .find_map(|(d, directive)| {
            directive
                .ids
                .iter()
                .position(|id| rules.finding_answers_to(finding, id))
                .map(|i| (d, i))
        })
}

/// Whether a directive stands where it can reach a finding at `line` in a resource whose header
/// is at `header`.
fn applies_at(
    directive: &Directive,
    comments: &FileComments,
    line: Option<u32>,
    header: Option<u32>,
) -> bool {
    let near = |target: Option<u32>| target.is_some_and(|t| comments.covers(directive.line, t));
    if near(line) || near(header) {
        return true;
    }
    // Checkov reads skips anywhere inside the resource block; so does tollgate for them.
    directive.kind == Kind::CheckovSkip
        && matches!((header, line), (Some(h), Some(l)) if h <= directive.line && directive.line <= l)
}

fn apply_config(
    findings: &mut [Finding],
    rules: &RuleIndex,
    config: &Config,
    today: Date,
    notes: &mut Vec<Notification>,
) {
    let file = config.file_name();
    let at = |entry: &IgnoreEntry| match entry.line {
        Some(line) => Location::at(file, Span::line(line)),
        None => Location::file(file),
    };
    let place = |entry: &IgnoreEntry| match entry.line {
        Some(line) => format!("{file}:{line}"),
        None => file.to_string(),
    };
    let mut active: Vec<(&IgnoreEntry, Option<PathGlobs>, bool)> = Vec::new();
    for entry in &config.ignore {
        if let Some(expires) = entry.expires {
            if expires.0 <= today {
                notes.push(
                    Notification::warning(
                        "expired-ignore",
                        format!(
                            "ignore of {} expired on {expires} ({}); it no longer applies: fix the findings or renew the entry",
                            entry.rule,
                            place(entry)
                        ),
                    )
                    .at(at(entry)),
                );
                continue;
            }
        }
        let globs = if entry.paths.is_empty() {
            None
        } else {
            match PathGlobs::new(&entry.paths) {
                Ok(globs) => Some(globs),
                Err(e) => {
                    notes.push(
                        Notification::warning(
                            "invalid-ignore",
                            format!("ignore of {}: {e}", entry.rule),
                        )
                        .at(at(entry)),
                    );
                    continue;
                }
            }
        };
        active.push((entry, globs, false));
    }

    for finding in findings.iter_mut() {
        for (entry, globs, used) in active.iter_mut() {
            if !rules.finding_answers_to(finding, &entry.rule) {
                continue;
            }
            if globs
                .as_ref()
                .is_some_and(|g| !g.is_match(&finding.location.path))
            {
                continue;
            }
            *used = true;
            if finding.suppression.is_none() {
                finding.suppression = Some(Suppression {
                    kind: SuppressionKind::External,
                    justification: entry.reason.clone(),
                });
            }
        }
    }

    for (entry, _, used) in &active {
        if !used {
            notes.push(
                Notification::note(
                    "unused-ignore",
                    format!(
                        "ignore of {} ({}) matched no finding; remove it if the problem is gone",
                        entry.rule,
                        place(entry)
                    ),
                )
                .at(at(entry)),
            );
        }
    }
}
