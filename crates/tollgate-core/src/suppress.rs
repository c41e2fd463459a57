//! Suppressions: inline comments (`tollgate:ignore[TG1001] reason`, `checkov:skip=CKV_AWS_116`)
//! and `[[ignore]]` config entries. Suppressed findings are kept and marked, never deleted; stale
//! suppressions (unused, expired) are reported so they do not outlive their reason.

mod comments;

pub(crate) use comments::holds_mark;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
    source: &(dyn Fn(&str) -> Option<Arc<str>> + Sync),
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
    source: &(dyn Fn(&str) -> Option<Arc<str>> + Sync),
) -> Vec<Notification> {
    let mut notes = Vec::new();
    apply_inline(findings, rules, config, scanned, source, &mut notes);
    apply_config(findings, rules, config, today, &mut notes);
    notes
}

/// Which ids of which directive suppressed something.
type Used = BTreeSet<(usize, usize)>;

fn apply_inline(
    findings: &mut [Finding],
    rules: &RuleIndex,
    config: &Config,
    scanned: &[&str],
    source: &(dyn Fn(&str) -> Option<Arc<str>> + Sync),
    notes: &mut Vec<Notification>,
) {
    use rayon::prelude::*;
    // One comment scan per file, however many findings it has, on all cores: a large scan
    // has a hundred thousand findings in thousands of files. Each path is copied once, not
    // once per finding.
    let mut paths: Vec<String> = {
        // Each core gathers a share of the findings' paths, skipping runs of one path (a
        // stage reports a file's findings together) before hashing.
        let mut unique = findings
            .par_chunks(4096)
            .map(|chunk| {
                let mut unique = HashSet::new();
                let mut last = None;
                for path in chunk.iter().map(|f| f.location.path.as_str()) {
                    if last != Some(path) {
                        unique.insert(path);
                        last = Some(path);
                    }
                }
                unique
            })
            .reduce(HashSet::new, |mut all, more| {
                all.extend(more);
                all
            });
        unique.extend(scanned.iter().copied());
        unique.into_iter().map(str::to_string).collect()
    };
    paths.par_sort_unstable();
    let files: Vec<(String, Option<FileComments>)> = paths
        .into_par_iter()
        .map(|path| {
            let styles = Styles::for_path(&path);
            let comments = if styles.has_comments() {
                source(&path).map(|text| FileComments::scan(&text, styles))
            } else {
                None
            };
            (path, comments)
        })
        .collect();
    // Only files with a directive can suppress; most files have none, and then no finding
    // needs a look.
    let with_directives: HashMap<&str, &FileComments> = files
        .iter()
        .filter_map(|(path, comments)| match comments {
            Some(c) if !c.directives.is_empty() => Some((path.as_str(), c)),
            _ => None,
        })
        .collect();

    let mut used: BTreeMap<String, Used> = BTreeMap::new();
    if !with_directives.is_empty() {
        for finding in findings.iter_mut() {
            if finding.suppression.is_some() {
                continue;
            }
            let Some(comments) = with_directives.get(finding.location.path.as_str()) else {
                continue;
            };
            let matches = matching_directives(finding, comments, rules);
            let Some(&(_, _, d, _)) = matches.iter().min() else {
                continue;
            };
            let directive = &comments.directives[d];
            finding.suppression = Some(Box::new(Suppression {
                kind: SuppressionKind::InSource,
                justification: if directive.reason.is_empty() {
                    NO_REASON.to_string()
                } else {
                    directive.reason.clone()
                },
            }));
            // Every directive that would have suppressed the finding did its job, not only
            // the nearest one, so none of them is reported as unused.
            let used = used.entry(finding.location.path.clone()).or_default();
            used.extend(matches.iter().map(|&(_, _, d, i)| (d, i)));
        }
    }

    for (path, comments) in &files {
        let Some(comments) = comments else { continue };
        let path = path.as_str();
        let at = |line: u32| Location::at(path, Span::line(line));
        for bad in &comments.malformed {
            notes.push(
                Notification::warning("invalid-suppression", bad.message.clone()).at(at(bad.line)),
            );
        }
        let used = used.get(path);
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
                // A disabled rule raises nothing, so its suppressions are idle, not stale.
                if used.is_some_and(|u| u.contains(&(d, i))) || is_disabled(id, rules, config) {
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

/// Whether `[rules.X] disable = true` turns off the rule `id` names.
fn is_disabled(id: &str, rules: &RuleIndex, config: &Config) -> bool {
    config.rules.iter().any(|(key, setting)| {
        setting.disable
            && (key.eq_ignore_ascii_case(id) || rules.lookup(id).any(|rule| rule.answers_to(key)))
    })
}

/// The directives (and the id within each) that suppress `finding`, each with a rank: 0 on or
/// above the finding's line, 1 on or above the resource header, 2 inside the resource (Checkov
/// skips), then the distance above the target; the best match is the smallest.
fn matching_directives(
    finding: &Finding,
    comments: &FileComments,
    rules: &RuleIndex,
) -> Vec<(u8, u32, usize, usize)> {
    let line = finding.location.start_line();
    let header = finding.resource_line;
    comments
        .directives
        .iter()
        .enumerate()
        .filter_map(|(d, directive)| {
            let rank = rank(directive, comments, line, header)?;
            let i = directive
                .ids
                .iter()
                .position(|id| rules.finding_answers_to(finding, id))?;
            let distance = u32::MAX - directive.line;
            Some((rank, distance, d, i))
        })
        .collect()
}

/// How a directive reaches a finding at `line` in a resource whose header is at `header`, if
/// it does.
fn rank(
    directive: &Directive,
    comments: &FileComments,
    line: Option<u32>,
    header: Option<u32>,
) -> Option<u8> {
    let near = |target: Option<u32>| target.is_some_and(|t| comments.covers(directive.line, t));
    if near(line) {
        return Some(0);
    }
    if near(header) {
        return Some(1);
    }
    // Checkov reads skips anywhere inside the resource block; so does tollgate for them.
    let inside =
        matches!((header, line), (Some(h), Some(l)) if h <= directive.line && directive.line <= l);
    (directive.kind == Kind::CheckovSkip && inside).then_some(2)
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
                finding.suppression = Some(Box::new(Suppression {
                    kind: SuppressionKind::External,
                    justification: entry.reason.clone(),
                }));
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

#[cfg(test)]
mod tests;
