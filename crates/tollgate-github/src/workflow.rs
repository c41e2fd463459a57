//! GitHub Actions without the API: `::error` workflow commands, the step summary and step
//! outputs. This is also the fallback when the token cannot write (fork pull requests).

use std::io::Write;
use std::path::Path;

use tollgate_core::{Finding, Severity};

/// GitHub refuses step summaries over 1 MiB.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;
/// Actions shows only 10 annotations of each level per step; more lines are noise.
pub const MAX_COMMANDS: usize = 50;

/// Escape a workflow command's message: `%`, `\r` and `\n` as GitHub documents, and any other
/// control character made visible (`\u{1b}`), since the runner's log shows the line to people.
pub fn escape_data(s: &str) -> String {
    let escaped = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    tollgate_core::display::visible(&escaped).into_owned()
}

/// Escape a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// `::error file=..,line=..,endLine=..,col=..,endColumn=..,title=..::message`.
pub fn command_line(f: &Finding) -> String {
    let mut props = vec![format!("file={}", escape_property(&f.location.path))];
    if let Some(r) = f.location.region {
        let end = r.end.line.max(r.start.line);
        props.push(format!("line={}", r.start.line));
        props.push(format!("endLine={end}"));
        if end == r.start.line && r.start.col > 0 {
            props.push(format!("col={}", r.start.col));
            props.push(format!("endColumn={}", r.end.col.max(r.start.col)));
        }
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("{} ({})", f.rule, f.severity))
    ));
    format!(
        "::{} {}::{}",
        command(f.severity),
        props.join(","),
        escape_data(&f.message)
    )
}

/// Workflow command lines for `findings`, most severe first, capped.
pub fn commands(findings: &[&Finding]) -> Vec<String> {
    let mut sorted: Vec<&&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let mut lines: Vec<String> = sorted
        .iter()
        .take(MAX_COMMANDS)
        .map(|f| command_line(f))
        .collect();
    if findings.len() > MAX_COMMANDS {
        lines.push(format!(
            "::notice title=tollgate::{} more findings are in the step summary and the SARIF file",
            findings.len() - MAX_COMMANDS
        ));
    }
    lines
}

/// Append `markdown` to the step summary file, keeping under GitHub's 1 MiB.
pub fn write_step_summary(path: &Path, markdown: &str) -> std::io::Result<()> {
    let already = std::fs::metadata(path)
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    let room = STEP_SUMMARY_LIMIT.saturating_sub(already + 1);
    let mut text = markdown.to_string();
    if text.len() > room {
        let note = "\n\n_Cut to fit the 1 MiB step summary limit._\n";
        let mut end = room.saturating_sub(note.len());
        while end > 0 && !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(note);
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")
}

/// Append `name=value` pairs to `$GITHUB_OUTPUT`. Values with newlines use the heredoc form
/// with a delimiter that does not occur in the value.
pub fn write_outputs(path: &Path, pairs: &[(&str, String)]) -> std::io::Result<()> {
    let mut out = String::new();
    for (name, value) in pairs {
        if value.contains('\n') || value.contains('\r') {
            let mut delim = "TOLLGATE_EOF".to_string();
            while value.contains(&delim) {
                delim.push('_');
            }
            out.push_str(&format!("{name}<<{delim}\n{value}\n{delim}\n"));
        } else {
            out.push_str(&format!("{name}={value}\n"));
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(out.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tollgate_core::{Location, Pos, Span};

    #[test]
    fn commands_escape_data_and_properties() {
        let f = Finding::new(
            "TG1001",
            Severity::High,
            "bad: 100%\nsecond line",
            Location::at("dir/a,b:c.yaml", Span::new(Pos::new(3, 5), Pos::new(3, 9))),
        );
        assert_eq!(
            command_line(&f),
            "::error file=dir/a%2Cb%3Ac.yaml,line=3,endLine=3,col=5,endColumn=9,title=TG1001 (high)::bad: 100%25%0Asecond line"
        );
        let hostile = Finding::new(
            "TG1001",
            Severity::High,
            "a\r\n::add-mask::x\x1b[2J",
            Location::file("x\ny,z:w\x1b.yaml"),
        );
        assert_eq!(
            command_line(&hostile),
            "::error file=x%0Ay%2Cz%3Aw\\u{1b}.yaml,title=TG1001 (high)::a%0D%0A::add-mask::x\\u{1b}[2J"
        );
        let multi = Finding::new(
            "TG1002",
            Severity::Low,
            "m",
            Location::at("x", Span::new(Pos::new(3, 5), Pos::new(6, 1))),
        );
        assert_eq!(
            command_line(&multi),
            "::notice file=x,line=3,endLine=6,title=TG1002 (low)::m"
        );
    }

    #[test]
    fn outputs_use_heredoc_for_multiline_values() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out");
        write_outputs(&p, &[("verdict", "fail".into()), ("note", "a\nb".into())]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "verdict=fail\nnote<<TOLLGATE_EOF\na\nb\nTOLLGATE_EOF\n"
        );
    }

    #[test]
    fn step_summary_stays_under_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("summary.md");
        write_step_summary(&p, &"x".repeat(2 * STEP_SUMMARY_LIMIT)).unwrap();
        assert!(std::fs::metadata(&p).unwrap().len() as usize <= STEP_SUMMARY_LIMIT);
    }
}
