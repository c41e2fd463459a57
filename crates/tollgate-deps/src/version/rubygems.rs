//! RubyGems versions (`Gem::Version`): dot-separated segments, letters start a pre-release
//! (`1.0.0.rc1`, `1.0.0-beta` is `1.0.0.pre.beta`), trailing zeros do not count.

use std::cmp::Ordering;

use super::generic;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Num(String),
    Text(String),
}

fn segments(v: &str) -> Option<Vec<Seg>> {
    let v = v.trim().replace('-', ".pre.");
    // `Gem::Version.correct?`: a version starts with a digit.
    if !v.starts_with(|c: char| c.is_ascii_digit())
        || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
    {
        return None;
    }
    let mut out = Vec::new();
    for part in v.split('.') {
        if part.is_empty() {
            return None;
        }
        // `rc1` is two segments, `rc` and `1`.
        let mut rest = part;
        while !rest.is_empty() {
            let digits = rest.bytes().next().is_some_and(|b| b.is_ascii_digit());
            let end = rest
                .bytes()
                .position(|b| b.is_ascii_digit() != digits)
                .unwrap_or(rest.len());
            let (tok, tail) = rest.split_at(end);
            out.push(if digits {
                Seg::Num(tok.to_string())
            } else {
                Seg::Text(tok.to_string())
            });
            rest = tail;
        }
    }
    Some(out)
}

/// `Gem::Version#canonical_segments`: drop trailing zeros of the release part and of the
/// pre-release part.
fn canonical(segs: Vec<Seg>) -> Vec<Seg> {
    let split = segs
        .iter()
        .position(|s| matches!(s, Seg::Text(_)))
        .unwrap_or(segs.len());
    let is_zero = |s: &Seg| matches!(s, Seg::Num(n) if n.bytes().all(|b| b == b'0'));
    let mut release: Vec<Seg> = segs[..split].to_vec();
    while release.len() > 1 && release.last().is_some_and(is_zero) {
        release.pop();
    }
    let mut pre: Vec<Seg> = segs[split..].to_vec();
    while pre.last().is_some_and(is_zero) {
        pre.pop();
    }
    release.extend(pre);
    release
}

pub fn compare(a: &str, b: &str) -> Ordering {
    // What is not a gem version sorts before every gem version (as in the other schemes), so
    // the two orderings never mix into a cycle.
    let (x, y) = match (segments(a), segments(b)) {
        (Some(x), Some(y)) => (x, y),
        (Some(_), None) => return Ordering::Greater,
        (None, Some(_)) => return Ordering::Less,
        (None, None) => return generic::compare(a, b),
    };
    let (x, y) = (canonical(x), canonical(y));
    let zero = Seg::Num("0".into());
    for i in 0..x.len().max(y.len()) {
        let l = x.get(i).unwrap_or(&zero);
        let r = y.get(i).unwrap_or(&zero);
        let ord = match (l, r) {
            (Seg::Num(l), Seg::Num(r)) => generic::cmp_numeric(l, r),
            // Letters mark a pre-release, which sorts before any number.
            (Seg::Text(_), Seg::Num(_)) => Ordering::Less,
            (Seg::Num(_), Seg::Text(_)) => Ordering::Greater,
            (Seg::Text(l), Seg::Text(r)) => l.cmp(r),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn gem_versions() {
        let cases = [
            ("1.0", "1.0.0", Equal),
            ("1.0.0.a", "1.0.0", Less),
            ("1.0.0.rc1", "1.0.0.rc2", Less),
            ("1.0.0.rc10", "1.0.0.rc2", Greater),
            ("1.0.0.beta", "1.0.0.alpha", Greater),
            ("1.0.0-beta", "1.0.0.pre.beta", Equal),
            ("1.0.0-beta", "1.0.0", Less),
            ("5.2.4.3", "5.2.4.rc1", Greater),
            ("1.9.3", "1.10", Less),
            ("2.0.0.pre1", "1.9.99", Greater),
            ("1.0.a", "1", Less),
            ("6.0.3.1", "6.0.3", Greater),
        ];
        crate::version::assert_orderings(compare, &cases);
    }
}
