//! `go.mod` (`require` lines and blocks, `replace` directives) and `go.sum` (used only when a
//! directory has no `go.mod`; the highest version of each module counts, as minimal version
//! selection would pick it).

use std::collections::HashMap;

use super::ParseErr;
use crate::package::{Package, Parsed};
use crate::Ecosystem;

fn unquote(s: &str) -> &str {
    s.trim().trim_matches('"').trim_matches('`')
}

fn strip_comment(line: &str) -> &str {
    line.split("//").next().unwrap_or(line).trim()
}

fn is_local_path(p: &str) -> bool {
    p.starts_with("./") || p.starts_with("../") || p.starts_with('/') || p == "." || p == ".."
}

struct Replace {
    old: String,
    old_version: Option<String>,
    new: String,
    new_version: Option<String>,
}

pub fn parse_mod(text: &str) -> Result<Parsed, ParseErr> {
    let mut requires: Vec<(String, String, u32)> = Vec::new();
    let mut replaces: Vec<Replace> = Vec::new();
    let mut block: Option<&str> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let line = strip_comment(raw);
        if line.is_empty() {
            continue;
        }
        let (verb, args) = match block {
            Some(b) => {
                if line == ")" {
                    block = None;
                    continue;
                }
                (b, line)
            }
            None => {
                let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(match verb {
                        "require" => "require",
                        "replace" => "replace",
                        _ => "other",
                    });
                    continue;
                }
                (verb, rest)
            }
        };
        match verb {
            "require" => {
                let mut it = args.split_whitespace();
                let (Some(path), Some(version)) = (it.next(), it.next()) else {
                    return Err(ParseErr::new(n, 1, "expected `require MODULE VERSION`"));
                };
                requires.push((unquote(path).to_string(), version.to_string(), n));
            }
            "replace" => {
                let Some((old, new)) = args.split_once("=>") else {
                    return Err(ParseErr::new(
                        n,
                        1,
                        "expected `replace OLD [VERSION] => NEW [VERSION]`",
                    ));
                };
                let mut o = old.split_whitespace();
                let mut w = new.split_whitespace();
                replaces.push(Replace {
                    old: o.next().map(unquote).unwrap_or("").to_string(),
                    old_version: o.next().map(str::to_string),
                    new: w.next().map(unquote).unwrap_or("").to_string(),
                    new_version: w.next().map(str::to_string),
                });
            }
            _ => {}
        }
    }
    let mut out = Parsed::default();
    for (path, version, line) in requires {
        let replace = replaces
            .iter()
            .find(|r| r.old == path && r.old_version.as_ref().is_none_or(|v| *v == version));
        match replace {
            Some(r) if is_local_path(&r.new) => out.skipped.push((
                line,
                format!("{path} is replaced by the local directory {}", r.new),
            )),
            Some(r) => {
                let v = r.new_version.clone().unwrap_or(version);
                out.packages
                    .push(Package::new(Ecosystem::Go, r.new.clone(), v, line));
            }
            None => out
                .packages
                .push(Package::new(Ecosystem::Go, path, version, line)),
        }
    }
    Ok(out)
}

pub fn parse_sum(text: &str) -> Result<Parsed, ParseErr> {
    let mut best: HashMap<String, (String, u32)> = HashMap::new();
    let mut order = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let mut it = raw.split_whitespace();
        let (Some(path), Some(version), Some(_hash)) = (it.next(), it.next(), it.next()) else {
            if raw.trim().is_empty() {
                continue;
            }
            return Err(ParseErr::new(n, 1, "expected `MODULE VERSION HASH`"));
        };
        let version = version.strip_suffix("/go.mod").unwrap_or(version);
        match best.get_mut(path) {
            Some(cur) => {
                if Ecosystem::Go.compare(version, &cur.0).is_gt() {
                    *cur = (version.to_string(), n);
                }
            }
            None => {
                order.push(path.to_string());
                best.insert(path.to_string(), (version.to_string(), n));
            }
        }
    }
    let mut out = Parsed::default();
    for path in order {
        if let Some((version, line)) = best.remove(&path) {
            out.packages
                .push(Package::new(Ecosystem::Go, path, version, line));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod_requires_and_replaces() {
        let text = r#"module example.com/app

go 1.21

require github.com/gin-gonic/gin v1.6.0

require (
	golang.org/x/net v0.0.0-20200202094626-16171245cfb2 // indirect
	github.com/docker/docker v20.10.0+incompatible
	example.com/local v1.0.0
	example.com/forked v1.2.0
)

replace example.com/local => ../local

replace (
	example.com/forked v1.2.0 => example.com/fork v1.2.1
)
"#;
        let parsed = parse_mod(text).unwrap();
        let got = parsed.triples();
        assert_eq!(
            got,
            vec![
                ("github.com/gin-gonic/gin", "v1.6.0", 5),
                ("golang.org/x/net", "v0.0.0-20200202094626-16171245cfb2", 8),
                ("github.com/docker/docker", "v20.10.0+incompatible", 9),
                ("example.com/fork", "v1.2.1", 11),
            ]
        );
        assert_eq!(parsed.skipped.len(), 1);
    }

    #[test]
    fn bad_require_is_an_error() {
        let err = parse_mod("module x\nrequire (\n  github.com/a\n)\n").unwrap_err();
        assert_eq!(err.line, 3);
    }

    #[test]
    fn go_sum_keeps_the_highest() {
        let text = "github.com/a/b v1.0.0 h1:x=\ngithub.com/a/b v1.0.0/go.mod h1:y=\ngithub.com/a/b v1.2.0/go.mod h1:z=\ngolang.org/x/text v0.3.0 h1:w=\n";
        let parsed = parse_sum(text).unwrap();
        let got = parsed.triples();
        assert_eq!(
            got,
            vec![
                ("github.com/a/b", "v1.2.0", 3),
                ("golang.org/x/text", "v0.3.0", 4)
            ]
        );
    }
}
