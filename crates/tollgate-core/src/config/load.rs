//! Reading `tollgate.toml`: deserialize, then validate what types cannot express, and point
//! every error at file:line:col with a hint when a near-miss key or value is the likely cause.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::Config;
use crate::glob;

/// Names `find_config` looks for at the scanned root, in order.
pub const CONFIG_FILE_NAMES: [&str; 2] = ["tollgate.toml", ".tollgate.toml"];

/// Largest config file read; a config is a few kilobytes, anything bigger is a mistake.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A config that cannot be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line and column (Unicode code points), when the error has a place.
    pub position: Option<(u32, u32)>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.file, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// The config file at the root of the scanned directory, if there is one.
pub fn find_config(root: &Path) -> Option<PathBuf> {
    CONFIG_FILE_NAMES
        .iter()
        .map(|name| root.join(name))
        .find(|path| path.is_file())
}

/// The config a scan of `root` uses: `tollgate.toml` or `.tollgate.toml` in `root`, else in the
/// nearest directory above it, up to and including the repository's root (the nearest
/// directory holding `.git`). Outside a repository only `root` itself is looked in, so a scan
/// never picks up a stray file from the user's home.
pub fn discover_config(root: &Path) -> Option<PathBuf> {
    if let Some(found) = find_config(root) {
        return Some(found);
    }
    let repo_root = root.ancestors().find(|dir| dir.join(".git").exists())?;
    for dir in root.ancestors().skip(1) {
        if let Some(found) = find_config(dir) {
            return Some(found);
        }
        if dir == repo_root {
            break;
        }
    }
    None
}

/// Read and validate a config file. `builtin_stages` are the names of the stages the binary
/// registers (the one list: `stages` may name them, external stages may not take them).
pub fn load(path: &Path, builtin_stages: &[&str]) -> Result<Config, ConfigError> {
    let file = path.display().to_string();
    let text = crate::read_regular_text(path, MAX_CONFIG_BYTES).map_err(|e| ConfigError {
        file: file.clone(),
        position: None,
        message: e.to_string(),
        hint: None,
    })?;
    parse(&text, &file, builtin_stages)
}

/// Parse and validate config text; `file_name` is used in messages, `builtin_stages` as in
/// [`load`].
pub fn parse(text: &str, file_name: &str, builtin_stages: &[&str]) -> Result<Config, ConfigError> {
    let at = |span: Option<Range<usize>>, message: String, hint: Option<String>| ConfigError {
        file: file_name.to_string(),
        position: span.map(|s| line_col(text, s.start)),
        message,
        hint,
    };
    let mut config: Config = toml::from_str(text).map_err(|e| {
        let message = e.message().trim().to_string();
        let hint = hint_for(&message);
        at(e.span(), message, hint)
    })?;
    // Same text, read again for positions only; it already deserialized, so this cannot fail.
    let spans: SpanView =
        toml::from_str(text).map_err(|e| at(e.span(), e.message().to_string(), None))?;
    validate(&mut config, &spans, text, builtin_stages)
        .map_err(|(span, message, hint)| at(Some(span), message, hint))?;
    config.path = Some(file_name.to_string());
    Ok(config)
}

/// The text `tollgate init` writes: every setting, commented out, with its default. The
/// stage lines name exactly `builtin_stages`, so uncommenting them gives a config that runs.
pub fn default_config_text(builtin_stages: &[&str]) -> String {
    let quoted: Vec<String> = builtin_stages.iter().map(|s| format!("\"{s}\"")).collect();
    include_str!("default.toml")
        .replace("{stage-names}", &builtin_stages.join(", "))
        .replace("{stage-list}", &quoted.join(", "))
}

/// The parts of the config whose positions validation needs. Lenient on purpose: unknown keys
/// were already rejected by the real deserialization.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct SpanView {
    stages: Vec<Spanned<String>>,
    include: Vec<Spanned<String>>,
    exclude: Vec<Spanned<String>>,
    max_file_bytes: Option<Spanned<u64>>,
    stage_timeout: Option<Spanned<u64>>,
    rules: BTreeMap<Spanned<String>, toml::Value>,
    ignore: Vec<Spanned<IgnoreView>>,
    stage: StageView,
    classification: ClassificationView,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct ClassificationView {
    phi: Vec<Spanned<String>>,
    pci: Vec<Spanned<String>>,
    pii: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct IgnoreView {
    rule: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    paths: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct StageView {
    external: Vec<Spanned<ExternalView>>,
    deps: DepsView,
    permissions: PermissionsView,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct PermissionsView {
    trusted_accounts: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct DepsView {
    advisory_db: Vec<Spanned<String>>,
    cache_dir: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct ExternalView {
    name: Option<Spanned<String>>,
    command: Option<Spanned<String>>,
    timeout: Option<Spanned<u64>>,
    workdir: Option<Spanned<String>>,
    sarif: Option<Spanned<toml::Value>>,
}

type Invalid = (Range<usize>, String, Option<String>);

fn validate(
    config: &mut Config,
    spans: &SpanView,
    text: &str,
    builtin_stages: &[&str],
) -> Result<(), Invalid> {
    // Lines of the (possibly tens of thousands of) ignores and rules, each found by a binary
    // search rather than by counting from the start of the text.
    let lines = LineStarts::new(text);
    positive("max-file-bytes", spans.max_file_bytes.as_ref())?;
    positive("stage-timeout", spans.stage_timeout.as_ref())?;
    for pattern in spans.include.iter().chain(&spans.exclude) {
        glob::validate(pattern.get_ref()).map_err(|reason| {
            (
                pattern.span(),
                format!("invalid glob `{}`: {reason}", pattern.get_ref()),
                None,
            )
        })?;
    }

    for (entry, view) in config.ignore.iter_mut().zip(&spans.ignore) {
        entry.line = Some(lines.line(view.span().start));
        let view = view.get_ref();
        if entry.rule.trim().is_empty() {
            let span = view.rule.as_ref().map_or(0..0, Spanned::span);
            return Err((
                span,
                "`rule` must name a rule code, name or advisory id".into(),
                None,
            ));
        }
        if entry.reason.trim().is_empty() {
            let span = view.reason.as_ref().map_or(0..0, Spanned::span);
            return Err((
                span,
                "`reason` must not be empty".into(),
                Some("say why the finding is accepted, e.g. reason = \"internal bucket, no public access\"".into()),
            ));
        }
        for pattern in &view.paths {
            glob::validate(pattern.get_ref()).map_err(|reason| {
                (
                    pattern.span(),
                    format!("invalid glob `{}`: {reason}", pattern.get_ref()),
                    None,
                )
            })?;
        }
    }

    let mut seen = HashSet::new();
    for view in &spans.stage.external {
        let view = view.get_ref();
        if let Some(command) = &view.command {
            if command.get_ref().trim().is_empty() {
                return Err((command.span(), "`command` must not be empty".into(), None));
            }
        }
        positive("timeout", view.timeout.as_ref())?;
        if let Some(dir) = &view.workdir {
            inside_root("workdir", dir.get_ref(), dir.span())?;
        }
        if let Some(sarif) = &view.sarif {
            if let Some(file) = sarif.get_ref().get("file").and_then(toml::Value::as_str) {
                inside_root("sarif file", file, sarif.span())?;
            }
        }
        let Some(name) = &view.name else { continue };
        let value = name.get_ref();
        if value.is_empty()
            || !value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err((
                name.span(),
                format!("invalid stage name `{value}`, expected lowercase letters, digits and `-`"),
                None,
            ));
        }
        if builtin_stages.contains(&value.as_str()) {
            return Err((
                name.span(),
                format!("stage name `{value}` is taken by a built-in stage"),
                Some(format!("built-in stages: {}", builtin_stages.join(", "))),
            ));
        }
        if !seen.insert(value.clone()) {
            return Err((name.span(), format!("duplicate stage name `{value}`"), None));
        }
    }

    // Unlike plugin paths these may leave the scanned root (examples share one database next
    // to them); they are only read as OSV data, never executed.
    let deps = &spans.stage.deps;
    for path in deps.advisory_db.iter().chain(&deps.cache_dir) {
        relative_path(path)?;
    }
    config.stage.deps.cache_dir_line = deps
        .cache_dir
        .as_ref()
        .map(|p| line_col(text, p.span().start).0);

    for id in &spans.stage.permissions.trusted_accounts {
        let value = id.get_ref();
        if value.len() != 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err((
                id.span(),
                format!("invalid account id `{value}` in `trusted-accounts`, expected 12 digits"),
                Some("write the id as a string, e.g. trusted-accounts = [\"111122223333\"]".into()),
            ));
        }
    }

    let classes = &spans.classification;
    for pattern in classes.phi.iter().chain(&classes.pci).chain(&classes.pii) {
        let value = pattern.get_ref();
        if value.trim().is_empty() {
            return Err((
                pattern.span(),
                "a `[classification]` pattern must not be empty".into(),
                Some("name a resource or a glob of names, e.g. phi = [\"patients-*\"]".into()),
            ));
        }
        glob::validate(value).map_err(|reason| {
            (
                pattern.span(),
                format!("invalid glob `{value}`: {reason}"),
                None,
            )
        })?;
    }

    for stage in &spans.stages {
        let value = stage.get_ref();
        if !builtin_stages.contains(&value.as_str()) && !seen.contains(value) {
            let known: Vec<&str> = builtin_stages
                .iter()
                .copied()
                .chain(seen.iter().map(String::as_str))
                .collect();
            return Err((
                stage.span(),
                format!(
                    "unknown stage `{value}`, expected one of {}",
                    known.join(", ")
                ),
                closest(value, &known).map(|c| format!("did you mean `{c}`?")),
            ));
        }
    }

    for key in spans.rules.keys() {
        if let Some(rule) = config.rules.get_mut(key.get_ref()) {
            rule.line = Some(lines.line(key.span().start));
        }
    }
    Ok(())
}

fn positive(key: &str, value: Option<&Spanned<u64>>) -> Result<(), Invalid> {
    match value {
        Some(v) if *v.get_ref() == 0 => {
            Err((v.span(), format!("`{key}` must be greater than 0"), None))
        }
        _ => Ok(()),
    }
}

/// Paths in the config are relative to the scanned root and stay inside it: the config comes
/// with the repository, which in a pull request is untrusted.
fn inside_root(what: &str, path: &str, span: Range<usize>) -> Result<(), Invalid> {
    let p = Path::new(path);
    let escapes = p.is_absolute()
        || path.starts_with(['/', '\\'])
        || p.components().any(|c| {
            matches!(
                c,
                std::path::Component::ParentDir | std::path::Component::Prefix(_)
            )
        });
    if escapes {
        return Err((
            span,
            format!("{what} `{path}` must be a relative path inside the scanned directory"),
            None,
        ));
    }
    Ok(())
}

/// A non-empty path relative to the config file's directory.
fn relative_path(path: &Spanned<String>) -> Result<(), Invalid> {
    let value = path.get_ref();
    if value.trim().is_empty() {
        return Err((path.span(), "path must not be empty".into(), None));
    }
    if Path::new(value).is_absolute() || value.starts_with(['/', '\\']) {
        return Err((
            path.span(),
            format!("path `{value}` must be relative to the config file's directory"),
            Some("a relative path keeps the config usable on every machine".into()),
        ));
    }
    Ok(())
}

/// 1-based line and column (in characters) of a byte offset.
/// Where each line of a text starts, to find the line of many offsets.
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self(starts)
    }

    /// The 1-based line of byte `offset`, as [`line_col`] counts it.
    fn line(&self, offset: usize) -> u32 {
        self.0.partition_point(|&start| start <= offset) as u32
    }
}

pub(crate) fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    // A byte-order mark is not a column, as in the template parsers: editors do not show it.
    let bom = if text.starts_with('\u{feff}') && offset > 0 {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let before = &text[bom..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, col as u32)
}

/// A hint for serde's "unknown field `x`, expected one of `a`, `b`" and "unknown variant"
/// messages: the closest expected word.
fn hint_for(message: &str) -> Option<String> {
    if message.starts_with("missing field `reason`") {
        return Some(
            "every [[ignore]] entry needs a reason, e.g. reason = \"test fixture, never deployed\""
                .into(),
        );
    }
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (word, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    closest(word, &candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate nearest to `word` by edit distance, if it is near enough to be a typo.
fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance over characters where swapping two neighbours counts as one edit (optimal
/// string alignment), since transposed letters are the most common typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FailOn, SarifSource, SarifSourceSpec};
    use crate::Severity;

    /// The built-in stage names these tests assume (the binary passes its own).
    const STAGES: &[&str] = &["parse", "iac", "permissions", "deps"];

    fn error(text: &str) -> ConfigError {
        parse(text, "tollgate.toml", STAGES).expect_err("config should be rejected")
    }

    /// Found by fuzzing: a leading byte-order mark was counted as a column, so an error at the
    /// end of the first line pointed one column past it.
    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        // The error is at the end of the text, just after the fourth character.
        let e = error("\u{feff}can*");
        assert_eq!(e.position, Some((1, 5)), "{e}");
    }

    /// `--config` naming a FIFO is refused at once instead of waiting for a writer for ever.
    #[cfg(unix)]
    #[test]
    fn a_fifo_config_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("tollgate.toml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(load(&fifo, STAGES).map(|_| ()).map_err(|e| e.to_string()));
        });
        let result = receive
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("loading a FIFO config blocked");
        let err = result.unwrap_err();
        assert!(
            err.contains("tollgate.toml") && err.contains("not a regular file"),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_points_at_it_with_a_hint() {
        let err = error("stages = [\"iac\"]\n\nfial-on = \"high\"\n");
        assert_eq!(err.position, Some((3, 1)), "{err}");
        let text = err.to_string();
        assert!(
            text.starts_with("tollgate.toml:3:1: unknown field `fial-on`, expected one of"),
            "{text}"
        );
        assert!(text.ends_with("\nhint: did you mean `fail-on`?"), "{text}");
    }

    #[test]
    fn unknown_key_in_a_nested_table() {
        let err = error("[rules.TG1001]\nseverty = \"low\"\n");
        assert_eq!(err.position, Some((2, 1)), "{err}");
        assert_eq!(err.hint.as_deref(), Some("did you mean `severity`?"));
    }

    #[test]
    fn bad_severity_points_at_the_value() {
        let err = error("[rules.TG1001]\nseverity = \"hihg\"\n");
        assert_eq!(err.position, Some((2, 12)), "{err}");
        assert!(err.message.contains("hihg"), "{err}");
        assert_eq!(err.hint.as_deref(), Some("did you mean `high`?"));
    }

    #[test]
    fn ignore_without_reason_is_rejected() {
        let err = error("[[ignore]]\nrule = \"TG1001\"\n");
        assert_eq!(err.position.map(|p| p.0), Some(1), "{err}");
        assert!(err.message.contains("missing field `reason`"), "{err}");
        assert!(err
            .to_string()
            .contains("\nhint: every [[ignore]] entry needs a reason"));
        let err = error("[[ignore]]\nrule = \"TG1001\"\nreason = \"  \"\n");
        assert_eq!(err.position, Some((3, 10)), "{err}");
        assert!(err.message.contains("`reason` must not be empty"), "{err}");
        assert!(err.hint.is_some());
    }

    #[test]
    fn bad_date_points_at_the_value() {
        let err =
            error("[[ignore]]\nrule = \"TG1001\"\nreason = \"r\"\nexpires = \"2027-13-01\"\n");
        assert_eq!(err.position, Some((4, 11)), "{err}");
        assert!(err.message.contains("expected YYYY-MM-DD"), "{err}");
        let err = error(
            "[[ignore]]\nrule = \"TG1001\"\nreason = \"r\"\nexpires = 2027-01-31T10:00:00Z\n",
        );
        assert_eq!(err.position.map(|p| p.0), Some(4), "{err}");
    }

    #[test]
    fn dates_read_as_toml_dates_and_strings() {
        let config = parse(
            "fail-on = \"medium\"\n\n[[ignore]]\nrule = \"TG1001\"\nreason = \"r\"\nexpires = 2027-01-31\n\n[[ignore]]\nrule = \"GHSA-x\"\nreason = \"r\"\nexpires = \"2027-02-01\"\n",
            "tollgate.toml",
            STAGES,
        )
        .unwrap();
        assert_eq!(config.fail_on, Some(FailOn::Medium));
        let dates: Vec<String> = config
            .ignore
            .iter()
            .map(|e| e.expires.unwrap().to_string())
            .collect();
        assert_eq!(dates, ["2027-01-31", "2027-02-01"]);
        assert_eq!(config.ignore[0].line, Some(3));
        assert_eq!(config.ignore[1].line, Some(8));
    }

    #[test]
    fn inline_ignore_array_gets_lines_too() {
        let config = parse(
            "ignore = [\n  { rule = \"TG1\", reason = \"a\" },\n  { rule = \"TG2\", reason = \"b\" },\n]\n",
            "t.toml",
            STAGES,
        )
        .unwrap();
        assert_eq!(config.ignore[0].line, Some(2));
        assert_eq!(config.ignore[1].line, Some(3));
    }

    #[test]
    fn rule_tables_get_lines() {
        let config = parse(
            "\n[rules.TG1001]\ndisable = true\n\n[rules.TG2002]\nseverity = \"low\"\n",
            "t.toml",
            STAGES,
        )
        .unwrap();
        assert_eq!(config.rules["TG1001"].line, Some(2));
        assert_eq!(config.rules["TG2002"].line, Some(5));
        assert_eq!(config.rules["TG2002"].severity, Some(Severity::Low));
    }

    #[test]
    fn external_stage_names_are_checked() {
        let stage =
            |name: &str| format!("[[stage.external]]\nname = \"{name}\"\ncommand = \"x\"\n");
        let err = error(&stage("Semgrep"));
        assert_eq!(err.position, Some((2, 8)), "{err}");
        let err = error(&stage("deps"));
        assert!(err.message.contains("built-in"), "{err}");
        let err = error(&format!("{}{}", stage("a"), stage("a")));
        assert_eq!(err.position, Some((5, 8)), "{err}");
        assert!(err.message.contains("duplicate"), "{err}");
        let config = parse(
            &format!("stages = [\"iac\", \"semgrep\"]\n{}", stage("semgrep")),
            "t",
            STAGES,
        )
        .unwrap();
        assert_eq!(config.stage.external[0].name, "semgrep");
        let err = error("stages = [\"iac\", \"dpes\"]\n");
        assert_eq!(err.position, Some((1, 18)), "{err}");
        assert_eq!(err.hint.as_deref(), Some("did you mean `deps`?"));
    }

    #[test]
    fn numbers_and_paths_are_checked() {
        let err = error("stage-timeout = 0\n");
        assert_eq!(err.position, Some((1, 17)), "{err}");
        let stage = "[[stage.external]]\nname = \"x\"\ncommand = \"x\"\n";
        let err = error(&format!("{stage}workdir = \"../up\"\n"));
        assert_eq!(err.position, Some((4, 11)), "{err}");
        let err = error(&format!("{stage}sarif = {{ file = \"/tmp/out.sarif\" }}\n"));
        assert_eq!(err.position, Some((4, 9)), "{err}");
        assert!(err.message.contains("relative path"), "{err}");
        let err = error(&format!("{stage}timeout = 0\n"));
        assert_eq!(err.position, Some((4, 11)), "{err}");
        parse(&format!("{stage}workdir = \"tools/scan\"\n"), "t", STAGES).unwrap();
    }

    #[test]
    fn deps_stage_table_is_read_and_checked() {
        let config = parse(
            "[stage.deps]\nadvisory-db = [\"../advisories\", \"osv/all.zip\"]\noffline = true\ninclude-dev = false\ncache-dir = \".cache\"\n",
            "examples/app/tollgate.toml",
            STAGES,
        )
        .unwrap();
        let deps = &config.stage.deps;
        assert_eq!(deps.advisory_db, ["../advisories", "osv/all.zip"]);
        assert_eq!(deps.offline, Some(true));
        assert_eq!(deps.include_dev, Some(false));
        assert_eq!(deps.cache_dir_line, Some(5));
        assert_eq!(
            config.path_from_config(&deps.advisory_db[0]),
            Path::new("examples/app/../advisories")
        );
        let err = error("[stage.deps]\nadvisory-db = [\"db\", \"/var/osv\"]\n");
        assert_eq!(err.position, Some((2, 22)), "{err}");
        assert!(err.message.contains("relative"), "{err}");
        let err = error("[stage.deps]\ncache-dir = \"\"\n");
        assert_eq!(err.position, Some((2, 13)), "{err}");
        let err = error("[stage.deps]\nofline = true\n");
        assert_eq!(err.hint.as_deref(), Some("did you mean `offline`?"));
    }

    #[test]
    fn trusted_accounts_are_read_and_checked() {
        let config = parse(
            "[stage.permissions]\ntrusted-accounts = [\"111122223333\"]\n",
            "t",
            STAGES,
        )
        .unwrap();
        assert_eq!(config.stage.permissions.trusted_accounts, ["111122223333"]);
        let err = error("[stage.permissions]\ntrusted-accounts = [\"111122223333\", \"1234\"]\n");
        assert_eq!(err.position, Some((2, 37)), "{err}");
        assert!(err.message.contains("`1234`"), "{err}");
        let err = error("[stage.permissions]\ntrusted-accounts = [111122223333]\n");
        assert!(err.position.is_some(), "{err}");
        let err = error("[stage.permissions]\ntrusted-account = []\n");
        assert_eq!(
            err.hint.as_deref(),
            Some("did you mean `trusted-accounts`?")
        );
    }

    #[test]
    fn classification_patterns_are_read_and_checked() {
        let config = parse(
            "[classification]\nphi = [\"*patient*\"]\npii = [\"orders-receipts-*\"]\n",
            "t",
            STAGES,
        )
        .unwrap();
        assert_eq!(config.classification.phi, ["*patient*"]);
        assert_eq!(config.classification.pii, ["orders-receipts-*"]);
        assert!(config.classification.pci.is_empty());
        let err = error("[classification]\npci = [\"ok\", \"bad[\"]\n");
        assert_eq!(err.position, Some((2, 14)), "{err}");
        let err = error("[classification]\nphi = [\" \"]\n");
        assert!(err.message.contains("must not be empty"), "{err}");
        let err = error("[classification]\nphii = []\n");
        assert_eq!(err.hint.as_deref(), Some("did you mean `phi`?"));
    }

    #[test]
    fn compliance_frameworks_are_read_by_the_names_users_type() {
        let config = parse(
            "[compliance]\nframeworks = [\"hipaa\", \"nist-800-53\", \"PCI-DSS\", \"hipaa\"]\n",
            "t",
            STAGES,
        )
        .unwrap();
        assert_eq!(
            config.compliance.frameworks,
            [
                crate::Framework::Hipaa,
                crate::Framework::Nist80053,
                crate::Framework::PciDss
            ]
        );
        let err = error("[compliance]\nframeworks = [\"hipaa\", \"sox\"]\n");
        assert_eq!(err.position.map(|p| p.0), Some(2), "{err}");
        assert!(err.message.contains("`sox`"), "{err}");
        let err = error("[compliance]\nframework = []\n");
        assert_eq!(err.hint.as_deref(), Some("did you mean `frameworks`?"));
    }

    #[test]
    fn bad_glob_is_rejected_with_position() {
        let err = error("exclude = [\"ok/**\", \"bad[\"]\n");
        assert_eq!(err.position, Some((1, 21)), "{err}");
    }

    #[test]
    fn default_text_parses_to_the_default_config() {
        let mut config = parse(&default_config_text(STAGES), "tollgate.toml", STAGES).unwrap();
        assert_eq!(config.path.as_deref(), Some("tollgate.toml"));
        config.path = None;
        assert_eq!(config, Config::default());
    }

    #[test]
    fn every_example_in_the_default_text_is_valid() {
        // `# ` lines are settings; uncommenting all of them must give a valid config.
        let uncommented: String = default_config_text(STAGES)
            .lines()
            .filter(|l| !l.starts_with("##"))
            .map(|l| l.strip_prefix("# ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let config = parse(&uncommented, "tollgate.toml", STAGES)
            .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert_eq!(config.fail_on, Some(FailOn::High));
        assert_eq!(config.ignore.len(), 1);
        assert_eq!(
            config.stage.external[0].sarif,
            SarifSource::Named(SarifSourceSpec::Stdout)
        );
        assert_eq!(config.stages.len(), 4);
        assert_eq!(
            config.stage.iac.classification_key.as_deref(),
            Some("DataClassification")
        );
        assert_eq!(
            config.stage.permissions.trusted_accounts,
            ["111122223333".to_string()]
        );
    }

    #[test]
    fn config_is_discovered_up_to_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let sub = repo.join("services/orders");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::create_dir(repo.join(".git")).unwrap();
        // Above the repository: never used.
        std::fs::write(dir.path().join("tollgate.toml"), "").unwrap();
        assert_eq!(discover_config(&sub), None);
        let at_root = repo.join("tollgate.toml");
        std::fs::write(&at_root, "").unwrap();
        assert_eq!(discover_config(&sub), Some(at_root.clone()));
        let nearer = repo.join("services/.tollgate.toml");
        std::fs::write(&nearer, "").unwrap();
        assert_eq!(discover_config(&sub), Some(nearer));
        let own = sub.join("tollgate.toml");
        std::fs::write(&own, "").unwrap();
        assert_eq!(discover_config(&sub), Some(own));
        // Outside a repository only the directory itself counts.
        let loose = dir.path().join("loose");
        std::fs::create_dir(&loose).unwrap();
        assert_eq!(discover_config(&loose), None);
    }

    #[test]
    fn sarif_file_source_and_loading_from_disk() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(find_config(dir.path()), None);
        let path = dir.path().join(".tollgate.toml");
        std::fs::write(
            &path,
            "[[stage.external]]\nname = \"x\"\ncommand = \"x\"\nsarif = { file = \"out.sarif\" }\n",
        )
        .unwrap();
        assert_eq!(find_config(dir.path()), Some(path.clone()));
        let config = load(&path, STAGES).unwrap();
        assert_eq!(config.file_name(), ".tollgate.toml");
        assert_eq!(
            config.stage.external[0].sarif,
            SarifSource::Named(SarifSourceSpec::File("out.sarif".into()))
        );
        let missing = load(&dir.path().join("nope.toml"), STAGES).unwrap_err();
        assert!(
            missing.to_string().contains("nope.toml: cannot read file"),
            "{missing}"
        );
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("fial-on", "fail-on"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(closest("zzzzzz", &["stages", "include"]), None);
    }
}
