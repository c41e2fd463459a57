//! OPA's METADATA annotations: a `# METADATA` comment line followed by a YAML block in comment
//! lines, placed right above the rule (or the package) it describes. regorus does not read
//! them, so they are read here from the text.

use tollgate_syntax::{Format, Limits, Node};

/// What an annotation says. Only the fields tollgate uses are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub title: Option<String>,
    pub description: Option<String>,
    /// `custom.severity`.
    pub severity: Option<String>,
    /// `custom.code`.
    pub code: Option<String>,
    /// `related_resources[*]` (strings, or the `ref` of `{ref, description}` entries).
    pub related_resources: Vec<String>,
}

impl Metadata {
    /// `self` with the fields it lacks taken from `outer` (a rule's annotation over its
    /// package's).
    pub fn or(&self, outer: &Metadata) -> Metadata {
        Metadata {
            title: self.title.clone().or_else(|| outer.title.clone()),
            description: self
                .description
                .clone()
                .or_else(|| outer.description.clone()),
            severity: self.severity.clone().or_else(|| outer.severity.clone()),
            code: self.code.clone().or_else(|| outer.code.clone()),
            related_resources: if self.related_resources.is_empty() {
                outer.related_resources.clone()
            } else {
                self.related_resources.clone()
            },
        }
    }
}

/// An annotation and what it is attached to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The rule name of the line that follows (`deny`), or `None` for the package (the
    /// annotation sits above `package` or says `scope: package`).
    pub rule: Option<String>,
    pub metadata: Metadata,
    /// Line of the `# METADATA` comment.
    pub line: u32,
}

/// A malformed annotation: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// Every annotation of a policy text.
pub fn annotations(text: &str) -> (Vec<Annotation>, Vec<AnnotationError>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "# METADATA" {
            i += 1;
            continue;
        }
        let start = i;
        let indent = lines[i].find('#').unwrap_or(0);
        i += 1;
        let mut yaml = String::new();
        while i < lines.len() && lines[i].trim_start().starts_with('#') {
            let body = &lines[i][lines[i].find('#').unwrap_or(0) + 1..];
            yaml.push_str(body.strip_prefix(' ').unwrap_or(body));
            yaml.push('\n');
            i += 1;
        }
        let target = lines.get(i).map(|l| l.trim_start()).unwrap_or_default();
        let rule = if target.starts_with("package ") {
            None
        } else {
            let name: String = target
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        };
        match parse_yaml(&yaml) {
            Ok((metadata, package_scope)) => out.push(Annotation {
                rule: if package_scope { None } else { rule },
                metadata,
                line: start as u32 + 1,
            }),
            Err((line, message)) => errors.push(AnnotationError {
                line: start as u32 + 1 + line,
                col: indent as u32 + 1,
                message,
            }),
        }
    }
    (out, errors)
}

/// The metadata, and whether it says `scope: package` (or `subpackages`).
fn parse_yaml(yaml: &str) -> Result<(Metadata, bool), (u32, String)> {
    let limits = Limits {
        max_bytes: 64 * 1024,
        ..Limits::default()
    };
    let doc = tollgate_syntax::parse(yaml, Format::Yaml, &limits).map_err(|e| {
        let line = e.pos.map_or(1, |p| p.line);
        (line, format!("METADATA is not valid YAML: {}", e.message))
    })?;
    let Some(root) = doc.root() else {
        return Ok((Metadata::default(), false));
    };
    let text = |n: Option<&Node>| n.and_then(Node::as_str).map(str::to_string);
    let custom = root.get("custom");
    let metadata = Metadata {
        title: text(root.get("title")),
        description: text(root.get("description")),
        severity: text(custom.and_then(|c| c.get("severity"))),
        code: text(custom.and_then(|c| c.get("code"))),
        related_resources: root
            .get("related_resources")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|r| r.as_str().or_else(|| r.get("ref").and_then(Node::as_str)))
            .map(str::to_string)
            .collect(),
    };
    let scope = root.get("scope").and_then(Node::as_str).unwrap_or("rule");
    Ok((metadata, matches!(scope, "package" | "subpackages")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_and_package_annotations() {
        let text = "# METADATA\n# title: Tags\n# custom:\n#   severity: high\n#   code: TG9001\npackage main\n\n# METADATA\n# title: CostCenter tag\n# description: Every table has one.\n# related_resources:\n# - https://example.com/tags\n# - ref: https://example.com/b\ndeny contains msg if {\n  msg := \"x\"\n}\n";
        let (found, errors) = annotations(text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].rule, None);
        assert_eq!(found[0].metadata.severity.as_deref(), Some("high"));
        assert_eq!(found[0].metadata.code.as_deref(), Some("TG9001"));
        assert_eq!(found[1].rule.as_deref(), Some("deny"));
        assert_eq!(found[1].line, 8);
        assert_eq!(
            found[1].metadata.related_resources,
            ["https://example.com/tags", "https://example.com/b"]
        );
        let merged = found[1].metadata.or(&found[0].metadata);
        assert_eq!(merged.title.as_deref(), Some("CostCenter tag"));
        assert_eq!(merged.severity.as_deref(), Some("high"));
    }

    #[test]
    fn bad_yaml_is_an_error_at_its_line() {
        let (found, errors) =
            annotations("package main\n# METADATA\n# title: [unclosed\ndeny[x] { x := 1 }\n");
        assert!(found.is_empty());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].line >= 2, "{errors:?}");
    }

    #[test]
    fn ordinary_comments_are_not_annotations() {
        let (found, errors) =
            annotations("package main\n# title: not metadata\ndeny[x] { x := 1 }\n");
        assert!(found.is_empty() && errors.is_empty());
    }
}
