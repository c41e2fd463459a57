//! Filter modes as reviewdog users know them: which findings belong to a pull request.

use std::fmt;
use std::str::FromStr;

use tollgate_core::Finding;

use crate::diff::DiffMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FilterMode {
    /// Only findings whose line was added (the default for comments).
    #[default]
    Added,
    /// Findings inside any hunk, context lines included.
    DiffContext,
    /// Findings anywhere in a changed file.
    File,
    /// Everything.
    NoFilter,
}

impl FilterMode {
    pub fn as_str(self) -> &'static str {
        match self {
            FilterMode::Added => "added",
            FilterMode::DiffContext => "diff_context",
            FilterMode::File => "file",
            FilterMode::NoFilter => "nofilter",
        }
    }
}

impl fmt::Display for FilterMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown filter mode `{0}`, expected one of added, diff_context, file, nofilter")]
pub struct UnknownFilterMode(pub String);

impl FromStr for FilterMode {
    type Err = UnknownFilterMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "added" => Ok(FilterMode::Added),
            "diff_context" | "diff-context" => Ok(FilterMode::DiffContext),
            "file" => Ok(FilterMode::File),
            "nofilter" | "no-filter" => Ok(FilterMode::NoFilter),
            _ => Err(UnknownFilterMode(s.to_string())),
        }
    }
}

/// Whether `finding` belongs to the change under `mode`. A finding without a line (a whole-file
/// or dependency finding) counts in `added`/`diff_context` when its file changed at all; a file
/// whose patch GitHub withheld counts as changed throughout.
pub fn in_scope(finding: &Finding, diff: &DiffMap, mode: FilterMode) -> bool {
    if mode == FilterMode::NoFilter {
        return true;
    }
    let Some(file) = diff.file(&finding.location.path) else {
        return false;
    };
    if mode == FilterMode::File || file.patch_missing {
        return true;
    }
    let Some(region) = finding.location.region else {
        return true;
    };
    let (start, end) = (region.start.line, region.end.line.max(region.start.line));
    match mode {
        FilterMode::Added => file.added.range(start..=end).next().is_some(),
        FilterMode::DiffContext => file.hunks.iter().any(|&(s, e)| s <= end && start <= e),
        FilterMode::File | FilterMode::NoFilter => true,
    }
}

/// The findings that belong to the change under `mode`, in their order.
pub fn filter<'a>(findings: &'a [Finding], diff: &DiffMap, mode: FilterMode) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| in_scope(f, diff, mode))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::parse_patch;
    use tollgate_core::{Location, Pos, Severity, Span};

    fn at(path: &str, line: u32) -> Finding {
        let pos = Pos::new(line, 1);
        Finding::new(
            "TG1001",
            Severity::High,
            "m",
            Location::at(
                path,
                Span {
                    start: pos,
                    end: pos,
                },
            ),
        )
    }

    #[test]
    fn modes_widen_in_order() {
        let mut diff = DiffMap::default();
        diff.files.insert(
            "a.yaml".into(),
            parse_patch("a.yaml", "@@ -1,3 +1,4 @@\n a\n+b\n c\n d").unwrap(),
        );
        let added = at("a.yaml", 2);
        let context = at("a.yaml", 4);
        let outside = at("a.yaml", 40);
        let other = at("b.yaml", 2);
        let all = [&added, &context, &outside, &other];
        let count = |m| all.iter().filter(|f| in_scope(f, &diff, m)).count();
        assert_eq!(count(FilterMode::Added), 1);
        assert_eq!(count(FilterMode::DiffContext), 2);
        assert_eq!(count(FilterMode::File), 3);
        assert_eq!(count(FilterMode::NoFilter), 4);
        assert_eq!(
            "diff_context".parse::<FilterMode>().unwrap(),
            FilterMode::DiffContext
        );
        assert!("nearby".parse::<FilterMode>().is_err());
    }
}
