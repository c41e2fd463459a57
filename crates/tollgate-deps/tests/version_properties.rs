//! Each version ordering is a total order over arbitrary strings: reflexive, antisymmetric
//! and transitive, with equal versions interchangeable. The matcher sorts and bisects with
//! these orderings, so an ordering that breaks one of these laws would misplace a version
//! against an advisory's range.

use std::cmp::Ordering;

use proptest::prelude::*;
use tollgate_deps::version::{generic, go, maven, packagist, pep440, rubygems, semver};

type Compare = fn(&str, &str) -> Ordering;

const SCHEMES: &[(&str, Compare)] = &[
    ("generic", generic::compare),
    ("go", go::compare),
    ("maven", maven::compare),
    ("packagist", packagist::compare),
    ("pep440", pep440::compare),
    ("rubygems", rubygems::compare),
    ("semver", semver::compare),
];

/// Version-shaped strings (the interesting cases: numbers, separators, qualifiers, epochs,
/// local labels, build metadata) mixed with arbitrary text.
fn version() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[vV=]?[0-9]{1,3}([.][0-9]{1,3}){0,3}([-._+!]?(alpha|beta|rc|a|b|c|m|dev|post|pre|preview|sp|snapshot|final|ga|release|stable|patch|pl|p|incompatible|[a-z]{1,3}|[0-9]{1,3}|0[0-9])){0,3}",
        1 => "[0-9a-zA-Z.+_!-]{0,12}",
        1 => "\\PC{0,8}",
    ]
}

/// Another spelling of `a` that some scheme reads as the same version.
fn respell(a: &str, how: usize) -> String {
    match how {
        0 => a.to_uppercase(),
        1 => format!("{a}.0"),
        2 => format!("v{a}"),
        3 => a.replace('-', "."),
        4 => format!("{a}+build.5"),
        5 => format!("{a}-final"),
        6 => a.replace('.', "_"),
        _ => format!("0{a}"),
    }
}

/// Whether `cmp` orders three versions consistently: sorted by `cmp`, every pair agrees.
fn consistent(cmp: Compare, three: [&str; 3]) -> Result<(), String> {
    let mut v = three;
    v.sort_by(|x, y| cmp(x, y));
    let [x, y, z] = v;
    let (xy, yz, xz) = (cmp(x, y), cmp(y, z), cmp(x, z));
    let want = if xy == Ordering::Equal && yz == Ordering::Equal {
        Ordering::Equal
    } else {
        Ordering::Less
    };
    if xz == want {
        Ok(())
    } else {
        Err(format!("{x} {xy:?} {y} {yz:?} {z}, but {x} {xz:?} {z}"))
    }
}

/// The cycles property testing found, kept as cases.
#[test]
fn cycles_found_by_property_tests_are_gone() {
    // In Maven's ComparableVersion itself: 1-snapshot > 1.a.2 > 1 > 1-snapshot.
    consistent(maven::compare, ["1-snapshot", "1.a.2", "1"]).unwrap();
    consistent(maven::compare, ["0snapshot", "A", ""]).unwrap();
    // `V0.0` read as a gem version and `V0_0` by the fallback were equal, yet ordered
    // differently against `a`.
    consistent(rubygems::compare, ["V0.0", "V0_0", "a"]).unwrap();
}

// Cases per property: proptest's default (256), or PROPTEST_CASES for a longer run.
proptest! {
    #[test]
    fn reflexive_and_antisymmetric(a in version(), b in version()) {
        for (name, cmp) in SCHEMES {
            prop_assert_eq!(cmp(&a, &a), Ordering::Equal, "{}: {} vs itself", name, a);
            prop_assert_eq!(cmp(&a, &b), cmp(&b, &a).reverse(), "{}: {} vs {}", name, a, b);
        }
    }

    #[test]
    fn transitive(a in version(), b in version(), c in version()) {
        for (name, cmp) in SCHEMES {
            let result = consistent(*cmp, [&a, &b, &c]);
            prop_assert!(result.is_ok(), "{}: {}", name, result.unwrap_err());
        }
    }

    /// Equal versions are interchangeable: anything compares with one as with the other.
    /// The second version is often another spelling of the first, so that equal pairs occur.
    #[test]
    fn equal_versions_compare_alike(a in version(), other in version(), how in 0..9usize, c in version()) {
        let b = if how < 8 { respell(&a, how) } else { other };
        for (name, cmp) in SCHEMES {
            if cmp(&a, &b) == Ordering::Equal {
                prop_assert_eq!(cmp(&a, &c), cmp(&b, &c), "{}: {} = {} vs {}", name, a, b, c);
            }
        }
    }
}
