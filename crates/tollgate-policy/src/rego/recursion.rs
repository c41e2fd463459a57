//! Recursive functions, refused before evaluation. OPA rejects recursion at compile time;
//! regorus catches recursive rules while evaluating but not a function that calls itself,
//! which would overflow the stack and abort the whole run. The check works on the text
//! (comments and strings blanked out): a function head is a name followed by `(` at brace
//! depth 0, a call is a name followed by `(` inside a body, matched by its last segment. That
//! over-approximates (two packages' functions of the same name count as one), which can only
//! refuse a policy, never let a recursive one through.

use std::collections::{BTreeMap, BTreeSet};

/// Words that start a line without starting a rule.
const KEYWORDS: &[&str] = &[
    "if", "contains", "else", "default", "import", "package", "not", "some", "every", "in", "as",
    "with", "true", "false", "null",
];

/// A function that can reach itself through calls: its name and where it is defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recursion {
    pub function: String,
    /// The cycle, starting and ending at `function`.
    pub path: Vec<String>,
    pub line: u32,
    pub col: u32,
}

/// Functions defined in `texts` with the functions their bodies call, and where each is first
/// defined.
#[derive(Debug, Default)]
pub struct CallGraph {
    calls: BTreeMap<String, BTreeSet<String>>,
    defined_at: BTreeMap<String, (usize, u32, u32)>,
}

impl CallGraph {
    /// Add one policy text (identified by `source` in the results).
    pub fn add(&mut self, source: usize, text: &str) {
        let clean = blank_comments_and_strings(text);
        let chars: Vec<char> = clean.chars().collect();
        let (mut line, mut col) = (1u32, 1u32);
        let mut depth = 0i32;
        let mut at_line_start = true;
        let mut current: Option<String> = None;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_ascii_alphabetic() || c == '_' {
                let (start_line, start_col) = (line, col);
                let head_position = depth == 0 && at_line_start;
                at_line_start = false;
                let mut name = String::new();
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
                {
                    name.push(chars[i]);
                    i += 1;
                    col += 1;
                }
                let called = chars.get(i) == Some(&'(');
                let last = name.rsplit('.').next().unwrap_or(&name).to_string();
                if head_position && !KEYWORDS.contains(&name.as_str()) {
                    // A head: a function when followed by `(`, else a rule (calls in rule
                    // bodies are not edges: rule cycles are regorus's to catch).
                    if called {
                        self.defined_at
                            .entry(last.clone())
                            .or_insert((source, start_line, start_col));
                        self.calls.entry(last.clone()).or_default();
                        current = Some(last);
                    } else {
                        current = None;
                    }
                } else if called {
                    if let Some(f) = &current {
                        self.calls.entry(f.clone()).or_default().insert(last);
                    }
                }
                continue;
            }
            match c {
                '{' | '[' | '(' => depth += 1,
                '}' | ']' | ')' => depth -= 1,
                _ => {}
            }
            if c == '\n' {
                line += 1;
                col = 1;
                at_line_start = true;
            } else {
                if !c.is_whitespace() {
                    at_line_start = false;
                }
                col += 1;
            }
            i += 1;
        }
    }

    /// The first recursive function found, if any.
    pub fn recursion(&self) -> Option<(usize, Recursion)> {
        for start in self.calls.keys() {
            let mut path = vec![start.clone()];
            let mut seen = BTreeSet::new();
            if self.reaches(start, start, &mut path, &mut seen) {
                let (source, line, col) = self.defined_at[start];
                return Some((
                    source,
                    Recursion {
                        function: start.clone(),
                        path,
                        line,
                        col,
                    },
                ));
            }
        }
        None
    }

    fn reaches(
        &self,
        from: &str,
        target: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in self.calls.get(from).into_iter().flatten() {
            if !self.calls.contains_key(next) {
                continue;
            }
            path.push(next.clone());
            if next == target {
                return true;
            }
            if seen.insert(next.clone()) && self.reaches(next, target, path, seen) {
                return true;
            }
            path.pop();
        }
        false
    }
}

/// The text with comments and string contents replaced by spaces (line breaks kept), so
/// positions stay where they were.
pub(crate) fn blank_comments_and_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                out.push(' ');
                while let Some(&n) = chars.peek() {
                    if n == '\n' {
                        break;
                    }
                    out.push(' ');
                    chars.next();
                }
            }
            '"' => {
                out.push(' ');
                while let Some(n) = chars.next() {
                    if n == '\\' {
                        out.push(' ');
                        if chars.next().is_some() {
                            out.push(' ');
                        }
                        continue;
                    }
                    out.push(if n == '\n' { '\n' } else { ' ' });
                    if n == '"' {
                        break;
                    }
                }
            }
            '`' => {
                out.push(' ');
                for n in chars.by_ref() {
                    out.push(if n == '\n' { '\n' } else { ' ' });
                    if n == '`' {
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Option<Recursion> {
        let mut g = CallGraph::default();
        g.add(0, text);
        g.recursion().map(|(_, r)| r)
    }

    #[test]
    fn self_and_mutual_recursion_are_found() {
        let r = check("package main\n\nf(x) := y if { y := f(x) }\n").unwrap();
        assert_eq!(r.function, "f");
        assert_eq!((r.line, r.col), (3, 1));
        let r = check("package main\n\na(x) := b(x)\nb(x) := y if {\n  y := data.main.a(x)\n}\n")
            .unwrap();
        assert_eq!(r.path, ["a", "b", "a"]);
    }

    #[test]
    fn ordinary_policies_pass() {
        let text = "package main\nimport rego.v1\n\nis_fn(r) if r.type == \"f(\"\n# f(x) in a comment\nname(r) := lower(r.address)\n\ndeny contains msg if {\n  is_fn(input.resource)\n  msg := sprintf(\"%s\", [name(input.resource)])\n}\ndeny[msg] {\n  deny_helper(1)\n  msg := \"x\"\n}\ndeny_helper(x) { x > 0 }\n";
        assert_eq!(check(text), None);
    }
}
