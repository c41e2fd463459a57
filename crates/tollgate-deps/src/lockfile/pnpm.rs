//! `pnpm-lock.yaml` v5 (`/name/1.0.0`), v6 (`/name@1.0.0(peer@1)`) and v9 (`name@1.0.0` with
//! `snapshots` and dev information only on the importers), read through tollgate's spanned
//! YAML parser so each package keeps the line of its key.

use std::collections::HashSet;

use tollgate_syntax::{Format, Limits, Node};

use super::ParseErr;
use crate::package::{Package, Parsed};
use crate::Ecosystem;

/// `packages` key to (name, version).
fn split_key(key: &str, v5: bool) -> Option<(String, String)> {
    let key = key.trim_start_matches('/');
    // Peer suffixes: `(react@18.0.0)` in v6+, `_react@18.0.0` in v5.
    let key = key.split('(').next().unwrap_or(key);
    if v5 {
        let key = key.split('_').next().unwrap_or(key);
        let (name, version) = key.rsplit_once('/')?;
        return Some((name.to_string(), version.to_string()));
    }
    let from = usize::from(key.starts_with('@'));
    let at = key[from..].find('@')? + from;
    Some((key[..at].to_string(), key[at + 1..].to_string()))
}

/// v9: `name@version` of the importers' direct dev and non-dev dependencies.
fn direct_deps(root: &Node) -> (HashSet<String>, HashSet<String>) {
    let mut prod = HashSet::new();
    let mut dev = HashSet::new();
    let Some(importers) = root.get("importers") else {
        return (prod, dev);
    };
    for importer in importers.entries() {
        for section in ["dependencies", "optionalDependencies", "devDependencies"] {
            let Some(deps) = importer.value.get(section) else {
                continue;
            };
            let set = if section == "devDependencies" {
                &mut dev
            } else {
                &mut prod
            };
            for dep in deps.entries() {
                if let Some(v) = dep.value.get("version").and_then(Node::as_str) {
                    let v = v.split('(').next().unwrap_or(v);
                    set.insert(format!("{}@{}", dep.key, v));
                }
            }
        }
    }
    (prod, dev)
}

pub fn parse(text: &str) -> Result<Parsed, ParseErr> {
    let doc = tollgate_syntax::parse(text, Format::Yaml, &Limits::default()).map_err(|e| {
        let (line, col) = e.pos.map_or((1, 1), |p| (p.line, p.col));
        ParseErr::new(line, col, format!("expected valid YAML: {e}"))
    })?;
    let mut out = Parsed::default();
    let Some(root) = doc.root() else {
        return Ok(out);
    };
    let version = root
        .get("lockfileVersion")
        .map(|v| v.as_str().or(v.as_number_text()).unwrap_or("").to_string())
        .unwrap_or_default();
    let v5 = version.starts_with('5');
    let (prod, dev_direct) = direct_deps(root);
    let mut seen = HashSet::new();
    let Some(packages) = root.get("packages") else {
        return Ok(out);
    };
    for entry in packages.entries() {
        let line = entry.key_span.start.line;
        let Some((name, version)) = split_key(&entry.key, v5) else {
            out.skipped.push((
                line,
                format!("cannot read a name and version from `{}`", entry.key),
            ));
            continue;
        };
        if !version.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        if !seen.insert((name.clone(), version.clone())) {
            continue;
        }
        let id = format!("{name}@{version}");
        let dev = match entry.value.get("dev").and_then(Node::as_bool) {
            Some(d) => d,
            None => dev_direct.contains(&id) && !prod.contains(&id),
        };
        out.packages
            .push(Package::new(Ecosystem::Npm, name, version, line).dev(dev));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_version() {
        assert_eq!(
            split_key("/@babel/core/7.0.0_react@16.0.0", true),
            Some(("@babel/core".into(), "7.0.0".into()))
        );
        assert_eq!(
            split_key("/@babel/core@7.0.0(react@18.0.0)", false),
            Some(("@babel/core".into(), "7.0.0".into()))
        );
        assert_eq!(
            split_key("lodash@4.17.21", false),
            Some(("lodash".into(), "4.17.21".into()))
        );
    }

    #[test]
    fn v6() {
        let text = r#"lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

dependencies:
  lodash:
    specifier: ^4.17.20
    version: 4.17.20

devDependencies:
  minimist:
    specifier: ^1.2.0
    version: 1.2.0

packages:

  /lodash@4.17.20:
    resolution: {integrity: sha512-PlhdFcillOINfeV7Ni6oF1TAEayyZBoZ8bcshTHqOYJYlrqzRK5hagpagky5o4HfCzzd1TRkXPMFq6cKk9rGmA==}
    dev: false

  /minimist@1.2.0:
    resolution: {integrity: sha512-7Wl+Jz+IGWuSdgsQEJ4JunV0si/iMhg42MnQQG6h1R6TNeVenp4U9x5CC5v/gYqz/fENLQITAWXidNtVL0NNbw==}
    dev: true

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-x}
    dev: false
"#;
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.quads(),
            vec![
                ("lodash", "4.17.20", 19, false),
                ("minimist", "1.2.0", 23, true),
                ("react-dom", "18.2.0", 27, false),
            ]
        );
    }

    #[test]
    fn v9_dev_from_importers() {
        let text = r#"lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      lodash:
        specifier: ^4.17.20
        version: 4.17.20
    devDependencies:
      minimist:
        specifier: ^1.2.0
        version: 1.2.0

packages:

  lodash@4.17.20:
    resolution: {integrity: sha512-x}

  minimist@1.2.0:
    resolution: {integrity: sha512-y}

snapshots:

  lodash@4.17.20: {}

  minimist@1.2.0: {}
"#;
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.quads(),
            vec![
                ("lodash", "4.17.20", 17, false),
                ("minimist", "1.2.0", 20, true)
            ]
        );
    }

    #[test]
    fn v5() {
        let text = "lockfileVersion: 5.4\n\npackages:\n\n  /ms/2.0.0:\n    resolution: {integrity: sha1-x}\n    dev: false\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.quads(), vec![("ms", "2.0.0", 5, false)]);
    }
}
