//! `composer.lock`: `packages` and `packages-dev` arrays.

use serde_json::Value;

use super::text::{self, KeyCursor};
use super::ParseErr;
use crate::package::{Package, Parsed};
use crate::Ecosystem;

pub fn parse(text: &str) -> Result<Parsed, ParseErr> {
    let root = text::json_object(text, "composer.lock")?;
    let mut out = Parsed::default();
    let mut cursor = KeyCursor::new(text);
    for (section, list) in &root {
        let dev = match section.as_str() {
            "packages" => false,
            "packages-dev" => true,
            _ => continue,
        };
        let Some(list) = list.as_array() else {
            continue;
        };
        cursor.key(section);
        for entry in list {
            let (Some(name), Some(version)) = (
                entry.get("name").and_then(Value::as_str),
                entry.get("version").and_then(Value::as_str),
            ) else {
                continue;
            };
            let line = cursor.pair("name", name).unwrap_or(1);
            if version.starts_with("dev-") || version.ends_with("-dev") {
                out.skipped
                    .push((line, format!("{name} is pinned to the branch {version}")));
                continue;
            }
            out.packages
                .push(Package::new(Ecosystem::Packagist, name, version, line).dev(dev));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_and_dev_packages() {
        let text = r#"{
    "_readme": ["This file locks the dependencies of your project to a known state"],
    "content-hash": "abc",
    "packages": [
        {
            "name": "guzzlehttp/guzzle",
            "version": "7.4.0",
            "source": {"type": "git", "url": "https://github.com/guzzle/guzzle.git"},
            "require": {"php": "^7.2.5 || ^8.0", "guzzlehttp/psr7": "^1.8.3"}
        },
        {
            "name": "guzzlehttp/psr7",
            "version": "1.8.2"
        },
        {
            "name": "acme/branch",
            "version": "dev-main"
        }
    ],
    "packages-dev": [
        {
            "name": "phpunit/phpunit",
            "version": "9.5.10"
        }
    ]
}"#;
        let parsed = parse(text).unwrap();
        let got = parsed.quads();
        assert_eq!(
            got,
            vec![
                ("guzzlehttp/guzzle", "7.4.0", 6, false),
                ("guzzlehttp/psr7", "1.8.2", 12, false),
                ("phpunit/phpunit", "9.5.10", 22, true),
            ]
        );
        assert_eq!(parsed.skipped.len(), 1);
    }
}
