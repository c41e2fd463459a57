//! Finding suppression directives in source comments: `tollgate:ignore[CODE,...] reason` and
//! Checkov's `checkov:skip=ID:reason`. Line-based and tolerant: a full parse per language is not
//! needed to tell a comment that starts with a directive.

use std::collections::HashSet;

/// Which comment openers a file's language has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Styles {
    hash: bool,
    slash: bool,
}

impl Styles {
    /// By file name: JSON has no comments; HCL has `#` and `//`; C-like languages `//`;
    /// everything else (YAML, TOML, requirements, Python, shell...) `#`.
    pub(crate) fn for_path(path: &str) -> Styles {
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "json" | "sarif" | "ipynb" => Styles {
                hash: false,
                slash: false,
            },
            "tf" | "hcl" | "tfvars" => Styles {
                hash: true,
                slash: true,
            },
            "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs" | "go" | "rs" | "java" | "kt" | "kts"
            | "cs" | "swift" | "scala" | "c" | "h" | "cc" | "cpp" | "hpp" | "gradle" => Styles {
                hash: false,
                slash: true,
            },
            _ if name == "go.mod" => Styles {
                hash: false,
                slash: true,
            },
            // JSON lockfiles whose names do not end in .json.
            _ if name == "pipfile.lock" || name == "composer.lock" => Styles {
                hash: false,
                slash: false,
            },
            _ => Styles {
                hash: true,
                slash: false,
            },
        }
    }

    pub(crate) fn has_comments(self) -> bool {
        self.hash || self.slash
    }
}

/// What a directive says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `tollgate:ignore[A,B] reason`.
    Ignore,
    /// `checkov:skip=ID:reason`.
    CheckovSkip,
}

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Directive {
    pub line: u32,
    pub kind: Kind,
    /// Rule ids as written (codes, names or peer-tool ids).
    pub ids: Vec<String>,
    /// The reason after the ids; empty when none was given.
    pub reason: String,
    /// Whether the comment is alone on its line (so it may stand above what it suppresses).
    pub comment_only: bool,
}

/// A malformed directive, reported rather than silently ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed {
    pub line: u32,
    pub message: String,
}

/// The directives of one file and which of its lines hold nothing but a comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FileComments {
    pub directives: Vec<Directive>,
    pub malformed: Vec<Malformed>,
    comment_only_lines: HashSet<u32>,
}

const IGNORE_MARK: &str = "tollgate:ignore";
const CHECKOV_MARK: &str = "checkov:skip=";

/// Whether `text` holds either suppression mark anywhere: a text without one yields no
/// directive, whatever its comments say.
pub(crate) fn holds_mark(text: &str) -> bool {
    text.contains(IGNORE_MARK) || text.contains(CHECKOV_MARK)
}

impl FileComments {
    pub(crate) fn scan(text: &str, styles: Styles) -> FileComments {
        let mut out = FileComments::default();
        if !styles.has_comments() {
            return out;
        }
        // Most files hold no directive at all: one search of the whole text for each mark
        // spares them the line-by-line scan (comment-only lines matter only next to one).
        if !holds_mark(text) {
            return out;
        }
        for (index, line) in text.lines().enumerate() {
            let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let trimmed = line.trim_start();
            if (styles.hash && trimmed.starts_with('#'))
                || (styles.slash && trimmed.starts_with("//"))
            {
                out.comment_only_lines.insert(number);
            }
            for (mark, kind) in [
                (IGNORE_MARK, Kind::Ignore),
                (CHECKOV_MARK, Kind::CheckovSkip),
            ] {
                let Some(at) = find_in_comment(line, mark, styles) else {
                    continue;
                };
                let comment_only = out.comment_only_lines.contains(&number);
                let rest = &line[at + mark.len()..];
                match parse_directive(rest, &kind) {
                    Ok((ids, reason)) => out.directives.push(Directive {
                        line: number,
                        kind,
                        ids,
                        reason,
                        comment_only,
                    }),
                    Err(message) => out.malformed.push(Malformed {
                        line: number,
                        message,
                    }),
                }
            }
        }
        out
    }

    pub(crate) fn is_comment_only(&self, line: u32) -> bool {
        self.comment_only_lines.contains(&line)
    }

    /// Whether a directive on `directive_line` stands for `target`: on that line, or in the
    /// run of comment-only lines directly above it.
    pub(crate) fn covers(&self, directive_line: u32, target: u32) -> bool {
        if directive_line == target {
            return true;
        }
        if directive_line > target {
            return false;
        }
        (directive_line..target).all(|line| self.is_comment_only(line))
    }
}

/// The byte offset of `mark` in `line` when it opens a comment: the text before it, less
/// whitespace, ends with a comment opener that is not inside a double-quoted string.
fn find_in_comment(line: &str, mark: &str, styles: Styles) -> Option<usize> {
    let at = line.find(mark)?;
    let before = line[..at].trim_end();
    let opener = if styles.slash && before.ends_with("//") {
        before.len() - 2
    } else if styles.hash && before.ends_with('#') {
        let opener = before.len() - 1;
        // YAML and shell only start a comment at `#` after whitespace or at the line start.
        let prev = line[..opener].chars().next_back();
        if prev.is_some_and(|c| !c.is_whitespace()) {
            return None;
        }
        opener
    } else {
        return None;
    };
    let quotes = line[..opener].matches('"').count() - line[..opener].matches("\\\"").count();
    (quotes % 2 == 0).then_some(at)
}

/// Ids and reason after the mark.
fn parse_directive(rest: &str, kind: &Kind) -> Result<(Vec<String>, String), String> {
    match kind {
        Kind::Ignore => {
            let body = rest
                .strip_prefix('[')
                .ok_or("`tollgate:ignore` needs rule codes in brackets, e.g. `tollgate:ignore[TG1001] reason`")?;
            let (list, reason) = body
                .split_once(']')
                .ok_or("`tollgate:ignore[` is missing its closing `]`")?;
            let ids: Vec<String> = list
                .split(',')
                .map(|id| id.trim().to_string())
                .filter(|id| !id.is_empty())
                .collect();
            if ids.is_empty() {
                return Err("`tollgate:ignore[]` names no rule code".into());
            }
            if let Some(all) = ids.iter().find(|id| id.eq_ignore_ascii_case("all")) {
                return Err(format!(
                    "`tollgate:ignore[{all}]` is not supported: name the rule codes to suppress"
                ));
            }
            Ok((ids, clean_reason(reason)))
        }
        Kind::CheckovSkip => {
            let end = rest
                .find(|c: char| c == ':' || c == ',' || c.is_whitespace())
                .unwrap_or(rest.len());
            let id = rest[..end].trim();
            if id.is_empty() {
                return Err("`checkov:skip=` names no check id".into());
            }
            let reason = rest[end..].strip_prefix(':').unwrap_or("");
            Ok((vec![id.to_string()], clean_reason(reason)))
        }
    }
}

/// Trim separators people put between the ids and the reason (`: reason`, `- reason`).
fn clean_reason(reason: &str) -> String {
    let reason = reason.trim();
    let reason = reason
        .strip_prefix(':')
        .or_else(|| reason.strip_prefix("--"))
        .or_else(|| reason.strip_prefix('-'))
        .or_else(|| reason.strip_prefix('\u{2014}'))
        .unwrap_or(reason);
    // A closing block-comment marker is syntax, not part of the reason.
    reason.trim().trim_end_matches("*/").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(path: &str, text: &str) -> FileComments {
        FileComments::scan(text, Styles::for_path(path))
    }

    /// A file without either mark is not scanned line by line; a mark anywhere still is.
    #[test]
    fn files_without_a_mark_are_not_scanned() {
        let text = "# deploys the API\nResources: # all of them\n  # nothing to ignore here\n";
        assert_eq!(scan("t.yaml", text), FileComments::default());
        let marked = format!("{text}  # tollgate:ignore[TG1001]\n");
        let c = scan("t.yaml", &marked);
        assert_eq!(c.directives.len(), 1);
        assert!(
            c.is_comment_only(3),
            "comment lines are recorded once a mark is present"
        );
    }

    #[test]
    fn reads_ignore_directives_in_hash_and_slash_comments() {
        let c = scan(
            "main.tf",
            "# tollgate:ignore[TG1001, TG1002] handled by the platform team\nx = 1 // tollgate:ignore[TG2001]\n",
        );
        assert_eq!(c.directives.len(), 2);
        assert_eq!(c.directives[0].ids, ["TG1001", "TG1002"]);
        assert_eq!(c.directives[0].reason, "handled by the platform team");
        assert!(c.directives[0].comment_only);
        assert_eq!(c.directives[1].line, 2);
        assert_eq!(c.directives[1].reason, "");
        assert!(!c.directives[1].comment_only);
    }

    #[test]
    fn reads_checkov_skips() {
        let c = scan(
            "t.yaml",
            "#checkov:skip=CKV_AWS_116:DLQ not needed\n  # checkov:skip=CKV_AWS_117\n",
        );
        assert_eq!(c.directives[0].kind, Kind::CheckovSkip);
        assert_eq!(c.directives[0].ids, ["CKV_AWS_116"]);
        assert_eq!(c.directives[0].reason, "DLQ not needed");
        assert_eq!(c.directives[1].ids, ["CKV_AWS_117"]);
        assert_eq!(c.directives[1].reason, "");
    }

    #[test]
    fn ignores_marks_outside_comments_and_in_json() {
        let c = scan("t.yaml", "a: \"# tollgate:ignore[TG1] x\"\nb: c#tollgate:ignore[TG1]\nurl: http://x//tollgate:ignore[TG1]\n");
        assert!(c.directives.is_empty(), "{c:?}");
        let c = scan("t.json", "{\"a\": 1} # tollgate:ignore[TG1]\n");
        assert!(c.directives.is_empty());
    }

    #[test]
    fn apostrophes_in_yaml_do_not_hide_a_comment() {
        let c = scan(
            "t.yaml",
            "Description: it's public # tollgate:ignore[TG1301] static site\n",
        );
        assert_eq!(c.directives.len(), 1);
        assert_eq!(c.directives[0].reason, "static site");
    }

    #[test]
    fn malformed_directives_are_kept_for_reporting() {
        let c = scan(
            "t.yaml",
            "# tollgate:ignore[all] lazy\n# tollgate:ignore TG1\n# tollgate:ignore[TG1\n",
        );
        assert!(c.directives.is_empty());
        let lines: Vec<u32> = c.malformed.iter().map(|m| m.line).collect();
        assert_eq!(lines, [1, 2, 3]);
        assert!(c.malformed[0].message.contains("not supported"));
    }

    #[test]
    fn covers_same_line_and_the_comment_block_above() {
        let c = scan(
            "t.yaml",
            "# tollgate:ignore[TG1] a\n# plain comment\nFn:\n\n  x: 1\n",
        );
        assert!(c.covers(1, 1));
        assert!(c.covers(1, 3));
        assert!(!c.covers(1, 5));
        assert!(!c.covers(3, 1));
    }
}
