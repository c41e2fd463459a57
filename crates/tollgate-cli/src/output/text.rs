//! `--format text`: rustc-style code frames for people at a terminal.
//!
//! ```text
//! warning[TG0001]: mapping values are not allowed here
//!   --> template.yaml:3:7
//!    |
//!  3 | Type: Fn: x
//!    |       ^
//!    = help: template-does-not-parse (medium): fix the syntax error ...
//! ```

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

use anstyle::{AnsiColor, Style};
use tollgate_core::{Finding, Location, Notification, NotificationLevel, Severity};

use super::SourceLookup;
use crate::args::ColorChoice;
use crate::external::PLUGIN_PROPERTY;
use crate::gate::Verdict;
use crate::report::Report;

/// Finding property (`true`) that marks the source at the finding's place as holding a secret:
/// code frames mask it the way messages do. The pipeline sets it for rules tagged `secret` or
/// `secrets` and for TG4xxx; a stage may set it on any finding itself.
pub const REDACT_SOURCE_PROPERTY: &str = "redact-source";

/// Whether `finding`'s source line must not be printed as it is.
pub fn redacts_source(finding: &Finding) -> bool {
    finding
        .properties
        .get(REDACT_SOURCE_PROPERTY)
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

/// Colours, or none at all.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    on: bool,
}

impl Palette {
    pub fn new(on: bool) -> Self {
        Self { on }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.on {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    fn level(&self, word: &str) -> Style {
        let color = match word {
            "error" => AnsiColor::Red,
            "warning" => AnsiColor::Yellow,
            _ => AnsiColor::Cyan,
        };
        Style::new().fg_color(Some(color.into())).bold()
    }

    fn gutter(&self) -> Style {
        Style::new().fg_color(Some(AnsiColor::Blue.into())).bold()
    }
}

/// Whether the report is coloured. `auto`: never with `NO_COLOR` set (non-empty); always with
/// `CLICOLOR_FORCE` set (not `0`); otherwise on a terminal, and in GitHub Actions, whose logs
/// show colour although stdout is a pipe. A report written to a file is coloured only when
/// asked for with `always`.
pub fn wants_color(
    choice: ColorChoice,
    to_stdout: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> bool {
    use std::io::IsTerminal;
    let set = |key: &str| env(key).filter(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if !to_stdout || set("NO_COLOR").is_some() {
                return false;
            }
            if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                return true;
            }
            set("GITHUB_ACTIONS").is_some_and(|v| v == "true") || std::io::stdout().is_terminal()
        }
    }
}

/// The severity word in its level's colour (compact report).
pub fn paint_severity(p: Palette, severity: Severity) -> String {
    p.paint(p.level(level_word(severity)), severity.as_str())
}

/// The word rustc would use for a finding of this severity.
fn level_word(severity: Severity) -> &'static str {
    match severity {
        Severity::High | Severity::Critical => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

pub fn render(report: &Report, source: SourceLookup<'_>, color: bool) -> String {
    let palette = Palette::new(color);
    let mut out = String::new();
    let mut lines = SourceLines::new(source);
    for finding in report.findings.iter().filter(|f| f.is_active()) {
        finding_frame(&mut out, finding, &mut lines, palette);
        out.push('\n');
    }
    for note in &report.notifications {
        notification_frame(&mut out, note, palette);
    }
    if !report.notifications.is_empty() {
        out.push('\n');
    }
    summary_line(&mut out, report, palette);
    out
}

/// A file's text and the byte offset where each of its lines starts.
type IndexedText = (Arc<str>, Vec<usize>);

/// Source lines by file and line number. Each file's line starts are found once per report:
/// walking the text to line N for every finding made a report of many findings in one long
/// file quadratic (10,000 findings: seconds instead of milliseconds).
struct SourceLines<'a> {
    source: SourceLookup<'a>,
    files: HashMap<String, Option<IndexedText>>,
}

impl<'a> SourceLines<'a> {
    fn new(source: SourceLookup<'a>) -> Self {
        Self {
            source,
            files: HashMap::new(),
        }
    }

    /// Line `line` (1-based) of `path` without its line ending, as `str::lines` gives it.
    fn line(&mut self, path: &str, line: u32) -> Option<&str> {
        let source = self.source;
        let entry = self.files.entry(path.to_string()).or_insert_with(|| {
            let text = source(path)?;
            let mut starts = vec![0];
            starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
            Some((text, starts))
        });
        let (text, starts) = entry.as_ref()?;
        let i = (line as usize).checked_sub(1)?;
        let start = *starts.get(i)?;
        if start >= text.len() {
            return None;
        }
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let l = &text[start..end];
        let l = l.strip_suffix('\n').unwrap_or(l);
        Some(l.strip_suffix('\r').unwrap_or(l))
    }
}

fn finding_frame(out: &mut String, f: &Finding, lines: &mut SourceLines<'_>, p: Palette) {
    let word = level_word(f.severity);
    let _ = writeln!(
        out,
        "{}: {}",
        p.paint(p.level(word), &format!("{word}[{}]", f.rule)),
        p.paint(Style::new().bold(), &single_line(&f.message))
    );
    let pad = frame(out, &f.location, lines, p, p.level(word), redacts_source(f));
    let mut help = format!("severity {}", f.severity);
    if let Some(resource) = &f.resource {
        let _ = write!(help, ", resource {}", single_line(resource));
    }
    let _ = writeln!(out, "{pad} {} note: {help}", p.paint(p.gutter(), "="));
    let help = match f.properties.get(PLUGIN_PROPERTY).and_then(|v| v.as_str()) {
        Some(plugin) => format!("reported by plugin `{}`", single_line(plugin)),
        None => format!(
            "run `tollgate explain {}` for why it matters and how to fix it",
            f.rule
        ),
    };
    let _ = writeln!(out, "{pad} {} help: {help}", p.paint(p.gutter(), "="));
}

fn notification_frame(out: &mut String, n: &Notification, p: Palette) {
    let word = match n.level {
        NotificationLevel::Error => "error",
        NotificationLevel::Warning => "warning",
        NotificationLevel::Note => "note",
    };
    let mut head = format!("{word}[{}]", n.id);
    if let Some(stage) = &n.stage {
        head = format!("{head} ({stage})");
    }
    let _ = writeln!(
        out,
        "{}: {}",
        p.paint(p.level(word), &head),
        single_line(&n.message)
    );
    if let Some(location) = &n.location {
        let _ = writeln!(
            out,
            "  {} {}",
            p.paint(p.gutter(), "-->"),
            location_text(location)
        );
    }
}

/// `path:line:col`, the path with its control characters and line breaks escaped: a file name
/// from the scanned tree must not drive the terminal or forge a line.
fn location_text(location: &Location) -> String {
    let path = tollgate_core::display::visible_line(&location.path);
    match location.region {
        Some(r) => format!("{path}:{}:{}", r.start.line, r.start.col),
        None => path.into_owned(),
    }
}

/// The `-->` line, then the source line with carets under the region when the text is at hand.
/// With `redact`, the line from the region's start on is masked (see [`mask_from`]). Returns the
/// gutter's padding, as wide as the line number shown (two spaces without one), so that the
/// `-->`, `|` and `=` marks line up as a compiler's diagnostics do.
fn frame(
    out: &mut String,
    location: &Location,
    lines: &mut SourceLines<'_>,
    p: Palette,
    mark: Style,
    redact: bool,
) -> String {
    let shown = location
        .region
        .and_then(|region| Some((region, lines.line(&location.path, region.start.line)?)));
    let Some((region, line)) = shown else {
        let _ = writeln!(
            out,
            "  {} {}",
            p.paint(p.gutter(), "-->"),
            location_text(location)
        );
        return "  ".to_string();
    };
    let number = region.start.line.to_string();
    let pad = " ".repeat(number.len());
    let _ = writeln!(
        out,
        "{pad}{} {}",
        p.paint(p.gutter(), "-->"),
        location_text(location)
    );
    let mut line = display_line(line);
    let mut chars = line.chars().count();
    // Columns are 1-based code points; the end column is exclusive. A region that runs onto
    // later lines is underlined to the end of its first line. A region that knows only its
    // line (empty, at column 1: SARIF gives it as the whole line) underlines the line's text.
    let (mut start, mut end) = if region.start == region.end && region.start.col <= 1 {
        let indent = line.chars().take_while(|c| c.is_whitespace()).count();
        let trailing = line.chars().rev().take_while(|c| c.is_whitespace()).count();
        (
            indent.min(chars),
            chars.saturating_sub(trailing).max(indent),
        )
    } else {
        let start = (region.start.col.max(1) as usize - 1).min(chars);
        let end = if region.end.line > region.start.line {
            chars
        } else {
            (region.end.col.max(1) as usize - 1).min(chars)
        };
        (start, end)
    };
    if redact {
        line = mask_from(&line, start);
        chars = line.chars().count();
        start = start.min(chars);
        end = chars;
    }
    let width = end.saturating_sub(start).max(1);
    let bar = p.paint(p.gutter(), "|");
    let _ = writeln!(out, "{pad} {bar}");
    let _ = writeln!(out, "{} {bar} {line}", p.paint(p.gutter(), &number));
    let _ = writeln!(
        out,
        "{pad} {bar} {}{}",
        " ".repeat(start),
        p.paint(mark, &"^".repeat(width))
    );
    pad
}

/// `line` with everything from code point `start` on replaced by its first few characters and
/// `****`, keeping at most 4 characters (a quarter of them for short values), as secret
/// messages do. Masking to the end of the line rather than just the region also covers a
/// finding that points at the key in front of the value, and does not give the length away.
fn mask_from(line: &str, start: usize) -> String {
    let (before, rest): (String, String) = {
        let split = line
            .char_indices()
            .nth(start)
            .map_or(line.len(), |(i, _)| i);
        (line[..split].to_string(), line[split..].to_string())
    };
    let shown = (rest.chars().count() / 4).min(4);
    let kept: String = rest.chars().take(shown).collect();
    format!("{before}{kept}****")
}

/// A source line made safe to print: tabs become one space (so carets stay aligned by code
/// point) and control characters become `?` (a hostile file must not drive the terminal).
fn display_line(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '?',
            c => c,
        })
        .collect()
}

/// Messages come from files and tools: keep them on one line and free of terminal escapes.
pub fn single_line(text: &str) -> String {
    display_line(&text.replace(['\n', '\r'], " "))
}

/// The `scanned ...` line and the counts-and-verdict line that end the text and compact reports.
pub fn summary_line(out: &mut String, report: &Report, p: Palette) {
    let s = &report.summary;
    if let Some(scanned) = s.scanned_text() {
        let _ = writeln!(out, "{scanned}");
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|sev| format!("{} {sev}", s.by_severity.get(sev).copied().unwrap_or(0)))
        .collect();
    let verdict = match report.verdict {
        Verdict::Pass => p.paint(
            Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
            "passed",
        ),
        Verdict::Fail => p.paint(p.level("error"), "failed"),
        Verdict::Error => p.paint(p.level("error"), "error (the scan did not complete)"),
    };
    let threshold = s.fail_on.map_or("none".to_string(), |t| t.to_string());
    let _ = write!(
        out,
        "{} active finding{} ({}); {} suppressed",
        s.active,
        if s.active == 1 { "" } else { "s" },
        counts.join(", "),
        s.suppressed
    );
    if s.unchanged > 0 || s.fixed > 0 {
        let _ = write!(
            out,
            "; {} known from the baseline, {} fixed",
            s.unchanged, s.fixed
        );
    }
    if s.not_checked > 0 {
        let _ = write!(
            out,
            "; {} file{} not checked (see above)",
            s.not_checked,
            if s.not_checked == 1 { "" } else { "s" }
        );
    }
    if s.errors > 0 {
        let _ = write!(
            out,
            "; {} error{}",
            s.errors,
            if s.errors == 1 { "" } else { "s" }
        );
    }
    let _ = writeln!(out, " -- {verdict} (fail-on {threshold})");
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::report::{Summary, REPORT_VERSION};
    use tollgate_core::{Pos, Span};

    fn report(findings: Vec<Finding>, verdict: Verdict) -> Report {
        let summary = Summary::of(&findings, &[], Some(Severity::High));
        Report {
            version: REPORT_VERSION,
            tool_version: "test".into(),
            findings,
            notifications: vec![],
            summary,
            verdict,
        }
    }

    #[test]
    fn frame_under_multibyte_text() {
        // "é" and "🚀" are one code point each but several bytes: carets count code points.
        let text: Arc<str> = Arc::from("first\nname: \"é🚀\" : bad\n");
        let span = Span::new(Pos::new(2, 12), Pos::new(2, 13));
        let finding = Finding::new(
            "TG0001",
            Severity::Medium,
            "mapping values are not allowed here",
            Location::at("t.yaml", span),
        );
        let lookup = move |path: &str| (path == "t.yaml").then(|| text.clone());
        let out = render(&report(vec![finding], Verdict::Pass), &lookup, false);
        let expected = "\
warning[TG0001]: mapping values are not allowed here
 --> t.yaml:2:12
  |
2 | name: \"é🚀\" : bad
  |            ^
  = note: severity medium
  = help: run `tollgate explain TG0001` for why it matters and how to fix it

1 active finding";
        assert!(out.starts_with(expected), "got:\n{out}");
        let caret_line = out.lines().nth(4).unwrap();
        let source_line = out.lines().nth(3).unwrap();
        let caret_at = caret_line.chars().position(|c| c == '^').unwrap();
        assert_eq!(source_line.chars().nth(caret_at), Some(':'));
    }

    #[test]
    fn gutter_is_as_wide_as_the_line_number_and_a_known_line_is_underlined_whole() {
        // A finding that knows only its line (a requirements entry, say) underlines the line's
        // text, not its first column; with a three-digit line every mark moves one column right.
        let mut text = "x\n".repeat(99);
        text.push_str("  PyYAML>=5.1  \n");
        let text: Arc<str> = Arc::from(text.as_str());
        let finding = Finding::new(
            "TG3001",
            Severity::Medium,
            "not pinned",
            Location::at("requirements.txt", Span::line(100)),
        );
        let lookup = move |path: &str| (path == "requirements.txt").then(|| text.clone());
        let out = render(&report(vec![finding], Verdict::Pass), &lookup, false);
        let expected = "\
warning[TG3001]: not pinned
   --> requirements.txt:100:1
    |
100 |   PyYAML>=5.1  
    |   ^^^^^^^^^^^
    = note: severity medium
    = help: run `tollgate explain TG3001` for why it matters and how to fix it
";
        assert!(out.starts_with(expected), "got:\n{out}");
    }

    #[test]
    fn secret_frames_are_masked() {
        let secret = "sk_live_51H8exampleexampleexample00";
        let text: Arc<str> = Arc::from(format!("Variables:\n  KEY: {secret} # prod\n").as_str());
        let span = Span::new(Pos::new(2, 8), Pos::new(2, 8 + secret.len() as u32));
        let finding = Finding::new(
            "TG1005",
            Severity::High,
            "holds a Stripe key (sk_l****)",
            Location::at("t.yaml", span),
        )
        .property(REDACT_SOURCE_PROPERTY, true);
        let lookup = move |path: &str| (path == "t.yaml").then(|| text.clone());
        let out = render(
            &report(vec![finding.clone()], Verdict::Fail),
            &lookup,
            false,
        );
        assert!(!out.contains("51H8"), "{out}");
        assert!(!out.contains("# prod"), "{out}");
        let source_line = out.lines().nth(3).unwrap();
        assert_eq!(source_line, "2 |   KEY: sk_l****");
        let caret_line = out.lines().nth(4).unwrap();
        assert_eq!(caret_line, "  |        ^^^^^^^^");
        // Without the property the same finding shows its line as it is.
        let mut plain = finding;
        plain.properties.clear();
        let text: Arc<str> = Arc::from(format!("Variables:\n  KEY: {secret} # prod\n").as_str());
        let lookup = move |path: &str| (path == "t.yaml").then(|| text.clone());
        let out = render(&report(vec![plain], Verdict::Fail), &lookup, false);
        assert!(out.contains(secret), "{out}");
        assert_eq!(mask_from("ab", 0), "****");
        assert_eq!(mask_from("key: é", 9), "key: é****");
    }

    #[test]
    fn summary_counts_and_verdict_without_colour() {
        let f = Finding::new(
            "TG1",
            Severity::High,
            "bad\n\x1b[31mthing",
            Location::file("a.tf"),
        );
        let out = render(&report(vec![f], Verdict::Fail), &|_: &str| None, false);
        assert!(out.contains("error[TG1]: bad ?[31mthing"), "{out}");
        assert!(out.contains("  --> a.tf\n"), "{out}");
        assert!(out.ends_with(
            "1 active finding (0 critical, 1 high, 0 medium, 0 low, 0 info); 0 suppressed -- failed (fail-on high)\n"
        ), "{out}");
        assert!(!out.contains('\x1b'));
    }

    /// A file name holding an escape sequence or a line break is shown escaped; a backslash is
    /// an ordinary character of a Linux file name and is shown as it is.
    #[test]
    fn file_names_are_escaped() {
        let f = Finding::new(
            "TG1",
            Severity::High,
            "m",
            Location::file("a\\x1b[2J\\nerror[TG0]: forged.yaml"),
        );
        let hostile = Finding::new(
            "TG1",
            Severity::High,
            "m",
            Location::file("a\x1b[2J\nb.yaml"),
        );
        let out = render(
            &report(vec![f, hostile], Verdict::Fail),
            &|_: &str| None,
            false,
        );
        assert!(!out.contains('\x1b'), "{out}");
        assert!(out.contains("  --> a\\u{1b}[2J\\nb.yaml\n"), "{out}");
        assert!(
            out.contains("  --> a\\x1b[2J\\nerror[TG0]: forged.yaml\n"),
            "{out}"
        );
        let note = Notification::warning("file-skipped", "skipped")
            .at(Location::file("back\\slash\u{202E}.yaml"));
        let mut r = report(vec![], Verdict::Pass);
        r.notifications.push(note);
        let out = render(&r, &|_: &str| None, false);
        assert!(out.contains("  --> back\\slash\\u{202e}.yaml\n"), "{out}");
    }

    #[test]
    fn source_lines_match_str_lines() {
        for text in ["a\nb\r\nc", "a\n\nc\n", "", "\n", "only"] {
            let shared: Arc<str> = Arc::from(text);
            let lookup = move |_: &str| Some(shared.clone());
            let mut lines = SourceLines::new(&lookup);
            let expected: Vec<&str> = text.lines().collect();
            for n in 0..=expected.len() as u32 + 1 {
                let want = (n as usize)
                    .checked_sub(1)
                    .and_then(|i| expected.get(i))
                    .copied();
                assert_eq!(lines.line("f", n), want, "{text:?} line {n}");
            }
        }
        let mut missing = SourceLines::new(&|_: &str| None);
        assert_eq!(missing.line("f", 1), None);
    }

    #[test]
    fn colour_only_when_asked() {
        let f = Finding::new("TG1", Severity::Low, "m", Location::file("a.tf"));
        let out = render(&report(vec![f], Verdict::Pass), &|_: &str| None, true);
        assert!(out.contains('\x1b'));
    }

    #[test]
    fn colour_choice() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |key: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.to_string())
            }
        };
        let none = env(&[]);
        assert!(wants_color(ColorChoice::Always, false, &none));
        assert!(!wants_color(
            ColorChoice::Never,
            true,
            &env(&[("CLICOLOR_FORCE", "1")])
        ));
        // GitHub Actions logs render colour although stdout is a pipe; NO_COLOR still wins.
        let actions = env(&[("GITHUB_ACTIONS", "true")]);
        assert!(wants_color(ColorChoice::Auto, true, &actions));
        assert!(!wants_color(ColorChoice::Auto, false, &actions));
        let both = env(&[("GITHUB_ACTIONS", "true"), ("NO_COLOR", "1")]);
        assert!(!wants_color(ColorChoice::Auto, true, &both));
        assert!(wants_color(
            ColorChoice::Auto,
            true,
            &env(&[("CLICOLOR_FORCE", "1")])
        ));
        assert!(!wants_color(
            ColorChoice::Auto,
            true,
            &env(&[("NO_COLOR", "x"), ("CLICOLOR_FORCE", "1")])
        ));
    }
}
