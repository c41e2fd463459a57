//! Helpers shared by the fast-path differential tests: the repository's files, a readable
//! difference between two documents, and seeded random edits.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tollgate_syntax::Document;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the debug forms of `fast` and `other` (the path it is checked against, named
/// `other_name`) first differ, with some lines around.
pub fn first_difference(fast: &Document, other_name: &str, other: &Document) -> String {
    let fast = format!("{fast:#?}");
    let other = format!("{other:#?}");
    let line = fast
        .lines()
        .zip(other.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(0);
    let around = |s: &str| {
        s.lines()
            .skip(line.saturating_sub(8))
            .take(12)
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "documents differ at line {line} of their debug form:\nfast:\n{}\n{other_name}:\n{}",
        around(&fast),
        around(&other)
    )
}

/// Files under `dir` whose names end in one of `suffixes`, sorted (build output, `.git` and
/// `node_modules` skipped).
pub fn files_ending(dir: &Path, suffixes: &[&str], out: &mut Vec<PathBuf>) {
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if name != "target" && name != ".git" && name != "node_modules" {
                    dirs.push(path);
                }
            } else if suffixes.iter().any(|s| name.ends_with(s)) {
                out.push(path);
            }
        }
    }
    out.sort();
}

/// A small deterministic generator (xorshift), so that a failure replays.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The generator and the number of iterations of a mutation test: 6,000 from a fixed seed,
/// unless `TOLLGATE_FUZZ_ITERS` and `TOLLGATE_FUZZ_SEED` say otherwise (as they do for the
/// fuzz crate's seeded targets).
pub fn fuzz_settings() -> (Rng, usize) {
    let iterations = std::env::var("TOLLGATE_FUZZ_ITERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6000);
    let seed = std::env::var("TOLLGATE_FUZZ_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    (Rng(seed), iterations)
}

/// Runs the mutation test: up to `edits` random edits of a random seed text, each result
/// checked with `agree` (`Ok(true)` taken and equal, `Ok(false)` declined, `Err` a
/// disagreement); fails on any disagreement, or when the fast path took under a tenth.
pub fn mutations_agree(
    seeds: &[String],
    pieces: &[&str],
    edits: usize,
    agree: impl Fn(&str) -> Result<bool, String>,
) {
    let (mut rng, iterations) = fuzz_settings();
    let mut problems = Vec::new();
    let mut taken = 0;
    for _ in 0..iterations {
        let mut text = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(edits) {
            text = mutate(&text, &mut rng, pieces);
        }
        match agree(&text) {
            Ok(true) => taken += 1,
            Ok(false) => {}
            Err(why) => problems.push(format!("{text:?}\n{why}")),
        }
        if problems.len() > 5 {
            break;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(taken > iterations / 10, "the fast path took only {taken}");
}

/// One random edit at a character boundary: insert a piece, delete a range, repeat or drop a
/// line, or shift a line's indentation.
pub fn mutate(text: &str, rng: &mut Rng, pieces: &[&str]) -> String {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let at = boundaries[rng.below(boundaries.len())];
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    match rng.below(6) {
        0 | 1 => format!(
            "{}{}{}",
            &text[..at],
            pieces[rng.below(pieces.len())],
            &text[at..]
        ),
        2 => {
            let to = boundaries[rng.below(boundaries.len())].max(at);
            let to = to.min(at + 1 + rng.below(6));
            let to = boundaries
                .iter()
                .copied()
                .find(|&b| b >= to)
                .unwrap_or(text.len());
            format!("{}{}", &text[..at], &text[to..])
        }
        3 if !lines.is_empty() => {
            let i = rng.below(lines.len());
            let mut out: Vec<&str> = lines.clone();
            out.insert(i, lines[i]);
            out.concat()
        }
        4 if !lines.is_empty() => {
            let i = rng.below(lines.len());
            let mut out: Vec<&str> = lines.clone();
            out.remove(i);
            out.concat()
        }
        _ if !lines.is_empty() => {
            let i = rng.below(lines.len());
            let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
            if rng.below(2) == 0 {
                out[i].insert_str(0, &" ".repeat(1 + rng.below(3)));
            } else {
                let trimmed = out[i].trim_start_matches(' ');
                let spaces = out[i].len() - trimmed.len();
                out[i] = out[i][spaces.min(1 + rng.below(3))..].to_owned();
            }
            out.concat()
        }
        _ => text.to_owned(),
    }
}
