//! `Pipfile.lock`: JSON with `default` and `develop` sections, versions written `==1.2.3`.

use serde_json::Value;

use super::text::{self, KeyCursor};
use super::ParseErr;
use crate::package::{Package, Parsed};
use crate::Ecosystem;

pub fn parse(text: &str) -> Result<Parsed, ParseErr> {
    let root = text::json_object(text, "Pipfile.lock")?;
    let mut out = Parsed::default();
    let mut cursor = KeyCursor::new(text);
    for (section, deps) in &root {
        let dev = match section.as_str() {
            "default" => false,
            "develop" => true,
            _ => continue,
        };
        let Some(deps) = deps.as_object() else {
            continue;
        };
        cursor.object_key(section);
        for (name, entry) in deps {
            let line = cursor.object_key(name).unwrap_or(1);
            match entry.get("version").and_then(Value::as_str) {
                Some(v) if v.starts_with("==") => {
                    let v = v.trim_start_matches('=');
                    out.packages
                        .push(Package::new(Ecosystem::PyPi, name, v, line).dev(dev));
                }
                // git, path and editable entries carry no version.
                _ => out
                    .skipped
                    .push((line, format!("{name} has no pinned version"))),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_develop() {
        let text = r#"{
    "_meta": {
        "hash": {"sha256": "abc"},
        "pipfile-spec": 6,
        "requires": {"python_version": "3.9"},
        "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]
    },
    "default": {
        "flask": {
            "hashes": ["sha256:a"],
            "index": "pypi",
            "version": "==0.12.2"
        },
        "mylib": {"editable": true, "path": "."}
    },
    "develop": {
        "flask": {
            "version": "==1.0.0"
        }
    }
}"#;
        let parsed = parse(text).unwrap();
        let got = parsed.quads();
        assert_eq!(
            got,
            vec![("flask", "0.12.2", 9, false), ("flask", "1.0.0", 17, true)]
        );
        assert_eq!(
            parsed.skipped,
            vec![(14, "mylib has no pinned version".to_string())]
        );
    }
}
