//! A small structure-unaware mutator for text inputs, driven by a deterministic generator so
//! that a run is reproduced exactly from its seed number.
//!
//! Every mutation works on character boundaries, so the result is always valid UTF-8: the
//! parsers under test take `&str`, and invalid UTF-8 is rejected before them (by
//! `tollgate_core::read_text`), which the campaign covers with the real binary instead.

/// SplitMix64: tiny, fast and good enough to pick mutations; no dependency needed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `1/n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Tokens every format gets: structure characters, whitespace that is not ASCII (a
/// non-breaking space after a tag once took down the YAML reader), multi-byte characters at
/// awkward places, and numbers at the edges of what parsers accept.
pub const COMMON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "'",
    "`",
    ":",
    ",",
    "=",
    ".",
    "\\",
    "/",
    "*",
    "#",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "  ",
    "\u{a0}",
    "\u{3000}",
    "\u{feff}",
    "\u{2028}",
    "é",
    "本番",
    "𝄞",
    "\u{1b}[31m",
    "\u{7f}",
    "0",
    "-1",
    "1e999",
    "-0",
    "1.5e-400",
    "9223372036854775808",
    "18446744073709551616",
    "0x1F",
    "true",
    "null",
    "\"\"",
    "\\u0000",
    "\\ud800",
    "\\uDC00",
    "${",
    "%{",
    "<",
    ">",
    "&",
    ";",
    "|",
    "-",
    "+",
    "~",
    "!",
    "?",
    "@",
    "$",
];

/// Openers and closers that nest in the formats read: brackets, and the blocks and
/// expressions of handler code.
const NESTING: &[(&str, &str)] = &[
    ("(", ")"),
    ("[", "]"),
    ("{", "}"),
    ("[[", "]]"),
    ("if (x) { ", " }"),
    ("f(", ")"),
    ("a + (", ")"),
    ("- ", ""),
    ("not ", ""),
];

/// A mutated copy of `input`: one to four edits drawn from `tokens` and from `other`
/// (another seed of the same format, for splicing), kept under `max_len` bytes.
pub fn mutate(rng: &mut Rng, input: &str, other: &str, tokens: &[&str], max_len: usize) -> String {
    mutate_with(rng, input, other, tokens, max_len, EDITS)
}

/// [`mutate`], with one more kind of edit: a range nested thousands of levels deep. For the
/// campaign against the release binary; the in-process targets run in debug builds on 2 MiB
/// test threads, where regorus's recursive parser runs out of stack before its own depth
/// limit stops it (the release binary reports such a policy as a parse error).
pub fn mutate_deep(
    rng: &mut Rng,
    input: &str,
    other: &str,
    tokens: &[&str],
    max_len: usize,
) -> String {
    mutate_with(rng, input, other, tokens, max_len, EDITS + 1)
}

/// Kinds of edit [`mutate`] draws from; [`mutate_deep`] adds nesting.
const EDITS: usize = 12;

fn mutate_with(
    rng: &mut Rng,
    input: &str,
    other: &str,
    tokens: &[&str],
    max_len: usize,
    kinds: usize,
) -> String {
    let mut text = input.to_owned();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        text = one_edit(rng, &text, other, tokens, kinds);
        if text.len() > max_len {
            let mut cut = max_len;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
    }
    text
}

fn token<'a>(rng: &mut Rng, tokens: &[&'a str]) -> &'a str {
    if tokens.is_empty() || rng.one_in(3) {
        COMMON_TOKENS[rng.below(COMMON_TOKENS.len())]
    } else {
        tokens[rng.below(tokens.len())]
    }
}

fn one_edit(rng: &mut Rng, text: &str, other: &str, tokens: &[&str], kinds: usize) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    match rng.below(kinds) {
        // Insert a token.
        0..=2 => {
            let at = boundary(rng, text);
            out.push_str(&text[..at]);
            out.push_str(token(rng, tokens));
            out.push_str(&text[at..]);
        }
        // Replace a short range with a token.
        3 | 4 => {
            let (a, b) = range(rng, text, 8);
            out.push_str(&text[..a]);
            out.push_str(token(rng, tokens));
            out.push_str(&text[b..]);
        }
        // Delete a range.
        5 => {
            let (a, b) = range(rng, text, 64);
            out.push_str(&text[..a]);
            out.push_str(&text[b..]);
        }
        // Duplicate a range in place, sometimes many times (repetition finds quadratic paths).
        6 => {
            let (a, b) = range(rng, text, 256);
            let times = if rng.one_in(8) { 2 + rng.below(64) } else { 2 };
            out.push_str(&text[..a]);
            for _ in 0..times {
                out.push_str(&text[a..b]);
            }
            out.push_str(&text[b..]);
        }
        // Splice a range of another seed in.
        7 => {
            let (a, b) = range(rng, other, 512);
            let at = boundary(rng, text);
            out.push_str(&text[..at]);
            out.push_str(&other[a..b]);
            out.push_str(&text[at..]);
        }
        // Swap two lines.
        8 => {
            let mut lines: Vec<&str> = text.split('\n').collect();
            let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
            lines.swap(i, j);
            out = lines.join("\n");
        }
        // Re-indent one line (YAML's structure is its indentation).
        9 => {
            let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
            let i = rng.below(lines.len());
            let line = &mut lines[i];
            if rng.one_in(2) {
                let n = 1 + rng.below(4);
                line.insert_str(0, &" ".repeat(n));
            } else {
                let trimmed = line.trim_start().to_owned();
                *line = trimmed;
            }
            out = lines.join("\n");
        }
        // Nest a range thousands of levels deep: every parser and every walk over what it
        // builds must bound its depth instead of recursing until the stack runs out.
        12 => {
            let (open, close) = *rng.pick(NESTING);
            let (a, b) = range(rng, text, 64);
            let times = 64 + rng.below(20_000);
            out.push_str(&text[..a]);
            out.push_str(&open.repeat(times));
            out.push_str(&text[a..b]);
            out.push_str(&close.repeat(times));
            out.push_str(&text[b..]);
        }
        // Truncate.
        10 => {
            let at = boundary(rng, text);
            out.push_str(&text[..at]);
        }
        // Change one character to a random printable ASCII one.
        _ => {
            let (a, b) = range(rng, text, 1);
            out.push_str(&text[..a]);
            out.push((b' ' + rng.below(95) as u8) as char);
            out.push_str(&text[b..]);
        }
    }
    out
}

/// A character boundary of `text`, uniformly over bytes then moved back to a boundary.
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A range `a..b` of `text` on character boundaries, at most `max` bytes long (roughly).
fn range(rng: &mut Rng, text: &str, max: usize) -> (usize, usize) {
    let a = boundary(rng, text);
    let mut b = (a + 1 + rng.below(max)).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_mutants() {
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..50)
                .map(|_| mutate(&mut rng, "a: é本番\nb: [1, 2]\n", "c: 𝄞", &["!Ref"], 4096))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn mutants_respect_the_length_cap() {
        let mut rng = Rng::new(1);
        let seed = "x".repeat(1000);
        for _ in 0..500 {
            assert!(mutate(&mut rng, &seed, &seed, &[], 1200).len() <= 1200);
        }
    }
}
