//! Reading `.rego` files into a [`PolicySet`]: each file parsed on its own (Rego v1 first,
//! then v0, as OPA 1.0 with `--v0-compatible` would), its package, entry rules and
//! annotations read, and recursive functions refused. A file that fails costs that file only.

use std::collections::BTreeMap;

use regorus::Engine;

use super::index::{applicability, Applicability};
use super::metadata::{annotations, Metadata};
use super::recursion::CallGraph;

/// The rule names conftest reports: `deny` and `violation` fail, `warn` warns.
pub const ENTRY_RULES: [&str; 3] = ["deny", "violation", "warn"];

/// Largest policy file read, in bytes.
pub const MAX_POLICY_BYTES: usize = 1024 * 1024;

/// How deep array, set and object brackets (`[`, `{`) may nest in a policy. regorus's parser
/// tries each bracket as a comprehension before it reads it as a literal, so its time doubles
/// with every level: 16 levels parse in 0.15-0.21 s, 22 took 6 s and 1,000 ran past a 300 s
/// stage timeout without stopping (the parse happens before any time budget applies).
pub const MAX_POLICY_NESTING: usize = 16;

/// One loaded policy file.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Repository-relative path.
    pub path: String,
    pub text: String,
    /// Written in Rego v0 syntax (`deny[msg] { ... }` without `import rego.v1`).
    pub v0: bool,
    /// `main`, `policies.tags`.
    pub package: String,
    /// The entry rules it declares, with their annotation (the rule's own over the package's).
    pub entries: BTreeMap<String, Metadata>,
    /// Test rules (`test_*`) it declares.
    pub tests: Vec<(String, u32)>,
    /// Per entry rule, the documents it can produce a result on (see [`super::index`]).
    pub index: BTreeMap<String, Applicability>,
    /// The input paths every rule of the file reads, when they can be stated (see
    /// [`super::reads`]); `None` when it may read anything.
    pub reads: Option<super::reads::Reads>,
    /// What the file can observe of its input documents, when it can be stated (see
    /// [`super::projection`]); `None` when it may read the whole document.
    pub needs: Option<super::projection::Need>,
}

impl PolicyFile {
    /// Whether entry rule `rule` can produce a result on `input`.
    pub fn admits(&self, rule: &str, input: &regorus::Value) -> bool {
        self.index.get(rule).is_none_or(|a| a.admits(input))
    }
}

/// A policy that could not be loaded: `file:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct LoadError {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// Every policy file that loaded, and the errors of those that did not.
#[derive(Debug, Default, Clone)]
pub struct PolicySet {
    pub files: Vec<PolicyFile>,
    pub errors: Vec<LoadError>,
}

impl PolicySet {
    /// Files that report: they declare an entry rule in one of `namespaces`.
    pub fn policies<'a>(
        &'a self,
        namespaces: &'a [String],
    ) -> impl Iterator<Item = &'a PolicyFile> {
        self.files
            .iter()
            .filter(move |f| !f.entries.is_empty() && namespaces.contains(&f.package))
    }

    /// Files every policy's engine also loads: those that report nothing themselves
    /// (libraries, helpers, data).
    pub fn libraries<'a>(
        &'a self,
        namespaces: &'a [String],
    ) -> impl Iterator<Item = &'a PolicyFile> {
        self.files
            .iter()
            .filter(move |f| f.entries.is_empty() || !namespaces.contains(&f.package))
    }
}

impl PolicySet {
    /// The same policies evaluated on every document, as without rule indexing and without
    /// reusing results: what the tests compare indexed evaluation with.
    pub fn unindexed(mut self) -> Self {
        for file in &mut self.files {
            file.index.clear();
            file.reads = None;
        }
        self
    }
}

impl PolicySet {
    /// What every file together can observe of the input documents (each policy's engine
    /// loads every library, and the documents are built once for all), with the paths rule
    /// indexing reads; `None` when some file may read a whole document.
    pub fn needs(&self) -> Option<super::projection::Need> {
        let mut need = super::projection::Need::default();
        for file in &self.files {
            need.merge(file.needs.as_ref()?);
            for applicability in file.index.values() {
                for condition in applicability.bodies.iter().flatten().flatten() {
                    condition.paths(&mut |path, whole| need.add_keys(path, whole));
                }
            }
        }
        need.finish();
        Some(need)
    }
}

/// Load `(path, text)` pairs.
pub fn load_policies(sources: Vec<(String, String)>) -> PolicySet {
    let mut set = PolicySet::default();
    let mut trees = BTreeMap::new();
    for (path, text) in sources {
        match load_one(&path, text) {
            Ok((file, ast)) => {
                if let Some(ast) = ast {
                    trees.insert(file.path.clone(), ast);
                }
                set.files.push(file);
            }
            Err(err) => set.errors.push(err),
        }
    }
    // Recursion is checked over every file together: a library function may call back into a
    // policy's. A file found recursive is dropped with an error; the check runs again on the
    // rest until none is.
    loop {
        let mut graph = CallGraph::default();
        for (i, f) in set.files.iter().enumerate() {
            graph.add(i, &f.text);
        }
        let Some((i, found)) = graph.recursion() else {
            break;
        };
        let file = set.files.remove(i);
        set.errors.push(LoadError {
            file: file.path,
            line: found.line,
            col: found.col,
            message: format!(
                "function `{}` is recursive ({}); Rego does not allow recursion and the policy is not evaluated",
                found.function,
                found.path.join(" -> ")
            ),
        });
    }
    index(&mut set, &trees);
    set
}

/// Each policy's rule index. Helper rules are read as conditions only in a package no other
/// file shares (another file could add bodies to them).
fn index(set: &mut PolicySet, trees: &BTreeMap<String, serde_json::Value>) {
    let mut packages: BTreeMap<String, usize> = BTreeMap::new();
    for file in &set.files {
        *packages.entry(file.package.clone()).or_default() += 1;
    }
    for file in &mut set.files {
        let Some(ast) = trees.get(&file.path) else {
            continue;
        };
        file.reads = super::reads::input_reads(ast, &file.text);
        file.needs = super::projection::input_needs(ast, &file.text);
        let helpers = packages.get(&file.package) == Some(&1);
        file.index = file
            .entries
            .keys()
            .map(|rule| (rule.clone(), applicability(ast, &file.text, rule, helpers)))
            .collect();
    }
}

fn load_one(
    path: &str,
    text: String,
) -> Result<(PolicyFile, Option<serde_json::Value>), LoadError> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(LoadError {
            file: path.to_string(),
            line: 1,
            col: 1,
            message: format!(
                "policy is {} bytes, larger than the limit of {MAX_POLICY_BYTES} bytes",
                text.len()
            ),
        });
    }
    // regorus prints some warnings itself, straight to stderr, with the policy's line in
    // them: a control character there would reach the CI log raw (a terminal escape, a
    // carriage return that starts a forged workflow command).
    if let Some((line, col, c)) = unsafe_character(&text) {
        return Err(LoadError {
            file: path.to_string(),
            line,
            col,
            message: format!(
                "control character U+{:04X}: a policy may hold tabs and line breaks but no other control or bidirectional-override characters; the file is not loaded",
                c as u32
            ),
        });
    }
    if let Some((line, col)) = bracket_nesting_past(&text, MAX_POLICY_NESTING) {
        return Err(LoadError {
            file: path.to_string(),
            line,
            col,
            message: format!(
                "brackets nested more than {MAX_POLICY_NESTING} levels deep: the parser's time doubles with every level, so the policy is not loaded"
            ),
        });
    }
    // Those warnings name the file too.
    if path
        .chars()
        .any(|c| tollgate_core::display::is_unsafe(c) || matches!(c, '\r' | '\n' | '\t'))
    {
        return Err(LoadError {
            file: path.to_string(),
            line: 1,
            col: 1,
            message: "the file's name holds a control character; the policy is not loaded"
                .to_string(),
        });
    }
    // v1 first (OPA 1.0's default); a file that only parses as v0 is v0.
    let (mut engine, package, v0) = match parse(path, &text, false) {
        Ok((engine, package)) => (engine, package, false),
        Err(v1_error) => match parse(path, &text, true) {
            Ok((engine, package)) => (engine, package, true),
            Err(v0_error) => {
                // Report the error of the syntax the file was written in: the one that got
                // further before failing; on a tie, the one its keywords suggest.
                let (a, b) = (position(&v1_error), position(&v0_error));
                let looks_v1 = text.contains("import rego.v1")
                    || text.contains(" contains ")
                    || text.contains(" if ");
                let (err, pos) = if b > a || (b == a && !looks_v1) {
                    (v0_error, b)
                } else {
                    (v1_error, a)
                };
                return Err(LoadError {
                    file: path.to_string(),
                    line: pos.0,
                    col: pos.1,
                    message: error_message(&err),
                });
            }
        },
    };
    let (found, annotation_errors) = annotations(&text);
    if let Some(err) = annotation_errors.into_iter().next() {
        return Err(LoadError {
            file: path.to_string(),
            line: err.line,
            col: err.col,
            message: err.message,
        });
    }
    let package_meta = found
        .iter()
        .find(|a| a.rule.is_none())
        .map(|a| a.metadata.clone())
        .unwrap_or_default();
    let mut entries = BTreeMap::new();
    for rule in ENTRY_RULES {
        if engine
            .has_declared_rule_rooted_at(path, rule)
            .unwrap_or(false)
        {
            let own = found
                .iter()
                .find(|a| a.rule.as_deref() == Some(rule))
                .map(|a| a.metadata.clone())
                .unwrap_or_default();
            entries.insert(rule.to_string(), own.or(&package_meta));
        }
    }
    let tests = test_rules(&text)
        .into_iter()
        .filter(|(name, _)| {
            engine
                .has_declared_rule_rooted_at(path, name)
                .unwrap_or(false)
        })
        .collect();
    // The syntax tree of this file alone: the engine holds nothing else.
    let ast = syntax_tree(&mut engine);
    Ok((
        PolicyFile {
            path: path.to_string(),
            text,
            v0,
            package,
            entries,
            tests,
            index: BTreeMap::new(),
            reads: None,
            needs: None,
        },
        ast,
    ))
}

/// The syntax tree of the modules `engine` holds, as regorus's `get_ast_as_json` writes it,
/// built as a JSON value directly: writing it as text and parsing the text was about two
/// percent of a run of the stage on the benchmark.
fn syntax_tree(engine: &mut Engine) -> Option<serde_json::Value> {
    /// One module as `get_ast_as_json` writes it.
    #[derive(serde::Serialize)]
    struct Policy<'a> {
        source: &'a regorus::Source,
        version: u32,
        ast: &'a regorus::unstable::Module,
    }
    let modules: Vec<Policy> = engine
        .get_modules()
        .iter()
        .map(|m| Policy {
            source: &m.package.span.source,
            version: 1,
            ast: m,
        })
        .collect();
    serde_json::to_value(modules).ok()
}

fn parse(path: &str, text: &str, v0: bool) -> Result<(Engine, String), String> {
    let mut engine = Engine::new();
    engine.set_rego_v0(v0);
    match engine.add_policy(path.to_string(), text.to_string()) {
        Ok(package) => {
            let package = package
                .strip_prefix("data.")
                .unwrap_or(&package)
                .to_string();
            Ok((engine, package))
        }
        Err(err) => Err(format!("{err:#}")),
    }
}

/// `test_*` rule names declared at the start of a line, with their line.
fn test_rules(text: &str) -> Vec<(String, u32)> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with("test_") {
            continue;
        }
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, i as u32 + 1));
        }
    }
    out
}

/// The `line:col` of a regorus error (`--> file:line:col`), or 1:1.
pub fn position(error: &str) -> (u32, u32) {
    located(error).map_or((1, 1), |(_, line, col)| (line, col))
}

/// The `file`, `line` and `col` a regorus error names (`--> file:line:col`).
pub fn located(error: &str) -> Option<(String, u32, u32)> {
    error.lines().find_map(|l| {
        let rest = l.trim_start().strip_prefix("--> ")?;
        let mut parts = rest.rsplitn(3, ':');
        let col = parts.next()?.trim().parse().ok()?;
        let line = parts.next()?.trim().parse().ok()?;
        let file = parts.next()?.trim().to_string();
        Some((file, line, col))
    })
}

/// The line, column (in characters, from 1) and value of the first character of `text` that
/// must not be shown raw ([`tollgate_core::display::is_unsafe`]); a carriage return is allowed
/// before a line feed.
/// Line and column (1-based, in characters) of the first `[` or `{` that opens a level deeper
/// than `limit`, outside strings and comments.
fn bracket_nesting_past(text: &str, limit: usize) -> Option<(u32, u32)> {
    let (mut line, mut col) = (1u32, 0u32);
    let mut depth = 0usize;
    // Inside a `"..."` string (with escapes), a `` `...` `` raw string, or a `#` comment.
    let (mut quoted, mut raw, mut comment, mut escaped) = (false, false, false, false);
    for c in text.chars() {
        col = col.saturating_add(1);
        if c == '\n' {
            line = line.saturating_add(1);
            col = 0;
            comment = false;
            continue;
        }
        if comment {
            continue;
        }
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        if raw {
            raw = c != '`';
            continue;
        }
        match c {
            '#' => comment = true,
            '"' => quoted = true,
            '`' => raw = true,
            '[' | '{' => {
                depth += 1;
                if depth > limit {
                    return Some((line, col));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn unsafe_character(text: &str) -> Option<(u32, u32, char)> {
    let (mut line, mut col) = (1u32, 1u32);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let line_end = c == '\r' && chars.peek() == Some(&'\n');
        if !line_end && tollgate_core::display::is_unsafe(c) {
            return Some((line, col, c));
        }
        if c == '\n' {
            line = line.saturating_add(1);
            col = 1;
        } else {
            col = col.saturating_add(1);
        }
    }
    None
}

/// The message of a regorus error without its code frame: the `error: ...` line(s).
pub fn error_message(error: &str) -> String {
    let lines: Vec<&str> = error
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("error: "))
        .collect();
    if lines.is_empty() {
        error.trim().lines().last().unwrap_or("").to_string()
    } else {
        lines.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The syntax tree built as a value is the one regorus writes as text.
    #[test]
    fn syntax_trees_are_those_regorus_writes() {
        for (text, v0) in [
            ("package main\nimport rego.v1\n\ndeny contains {\"msg\": \"m\", \"n\": 1.5} if {\n  some k in [\"a\", \"b\"]\n  input.resource.properties[k] > 300\n  x := [r | some r in input.resources; r.model.kind == \"k\"]\n  count(x) == 0\n}\n", false),
            ("package main\n\ndeny[msg] {\n  input.identity.public\n  msg := sprintf(\"%v\", [input.identity.address])\n}\n", true),
        ] {
            let (mut engine, _) = parse("p.rego", text, v0).unwrap();
            let written: serde_json::Value =
                serde_json::from_str(&engine.get_ast_as_json().unwrap()).unwrap();
            assert_eq!(syntax_tree(&mut engine), Some(written), "{text}");
        }
    }

    #[test]
    fn brackets_nested_past_the_limit_are_refused_before_parsing() {
        let policy = |depth: usize| {
            format!(
                "package main\n\nimport rego.v1\n\n# [[[[[[[[[[[[[[[[[[[[ in a comment\ns := \"{{{{{{{{{{{{{{{{{{{{{{\"\n\ndeny contains msg if {{\n\tx := count({}1{})\n\tx == 2\n\tmsg := \"m\"\n}}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            )
        };
        // 1,000 levels ran past a 300 s stage timeout in regorus's parser.
        let set = load_policies(vec![("p.rego".to_string(), policy(1_000))]);
        assert!(set.files.is_empty());
        assert_eq!(set.errors.len(), 1, "{:?}", set.errors);
        let err = &set.errors[0];
        // `deny ... {` is level 1 on line 8; the array's 16th bracket is level 17.
        assert_eq!((err.line, err.col), (9, 28), "{err:?}");
        assert!(
            err.message.contains("nested more than 16 levels"),
            "{err:?}"
        );
        // Within the limit (brackets in the comment and the string not counted), it loads.
        let set = load_policies(vec![("p.rego".to_string(), policy(15))]);
        assert!(set.errors.is_empty(), "{:?}", set.errors);
        assert_eq!(set.files.len(), 1);
    }

    fn one(text: &str) -> Result<PolicyFile, LoadError> {
        let set = load_policies(vec![("p.rego".into(), text.into())]);
        match set.errors.into_iter().next() {
            Some(err) => Err(err),
            None => Ok(set.files.into_iter().next().unwrap()),
        }
    }

    #[test]
    fn a_file_name_with_control_characters_keeps_a_policy_from_loading() {
        let text = "package main\nimport rego.v1\ndeny contains \"x\" if input.a\n";
        for name in ["p\u{1b}[31m.rego", "p\r::error::x.rego", "p\n.rego"] {
            let set = load_policies(vec![(name.into(), text.into())]);
            assert!(set.files.is_empty(), "{name:?}");
            assert!(
                set.errors[0].message.contains("file's name"),
                "{:?}",
                set.errors
            );
        }
        assert!(
            load_policies(vec![("policies/a b-é.rego".into(), text.into())])
                .errors
                .is_empty()
        );
    }

    #[test]
    fn control_characters_keep_a_policy_from_loading() {
        // Windows line ends and tabs are text.
        let clean =
            "package main\r\nimport rego.v1\r\n\ndeny contains \"x\" if {\r\n\tinput.a\n}\n";
        assert!(one(clean).is_ok());
        for (c, line, col) in [
            ('\u{1b}', 3, 26),
            ('\r', 3, 26),
            ('\u{202e}', 3, 26),
            ('\u{85}', 3, 26),
        ] {
            let text = format!("package main\nimport rego.v1\ndeny contains \"x\" if {{ # {c}::error::forged\n  input.a\n}}\n");
            let err = one(&text).unwrap_err();
            assert_eq!((err.line, err.col), (line, col), "{err:?}");
            assert!(
                err.message
                    .starts_with(&format!("control character U+{:04X}", c as u32)),
                "{err:?}"
            );
        }
    }

    #[test]
    fn v0_and_v1_syntax_both_load() {
        let v0 = one("package main\n\ndeny[msg] {\n  input.x\n  msg := \"x\"\n}\n").unwrap();
        assert!(v0.v0);
        assert_eq!(v0.package, "main");
        assert!(v0.entries.contains_key("deny"));
        let v1 = one("package main\n\ndeny contains msg if {\n  input.x\n  msg := \"x\"\n}\nwarn contains \"w\" if input.y\n").unwrap();
        assert!(!v1.v0);
        assert_eq!(v1.entries.keys().collect::<Vec<_>>(), ["deny", "warn"]);
        let imported =
            one("package main\nimport rego.v1\n\nviolation contains msg if {\n  msg := \"x\"\n}\n")
                .unwrap();
        assert!(imported.entries.contains_key("violation"));
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let err = one("package main\n\ndeny contains msg if {\n  input.x ==\n}\n").unwrap_err();
        assert_eq!((err.file.as_str(), err.line, err.col), ("p.rego", 5, 1));
        assert!(err.message.contains("expecting expression"), "{err}");
        // A v0 file's error is reported as v0 sees it, not as a missing `if`.
        let err = one("package main\n\ndeny[msg] {\n  msg := \n}\n").unwrap_err();
        assert!(!err.message.contains("`if`"), "{err}");
    }

    #[test]
    fn recursive_functions_are_refused() {
        let set = load_policies(vec![
            (
                "ok.rego".into(),
                "package main\n\ndeny contains \"x\" if input.x\n".into(),
            ),
            (
                "rec.rego".into(),
                "package lib\n\nf(x) := y if {\n  y := f(x)\n}\n".into(),
            ),
        ]);
        assert_eq!(set.files.len(), 1);
        assert_eq!(set.errors.len(), 1);
        assert_eq!(
            set.errors[0].to_string().split(": ").next(),
            Some("rec.rego:3:1")
        );
    }

    #[test]
    fn tests_are_found() {
        let f = one("package main\n\ntest_denies if {\n  count(deny) == 0 with input as {}\n}\ndeny contains \"x\" if input.x\n").unwrap();
        assert_eq!(f.tests, [("test_denies".to_string(), 3)]);
    }
}
