//! Version orderings, one module per scheme. Each exposes `compare(a, b) -> Ordering`, total
//! over arbitrary strings: what a scheme cannot parse falls back to [`generic::compare`].

pub mod generic;
pub mod go;
pub mod maven;
pub mod packagist;
pub mod pep440;
pub mod rubygems;
pub mod semver;

/// Asserts each `(a, b, a cmp b)` both ways round, so every case also checks antisymmetry.
#[cfg(test)]
pub(crate) fn assert_orderings(
    compare: fn(&str, &str) -> std::cmp::Ordering,
    cases: &[(&str, &str, std::cmp::Ordering)],
) {
    for &(a, b, want) in cases {
        assert_eq!(compare(a, b), want, "{a} vs {b}");
        assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
    }
}
