//! `Gemfile.lock`: the `specs:` of the `GEM` section (gems from a gem server), four-space
//! indented `name (version)` lines; platform suffixes (`-x86_64-linux`) are dropped.

use super::ParseErr;
use crate::package::{Package, Parsed};
use crate::Ecosystem;

pub fn parse(text: &str) -> Result<Parsed, ParseErr> {
    let mut out = Parsed::default();
    let mut section = "";
    let mut in_specs = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let line = raw.trim_end();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            section = line.trim();
            in_specs = false;
            continue;
        }
        if line.trim() == "specs:" {
            in_specs = true;
            continue;
        }
        if section != "GEM" || !in_specs {
            continue;
        }
        // Exactly four spaces: a gem; six: one of its dependencies.
        if !line.starts_with("    ") || line.starts_with("     ") {
            continue;
        }
        let spec = line.trim();
        let (Some(open), true) = (spec.find(" ("), spec.ends_with(')')) else {
            return Err(ParseErr::new(n, 5, "expected a gem spec `name (version)`"));
        };
        let name = &spec[..open];
        let version = &spec[open + 2..spec.len() - 1];
        let version = version.split('-').next().unwrap_or(version);
        out.packages
            .push(Package::new(Ecosystem::RubyGems, name, version, n));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gem_section_only() {
        let text = r#"GIT
  remote: https://github.com/rails/rails.git
  revision: abc
  specs:
    rails (7.1.0.alpha)

GEM
  remote: https://rubygems.org/
  specs:
    actionpack (6.0.3)
      rack (~> 2.0, >= 2.0.8)
    nokogiri (1.13.10-x86_64-linux)
      racc (~> 1.4)
    rack (2.2.3)

PLATFORMS
  ruby

DEPENDENCIES
  actionpack
  rails!

BUNDLED WITH
   2.1.4
"#;
        let parsed = parse(text).unwrap();
        let got = parsed.triples();
        assert_eq!(
            got,
            vec![
                ("actionpack", "6.0.3", 10),
                ("nokogiri", "1.13.10", 12),
                ("rack", "2.2.3", 14)
            ]
        );
    }

    #[test]
    fn malformed_spec() {
        let err = parse("GEM\n  specs:\n    rack 2.2.3\n").unwrap_err();
        assert_eq!(err.line, 3);
    }
}
