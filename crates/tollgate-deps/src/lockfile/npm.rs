//! `package-lock.json` and `npm-shrinkwrap.json`: v2/v3 read the flat `packages` map
//! (`node_modules/a/node_modules/b`), v1 the nested `dependencies` tree.

use serde_json::{Map, Value};

use super::text::{self, KeyCursor};
use super::ParseErr;
use crate::package::{Package, Parsed};
use crate::Ecosystem;

pub fn parse(text: &str) -> Result<Parsed, ParseErr> {
    let root = text::json_object(text, "the lockfile")?;
    let mut out = Parsed::default();
    let mut cursor = KeyCursor::new(text);
    if let Some(Value::Object(packages)) = root.get("packages") {
        cursor.object_key("packages");
        for (path, entry) in packages {
            let line = cursor.object_key(path).unwrap_or(1);
            read_v2_entry(path, entry, line, &mut out);
        }
    } else if let Some(Value::Object(deps)) = root.get("dependencies") {
        cursor.object_key("dependencies");
        read_v1(deps, &mut cursor, 0, &mut out);
    }
    Ok(out)
}

fn read_v2_entry(path: &str, entry: &Value, line: u32, out: &mut Parsed) {
    // "" is the project itself; paths without node_modules are workspace folders.
    let Some(idx) = path.rfind("node_modules/") else {
        return;
    };
    if entry.get("link").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let from_path = &path[idx + "node_modules/".len()..];
    let name = entry
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(from_path);
    let Some(version) = entry.get("version").and_then(Value::as_str) else {
        return;
    };
    push(name, version, entry, line, out);
}

fn push(name: &str, version: &str, entry: &Value, line: u32, out: &mut Parsed) {
    // Aliases (`"x": {"version": "npm:real@1.2.3"}`) install the real package.
    let (name, version) = match version.strip_prefix("npm:") {
        Some(spec) => match spec.rfind('@') {
            Some(at) if at > 0 => (&spec[..at], &spec[at + 1..]),
            _ => (name, spec),
        },
        None => (name, version),
    };
    if !version.starts_with(|c: char| c.is_ascii_digit()) {
        // git, file, http and link sources are not on the registry.
        out.skipped
            .push((line, format!("{name}@{version} is not a registry version")));
        return;
    }
    let dev = entry.get("dev").and_then(Value::as_bool) == Some(true);
    out.packages
        .push(Package::new(Ecosystem::Npm, name, version, line).dev(dev));
}

const MAX_DEPTH: usize = 128;

fn read_v1(deps: &Map<String, Value>, cursor: &mut KeyCursor<'_>, depth: usize, out: &mut Parsed) {
    if depth > MAX_DEPTH {
        return;
    }
    for (name, entry) in deps {
        let line = cursor.object_key(name).unwrap_or(1);
        if let Some(version) = entry.get("version").and_then(Value::as_str) {
            push(name, version, entry, line, out);
        }
        if let Some(Value::Object(nested)) = entry.get("dependencies") {
            if cursor.object_key("dependencies").is_some() {
                read_v1(nested, cursor, depth + 1, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V3: &str = r#"{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "version": "1.0.0",
      "dependencies": {
        "lodash": "^4.17.15"
      },
      "devDependencies": {
        "minimist": "^1.2.0"
      }
    },
    "node_modules/lodash": {
      "version": "4.17.15",
      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.15.tgz",
      "integrity": "sha512-x"
    },
    "node_modules/minimist": {
      "version": "1.2.0",
      "dev": true
    },
    "node_modules/@babel/core": {
      "version": "7.0.0",
      "dev": true
    },
    "node_modules/mkdirp/node_modules/minimist": {
      "version": "0.0.8",
      "dev": true
    },
    "node_modules/old": {
      "name": "lodash",
      "version": "3.10.1"
    },
    "packages/lib": {
      "version": "0.0.1"
    },
    "node_modules/lib": {
      "resolved": "packages/lib",
      "link": true
    }
  }
}"#;

    #[test]
    fn v3_flat_packages() {
        let parsed = parse(V3).unwrap();
        let got = parsed.quads();
        assert_eq!(
            got,
            vec![
                ("lodash", "4.17.15", 17, false),
                ("minimist", "1.2.0", 22, true),
                ("@babel/core", "7.0.0", 26, true),
                ("minimist", "0.0.8", 30, true),
                ("lodash", "3.10.1", 34, false),
            ]
        );
    }

    const V1: &str = r#"{
  "name": "app",
  "lockfileVersion": 1,
  "dependencies": {
    "mkdirp": {
      "version": "0.5.1",
      "requires": {
        "minimist": "0.0.8"
      },
      "dependencies": {
        "minimist": {
          "version": "0.0.8",
          "dev": true
        }
      }
    },
    "minimist": {
      "version": "1.2.5"
    },
    "aliased": {
      "version": "npm:lodash@4.17.20"
    },
    "from-git": {
      "version": "git+https://github.com/a/b.git#abc"
    }
  }
}"#;

    #[test]
    fn v1_nested_tree_and_aliases() {
        let parsed = parse(V1).unwrap();
        let got = parsed.quads();
        assert_eq!(
            got,
            vec![
                ("mkdirp", "0.5.1", 5, false),
                ("minimist", "0.0.8", 11, true),
                ("minimist", "1.2.5", 17, false),
                ("lodash", "4.17.20", 20, false),
            ]
        );
        assert_eq!(parsed.skipped.len(), 1);
    }

    #[test]
    fn invalid_json_says_where() {
        let err = parse("{\n  \"packages\": {,\n}").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.starts_with("expected valid JSON"));
    }
}
