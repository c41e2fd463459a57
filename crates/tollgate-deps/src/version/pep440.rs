//! PEP 440 versions (PyPI): epochs, release segments, pre/post/dev releases and local labels,
//! ordered as `packaging.version` orders them. Versions that are not PEP 440 ("legacy"
//! versions) sort before every valid version, as old `packaging` did, and among themselves by
//! the generic ordering.

use std::cmp::Ordering;

use super::generic;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum PreKey {
    /// A dev release of a final version (`1.0.dev1`) sorts before its pre-releases.
    DevOnly,
    Pre(u8, u128),
    /// No pre-release: after every pre-release.
    Final,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum DevKey {
    Dev(u128),
    /// Not a dev release: after every dev release of the same version.
    None,
}

/// Epoch, release without trailing zeros, pre, post, dev, local: `packaging`'s sort key.
type SortKey<'a> = (
    u128,
    &'a [u128],
    PreKey,
    Option<u128>,
    DevKey,
    Option<&'a [LocalSeg]>,
);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalSeg {
    // Declared first: strings sort before numbers in local labels.
    Text(String),
    Num(u128),
}

/// A parsed PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub epoch: u128,
    pub release: Vec<u128>,
    /// 0 = a, 1 = b, 2 = rc.
    pub pre: Option<(u8, u128)>,
    pub post: Option<u128>,
    pub dev: Option<u128>,
    local: Vec<LocalSeg>,
}

impl Version {
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    fn key(&self) -> SortKey<'_> {
        let mut release = self.release.as_slice();
        while let [rest @ .., 0] = release {
            release = rest;
        }
        let pre = match (self.pre, self.post, self.dev) {
            (None, None, Some(_)) => PreKey::DevOnly,
            (None, _, _) => PreKey::Final,
            (Some((l, n)), _, _) => PreKey::Pre(l, n),
        };
        let dev = self.dev.map_or(DevKey::None, DevKey::Dev);
        let local = (!self.local.is_empty()).then_some(self.local.as_slice());
        (self.epoch, release, pre, self.post, dev, local)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat_sep(&mut self) -> bool {
        if matches!(self.peek(), Some(b'.' | b'-' | b'_')) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn number(&mut self) -> Option<u128> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if start == self.i {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }

    /// Eat the longest of `words` at the cursor; returns its index.
    fn word(&mut self, words: &[&str]) -> Option<usize> {
        let rest = &self.s[self.i..];
        let (idx, w) = words
            .iter()
            .enumerate()
            .filter(|(_, w)| rest.starts_with(w.as_bytes()))
            .max_by_key(|(_, w)| w.len())?;
        self.i += w.len();
        Some(idx)
    }
}

/// Parse a PEP 440 version (case-insensitive, leading `v`, alternative spellings allowed).
pub fn parse(text: &str) -> Option<Version> {
    let lower = text.trim().to_ascii_lowercase();
    let body = lower.strip_prefix('v').unwrap_or(&lower);
    let mut c = Cursor {
        s: body.as_bytes(),
        i: 0,
    };
    let first = c.number()?;
    let (epoch, mut release) = if c.peek() == Some(b'!') {
        c.i += 1;
        (first, vec![c.number()?])
    } else {
        (0, vec![first])
    };
    while c.peek() == Some(b'.') && c.s.get(c.i + 1).is_some_and(|b| b.is_ascii_digit()) {
        c.i += 1;
        release.push(c.number()?);
    }
    let mut v = Version {
        epoch,
        release,
        pre: None,
        post: None,
        dev: None,
        local: Vec::new(),
    };
    // Pre-release.
    let save = c.i;
    c.eat_sep();
    const PRE: [&str; 8] = ["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"];
    if let Some(w) = c.word(&PRE) {
        let kind = match PRE[w] {
            "alpha" | "a" => 0,
            "beta" | "b" => 1,
            _ => 2,
        };
        let save_n = c.i;
        c.eat_sep();
        let n = match c.number() {
            Some(n) => n,
            None => {
                c.i = save_n;
                0
            }
        };
        v.pre = Some((kind, n));
    } else {
        c.i = save;
    }
    // Post-release: `.post1`, `-r1`, `rev1`, or the implicit `-1`.
    let save = c.i;
    if c.peek() == Some(b'-') && c.s.get(c.i + 1).is_some_and(|b| b.is_ascii_digit()) {
        c.i += 1;
        v.post = c.number();
    } else {
        c.eat_sep();
        if c.word(&["post", "rev", "r"]).is_some() {
            let save_n = c.i;
            c.eat_sep();
            v.post = Some(c.number().unwrap_or_else(|| {
                c.i = save_n;
                0
            }));
        } else {
            c.i = save;
        }
    }
    // Dev release.
    let save = c.i;
    c.eat_sep();
    if c.word(&["dev"]).is_some() {
        let save_n = c.i;
        c.eat_sep();
        v.dev = Some(c.number().unwrap_or_else(|| {
            c.i = save_n;
            0
        }));
    } else {
        c.i = save;
    }
    // Local label.
    if c.peek() == Some(b'+') {
        c.i += 1;
        let rest = std::str::from_utf8(&c.s[c.i..]).ok()?;
        for seg in rest.split(['.', '-', '_']) {
            if seg.is_empty() || !seg.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return None;
            }
            v.local.push(match seg.parse::<u128>() {
                Ok(n) if seg.bytes().all(|b| b.is_ascii_digit()) => LocalSeg::Num(n),
                _ => LocalSeg::Text(seg.to_string()),
            });
        }
        c.i = c.s.len();
    }
    (c.i == c.s.len()).then_some(v)
}

pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => generic::compare(a, b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ordering example from PEP 440 plus epochs and locals, ascending.
    const ASCENDING: &[&str] = &[
        "1.0.dev456",
        "1.0a1",
        "1.0a2.dev456",
        "1.0a12.dev456",
        "1.0a12",
        "1.0b1.dev456",
        "1.0b2",
        "1.0b2.post345.dev456",
        "1.0b2.post345",
        "1.0rc1.dev456",
        "1.0rc1",
        "1.0",
        "1.0+abc.5",
        "1.0+abc.7",
        "1.0+5",
        "1.0.post456.dev34",
        "1.0.post456",
        "1.0.15",
        "1.1.dev1",
        "1!0.1",
    ];

    #[test]
    fn pep440_total_order() {
        for (i, a) in ASCENDING.iter().enumerate() {
            for (j, b) in ASCENDING.iter().enumerate() {
                assert_eq!(compare(a, b), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn spellings_normalise() {
        let eq = [
            ("1.0", "1.0.0"),
            ("1.0", "v1.0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0-beta.2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0pre1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0.rev1", "1.0.post1"),
            ("1.0.post", "1.0.post0"),
            ("1.0-dev", "1.0.dev0"),
            ("1.0RC1", "1.0rc1"),
            ("0!1.0", "1.0"),
        ];
        for (a, b) in eq {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} vs {b}");
        }
    }

    #[test]
    fn legacy_versions_sort_first() {
        assert!(parse("2004d").is_none());
        assert!(parse("1.0+").is_none());
        assert_eq!(compare("2004d", "0.1"), Ordering::Less);
        assert_eq!(compare("french toast", "dog"), Ordering::Greater);
    }

    #[test]
    fn prerelease_flags() {
        assert!(parse("1.0rc1").unwrap().is_prerelease());
        assert!(parse("1.0.dev1").unwrap().is_prerelease());
        assert!(!parse("1.0.post1").unwrap().is_prerelease());
    }
}
