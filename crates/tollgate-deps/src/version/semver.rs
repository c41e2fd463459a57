//! Semantic versions as crates.io and npm use them: precedence with pre-releases, build
//! metadata ignored. Slightly lenient on input (`v1.2`, `=1.2.3`) as advisories and
//! lockfiles write it.

use std::cmp::Ordering;

use super::generic;

/// Parse leniently: strip a leading `v`/`=` and pad missing minor/patch with zeros.
pub fn parse(v: &str) -> Option<semver::Version> {
    let v = v
        .trim()
        .trim_start_matches('=')
        .trim_start_matches(['v', 'V']);
    if let Ok(parsed) = semver::Version::parse(v) {
        return Some(parsed);
    }
    // `1.2` or `1` (with an optional pre-release/build after it).
    let split = v.find(['-', '+']).unwrap_or(v.len());
    let (core, rest) = v.split_at(split);
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut padded = parts.join(".");
    for _ in parts.len()..3 {
        padded.push_str(".0");
    }
    padded.push_str(rest);
    semver::Version::parse(&padded).ok()
}

pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp_precedence(&y),
        // A parseable version sorts after garbage so that garbage is never "fixed".
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => generic::compare(a, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn semver_precedence() {
        let cases = [
            ("1.0.0-alpha", "1.0.0-alpha.1", Less),
            ("1.0.0-alpha.1", "1.0.0-alpha.beta", Less),
            ("1.0.0-alpha.beta", "1.0.0-beta", Less),
            ("1.0.0-beta.2", "1.0.0-beta.11", Less),
            ("1.0.0-rc.1", "1.0.0", Less),
            ("1.0.0+build.1", "1.0.0+build.2", Equal),
            ("1.0.0", "1.0.0+x", Equal),
            ("0.9.10", "0.10.0", Less),
            ("v1.2", "1.2.0", Equal),
            ("1", "1.0.0", Equal),
            ("2.0.0-0", "1.99.99", Greater),
            ("=1.2.3", "1.2.3", Equal),
        ];
        crate::version::assert_orderings(compare, &cases);
    }

    #[test]
    fn garbage_is_ordered_not_fatal() {
        assert_eq!(compare("not-a-version", "1.0.0"), Less);
        assert!(parse("1.2.3.4").is_none());
    }
}
