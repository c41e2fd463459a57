//! Maven `pom.xml`: `<dependency>` elements with literal versions, or versions from a
//! `${property}` the same POM defines. Plugin dependencies are build tooling and skipped;
//! `test` scope marks a development dependency. A small tag scanner, not a full XML parser:
//! no entities are expanded and no external document is ever fetched.

use std::collections::HashMap;

use super::text::LineIndex;
use super::ParseErr;
use crate::package::{Package, Parsed};
use crate::Ecosystem;

const MAX_DEPTH: usize = 64;

#[derive(Default)]
struct Dep {
    fields: HashMap<String, (String, u32)>,
    line: u32,
}

/// Replace comments with spaces, keeping offsets and newlines.
fn blank_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("-->")
            .map_or(rest.len(), |e| start + e + 3);
        // One byte per byte of the comment, so offsets (and lines) stay where they were.
        out.extend(
            rest.as_bytes()[start..end]
                .iter()
                .map(|&b| if b == b'\n' { '\n' } else { ' ' }),
        );
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

pub fn parse(text: &str) -> Result<Parsed, ParseErr> {
    let clean = blank_comments(text);
    let index = LineIndex::new(&clean);
    let mut stack: Vec<String> = Vec::new();
    let mut text_buf = String::new();
    let mut props: HashMap<String, String> = HashMap::new();
    let mut deps: Vec<(Dep, bool)> = Vec::new();
    let mut current: Option<(Dep, bool)> = None;
    let mut pos = 0;
    while let Some(rel) = clean[pos..].find('<') {
        let at = pos + rel;
        text_buf.push_str(&clean[pos..at]);
        let Some(end_rel) = clean[at..].find('>') else {
            let (l, c) = index.line_col(at);
            return Err(ParseErr::new(l, c, "expected `>` to close the tag"));
        };
        let end = at + end_rel;
        let tag = &clean[at + 1..end];
        pos = end + 1;
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let name = name.trim();
            if stack.last().map(String::as_str) != Some(name) {
                let (l, c) = index.line_col(at);
                return Err(ParseErr::new(
                    l,
                    c,
                    format!(
                        "expected `</{}>`, found `</{name}>`",
                        stack.last().map_or("", |s| s)
                    ),
                ));
            }
            let value = text_buf.trim().to_string();
            let parent = stack.len().checked_sub(2).map(|i| stack[i].as_str());
            let in_project = stack.len() >= 2 && stack[0] == "project";
            if in_project && stack.len() == 3 && stack[1] == "properties" {
                props.insert(name.to_string(), value.clone());
            }
            if in_project && stack.len() == 2 && name == "version" {
                props.insert("project.version".into(), value.clone());
            }
            if parent == Some("dependency") {
                if let Some((dep, _)) = current.as_mut() {
                    dep.fields.insert(name.to_string(), (value, index.line(at)));
                }
            }
            if name == "dependency" {
                if let Some(done) = current.take() {
                    deps.push(done);
                }
            }
            stack.pop();
            text_buf.clear();
            continue;
        }
        let self_closing = tag.ends_with('/');
        let name = tag
            .trim_end_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string();
        text_buf.clear();
        if self_closing {
            continue;
        }
        if name == "dependency" {
            let in_plugin = stack.iter().any(|s| s == "plugin");
            current = Some((
                Dep {
                    line: index.line(at),
                    ..Dep::default()
                },
                in_plugin,
            ));
        }
        stack.push(name);
        if stack.len() > MAX_DEPTH {
            let (l, c) = index.line_col(at);
            return Err(ParseErr::new(
                l,
                c,
                format!("nesting deeper than {MAX_DEPTH} elements"),
            ));
        }
    }
    let mut out = Parsed::default();
    for (dep, in_plugin) in deps {
        if in_plugin {
            continue;
        }
        let get = |k: &str| dep.fields.get(k).map(|(v, l)| (v.as_str(), *l));
        let (Some((group, _)), Some((artifact, _))) = (get("groupId"), get("artifactId")) else {
            continue;
        };
        let name = format!("{group}:{artifact}");
        let Some((raw, line)) = get("version") else {
            out.skipped.push((
                dep.line,
                format!("{name} has no version here (managed elsewhere)"),
            ));
            continue;
        };
        let version = match raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
            Some(prop) => match props.get(prop) {
                Some(v) if !v.contains("${") => v.clone(),
                _ => {
                    out.skipped.push((
                        line,
                        format!("{name}: version `{raw}` is not defined in this POM"),
                    ));
                    continue;
                }
            },
            None => raw.to_string(),
        };
        if version.contains("${") || version.starts_with(['[', '(']) {
            out.skipped.push((
                line,
                format!("{name}: version `{raw}` is not a literal version"),
            ));
            continue;
        }
        let dev = get("scope").is_some_and(|(s, _)| s == "test");
        out.packages
            .push(Package::new(Ecosystem::Maven, name, version, line).dev(dev));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>handler</artifactId>
  <version>1.0.0</version>
  <properties>
    <jackson.version>2.9.8</jackson.version>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>2.14.1</version>
    </dependency>
    <!-- <dependency><groupId>x</groupId><artifactId>y</artifactId><version>1</version></dependency> -->
    <dependency>
      <groupId>com.fasterxml.jackson.core</groupId>
      <artifactId>jackson-databind</artifactId>
      <version>${jackson.version}</version>
    </dependency>
    <dependency>
      <groupId>junit</groupId>
      <artifactId>junit</artifactId>
      <version>4.12</version>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>com.example</groupId>
      <artifactId>managed</artifactId>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <artifactId>maven-shade-plugin</artifactId>
        <dependencies>
          <dependency>
            <groupId>org.ow2.asm</groupId>
            <artifactId>asm</artifactId>
            <version>5.0</version>
          </dependency>
        </dependencies>
      </plugin>
    </plugins>
  </build>
</project>
"#;

    #[test]
    fn literal_and_property_versions() {
        let parsed = parse(POM).unwrap();
        let got = parsed.quads();
        assert_eq!(
            got,
            vec![
                ("org.apache.logging.log4j:log4j-core", "2.14.1", 14, false),
                (
                    "com.fasterxml.jackson.core:jackson-databind",
                    "2.9.8",
                    20,
                    false
                ),
                ("junit:junit", "4.12", 25, true),
            ]
        );
        assert_eq!(parsed.skipped.len(), 1);
    }

    #[test]
    fn mismatched_tags_say_where() {
        let err = parse("<project>\n  <dependencies>\n  </project>\n").unwrap_err();
        assert_eq!((err.line, err.col), (3, 3));
        assert!(err.message.contains("</dependencies>"));
    }
}
