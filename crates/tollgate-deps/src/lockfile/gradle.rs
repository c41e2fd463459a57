//! `gradle.lockfile`: `group:artifact:version=configuration,...` lines. A dependency only in
//! test configurations is a development one.

use super::ParseErr;
use crate::package::{Package, Parsed};
use crate::Ecosystem;

pub fn parse(text: &str) -> Result<Parsed, ParseErr> {
    let mut out = Parsed::default();
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let (coords, configs) = line.split_once('=').unwrap_or((line, ""));
        let parts: Vec<&str> = coords.split(':').collect();
        let [group, artifact, version] = parts[..] else {
            return Err(ParseErr::new(
                n,
                1,
                "expected `group:artifact:version=configurations`",
            ));
        };
        let dev = !configs.is_empty()
            && configs
                .split(',')
                .all(|c| c.trim().to_ascii_lowercase().starts_with("test"));
        out.packages.push(
            Package::new(Ecosystem::Maven, format!("{group}:{artifact}"), version, n).dev(dev),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_and_test_configurations() {
        let text = "# This is a Gradle generated file for dependency locking.\n# Manual edits can break the build and are not advised.\n# This file is expected to be part of source control.\ncom.fasterxml.jackson.core:jackson-databind:2.9.10.1=compileClasspath,runtimeClasspath\njunit:junit:4.12=testCompileClasspath,testRuntimeClasspath\nempty=annotationProcessor\n";
        let parsed = parse(text).unwrap();
        let got = parsed.quads();
        assert_eq!(
            got,
            vec![
                (
                    "com.fasterxml.jackson.core:jackson-databind",
                    "2.9.10.1",
                    4,
                    false
                ),
                ("junit:junit", "4.12", 5, true),
            ]
        );
        assert!(parse("a:b\n").is_err());
    }
}
