//! libFuzzer target: every lockfile parser, `tollgate_fuzz::checks::lockfile`. The first byte
//! picks the kind (`checks::LOCKFILES[byte % 15]`); the rest, as UTF-8, is the file. A crash
//! becomes a regression case of the seeded target of that kind, without its first byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::checks::{lockfile, LOCKFILES};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (target, kind, path) = LOCKFILES[usize::from(pick) % LOCKFILES.len()];
    if let Err(broken) = lockfile(kind, path, text) {
        panic!("{target}: {broken}");
    }
});
