//! Packagist (Composer) versions: `v` prefix dropped, numeric release padded to four parts as
//! Composer normalises, then PHP's `version_compare` ordering:
//! `dev < alpha = a < beta = b < RC = rc < release < patch = pl = p`.

use std::cmp::Ordering;

use super::generic;

#[derive(Debug, PartialEq, Eq)]
enum Part {
    Num(String),
    Word(String),
}

fn normalize(v: &str) -> Vec<Part> {
    let v = v.trim().to_ascii_lowercase();
    let v = v.strip_prefix('v').unwrap_or(&v);
    // Build metadata does not order.
    let v = v.split('+').next().unwrap_or(v);
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut cur_digit = false;
    for c in v.chars() {
        if c.is_ascii_alphanumeric() {
            let d = c.is_ascii_digit();
            if !cur.is_empty() && d != cur_digit {
                parts.push(std::mem::take(&mut cur));
            }
            cur_digit = d;
            cur.push(c);
        } else if !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    // Composer normalises `-stable` (and whatever follows it) away: `2.0.0-stable` is `2.0.0`.
    if let Some(i) = parts.iter().position(|p| p == "stable") {
        parts.truncate(i);
    }
    let mut out: Vec<Part> = Vec::new();
    let release = parts
        .iter()
        .take_while(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .count();
    for (i, p) in parts.into_iter().enumerate() {
        if i == release {
            for _ in release..4 {
                out.push(Part::Num("0".into()));
            }
        }
        if p.bytes().all(|b| b.is_ascii_digit()) {
            out.push(Part::Num(p));
        } else {
            out.push(Part::Word(p));
        }
    }
    for _ in out.len()..4 {
        out.push(Part::Num("0".into()));
    }
    out
}

fn rank(p: &Part) -> i32 {
    match p {
        Part::Num(_) => 4,
        Part::Word(w) => match w.as_str() {
            "dev" => 0,
            "alpha" | "a" => 1,
            "beta" | "b" => 2,
            "rc" => 3,
            "patch" | "pl" | "p" => 5,
            _ => -6,
        },
    }
}

pub fn compare(a: &str, b: &str) -> Ordering {
    let (x, y) = (normalize(a), normalize(b));
    for i in 0..x.len().max(y.len()) {
        let ord = match (x.get(i), y.get(i)) {
            (Some(Part::Num(l)), Some(Part::Num(r))) => generic::cmp_numeric(l, r),
            (Some(l), Some(r)) => rank(l).cmp(&rank(r)),
            // PHP: a trailing number makes the longer version newer (`alpha1` after
            // `alpha`); a trailing word is compared with a release.
            (Some(Part::Num(_)), None) => Ordering::Greater,
            (None, Some(Part::Num(_))) => Ordering::Less,
            (Some(l), None) => rank(l).cmp(&4),
            (None, Some(r)) => 4.cmp(&rank(r)),
            (None, None) => Ordering::Equal,
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
    fn composer_versions() {
        let cases = [
            ("1.0.0", "v1.0.0", Equal),
            ("1.0", "1.0.0.0", Equal),
            ("1.0.0-dev", "1.0.0-alpha1", Less),
            ("1.0.0-alpha2", "1.0.0-beta1", Less),
            ("1.0.0-beta2", "1.0.0-RC1", Less),
            ("1.0.0-RC1", "1.0.0", Less),
            ("1.0.0", "1.0.0-patch1", Less),
            ("1.0.0-p1", "1.0.1", Less),
            ("5.4.10", "5.4.9", Greater),
            ("1.0.0.1", "1.0.0", Greater),
            ("2.0.0-rc.2", "2.0.0-rc.10", Less),
            ("1.0.0-alpha", "1.0.0-alpha1", Less),
            ("1.0.0-beta", "1.0.0-b1", Less),
            ("2.0.0-stable", "2.0.0", Equal),
            ("2.0.0-stable", "2.0.0-RC1", Greater),
        ];
        crate::version::assert_orderings(compare, &cases);
    }
}
