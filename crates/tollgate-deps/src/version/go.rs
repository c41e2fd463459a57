//! Go module versions: semver with a `v` prefix, pseudo-versions
//! (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.20191109021931-daa7c04131f5`) and the
//! `+incompatible` marker. Pseudo-versions are semver pre-releases, so semver precedence
//! orders them correctly against the tagged releases around them.

use std::cmp::Ordering;

use super::semver;

fn strip(v: &str) -> &str {
    let v = v.trim();
    v.strip_suffix("+incompatible").unwrap_or(v)
}

pub fn compare(a: &str, b: &str) -> Ordering {
    semver::compare(strip(a), strip(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn go_versions() {
        let cases = [
            ("v1.2.3", "1.2.3", Equal),
            ("v0.0.0-20191109021931-daa7c04131f5", "v0.0.1", Less),
            ("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", Greater),
            ("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", Less),
            (
                "v0.0.0-20191109021931-daa7c04131f5",
                "v0.0.0-20200101000000-aaaaaaaaaaaa",
                Less,
            ),
            ("v2.0.0+incompatible", "v2.0.0", Equal),
            ("v2.1.0+incompatible", "v2.0.9", Greater),
            ("v1.10.0", "v1.9.9", Greater),
        ];
        crate::version::assert_orderings(compare, &cases);
    }
}
