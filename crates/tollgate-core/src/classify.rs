//! Deciding what a file is: by name, by path, and for YAML/JSON templates by a look at the
//! first bytes. Text heuristics, not a parse: the head of a large file is cut mid-document, and
//! classification must stay cheap for every file in the repository.

use crate::inventory::FileKind;

/// How many leading bytes content classification looks at.
pub const HEAD_BYTES: usize = 64 * 1024;

/// How many leading bytes are checked for a NUL to call a file binary.
pub const BINARY_PROBE_BYTES: usize = 8 * 1024;

const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// Dependency lockfiles and manifests, by exact file name.
const LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "go.mod",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
    "gradle.lockfile",
    "pom.xml",
];

/// The kind of a file decided from its path alone, when the name says it all.
pub fn kind_by_name(path: &str) -> Option<FileKind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    // The framework also reads `serverless.json`; JSON is YAML, so one parser reads all three.
    if name == "serverless.yml" || name == "serverless.yaml" || name == "serverless.json" {
        return Some(FileKind::Serverless);
    }
    if LOCKFILES.contains(&name) || (name.starts_with("requirements") && name.ends_with(".txt")) {
        return Some(FileKind::Lockfile(name.to_string()));
    }
    if name.ends_with(".tf.json") {
        return Some(FileKind::TerraformJson);
    }
    if name.ends_with(".tf") {
        return Some(FileKind::Terraform);
    }
    if is_workflow_path(path) {
        return Some(FileKind::Workflow);
    }
    None
}

/// `.github/workflows/NAME.yml|yaml` (directly in that directory, at any depth of the tree so a
/// scanned monorepo's nested projects count too).
fn is_workflow_path(path: &str) -> bool {
    let Some((dir, name)) = path.rsplit_once('/') else {
        return false;
    };
    (dir == ".github/workflows" || dir.ends_with("/.github/workflows"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// Whether the file's kind depends on its content (YAML, JSON and `.template` files).
pub fn needs_content(path: &str) -> bool {
    let lower = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [".yaml", ".yml", ".json", ".template"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Whether a binary file at this path deserves a warning: it was named like something tollgate
/// reads, so skipping it may hide a problem.
pub fn is_interesting_name(path: &str) -> bool {
    kind_by_name(path).is_some() || needs_content(path)
}

/// Classify a file from its path and the first [`HEAD_BYTES`] of its content.
pub fn classify(path: &str, head: &[u8]) -> FileKind {
    if let Some(kind) = kind_by_name(path) {
        return kind;
    }
    if !needs_content(path) {
        return FileKind::Other;
    }
    // The head may end inside a multi-byte character; the valid prefix is enough.
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
    };
    let text = text.trim_start_matches('\u{feff}');
    let lower = path.to_ascii_lowercase();
    let json = if lower.ends_with(".json") {
        true
    } else if lower.ends_with(".template") {
        text.trim_start().starts_with('{')
    } else {
        false
    };
    if has_sam_transform(text, json) {
        return FileKind::Sam { json };
    }
    if has_key(text, "AWSTemplateFormatVersion", json)
        || (has_key(text, "Resources", json) && has_aws_type(text))
    {
        return FileKind::CloudFormation { json };
    }
    if json
        && has_key(text, "format_version", true)
        && (has_key(text, "planned_values", true) || has_key(text, "resource_changes", true))
    {
        return FileKind::TerraformPlan;
    }
    if json {
        FileKind::JsonOther
    } else {
        FileKind::YamlOther
    }
}

/// Byte offsets just past each occurrence of `key` used as a mapping key (`key:` in YAML,
/// `"key":` in JSON; YAML may quote keys too).
fn key_ends<'a>(text: &'a str, key: &'a str, json: bool) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(key).filter_map(move |(at, _)| {
        let before = &text[..at];
        let mut after = &text[at + key.len()..];
        let quote = before
            .chars()
            .next_back()
            .filter(|c| *c == '"' || *c == '\'');
        if let Some(q) = quote {
            after = after.strip_prefix(q)?;
        } else if json {
            return None;
        }
        // The key must start its line (YAML, after indentation or a `- `) or follow
        // `{`/`,`/whitespace (JSON); otherwise it is text inside some value.
        let lead = &before[..before.len() - quote.map_or(0, char::len_utf8)];
        let starts_item = if json {
            lead.chars()
                .next_back()
                .is_none_or(|c| c == '{' || c == ',' || c.is_whitespace())
        } else {
            let line_start = lead.rsplit('\n').next().unwrap_or(lead);
            line_start
                .trim_start()
                .trim_start_matches("- ")
                .trim()
                .is_empty()
        };
        if !starts_item {
            return None;
        }
        let rest = after.trim_start_matches([' ', '\t']);
        let colon = rest.strip_prefix(':')?;
        Some(text.len() - colon.len())
    })
}

fn has_key(text: &str, key: &str, json: bool) -> bool {
    key_ends(text, key, json).next().is_some()
}

/// `Transform: AWS::Serverless-2016-10-31`, or a list (flow or block) that contains it.
fn has_sam_transform(text: &str, json: bool) -> bool {
    key_ends(text, "Transform", json).any(|end| {
        let value = &text[end..];
        let trimmed = value.trim_start();
        let scope = if trimmed.starts_with('[') {
            // Flow / JSON list: up to the closing bracket.
            &trimmed[..trimmed.find(']').map_or(trimmed.len(), |i| i + 1)]
        } else if json
            || !value
                .trim_start_matches([' ', '\t'])
                .starts_with(['\n', '\r'])
        {
            // Scalar on the same line (or a JSON string up to the next comma or brace).
            let cut = trimmed
                .find(|c: char| c == '\n' || (json && (c == ',' || c == '}')))
                .unwrap_or(trimmed.len());
            &trimmed[..cut]
        } else {
            // YAML block list: the following `- item` lines, up to the next line at column 0.
            let body = value.trim_start_matches([' ', '\t', '\r', '\n']);
            let mut len = 0;
            for line in body.split_inclusive('\n') {
                let blank = line.trim().is_empty();
                if !blank && !line.starts_with([' ', '\t', '-']) {
                    break;
                }
                len += line.len();
            }
            &body[..len]
        };
        scope.contains(SAM_TRANSFORM)
    })
}

/// `Type: AWS::...` / `"Type": "AWS::...` anywhere in the head.
fn has_aws_type(text: &str) -> bool {
    key_ends(text, "Type", false)
        .chain(key_ends(text, "Type", true))
        .any(|end| {
            let value = text[end..].trim_start_matches([' ', '\t']);
            let value = value.trim_start_matches(['"', '\'']);
            value.starts_with("AWS::")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str, text: &str) -> FileKind {
        classify(path, text.as_bytes())
    }

    #[test]
    fn classification_table() {
        let lock = |n: &str| FileKind::Lockfile(n.to_string());
        let cases: Vec<(&str, &str, FileKind)> = vec![
            ("serverless.yml", "service: x\n", FileKind::Serverless),
            ("api/serverless.yaml", "service: x\n", FileKind::Serverless),
            ("api/serverless.json", "{\"service\": \"x\"}\n", FileKind::Serverless),
            ("main.tf", "resource \"a\" \"b\" {}\n", FileKind::Terraform),
            ("mod/x.tf.json", "{}", FileKind::TerraformJson),
            ("Cargo.lock", "", lock("Cargo.lock")),
            ("web/package-lock.json", "{}", lock("package-lock.json")),
            ("npm-shrinkwrap.json", "{}", lock("npm-shrinkwrap.json")),
            ("yarn.lock", "", lock("yarn.lock")),
            ("pnpm-lock.yaml", "lockfileVersion: 9\n", lock("pnpm-lock.yaml")),
            ("requirements.txt", "", lock("requirements.txt")),
            ("requirements-dev.txt", "", lock("requirements-dev.txt")),
            ("poetry.lock", "", lock("poetry.lock")),
            ("Pipfile.lock", "{}", lock("Pipfile.lock")),
            ("uv.lock", "", lock("uv.lock")),
            ("pdm.lock", "", lock("pdm.lock")),
            ("go.mod", "", lock("go.mod")),
            ("go.sum", "", lock("go.sum")),
            ("Gemfile.lock", "", lock("Gemfile.lock")),
            ("composer.lock", "{}", lock("composer.lock")),
            ("gradle.lockfile", "", lock("gradle.lockfile")),
            ("pom.xml", "<project/>", lock("pom.xml")),
            (".github/workflows/ci.yml", "on: push\n", FileKind::Workflow),
            (".github/workflows/release.yaml", "on: push\n", FileKind::Workflow),
            ("svc/.github/workflows/ci.yml", "on: push\n", FileKind::Workflow),
            (".github/workflows/sub/ci.yml", "on: push\n", FileKind::YamlOther),
            (".github/dependabot.yml", "version: 2\n", FileKind::YamlOther),
            (
                "template.yaml",
                "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n",
                FileKind::Sam { json: false },
            ),
            (
                "sam.yml",
                "Transform:\n  - AWS::LanguageExtensions\n  - AWS::Serverless-2016-10-31\nResources: {}\n",
                FileKind::Sam { json: false },
            ),
            (
                "sam.yml",
                "Transform: [AWS::LanguageExtensions, 'AWS::Serverless-2016-10-31']\n",
                FileKind::Sam { json: false },
            ),
            (
                "sam.json",
                r#"{"Transform": ["AWS::Serverless-2016-10-31"], "Resources": {}}"#,
                FileKind::Sam { json: true },
            ),
            (
                "stack.template",
                "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\"\n}",
                FileKind::CloudFormation { json: true },
            ),
            (
                "stack.template",
                "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
                FileKind::CloudFormation { json: false },
            ),
            (
                "stack.json",
                r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}"#,
                FileKind::CloudFormation { json: true },
            ),
            (
                "other.yml",
                "Transform: AWS::Include\nResources:\n  Q:\n    Type: \"AWS::SQS::Queue\"\n",
                FileKind::CloudFormation { json: false },
            ),
            (
                "plan.json",
                r#"{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{}}"#,
                FileKind::TerraformPlan,
            ),
            (
                "plan.json",
                r#"{"format_version":"1.2","resource_changes":[]}"#,
                FileKind::TerraformPlan,
            ),
            ("state.json", r#"{"format_version":"1.0","values":{}}"#, FileKind::JsonOther),
            ("k8s.yaml", "kind: Deployment\nmetadata:\n  name: x\n", FileKind::YamlOther),
            // A key merely mentioned in a value does not count.
            ("notes.yaml", "text: \"see AWSTemplateFormatVersion: docs\"\n", FileKind::YamlOther),
            ("README.md", "AWSTemplateFormatVersion: x", FileKind::Other),
            ("handler.py", "import json\n", FileKind::Other),
        ];
        for (path, text, expected) in cases {
            assert_eq!(kind(path, text), expected, "{path}: {text}");
        }
    }

    #[test]
    fn byte_order_mark_and_cut_utf8_are_tolerated() {
        let mut head = "\u{feff}AWSTemplateFormatVersion: x\nDescription: é"
            .as_bytes()
            .to_vec();
        head.pop();
        assert_eq!(
            classify("t.yaml", &head),
            FileKind::CloudFormation { json: false }
        );
    }
}
