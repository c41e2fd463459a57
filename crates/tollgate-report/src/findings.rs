//! The report's list of findings, each with a few source lines around it, and their counts.

use std::collections::HashMap;
use std::path::{Component, Path};

use tollgate_core::{Finding, Rule};

use crate::controls::fix_of;
use crate::model::{FindingEntry, FindingSummary, FrameLine};

/// Lines shown above and below a finding's line.
const FRAME_CONTEXT: u32 = 2;
/// Longest line kept in a frame, in characters.
const FRAME_LINE_CHARS: usize = 240;
/// Largest file a frame is read from.
const FRAME_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// Every finding as a report entry, most severe first, and for each finding (by its index in
/// the input) its entry's `id`; the first `frames` entries with their code frame.
pub fn entries(
    findings: &[Finding],
    rules: &[Rule],
    root: Option<&Path>,
    frames: usize,
) -> (Vec<FindingEntry>, Vec<usize>) {
    let by_code: HashMap<&str, &Rule> = rules.iter().map(|r| (r.code.as_str(), r)).collect();
    // Each rule's fix is written once: a rule can have thousands of findings.
    let mut fixes: HashMap<&str, String> = HashMap::new();
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&findings[a], &findings[b]);
        fb.severity
            .cmp(&fa.severity)
            .then_with(|| fa.location.path.cmp(&fb.location.path))
            .then_with(|| fa.location.start_line().cmp(&fb.location.start_line()))
            .then_with(|| fa.rule.cmp(&fb.rule))
    });
    let mut files = Sources::new(root);
    let mut entry_of = vec![0; findings.len()];
    let mut out = Vec::with_capacity(findings.len());
    for (id, index) in order.into_iter().enumerate() {
        let f = &findings[index];
        let rule = by_code.get(f.rule.as_str());
        let line = f.location.start_line();
        entry_of[index] = id;
        out.push(FindingEntry {
            id,
            rule: f.rule.clone(),
            title: rule.map_or_else(|| f.rule.clone(), |r| r.title.clone()),
            stage: stage_of(f, &by_code),
            severity: f.severity.as_str().to_string(),
            message: f.message.clone(),
            path: f.location.path.clone(),
            line,
            resource: f.resource.clone(),
            suppressed: f.suppression.as_ref().map(|s| s.justification.clone()),
            fix: rule.map_or_else(String::new, |r| {
                fixes.entry(&r.code).or_insert_with(|| fix_of(r)).clone()
            }),
            frame: line
                .filter(|_| id < frames)
                .map(|l| files.frame(&f.location.path, l))
                .unwrap_or_default(),
        });
    }
    (out, entry_of)
}

fn stage_of(f: &Finding, by_code: &HashMap<&str, &Rule>) -> String {
    by_code
        .get(f.rule.as_str())
        .map_or_else(|| "external".to_string(), |r| r.stage.clone())
}

/// Open and suppressed findings, counted.
pub fn summary(findings: &[Finding], rules: &[Rule]) -> FindingSummary {
    let by_code: HashMap<&str, &Rule> = rules.iter().map(|r| (r.code.as_str(), r)).collect();
    let mut out = FindingSummary {
        total: findings.len(),
        ..FindingSummary::default()
    };
    for f in findings {
        if f.suppression.is_some() {
            out.suppressed += 1;
            continue;
        }
        out.open += 1;
        *out.by_severity
            .entry(f.severity.as_str().to_string())
            .or_default() += 1;
        *out.by_stage.entry(stage_of(f, &by_code)).or_default() += 1;
    }
    out
}

/// Files of the scanned root, read once each for their frames.
struct Sources<'r> {
    root: Option<&'r Path>,
    files: HashMap<String, Option<Lines>>,
}

/// A file's text and where each of its lines is (as [`str::lines`] splits them), so that a
/// frame copies only the few lines it shows.
struct Lines {
    text: String,
    ranges: Vec<std::ops::Range<usize>>,
}

impl Lines {
    fn new(text: String) -> Self {
        let base = text.as_ptr() as usize;
        let ranges = text
            .lines()
            .map(|line| {
                let start = line.as_ptr() as usize - base;
                start..start + line.len()
            })
            .collect();
        Lines { text, ranges }
    }

    /// Line `number` (1-based).
    fn get(&self, number: u32) -> Option<&str> {
        let range = self.ranges.get((number as usize).checked_sub(1)?)?;
        self.text.get(range.clone())
    }
}

impl<'r> Sources<'r> {
    fn new(root: Option<&'r Path>) -> Self {
        Self {
            root,
            files: HashMap::new(),
        }
    }

    /// The lines around `line` of `path`; empty when the file cannot be read (or its path
    /// would leave the root: paths come from a SARIF log, which may be anyone's).
    fn frame(&mut self, path: &str, line: u32) -> Vec<FrameLine> {
        let root = self.root;
        let lines = self
            .files
            .entry(path.to_string())
            .or_insert_with(|| read_text(root?, path).map(Lines::new));
        let Some(lines) = lines else {
            return Vec::new();
        };
        let first = line.saturating_sub(FRAME_CONTEXT).max(1);
        let last = line.saturating_add(FRAME_CONTEXT);
        (first..=last)
            .filter_map(|n| {
                Some(FrameLine {
                    number: n,
                    text: clean_line(lines.get(n)?),
                    highlight: n == line,
                })
            })
            .collect()
    }
}

fn read_text(root: &Path, path: &str) -> Option<String> {
    let relative = Path::new(path);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    let full = root.join(relative);
    // Never follow a link out of the root.
    let real = full.canonicalize().ok()?;
    if !real.starts_with(root.canonicalize().ok()?) {
        return None;
    }
    tollgate_core::read_regular_text(&real, FRAME_FILE_BYTES).ok()
}

/// A source line as a frame shows it: tabs as spaces, other control characters as `?`, cut
/// at [`FRAME_LINE_CHARS`].
fn clean_line(line: &str) -> String {
    let mut out = String::new();
    for (i, c) in line.chars().enumerate() {
        if i == FRAME_LINE_CHARS {
            out.push('…');
            break;
        }
        out.push(match c {
            '\t' => ' ',
            c if c.is_control() => '?',
            c => c,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::{Location, Severity, Span};

    #[test]
    fn frames_stay_inside_the_root_and_clean_their_lines() {
        let dir =
            std::env::temp_dir().join(format!("tollgate-report-frame-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("t.yaml"), "a\nb\x1b[31m\nc\td\ne\nf\ng\n").unwrap();
        let finding = |path: &str| {
            Finding::new(
                "TG1",
                Severity::High,
                "m",
                Location::at(path, Span::line(3)),
            )
        };
        let findings = [finding("t.yaml"), finding("../t.yaml")];
        let (entries, _) = entries(&findings, &[], Some(&dir), crate::ALL_FRAMES);
        let inside = entries.iter().find(|e| e.path == "t.yaml").unwrap();
        let numbers: Vec<u32> = inside.frame.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
        assert_eq!(inside.frame[1].text, "b?[31m");
        assert_eq!(inside.frame[2].text, "c d");
        assert!(inside.frame[2].highlight);
        let outside = entries.iter().find(|e| e.path == "../t.yaml").unwrap();
        assert!(
            outside.frame.is_empty(),
            "a path out of the root is not read"
        );
        // Only the first entries asked for read their frame.
        let (first, _) =
            super::entries(&[finding("t.yaml"), finding("t.yaml")], &[], Some(&dir), 1);
        assert_eq!(first[0].frame.len(), 5);
        assert!(first[1].frame.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
