//! tollgate's version orderings against the reference implementations' own orderings, recorded
//! in `tests/fixtures/versions/` by `scripts/version-vectors.py` (Python `packaging`, Maven's
//! `ComparableVersion`, RubyGems' `Gem::Version`, Composer + PHP's `version_compare`, Go's
//! `golang.org/x/mod/semver`, node-semver). Every pair of versions in a file is compared.

use std::cmp::Ordering;
use std::path::Path;

use tollgate_deps::version::{go, maven, packagist, pep440, rubygems, semver};

/// The classes of equal versions of one file, in ascending order.
fn classes(name: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/versions")
        .join(format!("{name}.txt"));
    let text = std::fs::read_to_string(&path).expect("version vectors are committed");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

fn check(name: &str, compare: fn(&str, &str) -> Ordering) {
    let classes = classes(name);
    let mut wrong = Vec::new();
    let mut pairs = 0;
    for (i, left) in classes.iter().enumerate() {
        for (j, right) in classes.iter().enumerate() {
            for a in left {
                for b in right {
                    pairs += 1;
                    let got = compare(a, b);
                    if got != i.cmp(&j) {
                        wrong.push(format!(
                            "{a} vs {b}: tollgate {got:?}, reference {:?}",
                            i.cmp(&j)
                        ));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{name}: {} of {pairs} pairs ordered unlike the reference:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn pep440_orders_as_python_packaging() {
    check("pep440", pep440::compare);
}

#[test]
fn maven_orders_as_comparable_version() {
    check("maven", maven::compare);
}

#[test]
fn rubygems_orders_as_gem_version() {
    check("rubygems", rubygems::compare);
}

#[test]
fn packagist_orders_as_composer() {
    check("packagist", packagist::compare);
}

#[test]
fn go_orders_as_x_mod_semver() {
    check("go", go::compare);
}

#[test]
fn semver_orders_as_node_semver() {
    check("semver", semver::compare);
}
