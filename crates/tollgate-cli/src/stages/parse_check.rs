//! Stage `parse`, rule `TG0001 template-does-not-parse`: every template and workflow the
//! inventory found must parse. A template that does not parse is skipped by every other rule,
//! so without this check a syntax error would silently hide all of its problems.

use tollgate_core::{
    FileKind, Finding, Location, Notification, ParseError, Pos, Precision, Rule, ScanContext,
    Severity, SourceFile, Span, Stage, StageError, StageReport,
};
use tollgate_syntax::SyntaxErrorKind;

pub const CODE: &str = "TG0001";
pub const NAME: &str = "parse";

#[derive(Debug, Default)]
pub struct ParseCheck;

fn rule() -> Rule {
    Rule::new(
        CODE,
        "template-does-not-parse",
        NAME,
        Severity::Medium,
        "Template or workflow does not parse",
    )
    .description(
        "The file was recognised as an infrastructure template or a CI workflow but is not \
         valid YAML, JSON or HCL (or nests deeper, or expands aliases further, than tollgate \
         accepts). No other rule can look inside it, so any problem it holds goes unreported.",
    )
    .remediation(
        "Fix the syntax error at the reported line and column. Validate locally with the \
         tool that deploys the file (`cfn-lint`, `sam validate`, `terraform validate`, \
         `actionlint`).",
    )
    .tags(["syntax", "coverage"])
    .precision(Precision::VeryHigh)
}

/// Files this stage checks: what later rules would read.
fn checked(kind: &FileKind) -> bool {
    kind.is_template() || *kind == FileKind::Workflow
}

impl Stage for ParseCheck {
    fn name(&self) -> &str {
        NAME
    }

    fn rules(&self) -> Vec<Rule> {
        vec![rule()]
    }

    fn run(&self, ctx: &ScanContext) -> Result<StageReport, StageError> {
        let mut report = StageReport::default();
        let files: Vec<&SourceFile> = ctx.files_where(checked).collect();
        let outcomes = parse_outcomes(ctx, &files);
        let mut files = files.into_iter().zip(outcomes);
        while let Some((file, outcome)) = files.next() {
            if ctx.is_cancelled() {
                report.not_checked.push(file.path.clone());
                report
                    .not_checked
                    .extend(files.map(|(f, _)| f.path.clone()));
                break;
            }
            let error = match outcome {
                None | Some(ParseError::NotADocument { .. }) => continue,
                Some(ParseError::File(e)) => {
                    report.notify(
                        Notification::warning("file-skipped", format!("{}: {e}", file.path))
                            .at(Location::file(&file.path))
                            .stage(NAME),
                    );
                    continue;
                }
                Some(e @ ParseError::ParserFailed) => {
                    report.notify(
                        Notification::error("parser-failed", format!("{}: {e}", file.path))
                            .at(Location::file(&file.path))
                            .stage(NAME),
                    );
                    continue;
                }
                Some(ParseError::Syntax(e)) => e,
            };
            if error.kind == SyntaxErrorKind::TooLarge {
                report.notify(
                    Notification::warning(
                        "file-skipped",
                        format!("{}: {}", file.path, error.message),
                    )
                    .at(Location::file(&file.path))
                    .stage(NAME),
                );
                continue;
            }
            let region = error
                .pos
                .map(|p| Span::new(p, Pos::new(p.line, p.col.saturating_add(1))));
            let location = Location::new(&file.path, region);
            let format = match file.kind.format() {
                Some(tollgate_syntax::Format::Yaml) => "YAML",
                Some(tollgate_syntax::Format::Json) => "JSON",
                Some(tollgate_syntax::Format::Hcl) => "HCL",
                None => "a document",
            };
            let message = format!("does not parse as {format}: {}", error.message);
            let at = match error.pos {
                Some(p) => format!("{}:{}:{}", file.path, p.line, p.col),
                None => file.path.clone(),
            };
            report.notify(
                Notification::warning("parse-error", format!("{at}: {message}"))
                    .at(location.clone())
                    .stage(NAME),
            );
            // No evidence: one finding per file, so the fingerprint stays put while the
            // error moves around during editing.
            report.push(Finding::new(
                CODE,
                Severity::Medium,
                format!("File {message}"),
                location,
            ));
        }
        Ok(report)
    }
}

/// Each file's parse error, if any, in the order of `files`, parsed on all cores (rayon's
/// pool). When the context keeps documents (a later stage reads them), they stay in its cache;
/// otherwise each is dropped as soon as it is parsed, so a run of this stage alone never holds
/// every document at once. A cancelled scan stops starting files; the caller lists them as not
/// checked, since it sees the cancel too.
fn parse_outcomes(ctx: &ScanContext, files: &[&SourceFile]) -> Vec<Option<ParseError>> {
    use rayon::prelude::*;
    files
        .par_iter()
        .map(|file| {
            if ctx.is_cancelled() {
                return None;
            }
            ctx.document(file).err()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use tollgate_core::Config;

    fn check(files: &[(&str, FileKind, &str)]) -> StageReport {
        check_with(files, true)
    }

    /// Run the stage over `files`, with the context keeping parsed documents or not.
    fn check_with(files: &[(&str, FileKind, &str)], keep_documents: bool) -> StageReport {
        let dir = tempfile::tempdir().unwrap();
        let sources = files
            .iter()
            .map(|(path, kind, text)| {
                let abs = dir.path().join(path);
                std::fs::write(&abs, text).unwrap();
                SourceFile {
                    path: path.to_string(),
                    abs,
                    kind: kind.clone(),
                    size: text.len() as u64,
                }
            })
            .collect();
        let mut ctx = ScanContext::new(
            dir.path().to_path_buf(),
            sources,
            Arc::new(Config::default()),
            time::macros::date!(2027 - 01 - 01),
        );
        if !keep_documents {
            ctx = ctx.without_document_cache();
        }
        let report = ParseCheck.run(&ctx).unwrap();
        let templates = ctx.files().iter().filter(|f| checked(&f.kind));
        let cached = templates.filter(|f| ctx.is_parsed(f)).count();
        if !keep_documents {
            assert_eq!(cached, 0, "no document is kept without the cache");
        }
        report
    }

    /// Run alone, the stage keeps no document; it reports the same either way, in file order.
    #[test]
    fn same_report_with_and_without_the_document_cache() {
        let cfn = FileKind::CloudFormation { json: false };
        let files: Vec<(String, FileKind, String)> = (0..40)
            .map(|i| {
                let text = if i % 3 == 0 {
                    format!("Resources:\n  A{i}: [1,\n")
                } else {
                    format!("Resources:\n  A{i}:\n    Type: AWS::S3::Bucket\n")
                };
                (format!("t{i:02}.yaml"), cfn.clone(), text)
            })
            .collect();
        let files: Vec<(&str, FileKind, &str)> = files
            .iter()
            .map(|(p, k, t)| (p.as_str(), k.clone(), t.as_str()))
            .collect();
        let kept = check_with(&files, true);
        let dropped = check_with(&files, false);
        assert_eq!(kept.findings.len(), 14);
        assert_eq!(kept.findings, dropped.findings);
        assert_eq!(kept.notifications, dropped.notifications);
        let paths: Vec<&str> = dropped
            .findings
            .iter()
            .map(|f| f.location.path.as_str())
            .collect();
        let mut sorted = paths.clone();
        sorted.sort_unstable();
        assert_eq!(paths, sorted);
    }

    #[test]
    fn syntax_error_is_a_finding_at_its_position() {
        let cfn = FileKind::CloudFormation { json: true };
        let report = check(&[
            (
                "bad.json",
                cfn.clone(),
                "{\n  \"Resources\": {\n    \"A\": 1\n    \"B\": 2\n  }\n}\n",
            ),
            ("good.json", cfn, "{\"Resources\": {}}"),
            // Not a template: never this stage's business.
            ("data.json", FileKind::JsonOther, "{ nope"),
        ]);
        assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
        let finding = &report.findings[0];
        assert_eq!(finding.rule, CODE);
        assert_eq!(finding.location.path, "bad.json");
        assert_eq!(finding.location.start_line(), Some(4));
        assert!(finding.message.starts_with("File does not parse as JSON: "));
        assert_eq!(report.notifications.len(), 1);
        assert_eq!(report.notifications[0].id, "parse-error");
    }

    #[test]
    fn unreadable_file_is_skipped_with_a_note() {
        let report = check(&[("t.json", FileKind::TerraformJson, "{\"a\": \"\0\"}")]);
        assert!(report.findings.is_empty());
        assert_eq!(report.notifications[0].id, "file-skipped");
    }
}
